import ArgumentParser
import Foundation
import Logging
import SSTPCore
import SSTPRoles
import WinteropTransport

/// `winterop sstp …`: the MS-GRVSSTP roles.
struct SSTPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sstp",
        abstract: "Groove Simple Symmetric Transport Protocol (MS-GRVSSTP): sessions and messages over TCP 2492.",
        subcommands: [SSTPRelayCommand.self, SSTPListenCommand.self, SSTPSendCommand.self, SSTPReceiveCommand.self, SSTPSpoolCommand.self]
    )
}

/// `--version`: the SSTP versions a device speaks (1.7).
enum SSTPVersionArgument: String, ExpressibleByArgument, CaseIterable {
    case v1_5 = "1.5"
    case v1_6 = "1.6"

    var version: SSTP.Version {
        switch self {
        case .v1_5: .v1_5
        case .v1_6: .v1_6
        }
    }
}

/// `--store`: how `sstp listen` keeps messages.
enum SSTPStoreArgument: String, ExpressibleByArgument, CaseIterable {
    case files, spool

    var store: SSTPMessageStore {
        switch self {
        case .files: .files
        case .spool: .spool
        }
    }
}

/// `--version`, as every SSTP command takes it.
struct SSTPVersionOption: ParsableArguments {
    @Option(name: .customLong("version"), help: ArgumentHelp("SSTP version to speak.", valueName: "version"))
    var argument: SSTPVersionArgument = .v1_6

    var version: SSTP.Version { argument.version }
}

/// `--listen` and `--max-connections`, as both SSTP listeners (device and relay) take them.
struct SSTPListenerOptions: ParsableArguments {
    @Option(name: .long, help: "Address to listen on (HOST:PORT; port 0 picks one, reported in the listening event).")
    var listen: String = "0.0.0.0:\(SSTP.port)"

    @Option(name: .customLong("max-connections"), help: "Concurrent connections; more are refused (default: no limit).")
    var maxConnections: Int?
}

struct SSTPListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Run a device that accepts direct connections and sessions and stores each message it receives.",
        discussion: """
            Every inbound session is accepted; each message is written to its own file under --out \
            (msg-NNNNNNNN, numbered on from the highest already there; nothing is ever overwritten), \
            reported as a "message" event (session, addressing entry, size, SHA-256, UserRef, Message \
            flags), and acknowledged only once it is stored under its final name (fsync'd unless \
            --no-fsync). With --store spool, messages up to 64 KiB are instead appended, many per \
            write and fsync, to spool files (spool-NNNNNNNN; the message event gives path and offset; \
            `winterop sstp spool` lists and extracts them); larger ones still get a file each. \
            Stops on SIGINT or SIGTERM, closing each connection with ConnectClose.
            """
    )

    @OptionGroup var events: EventOptions

    @OptionGroup var listening: SSTPListenerOptions

    @Option(name: .customLong("device-url"), help: "A LocalDeviceURL of this device (repeatable); Connect must target one of them.")
    var deviceURLs: [String] = []

    @Option(name: .long, help: "Directory the received messages are written to (created if missing).")
    var out: String = "./sstp-inbox"

    @OptionGroup var version: SSTPVersionOption

    @Option(name: .customLong("ack-delay"), help: "Message Acknowledgment Timer in seconds (3.1.2.1).")
    var ackDelay: Double = 5

    @Option(name: .customLong("connect-timeout"), help: "Seconds a new connection has to complete Connect before it is closed.")
    var connectTimeout: Double = 30

    @Option(name: .customLong("max-message-size"), help: "Largest message in bytes; a longer one closes its session with QuotaWouldBeExceeded (default: no limit).")
    var maxMessageSize: Int?

    @Option(name: .customLong("max-messages-in-progress"), help: "Messages being received at once by this process; one more closes its session with QuotaWouldBeExceeded.")
    var maxMessagesInProgress: Int = SSTPDeviceConfiguration.defaultMaxMessagesInProgress

    @Option(name: .customLong("stall-timeout"), help: "Seconds a peer may leave this device's output unread (above the high-water mark) before it is closed with ResponseTimeout.")
    var stallTimeout: Double = 30

    @Flag(name: .customLong("no-flow-control"), help: "Do not send StopSending/StartSending when the disk falls behind (TCP back-pressure only).")
    var noFlowControl = false

    @Flag(name: .customLong("no-fsync"), help: "Do not fsync each message before acknowledging it.")
    var noFsync = false

    @Flag(name: .customLong("no-sha256"), help: "Do not compute each message's SHA-256 (the message event then has no sha256 field); saves most of the CPU of large messages.")
    var noSHA256 = false

    @Option(name: .customLong("lockout"), help: "A source device URL to refuse with ConnectRejected (repeatable).")
    var lockout: [String] = []

    @Option(name: .long, help: "How messages are kept: files (one msg-NNNNNNNN each) or spool (messages up to 64 KiB appended to spool-NNNNNNNN files, many per write: for many small messages).")
    var store: SSTPStoreArgument = .files

    @Option(name: .customLong("max-connections-per-device"), help: "NumberOfConcurrentDeviceConnections: more connections from one device get Ok then ConnectClose CrossedConnections.")
    var maxConnectionsPerDevice: Int?

    @Option(name: .customLong("high-water"), help: "Bytes waiting for the disk above which reading stops and sessions get StopSending.")
    var highWater: Int = 4 << 20

    func run() async throws {
        var configuration = try SSTPDeviceConfiguration(
            listen: listening.listen, deviceURLs: deviceURLs,
            outputDirectory: out, version: version.version, acknowledgmentDelay: ackDelay,
            flowControl: !noFlowControl, sync: !noFsync, lockedOutDevices: lockout,
            maxConnectionsPerDevice: maxConnectionsPerDevice, highWater: highWater, connectTimeout: connectTimeout,
            maxMessageSize: maxMessageSize, maxConnections: listening.maxConnections,
            stallTimeout: stallTimeout, maxMessagesInProgress: maxMessagesInProgress
        )
        configuration.digests = !noSHA256
        configuration.store = store.store
        let eventLog = events.makeEventLog()
        var logger = Logger(label: "winterop.sstp.listen")
        logger.logLevel = .warning
        let listener = SSTPDeviceListener(configuration: configuration, events: eventLog)
        try await RoleRunner.serve([listener.announcingService()], name: "sstp listen", events: eventLog, logger: logger)
    }
}

