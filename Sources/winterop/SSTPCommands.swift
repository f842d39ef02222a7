import ArgumentParser
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SSTPCore
import SSTPRoles
import WinteropWire
import WinteropTransport

/// `winterop sstp …`: the MS-GRVSSTP roles.
struct SSTPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sstp",
        abstract: "Groove Simple Symmetric Transport Protocol (MS-GRVSSTP): sessions and messages over TCP 2492.",
        subcommands: [SSTPRelayCommand.self, SSTPListenCommand.self, SSTPSendCommand.self, SSTPReceiveCommand.self, SSTPBenchCommand.self]
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
        abstract: "Run a device that accepts direct connections and sessions and stores each message it receives.",
        discussion: """
            Every inbound session is accepted; each message is written to its own file under --out \
            (msg-NNNNNNNN), reported as a "message" event (session, addressing entry, size, SHA-256, \
            UserRef, Message flags), and acknowledged only once it is stored (fsync'd unless --no-fsync). \
            Stops on SIGINT or SIGTERM, closing each connection with ConnectClose.
            """
    )

    @OptionGroup var events: EventOptions

    @Option(name: .long, help: "Address to listen on (HOST:PORT; port 0 picks one, reported in the listening event).")
    var listen: String = "0.0.0.0:\(SSTP.port)"

    @Option(name: .customLong("device-url"), help: "A LocalDeviceURL of this device (repeatable); Connect must target one of them.")
    var deviceURLs: [String] = []

    @Option(name: .long, help: "Directory the received messages are written to.")
    var out: String = "./sstp-inbox"

    @Option(name: .long, help: "SSTP version to speak: 1.5 or 1.6.")
    var version: String = "1.6"

    @Option(name: .customLong("ack-delay"), help: "Message Acknowledgment Timer in seconds (3.1.2.1).")
    var ackDelay: Double = 5

    @Flag(name: .customLong("no-flow-control"), help: "Do not send StopSending/StartSending when the disk falls behind (TCP back-pressure only).")
    var noFlowControl = false

    @Flag(name: .customLong("no-fsync"), help: "Do not fsync each message before acknowledging it.")
    var noFsync = false

    @Option(name: .customLong("lockout"), help: "A source device URL to refuse with ConnectRejected (repeatable).")
    var lockout: [String] = []

    @Option(name: .customLong("max-connections-per-device"), help: "NumberOfConcurrentDeviceConnections: more connections from one device get Ok then ConnectClose CrossedConnections.")
    var maxConnectionsPerDevice: Int?

    @Option(name: .customLong("high-water"), help: "Bytes waiting for the disk above which reading stops and sessions get StopSending.")
    var highWater: Int = 4 << 20

    func run() async throws {
        guard !deviceURLs.isEmpty else {
            throw RoleFailure.usage("sstp listen: give this device's URL with --device-url URL (Connect commands must target it)")
        }
        let address = try parseHostPort(listen, defaultPort: SSTP.port, option: "--listen")
        var connection = SSTP.ConnectionConfiguration(version: try parseSSTPVersion(version), localDeviceURLs: deviceURLs)
        connection.timers.messageAcknowledgment = try seconds(ackDelay, option: "--ack-delay")
        connection.numberOfConcurrentDeviceConnections = maxConnectionsPerDevice
        let configuration = SSTPDeviceConfiguration(
            listen: address, connection: connection, outputDirectory: out,
            flowControl: !noFlowControl, sync: !noFsync, lockedOutDevices: Set(lockout),
            highWater: max(highWater, 1), lowWater: max(highWater / 4, 1)
        )
        let eventLog = events.makeEventLog()
        let listener = SSTPDeviceListener(configuration: configuration, events: eventLog)
        var logger = Logger(label: "winterop.sstp.listen")
        logger.logLevel = .warning
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: SSTPDeviceService(listener: listener))],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        ))
        do {
            try await group.run()
        } catch let error as IOError {
            throw RoleFailure.usage("sstp listen: cannot listen on \(address): \(error)")
        } catch {
            throw RoleFailure.peer("sstp listen: \(error)")
        }
    }
}

