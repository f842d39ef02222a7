import ArgumentParser
import Foundation
import Logging
import MICECore
import MICERoles
import NIOCore
import NIOPosix
import ServiceLifecycle
import WinteropTransport
import WinteropWire

/// `winterop mice …`: the MS-MICE roles.
struct MICECommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mice",
        abstract: "Miracast over Infrastructure (MS-MICE): project a display over TCP 7250.",
        subcommands: [MICESinkCommand.self, MICESourceCommand.self, MICEIECommand.self]
    )
}

/// The DTLS engine: Debian's OpenSSL through WinteropDTLS.
enum MICEDTLSEngine {
    /// The sink's engine: a certificate from PEM files, or a self-signed one made now.
    static func server(certificate: String?, key: String?, commonName: String) throws -> any MICEDTLSFactory {
        switch (certificate, key) {
        case (let certificate?, let key?):
            do {
                return try OpenSSLDTLSFactory.fromPEM(certificate: certificate, key: key)
            } catch {
                throw RoleFailure.usage("--certificate/--key: \(error)")
            }
        case (nil, nil):
            do {
                return try OpenSSLDTLSFactory.selfSigned(commonName: commonName)
            } catch {
                throw RoleFailure.usage("cannot make a DTLS certificate: \(error)")
            }
        default:
            throw RoleFailure.usage("--certificate and --key go together")
        }
    }

    /// The source's engine (DTLS client, no certificate).
    static func client() -> any MICEDTLSFactory {
        OpenSSLDTLSFactory(certificate: nil)
    }
}

struct MICESinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sink",
        abstract: "Receive projections: listen on TCP 7250, pair by PIN over DTLS, connect back to the source's RTSP port.",
        discussion: """
            One source at a time (a second connection is refused unless --replace-existing). \
            With PIN support on, the PIN a source must enter is shown here ("PIN: …", or the \
            pin_displayed event) at start and whenever a source asks for PIN entry; a random PIN \
            is replaced once a connection has used it. Ctrl-C sends STOP_PROJECTION and closes.
            """
    )

    @OptionGroup var events: EventOptions

    @Option(name: .long, help: "Address to listen on (HOST:PORT; port 0 picks a free port).")
    var listen: String = "0.0.0.0:\(MICE.sinkPort)"

    @Option(name: .long, help: "The sink's friendly name (mDNS instance name). Default: the host name.")
    var name: String?

    @Option(name: .long, help: "random (shown at start, replaced after each use), a fixed 8-digit PIN, or off (no PIN support).")
    var pin: String = "random"

    @Option(name: .long, help: "DTLS stream encryption: on or off.")
    var encryption: String = "on"

    @Flag(name: .long, inversion: .prefixedNo, help: "Register <name>._display._tcp.local over mDNS (3.1.3).")
    var advertise = true

    @Option(name: .long, help: "The container ID GUID in the mDNS TXT record (default: kept under --data).")
    var containerId: String?

    @Option(name: .long, help: "Directory where the container ID is kept.")
    var data: String = "./winterop-data"

    @Flag(name: .long, help: "Replace a connected source with a new one instead of refusing the new one (3.1.5.2).")
    var replaceExisting = false

    @Option(name: .long, help: "Session Establishment Timer in seconds without PIN entry (default 30; PIN entry gets 120 or this, whichever is larger). Lower it for tests.")
    var sessionTimeout: Double = 30

    @Option(name: .long, help: "PEM certificate for DTLS (default: a self-signed one made at start).")
    var certificate: String?

    @Option(name: .long, help: "PEM private key for --certificate.")
    var key: String?

    func run() async throws {
        let listenAddress = try parseHostPort(listen, defaultPort: MICE.sinkPort, option: "--listen")
        let pinMode: MICESinkConfiguration.PINMode
        switch pin {
        case "random": pinMode = .random
        case "off": pinMode = .off
        case let fixed where PINHash.isValidPIN(fixed): pinMode = .fixed(fixed)
        default: throw RoleFailure.usage("--pin must be random, off or 8 digits, not '\(pin)'")
        }
        guard encryption == "on" || encryption == "off" else {
            throw RoleFailure.usage("--encryption must be on or off, not '\(encryption)'")
        }
        guard sessionTimeout > 0 else { throw RoleFailure.usage("--session-timeout must be positive") }
        let friendlyName = name ?? localHostName()
        guard FriendlyName.isValid(friendlyName) else {
            throw RoleFailure.usage("--name must be 1 to 260 UTF-16 code units")
        }
        let dtls: (any MICEDTLSFactory)? = encryption == "on"
            ? try MICEDTLSEngine.server(certificate: certificate, key: key, commonName: "winterop")
            : nil
        if encryption == "off" && pinMode != .off {
            EventLog.diagnostic("mice sink: PINs need DTLS; with --encryption off PIN support is off")
        }
        let containerID: String
        if let containerId {
            guard UUID(uuidString: containerId.trimmingCharacters(in: CharacterSet(charactersIn: "{}"))) != nil else {
                throw RoleFailure.usage("--container-id must be a GUID such as 5F1C2A9E-3B7D-4C8E-9A6F-0D2E4B8C1A3F")
            }
            containerID = containerId.trimmingCharacters(in: CharacterSet(charactersIn: "{}")).uppercased()
        } else {
            do {
                containerID = try MICEContainerID.loadOrCreate(dataDirectory: data)
            } catch {
                throw RoleFailure.usage("cannot keep the container ID under '\(data)': \(error.localizedDescription); pass --container-id or --data")
            }
        }
        let timeout = Duration.milliseconds(Int64(sessionTimeout * 1000))
        let configuration = MICESinkConfiguration(
            listen: listenAddress, friendlyName: friendlyName, pinMode: pinMode,
            streamEncryption: encryption == "on", replaceExisting: replaceExisting,
            sessionEstablishmentTimeout: timeout,
            pinSessionEstablishmentTimeout: max(.seconds(120), timeout),
            dtls: dtls
        )
        let eventLog = events.makeEventLog()
        var logger = Logger(label: "winterop.mice.sink")
        logger.logLevel = .warning
        let server = MICESinkServer(configuration: configuration, events: eventLog, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let bound: SocketAddress
        do {
            bound = try await server.bind()
        } catch {
            throw RoleFailure.usage("cannot listen on \(listenAddress): \(error)")
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: server)]
        if advertise {
            let advertiser = MICESinkAdvertiser(
                friendlyName: friendlyName, port: bound.port ?? listenAddress.port, containerID: containerID,
                events: eventLog, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger
            )
            services.append(.init(service: advertiser))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            throw RoleFailure.peer("mice sink: \(error)")
        }
    }
}

