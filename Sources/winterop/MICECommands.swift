import ArgumentParser

/// `winterop mice …`: the MS-MICE roles.
struct MICECommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mice",
        abstract: "Miracast over Infrastructure (MS-MICE): project a display over TCP 7250.",
        subcommands: [MICESinkCommand.self, MICESourceCommand.self, MICEIECommand.self]
    )
}

struct MICESinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sink",
        abstract: "Receive projections: listen on TCP 7250, pair by PIN over DTLS, connect back to the source's RTSP port."
    )

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var arguments: [String] = []

    func run() async throws {
        throw protocolNotAvailable("MS-MICE", role: "mice sink")
    }
}

struct MICESourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source",
        abstract: "Project to a sink: connect to its TCP 7250, pair, and wait for its RTSP connect-back."
    )

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var arguments: [String] = []

    func run() async throws {
        throw protocolNotAvailable("MS-MICE", role: "mice source")
    }
}

struct MICEIECommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ie",
        abstract: "Build or decode the Wi-Fi Simple Configuration vendor extension attribute a sink advertises."
    )

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var arguments: [String] = []

    func run() async throws {
        throw protocolNotAvailable("MS-MICE", role: "mice ie")
    }
}
