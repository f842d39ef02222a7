import ArgumentParser
import Logging
import SSTPCore
import SSTPRelay
import WinteropTransport

/// `winterop sstp relay`: the store-and-forward relay server (MS-GRVSSTP 3.3).
struct SSTPRelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Run a store-and-forward relay server that holds messages for devices and fans them out.",
        discussion: """
            A session opened to ResourceURL/IdentityURL/DeviceURL on the relay is stored for that \
            device (an empty DeviceURL: for every device registered for the identity, by --identity \
            or by a Register session). Each message is acknowledged only once committed to the store \
            (SQLite, WAL, synchronous FULL, group commits). When the device connects (its Connect's \
            SourceDeviceURLs), the relay opens a session to it and delivers what is stored, in the \
            order received; a message leaves the store only when the device acknowledges it. \
            DoNotDeliverIfOffline messages are kept 5 minutes, Ephemeral ones for their TTL. \
            Stops on SIGINT or SIGTERM with ConnectClose; a restart on the same --store resumes.
            """
    )

    @OptionGroup var events: EventOptions

    @OptionGroup var listening: SSTPListenerOptions

    @Option(name: .customLong("relay-url"), help: "The relay's URL (its LocalDeviceURL): devices' Connect must target it.")
    var relayURL: String

    @Option(name: .long, help: "The message store: sqlite:PATH (created if missing).")
    var store: String

    @Option(name: .long, help: "IDENTITYURL=DEVICEURL: the device is registered for the identity (repeatable).")
    var identity: [String] = []

    @Option(name: .long, help: "A SourceDeviceURL under a security lockout: its Connect is rejected (repeatable).")
    var lockout: [String] = []

    @OptionGroup var version: SSTPVersionOption

    @Option(name: .customLong("ack-delay"), help: "Message Acknowledgment Timer in seconds (3.1.2.1).")
    var ackDelay: Double = 1

    @Flag(name: .customLong("no-multidrop"), help: "Refuse multi-drop FanoutOpen (ConnectResponse M clear): NoFanoutEntries.")
    var noMultidrop = false

    func run() async throws {
        let configuration = try SSTPRelayConfiguration(
            listen: listening.listen, relayURL: relayURL, store: store, identities: identity, lockedOutDevices: lockout,
            version: version.version, acknowledgmentDelay: ackDelay, maxConnections: listening.maxConnections, multidrop: !noMultidrop
        )
        try await events.run { eventLog in
            var logger = Logger(label: "winterop.sstp.relay")
            logger.logLevel = .warning
            let relay = try SSTPRelayListener(configuration: configuration, events: eventLog)
            try await RoleRunner.serve([relay.service()], name: "sstp relay", events: eventLog, logger: logger)
        }
    }
}

/// `winterop sstp receive`: a device taking delivery from its relay (MS-GRVSSTP 1.3.5.2.1).
struct SSTPReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Connect to a relay as a device and take delivery of the messages queued for it.",
        discussion: """
            Connects to --relay with --device-url as its SourceDeviceURL, registers each --identity \
            with a Register session, and accepts the relay's delivery sessions. Each message is \
            written to its own file under --out (msg-NNNNNNNN, synced) — without --out it is only \
            reported — and acknowledged once written, so the relay removes it. With --exit-after N \
            it exits 0 once N messages arrived; otherwise it runs until SIGINT or SIGTERM.
            """
    )

    @OptionGroup var events: EventOptions

    @Option(name: .long, help: "The relay's address (HOST:PORT).")
    var relay: String

    @Option(name: .customLong("relay-url"), help: "The relay's URL: the Connect's TargetDeviceURL.")
    var relayURL: String

    @Option(name: .customLong("device-url"), help: "This device's URL (the Connect's SourceDeviceURL).")
    var deviceURL: String

    @Option(name: .long, help: "An identity URL this device registers for (repeatable).")
    var identity: [String] = []

    @Option(name: .long, help: "Directory the delivered messages are written to (created if missing).")
    var out: String?

    @Option(name: .customLong("exit-after"), help: "Exit once this many messages arrived.")
    var exitAfter: Int?

    @OptionGroup var version: SSTPVersionOption

    @Option(name: .long, help: "Seconds to wait for the relay to answer Connect.")
    var timeout: Double = 60

    func run() async throws {
        let configuration = try SSTPReceiveConfiguration(
            relay: relay, relayURL: relayURL, deviceURL: deviceURL, identities: identity,
            outputDirectory: out, exitAfter: exitAfter, version: version.version, timeout: timeout
        )
        try await events.run { eventLog in
            var logger = Logger(label: "winterop.sstp.receive")
            logger.logLevel = .warning
            _ = try await RoleRunner.client(name: "sstp receive", logger: logger) {
                try await SSTPReceiver.receive(configuration, events: eventLog)
            }
        }
    }
}