struct MICESourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source",
        abstract: "Project to a sink: connect to its TCP 7250, pair, and wait for its RTSP connect-back.",
        discussion: """
            Give the sink as --sink HOST[:PORT], or as the vendor extension attribute it advertises \
            (--ie HEX). Without discovery data the sink is assumed to support encryption and PINs: \
            --pin NNNNNNNN uses PIN entry, --pin off --encryption off sends SOURCE_READY first. \
            Exit status 1 names the reason when the attempt is abandoned.
            """
    )

    @OptionGroup var events: EventOptions

    @Option(name: .long, help: "The sink: HOST[:PORT] (port 7250 by default).")
    var sink: String?

    @Option(name: .long, help: "The sink's WSC vendor extension attribute in hex (capabilities, host name, IP addresses).")
    var ie: String?

    @Option(name: .long, help: "With --ie: the sink's TCP port (the attribute carries none; default 7250).")
    var iePort: Int = MICE.sinkPort

    @Option(name: .long, help: "Override the sink's capability byte (hex, e.g. 27 = version 1, encryption, PIN).")
    var capabilities: String?

    @Option(name: .long, help: "The source's friendly name. Default: the host name.")
    var name: String?

    @Option(name: .long, help: "The PIN the sink shows (8 digits), or off. Default: ask on the terminal when PIN entry is used.")
    var pin: String?

    @Option(name: .long, help: "DTLS stream encryption: auto (if the sink supports it), on or off.")
    var encryption: String = "auto"

    @Option(name: .long, help: "Where to listen for the sink's RTSP connection (HOST:PORT; port 0 picks one).")
    var rtspListen: String = "0.0.0.0:\(MICE.defaultRTSPPort)"

    @Option(name: .long, help: "Local IP address for the TCP 7250 connection.")
    var bind: String?

    @Option(name: .long, help: "Send STOP_PROJECTION and close this many seconds after the sink connected back.")
    var stopAfter: Double?

    @Option(name: .long, help: "Discovery timer for host name resolution, in seconds.")
    var discoveryTimeout: Double = 1.5

    @Option(name: .long, help: "Control Channel Connection timer, in seconds.")
    var controlTimeout: Double = 5

    func run() async throws {
        var host: String
        var port = MICE.sinkPort
        var addresses: [String] = []
        let dtls: (any MICEDTLSFactory)? = MICEDTLSEngine.client()
        var capability = MICECapability(streamEncryption: true, pin: true)
        switch (sink, ie) {
        case (let sink?, nil):
            let parsed = try parseHostPort(sink, defaultPort: MICE.sinkPort, option: "--sink")
            host = parsed.host
            port = parsed.port
        case (nil, let ie?):
            guard let bytes = Hex.decode(ie) else { throw RoleFailure.usage("--ie must be hex") }
            let attribute: VendorExtensionAttribute
            do {
                attribute = try VendorExtensionAttribute.decode(bytes)
            } catch {
                throw RoleFailure.usage("--ie: \(error)")
            }
            if let reason = attribute.unusableReason {
                events.makeEventLog().emit("closed", [("reason", .string("sink_unusable")), ("detail", .string(reason))], text: "closed: \(reason)")
                throw RoleFailure.peer("mice source: \(reason)")
            }
            guard (1...65535).contains(iePort) else { throw RoleFailure.usage("--ie-port must be 1 to 65535") }
            host = attribute.hostName
            port = iePort
            addresses = attribute.ipAddresses
            capability = attribute.capability
        default:
            throw RoleFailure.usage("give the sink as --sink HOST[:PORT] or --ie HEX (one of them)")
        }
        if let capabilities {
            guard let bytes = Hex.decode(capabilities), bytes.count == 1 else {
                throw RoleFailure.usage("--capabilities must be one byte in hex, e.g. 27")
            }
            capability = MICECapability(rawValue: bytes[0])
        }
        guard capability.miracastOverInfrastructureSupport else {
            let detail = "the sink does not support Miracast over Infrastructure (Capability bit A is 0; 3.2.5.1)"
            events.makeEventLog().emit("closed", [("reason", .string("sink_unusable")), ("detail", .string(detail))], text: "closed: \(detail)")
            throw RoleFailure.peer("mice source: \(detail)")
        }
        guard let preference = SourceStateMachine.Configuration.EncryptionPreference(rawValue: encryption) else {
            throw RoleFailure.usage("--encryption must be auto, on or off")
        }
        var wantPIN = true
        var presetPIN: String?
        if let pin {
            if pin == "off" {
                wantPIN = false
            } else if PINHash.isValidPIN(pin) {
                presetPIN = pin
            } else {
                throw RoleFailure.usage("--pin must be 8 digits or off")
            }
        }
        let rtsp = try parseHostPort(rtspListen, defaultPort: MICE.defaultRTSPPort, option: "--rtsp-listen")
        if let bind, (try? SocketAddress(ipAddress: bind, port: 0)) == nil {
            throw RoleFailure.usage("--bind must be an IP address")
        }
        let friendlyName = name ?? localHostName()
        guard FriendlyName.isValid(friendlyName) else { throw RoleFailure.usage("--name must be 1 to 260 UTF-16 code units") }
        let configuration = MICESourceConfiguration(
            sinkHost: host, sinkPort: port, sinkAddresses: addresses, sinkCapability: capability,
            encryption: preference, wantPIN: wantPIN, pin: presetPIN, friendlyName: friendlyName,
            rtspListen: rtsp, bindAddress: bind,
            stopAfter: stopAfter.map { .milliseconds(Int64($0 * 1000)) },
            discoveryTimeout: .milliseconds(Int64(discoveryTimeout * 1000)),
            controlChannelTimeout: .milliseconds(Int64(controlTimeout * 1000)),
            dtls: dtls
        )
        let eventLog = events.makeEventLog()
        let source = MICESource(
            configuration: configuration, events: eventLog, eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            resolver: MICEHostResolution.dnsAndMDNS(
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                mdnsTimeout: .milliseconds(Int64(discoveryTimeout * 1000))
            ),
            pinProvider: { await MICEPINPrompt.ask() }
        )
        let signals = MICESignalHandler { source.disconnect() }
        defer { signals.cancel() }
        let reason: SourceCloseReason
        do {
            reason = try await source.run()
        } catch let error as MICESourceUsageError {
            throw RoleFailure.usage("mice source: \(error)")
        } catch {
            throw RoleFailure.usage("mice source: \(error)")
        }
        if reason.isFailure {
            throw RoleFailure.peer("mice source: \(reason)")
        }
    }
}

