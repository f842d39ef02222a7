import ArgumentParser

/// `winterop wds …`: the MS-WDSMSI roles.
struct WDSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wds",
        abstract: "WDS Multicast Session Initiation (MS-WDSMSI): set up multicast sessions over UDP 5041.",
        subcommands: [WDSServeCommand.self, WDSRequestCommand.self]
    )
}

struct WDSServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer multicast session requests for content in namespaces on UDP 5041."
    )

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var arguments: [String] = []

    func run() async throws {
        throw protocolNotAvailable("MS-WDSMSI", role: "wds serve")
    }
}

struct WDSRequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Ask a WDS server for the multicast session that carries a namespace's content."
    )

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var arguments: [String] = []

    func run() async throws {
        throw protocolNotAvailable("MS-WDSMSI", role: "wds request")
    }
}
