import MICECore
import NIOCore
import WinteropTransport
import WinteropWire

/// `winterop mice source`'s options as a person gives them, before any rule is checked:
/// the command itself conforms, and so does ``MICESourceOptions``.
/// ``MICESourceConfiguration/init(validating:events:)`` turns them into a configuration.
public protocol MICESourceSettings: Sendable {
    /// `--sink HOST[:PORT]`.
    var sink: String? { get }
    /// `--ie HEX`: the sink's WSC vendor extension attribute.
    var ie: String? { get }
    var iePort: Int { get }
    /// `--capabilities HEX`: one byte overriding the sink's capabilities.
    var capabilities: String? { get }
    var name: String? { get }
    /// A PIN given up front, `off`, or nil to ask when needed.
    var pin: MICESourceOptions.PIN? { get }
    var encryption: SourceStateMachine.Configuration.EncryptionPreference { get }
    var rtspListen: String { get }
    var bind: String? { get }
    var stopAfter: Double? { get }
    var discoveryTimeout: Double { get }
    var controlTimeout: Double { get }
    /// The Security Handshake Message Timer, in seconds (3.2.2: 1 s).
    var handshakeTimeout: Double { get }
    /// With no discovery data and `--encryption auto`: retry with the plain flow when the
    /// security phase fails (a sink without PIN or DTLS support).
    var fallbackPlain: Bool { get }
    /// `--media FILE`: the MPEG-TS file to project (nil: negotiate only).
    var media: String? { get }
    /// `--loop`: repeat the media.
    var loop: Bool { get }
    /// `--rate-mbps`: send the file at this rate instead of by its PCR.
    var rateMbps: Double? { get }
    /// `--keepalive SECONDS`: the M16 period.
    var keepalive: Double? { get }
    /// `--keepalive-timeout SECONDS`: the session timeout announced in the M6 reply.
    var keepaliveTimeout: Int { get }
}

/// ``MICESourceSettings`` with the command line's defaults.
public struct MICESourceOptions: MICESourceSettings {
    /// `--pin`: a PIN given up front, or `off` (no PIN entry). Absent: ask when needed.
    public enum PIN: Sendable, Hashable {
        case off
        case pin(String)

        /// `off` or 8 digits.
        public init?(_ text: String) {
            if text == "off" {
                self = .off
            } else if PINHash.isValidPIN(text) {
                self = .pin(text)
            } else {
                return nil
            }
        }
    }

    public var sink: String?
    public var ie: String?
    public var iePort = MICE.sinkPort
    public var capabilities: String?
    public var name: String?
    public var pin: PIN?
    public var encryption: SourceStateMachine.Configuration.EncryptionPreference = .auto
    public var rtspListen = "0.0.0.0:\(MICE.defaultRTSPPort)"
    public var bind: String?
    public var stopAfter: Double?
    public var discoveryTimeout: Double = 1.5
    public var controlTimeout: Double = 5
    public var handshakeTimeout: Double = 1
    public var fallbackPlain = false
    public var media: String?
    public var loop = false
    public var rateMbps: Double?
    public var keepalive: Double?
    public var keepaliveTimeout = 30

    public init() {}
}