/// Reads the PIN from the terminal (3.2.4.2).
enum MICEPINPrompt {
    static func ask() async -> String? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                FileHandle.standardError.write(Data("Enter the PIN shown on the sink: ".utf8))
                let line = readLine()?.trimmingCharacters(in: .whitespaces)
                continuation.resume(returning: line.flatMap { PINHash.isValidPIN($0) ? $0 : nil })
            }
        }
    }
}

/// Calls `action` once on SIGINT or SIGTERM.
final class MICESignalHandler: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []

    init(_ action: @escaping @Sendable () -> Void) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler(handler: action)
            source.resume()
            sources.append(source)
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}

struct MICEIECommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ie",
        abstract: "Build or decode the Wi-Fi Simple Configuration vendor extension attribute a sink advertises.",
        subcommands: [MICEIEBuildCommand.self, MICEIEDecodeCommand.self]
    )
}

struct MICEIEBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Print (hex) the vendor extension attribute this sink's configuration puts in its beacons (2.2.8)."
    )

    @Option(name: .long, help: "Host name (not fully qualified; default: this machine's).")
    var hostName: String?

    @Option(name: .long, help: "IP Address attribute (repeatable).")
    var ip: [String] = []

    @Option(name: .long, help: "As for mice sink: random, 8 digits or off.")
    var pin: String = "random"

    @Option(name: .long, help: "As for mice sink: on or off.")
    var encryption: String = "on"

    @Option(name: .long, help: "BSSID of the access point (aa:bb:cc:dd:ee:ff).")
    var bssid: String?

    @Flag(name: .long, help: "Print the attribute decoded as JSON instead of hex.")
    var json = false

    func run() throws {
        let encryptionOn = encryption == "on"
        guard encryption == "on" || encryption == "off" else { throw RoleFailure.usage("--encryption must be on or off") }
        guard pin == "random" || pin == "off" || PINHash.isValidPIN(pin) else { throw RoleFailure.usage("--pin must be random, off or 8 digits") }
        var bssidBytes: [UInt8]?
        if let bssid {
            guard let bytes = Hex.decode(bssid), bytes.count == 6 else { throw RoleFailure.usage("--bssid must be 6 bytes") }
            bssidBytes = bytes
        }
        let attribute = VendorExtensionAttribute(
            capability: MICECapability(streamEncryption: encryptionOn, pin: encryptionOn && pin != "off"),
            hostName: hostName ?? localHostName(), bssid: bssidBytes, ipAddresses: ip
        )
        if attribute.hostName.contains(".") {
            throw RoleFailure.usage("--host-name must not contain '.' (2.2.8.2)")
        }
        do {
            let bytes = try attribute.encoded()
            print(json ? attribute.json.jsonText : Hex.encode(bytes))
        } catch {
            throw RoleFailure.usage("cannot build the attribute: \(error)")
        }
    }
}