struct SSTPSendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Connect to a device or relay, open a session and send files as messages until each is acknowledged.",
        discussion: """
            Each --file (or standard input when there is none) is one message. Exits 0 once every \
            message is acknowledged; otherwise exits 1 naming what was not acknowledged.
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

    @Option(name: .long, help: "IdentityURL of the destination.")
    var identity: String

    @Option(name: .long, help: "DeviceURL of the destination; empty (the default) for an identity-targeted session.")
    var device: String = ""

    @Option(name: .long, help: "A file to send as one message (repeatable); standard input when none is given.")
    var file: [String] = []

    @Option(name: .long, help: "SSTP version to speak: 1.5 or 1.6.")
    var version: String = "1.6"

    @Flag(name: .customLong("ack-immediately"), help: "Set AcknowledgeImmediately (A) on every message.")
    var ackImmediately = false

    @Option(name: .long, help: "Ephemeral TTL in seconds (sets E and the TTL field).")
    var ttl: UInt32?

    @Flag(name: .customLong("do-not-deliver-if-offline"), help: "Set DoNotDeliverIfOffline (D).")
    var doNotDeliverIfOffline = false

    @Flag(name: .long, help: "Set G: ask the receiver to track the message.")
    var track = false

    @Option(name: .customLong("user-ref"), help: "UserRef of every message (default: the file's name).")
    var userRef: String?

    @Flag(name: .customLong("no-stream-size"), help: "Do not send the StreamSize fields even when the size is known.")
    var noStreamSize = false

    @Option(name: .long, help: "Seconds to wait for the ConnectResponse and the OpenResponse.")
    var timeout: Double = 60

    func run() async throws {
        let address = try parseHostPort(to, defaultPort: SSTP.port, option: "--to")
        var connection = SSTP.ConnectionConfiguration(version: try parseSSTPVersion(version), localDeviceURLs: [deviceURL])
        connection.timers.connectionEstablishment = try seconds(timeout, option: "--timeout")
        connection.timers.sessionEstablishment = try seconds(timeout, option: "--timeout")
        let entry = SSTP.AddressingEntry(resourceURL: resource, identityURL: identity, deviceURL: device)
        guard !resource.isEmpty, !identity.isEmpty, ASCII.encode(resource + identity + device + targetDevice + deviceURL) != nil else {
            throw RoleFailure.usage("sstp send: --resource and --identity must be non-empty, and every URL ASCII")
        }
        let sources: [(String, SSTPOutgoingMessage.Source)] = file.isEmpty ? [("-", .standardInput)] : file.map { ($0, .file($0)) }
        for (name, source) in sources {
            if case .file = source, !FileManager.default.isReadableFile(atPath: name) {
                throw RoleFailure.usage("sstp send: cannot read --file \(name)")
            }
        }
        let messages = sources.map { name, source in
            SSTPOutgoingMessage(name: name, source: source, options: SSTP.MessageOptions(
                track: track, acknowledgeImmediately: ackImmediately, doNotDeliverIfOffline: doNotDeliverIfOffline,
                userRef: userRef ?? (name == "-" ? "" : URL(fileURLWithPath: name).lastPathComponent),
                ephemeral: ttl.map { SSTP.Message.Ephemeral(ttl: $0) }
            ))
        }
        let eventLog = events.makeEventLog()
        let report: SSTPSendReport
        do {
            report = try await SSTPSender.send(SSTPSendConfiguration(
                to: address, connection: connection, targetDeviceURL: targetDevice, entry: entry,
                messages: messages, streamSize: !noStreamSize
            ), events: eventLog)
        } catch {
            throw RoleFailure.peer("sstp send: cannot connect to \(address): \(error)")
        }
        eventLog.emit("done", [
            ("acknowledged", .array(report.acknowledged.map { .string($0) })),
            ("unacknowledged", .array(report.unacknowledged.map { .string($0) })),
            ("notSent", .array(report.notSent.map { .string($0) })),
            ("failure", report.failure.map { .string($0) } ?? .null),
        ], text: "\(report.acknowledged.count) of \(messages.count) messages acknowledged")
        guard report.succeeded else {
            var parts: [String] = []
            if let failure = report.failure { parts.append(failure) }
            if !report.unacknowledged.isEmpty { parts.append("sent but not acknowledged (not delivered): \(report.unacknowledged.joined(separator: ", "))") }
            if !report.notSent.isEmpty { parts.append("not sent: \(report.notSent.joined(separator: ", "))") }
            throw RoleFailure.peer("sstp send: " + parts.joined(separator: "; "))
        }
    }
}

func parseSSTPVersion(_ text: String) throws -> SSTP.Version {
    switch text {
    case "1.5": return .v1_5
    case "1.6": return .v1_6
    default: throw RoleFailure.usage("--version must be 1.5 or 1.6")
    }
}

func seconds(_ value: Double, option: String) throws -> Duration {
    guard value > 0, value < 1e9 else { throw RoleFailure.usage("\(option) must be a positive number of seconds") }
    return .milliseconds(Int64(value * 1000))
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

/// `winterop sstp bench`: the SSTPBenchmarks figures from a release build, without the
/// benchmark harness (codec against memcpy, send against plain loopback TCP).
struct SSTPBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure SSTP codec and send throughput against memcpy and plain loopback TCP (build with -c release).",
        shouldDisplay: false
    )

    @Option(name: .long, help: "1 MiB messages per send run.")
    var messages: Int = 64

    @Option(name: .customLong("small-messages"), help: "256-byte messages per run.")
    var smallMessages: Int = 20_000

    func run() async throws {
        for figure in SSTPMeasurements.dataCodec() { print(figure) }
        print(try await SSTPMeasurements.sendThroughput(messages: messages))
        print(try await SSTPMeasurements.smallMessages(messages: smallMessages))
    }
}