struct SSTPSendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Connect to a device or relay, open a session and send files as messages until each is acknowledged.",
        discussion: """
            Each --file is one message (a directory sends each of its files, a quoted glob each file it \
            matches); with no --file, standard input is one message, or with --stdin-messages many \
            (each a 4-byte big-endian length then its bytes; read to the end first). The last message asks for an \
            immediate acknowledgment. Exits 0 once every message is acknowledged; otherwise exits 1 \
            naming what was not acknowledged. With --fanout, destinations the relay reports lost \
            (SessionStatus) are a destinations_lost event naming them and the messages not yet \
            acknowledged then, and the send exits 1 naming them.
            """
    )

    @OptionGroup var events: EventOptions

    @Option(name: .long, help: "The device to connect to (HOST[:PORT], port 2492 by default).")
    var to: String

    @Option(name: .customLong("target-device"), help: "The DeviceURL expected at the other end (Connect TargetDeviceURL).")
    var targetDevice: String

    @Option(name: .customLong("device-url"), help: "This device's URL (Connect SourceDeviceURLs).")
    var deviceURL: String

    @Option(name: .long, help: "ResourceURL of the session (the resource handler).")
    var resource: String

    @Option(name: .long, help: "IdentityURL of the destination (not needed with --fanout).")
    var identity: String = ""

    @Option(name: .long, help: "DeviceURL of the destination; empty (the default) for an identity-targeted session.")
    var device: String = ""

    @Option(name: .long, help: "IDENTITYURL=[DEVICEURL][@RELAYURL]: open a fanout session to a relay with this destination instead (repeatable; an empty DeviceURL targets the identity, a RelayURL another relay: single-hop).")
    var fanout: [String] = []

    @Option(name: .long, help: "A file, directory or quoted glob to send, one message per file (repeatable); standard input when none is given.")
    var file: [String] = []

    @Flag(name: .customLong("stdin-messages"), help: "Read many messages from standard input, each a 4-byte big-endian length then its bytes (UserRef stdin#N unless --user-ref).")
    var stdinMessages = false

    @OptionGroup var version: SSTPVersionOption

    @Flag(name: .customLong("ack-immediately"), help: "Set AcknowledgeImmediately (A) on every message (the last one always has it).")
    var ackImmediately = false

    @Option(name: .long, help: "Ephemeral TTL in seconds (sets E and the TTL field).")
    var ttl: UInt32?

    @Flag(name: .customLong("do-not-deliver-if-offline"), help: "Set DoNotDeliverIfOffline (D).")
    var doNotDeliverIfOffline = false

    @Flag(name: .long, help: "Set G: ask the receiver to track the message.")
    var track = false

    @Option(name: .customLong("user-ref"), help: "UserRef of every message (default: the file's name).")
    var userRef: String?

    @Flag(name: .customLong("no-sha256"), help: "Do not compute each message's SHA-256 (sent events then have no sha256 field); saves most of the CPU of large messages.")
    var noSHA256 = false

    @Flag(name: .customLong("no-stream-size"), help: "Do not send the StreamSize fields even when the size is known.")
    var noStreamSize = false

    @Option(name: .long, help: "Seconds to wait for the ConnectResponse and the OpenResponse.")
    var timeout: Double = 60

    func run() async throws {
        if file.isEmpty && stdinMessages && isatty(STDIN_FILENO) != 0 {
            EventLog.diagnostic("sstp send: reading length-prefixed messages from standard input until its end (Ctrl-D)")
        }
        var configuration = try SSTPSendConfiguration(
            to: to, targetDevice: targetDevice, deviceURL: deviceURL,
            resource: resource, identity: identity, device: device, files: file, version: version.version,
            options: SSTP.MessageOptions(
                track: track, acknowledgeImmediately: ackImmediately, doNotDeliverIfOffline: doNotDeliverIfOffline,
                ephemeral: ttl.map { SSTP.Message.Ephemeral(ttl: $0) }
            ),
            userRef: userRef, streamSize: !noStreamSize, timeout: timeout, standardInputMessages: stdinMessages,
            fanout: fanout
        )
        configuration.digests = !noSHA256
        let eventLog = events.makeEventLog()
        if file.isEmpty && !stdinMessages && isatty(STDIN_FILENO) != 0 {
            EventLog.diagnostic("sstp send: reading one message from standard input (end it with Ctrl-D, or give --file)")
        }
        var logger = Logger(label: "winterop.sstp.send")
        logger.logLevel = .warning
        let send = configuration
        let report = try await RoleRunner.client(name: "sstp send", logger: logger) {
            try await SSTPSender.send(send, events: eventLog)
        }
        guard report.succeeded else { throw RoleFailure.peer("sstp send: " + report.failureSummary) }
    }
}

