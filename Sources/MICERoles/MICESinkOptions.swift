import Foundation
import Logging
import MICECore
import NIOCore
import WFDCore
import WFDRoles
import WinteropTransport

/// `winterop mice sink`'s options as a person gives them, before any rule is checked:
/// the command itself conforms (its option names are these properties), and so does
/// ``MICESinkOptions`` for code that builds a sink. ``MICESinkConfiguration/init(validating:)``
/// turns them into a configuration or a ``RoleFailure`` that says which option is wrong.
public protocol MICESinkSettings: Sendable {
    var listen: String { get }
    /// The friendly name; nil is the host name.
    var name: String? { get }
    var pin: MICESinkConfiguration.PINMode { get }
    var encryption: MICESinkOptions.Switch { get }
    var advertise: Bool { get }
    /// The container ID GUID, with or without braces; nil keeps one under ``data``.
    var containerId: String? { get }
    /// The data directory.
    var data: String { get }
    var replaceExisting: Bool { get }
    /// With PINs on, let sources that skip pairing project (MS-MICE permits it; off by default).
    var allowUnpaired: Bool { get }
    /// Session Establishment Timer without PIN entry, in seconds (3.1.2).
    var sessionTimeout: Double { get }
    /// Seconds an address waits after its free wrong PINs, doubling with each further one.
    var pinBackoff: Double { get }
    /// PEM files for DTLS; both nil makes a self-signed certificate.
    var certificate: String? { get }
    var key: String? { get }
    /// `--rtp-port`: the UDP port of the stream (0 picks one).
    var rtpPort: Int { get }
    /// `--rtp-advertise-port`: the port advertised instead of the bound one (a port forward).
    var rtpAdvertisePort: Int? { get }
    /// `--player auto|none|COMMAND`.
    var player: WFDPlayerChoice { get }
    /// `--record FILE`.
    var record: String? { get }
    /// `--wpa-ctrl PATH`: wpa_supplicant's P2P control socket for Wi-Fi Direct discovery (3.1.3).
    var wpaCtrl: String? { get }
}

/// ``MICESinkSettings`` with the command line's defaults.
public struct MICESinkOptions: MICESinkSettings {
    /// On or off, for options such as `--encryption`.
    public enum Switch: String, Sendable, CaseIterable { case on, off }

    public var listen = "0.0.0.0:\(MICE.sinkPort)"
    public var name: String?
    public var pin: MICESinkConfiguration.PINMode = .random
    public var encryption: Switch = .on
    public var advertise = true
    public var containerId: String?
    public var data = "./winterop-data"
    public var replaceExisting = false
    public var allowUnpaired = false
    public var sessionTimeout: Double = 30
    public var pinBackoff: Double = 1
    public var certificate: String?
    public var key: String?
    public var rtpPort = Int(WFD.defaultRTPPort)
    public var rtpAdvertisePort: Int?
    public var player = WFDPlayerChoice.auto
    public var record: String?
    public var wpaCtrl: String?

    public init() {}
}

extension MICESinkConfiguration {
    /// Checks every rule of the sink's options: the address, the friendly name (2.2.7.2),
    /// the PIN mode (a PIN needs DTLS: with encryption off PIN support is off, 3.1.1),
    /// the timers (PIN entry gets 120 s or the session timeout, whichever is larger) and
    /// the DTLS certificate.
    public init(validating options: some MICESinkSettings) throws(RoleFailure) {
        let listen = try OptionValidation.hostPort(options.listen, defaultPort: MICE.sinkPort, option: "--listen")
        let timeout = try OptionValidation.seconds(options.sessionTimeout, option: "--session-timeout")
        let friendlyName = options.name ?? localHostName()
        guard FriendlyName.isValid(friendlyName) else {
            throw .usage("--name must be 1 to 260 UTF-16 code units")
        }
        let dtls: (any MICEDTLSFactory)? = options.encryption == .on
            ? try Self.dtlsEngine(certificate: options.certificate, key: options.key)
            : nil
        if options.encryption == .off && options.pin != .off {
            EventLog.diagnostic("mice sink: PINs need DTLS; with --encryption off PIN support is off")
        }
        self.init(
            listen: listen, friendlyName: friendlyName, pinMode: options.pin,
            streamEncryption: options.encryption == .on, replaceExisting: options.replaceExisting,
            sessionEstablishmentTimeout: timeout,
            pinSessionEstablishmentTimeout: max(.seconds(120), timeout),
            allowUnpaired: options.allowUnpaired,
            dtls: dtls
        )
        pinAttemptPolicy.backoffBase = try OptionValidation.seconds(options.pinBackoff, option: "--pin-backoff", maximum: 3600)
        pinAttemptPolicy.backoffCap = max(pinAttemptPolicy.backoffCap, pinAttemptPolicy.backoffBase)
        projection = try MICESinkProjection(
            validatingRTPPort: options.rtpPort, advertisedRTPPort: options.rtpAdvertisePort, player: options.player, record: options.record)
    }

    /// The sink's DTLS engine: a certificate from PEM files, or a self-signed one made now.
    static func dtlsEngine(certificate: String?, key: String?) throws(RoleFailure) -> any MICEDTLSFactory {
        switch (certificate, key) {
        case (let certificate?, let key?):
            do {
                return try OpenSSLDTLSFactory.fromPEM(certificate: certificate, key: key)
            } catch {
                throw .usage("--certificate/--key: \(error)")
            }
        case (nil, nil):
            do {
                return try OpenSSLDTLSFactory.selfSigned(commonName: "winterop")
            } catch {
                throw .usage("cannot make a DTLS certificate: \(error)")
            }
        default:
            throw .usage("--certificate and --key go together")
        }
    }
}

extension MICESinkService {
    /// The sink `winterop mice sink` runs: the configuration from `options`, and mDNS
    /// advertising with the container ID given or kept under the data directory.
    public init(validating options: some MICESinkSettings, events: EventLog, eventLoopGroup: any EventLoopGroup, logger: Logger) throws(RoleFailure) {
        let configuration = try MICESinkConfiguration(validating: options)
        var advertising: Advertising?
        if options.advertise {
            let containerID: String
            if let given = options.containerId {
                containerID = try MICEContainerID.normalized(given)
            } else {
                do {
                    containerID = try MICEContainerID.loadOrCreate(dataDirectory: options.data)
                } catch {
                    throw .usage("cannot keep the container ID under '\(options.data)': \(error.localizedDescription); pass --container-id or --data")
                }
            }
            advertising = Advertising(containerID: containerID, logger: logger)
        }
        self.init(configuration: configuration, advertising: advertising, events: events, eventLoopGroup: eventLoopGroup)
        if let path = options.wpaCtrl { wifiDirect = try MICEWiFiDirectPublisher(validating: path, configuration: configuration) }
    }
}

extension MICEContainerID {
    /// A GUID as `--container-id` gives it (braces optional), upper-cased without braces.
    public static func normalized(_ text: String) throws(RoleFailure) -> String {
        let bare = text.trimmingCharacters(in: CharacterSet(charactersIn: "{}"))
        guard UUID(uuidString: bare) != nil else {
            throw .usage("--container-id must be a GUID such as 5F1C2A9E-3B7D-4C8E-9A6F-0D2E4B8C1A3F")
        }
        return bare.uppercased()
    }
}
