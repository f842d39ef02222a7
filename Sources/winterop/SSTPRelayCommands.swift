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
            A FanoutOpen entry whose RelayURL is another relay is forwarded to that relay on a \
            single-hop fanout session over one relay-to-relay connection (--peer gives its \
            address); the originator's sequence is acknowledged only once every local copy is \
            committed and every remote relay acknowledged its copy. \
            Stops on SIGINT or SIGTERM with ConnectClose; a restart on the same --store resumes.
            """
    )

    @OptionGroup var events: EventOptions

    @OptionGroup var listening: SSTPListenerOptions

    @Option(name: .customLong("relay-url"), help: "The relay's URL (its LocalDeviceURL): devices' Connect must target it.")
    var relayURL: String

    @Option(name: .long, help: "The message store: sqlite:PATH (created if missing), or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (tables created if missing; every relay process on the same database acts as one relay: a message deposited through any of them is delivered by the one its recipient is attached to).")
    var store: String

    @Option(name: .long, help: "IDENTITYURL=DEVICEURL: the device is registered for the identity (repeatable).")
    var identity: [String] = []

    @Option(name: .long, help: "A SourceDeviceURL under a security lockout: its Connect is rejected (repeatable).")
    var lockout: [String] = []

    @OptionGroup var version: SSTPVersionOption

    @Option(name: .customLong("ack-delay"), help: "Message Acknowledgment Timer in seconds (3.1.2.1).")
    var ackDelay: Double = 1

    @Option(name: .customLong("max-device-connections"), help: "NumberOfConcurrentDeviceConnections: connections one SourceDeviceURL may hold; a further one is answered Ok then ConnectClose CrossedConnections (default: no limit).")
    var maxDeviceConnections: Int?

    @Option(name: .customLong("quota-messages"), help: "Messages stored per identity at most; one more is refused with QuotaWouldBeExceeded (default: no limit).")
    var quotaMessages: Int?

    @Option(name: .customLong("quota-bytes"), help: "Payload bytes stored per identity at most; a message that would pass it is refused with QuotaWouldBeExceeded (default: no limit).")
    var quotaBytes: Int?

    @Option(name: .long, help: "Serve Prometheus metrics at http://HOST:PORT/metrics (port 0 picks one, reported in a listening event of service sstp-relay-metrics).")
    var metrics: String?

    @Flag(name: .customLong("no-multidrop"), help: "Refuse multi-drop FanoutOpen (ConnectResponse M clear): NoFanoutEntries.")
    var noMultidrop = false

    @Option(name: .long, help: "RELAYURL=HOST:PORT: where fanout entries for that remote relay are forwarded (repeatable; otherwise the RelayURL's own host, port 2492).")
    var peer: [String] = []

    @Option(name: .customLong("claim-lease"), help: "PostgreSQL store: seconds a relay's claim on a stored message lasts unless renewed (every third of it); a relay that stops answering loses its claims to the other relays after this.")
    var claimLease: Double = 30

    @Flag(name: .customLong("no-single-hop"), help: "Refuse fanout entries for remote relays (ConnectResponse S clear): FanoutNotSupported.")
    var noSingleHop = false

    func run() async throws {
        let configuration = try SSTPRelayConfiguration(
            listen: listening.listen, relayURL: relayURL, store: store, identities: identity, lockedOutDevices: lockout,
            version: version.version, acknowledgmentDelay: ackDelay, maxConnections: listening.maxConnections, multidrop: !noMultidrop,
            singleHop: !noSingleHop, peers: peer, maxDeviceConnections: maxDeviceConnections,
            quotaMessages: quotaMessages, quotaBytes: quotaBytes, metrics: metrics, claimLease: claimLease
        )
        try await events.run { eventLog in
            var logger = Logger(label: "winterop.sstp.relay")
            logger.logLevel = .warning
            let relay = try SSTPRelayListener(configuration: configuration, events: eventLog)
            defer { relay.finish() }
            try await RoleRunner.serve(relay.services(), name: "sstp relay", events: eventLog, logger: logger)
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