extension MICESourceConfiguration {
    /// Checks every rule of the source's options: exactly one of `--sink` and `--ie`,
    /// the attribute's own rules (2.2.8) and whether the sink is usable at all (3.2.5.1:
    /// Capability bit A), the capability override, the addresses and the timers. Without
    /// discovery data the sink is assumed to support encryption and PINs. An unusable
    /// sink is reported as `closed` (`sink_unusable`) before the peer failure is thrown.
    public init(validating options: some MICESourceSettings, events: EventLog) throws(RoleFailure) {
        var host: String
        var port = MICE.sinkPort
        var addresses: [String] = []
        var capability = MICECapability(streamEncryption: true, pin: true)
        let assumed = options.ie == nil && options.capabilities == nil
        switch (options.sink, options.ie) {
        case (let sink?, nil):
            let parsed = try OptionValidation.hostPort(sink, defaultPort: MICE.sinkPort, option: "--sink")
            host = parsed.host
            port = parsed.port
        case (nil, let ie?):
            guard let bytes = Hex.decode(ie) else { throw .usage("--ie must be hex") }
            let attribute: VendorExtensionAttribute
            do {
                attribute = try VendorExtensionAttribute.decode(bytes)
            } catch {
                throw .usage("--ie: \(error)")
            }
            if let reason = attribute.unusableReason {
                throw Self.unusable(reason, events: events)
            }
            guard (1...65535).contains(options.iePort) else { throw .usage("--ie-port must be 1 to 65535") }
            host = attribute.hostName
            port = options.iePort
            addresses = attribute.ipAddresses
            capability = attribute.capability
        default:
            throw .usage("give the sink as --sink HOST[:PORT] or --ie HEX (one of them)")
        }
        if let capabilities = options.capabilities {
            guard let bytes = Hex.decode(capabilities), bytes.count == 1 else {
                throw .usage("--capabilities must be one byte in hex, e.g. 27")
            }
            capability = MICECapability(rawValue: bytes[0])
        }
        guard capability.miracastOverInfrastructureSupport else {
            throw Self.unusable("the sink does not support Miracast over Infrastructure (Capability bit A is 0; 3.2.5.1)", events: events)
        }
        let rtsp = try OptionValidation.hostPort(options.rtspListen, defaultPort: MICE.defaultRTSPPort, option: "--rtsp-listen")
        if let bind = options.bind, (try? SocketAddress(ipAddress: bind, port: 0)) == nil {
            throw .usage("--bind must be an IP address")
        }
        let friendlyName = options.name ?? localHostName()
        guard FriendlyName.isValid(friendlyName) else { throw .usage("--name must be 1 to 260 UTF-16 code units") }
        let presetPIN: String? = if case .pin(let pin) = options.pin { pin } else { nil }
        self.init(
            sinkHost: host, sinkPort: port, sinkAddresses: addresses, sinkCapability: capability,
            encryption: options.encryption, wantPIN: options.pin != .off, pin: presetPIN, friendlyName: friendlyName,
            rtspListen: rtsp, bindAddress: options.bind,
            stopAfter: try options.stopAfter.map { v throws(RoleFailure) in try OptionValidation.seconds(v, option: "--stop-after", allowZero: true) },
            discoveryTimeout: try OptionValidation.seconds(options.discoveryTimeout, option: "--discovery-timeout"),
            controlChannelTimeout: try OptionValidation.seconds(options.controlTimeout, option: "--control-timeout"),
            securityHandshakeTimeout: try OptionValidation.seconds(options.handshakeTimeout, option: "--handshake-timeout", maximum: 3600),
            dtls: OpenSSLDTLSFactory(certificate: nil)
        )
        capabilitiesAssumed = assumed
        fallbackPlain = options.fallbackPlain
        projection = try MICESourceProjection(
            validatingMedia: options.media, loop: options.loop, rateMbps: options.rateMbps, keepAlive: options.keepalive, sessionTimeout: options.keepaliveTimeout)
    }

    /// What a person should try after `reason`, when the sink's capabilities were assumed.
    public func advice(after reason: SourceCloseReason) -> String? {
        // With --encryption off --pin off nothing was assumed about security: no advice.
        guard capabilitiesAssumed, reason.isSecurityPhaseFailure, encryption != .off || wantPIN else { return nil }
        return "without discovery data the sink was assumed to support PIN pairing and DTLS; if it does not (lazycast, GNOME Network Displays), retry with --encryption off --pin off, or add --fallback-plain"
    }

    private static func unusable(_ reason: String, events: EventLog) -> RoleFailure {
        events.emit(MICESourceEvent.closed(.sinkUnusable(reason)))
        return .peer("mice source: \(reason)")
    }
}
