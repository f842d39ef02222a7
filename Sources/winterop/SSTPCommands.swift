import ArgumentParser

/// `winterop sstp …`: the MS-GRVSSTP roles.
struct SSTPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sstp",
        abstract: "Groove Simple Symmetric Transport Protocol (MS-GRVSSTP): sessions and messages over TCP 2492.",
        subcommands: [SSTPRelayCommand.self, SSTPListenCommand.self, SSTPSendCommand.self, SSTPReceiveCommand.self]
    )
}

struct SSTPRelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Run a store-and-forward relay server that holds messages for devices and fans them out."
    )

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var arguments: [String] = []

    func run() async throws {
        throw protocolNotAvailable("MS-GRVSSTP", role: "sstp relay")
    }
}

struct SSTPListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Run a device that accepts direct connections and sessions and stores each message it receives."
    )

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var arguments: [String] = []

    func run() async throws {
        throw protocolNotAvailable("MS-GRVSSTP", role: "sstp listen")
    }
}

struct SSTPSendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Connect to a device or relay, open a session and send files as messages until each is acknowledged."
    )

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var arguments: [String] = []

    func run() async throws {
        throw protocolNotAvailable("MS-GRVSSTP", role: "sstp send")
    }
}

struct SSTPReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Connect to a relay as a device and take delivery of the messages queued for it."
    )

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var arguments: [String] = []

    func run() async throws {
        throw protocolNotAvailable("MS-GRVSSTP", role: "sstp receive")
    }
}
