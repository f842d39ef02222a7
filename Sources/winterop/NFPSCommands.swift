import ArgumentParser

/// `winterop nfps …`: the MS-NFPS roles.
struct NFPSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nfps",
        abstract: "Near Field Proximity Sharing (MS-NFPS): AES-encrypted \"tap and send\" of an OPC package.",
        subcommands: [NFPSSendCommand.self, NFPSReceiveCommand.self]
    )
}

struct NFPSSendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Share files: listen for a share receiver and send them to it as an encrypted OPC package."
    )

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var arguments: [String] = []

    func run() async throws {
        throw protocolNotAvailable("MS-NFPS", role: "nfps send")
    }
}

struct NFPSReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Connect to a share sender and receive, decrypt and unpack its OPC package."
    )

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var arguments: [String] = []

    func run() async throws {
        throw protocolNotAvailable("MS-NFPS", role: "nfps receive")
    }
}
