import ArgumentParser

/// `winterop tcc …`: the MS-TCC roles.
struct TCCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcc",
        abstract: "Tethering Control Channel (MS-TCC): hand Wi-Fi hotspot settings to a client over RFCOMM or TCP.",
        subcommands: [TCCServeCommand.self, TCCRequestCommand.self]
    )
}

struct TCCServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Act as the phone: answer tethering requests with the Wi-Fi hotspot's settings."
    )

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var arguments: [String] = []

    func run() async throws {
        throw protocolNotAvailable("MS-TCC", role: "tcc serve")
    }
}

struct TCCRequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Act as the laptop: ask a tethering server to bring up its hotspot and print the settings."
    )

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var arguments: [String] = []

    func run() async throws {
        throw protocolNotAvailable("MS-TCC", role: "tcc request")
    }
}