/// `winterop sstp spool`: lists, and extracts, the messages of `sstp listen --store spool`.
struct SSTPSpoolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spool",
        abstract: "List the messages in spool files of sstp listen --store spool, or extract them into files.",
        discussion: """
            Each spool-NNNNNNNN file holds many messages, one record each (see the README for the \
            layout). One line (or "record" event) per message: its index, offset, size, connection, \
            session and sequence number. --extract DIR copies each message to its own msg-NNNNNNNN \
            file there (numbered on from the highest; nothing is overwritten).
            """
    )

    @OptionGroup var events: EventOptions

    @Argument(help: "Spool files (spool-NNNNNNNN in the listener's --out).")
    var files: [String]

    @Option(name: .long, help: "Directory to copy each message into as its own msg-NNNNNNNN file (created if missing).")
    var extract: String?

    func run() async throws {
        guard !files.isEmpty else { throw RoleFailure.usage("sstp spool: give one or more spool-NNNNNNNN files") }
        try await events.run { log in
            if let extract { try SSTPDeviceConfiguration.prepareExtractDirectory(extract) }
            var number = extract.map { SSTPSpool.firstMessageNumber(in: $0) } ?? 1
            for file in files {
                let contents = try SSTPSpool.contents(of: file)
                for record in contents.records {
                    let extracted = try extract.map { try SSTPSpool.extract(record, from: file, into: $0, number: &number) }
                    log.emit(SSTPSpoolEvent.record(path: file, record, extracted: extracted))
                }
                if let offset = contents.truncatedAt { log.emit(SSTPSpoolEvent.truncated(path: file, offset: offset)) }
            }
        }
    }
}