struct MICEIEDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode a vendor extension attribute (hex) and print its fields (same as `winterop decode mice-ie`)."
    )

    @Argument(help: "The attribute in hex.")
    var hex: String

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        guard let bytes = Hex.decode(hex) else { throw RoleFailure.usage("'\(hex.prefix(40))' is not hex") }
        do {
            let attribute = try VendorExtensionAttribute.decode(bytes)
            print(json ? attribute.json.jsonText : attribute.json.text)
        } catch {
            throw RoleFailure.peer("malformed vendor extension attribute: \(error)")
        }
    }
}

extension DecodeKind {
    /// `winterop decode mice`: a message on TCP 7250 with its TLVArray in clear (2.2).
    static let miceMessage = DecodeKind(name: "mice", summary: "an MS-MICE message on TCP 7250 (header and clear TLVArray, 2.2)") { bytes, _ in
        try MICEMessage.decode(bytes: Array(bytes.readableBytesView)).json
    }

    /// `winterop decode mice-ie`: the WSC vendor extension attribute (2.2.8).
    static let miceVendorExtension = DecodeKind(name: "mice-ie", summary: "the MS-MICE WSC vendor extension attribute a sink advertises (2.2.8)") { bytes, _ in
        try VendorExtensionAttribute.decode(Array(bytes.readableBytesView)).json
    }
}

extension ServeRoles {
    /// `winterop serve`'s MS-MICE sink (service `mice-sink`): DTLS with a certificate made at start.
    static var miceSink: any ServeRole {
        do {
            return MICESinkServeRole(dtls: try OpenSSLDTLSFactory.selfSigned(commonName: "winterop"))
        } catch {
            EventLog.diagnostic("mice-sink: cannot make a DTLS certificate (\(error)); serving without stream encryption or PIN pairing")
            return MICESinkServeRole(dtls: nil)
        }
    }
}
