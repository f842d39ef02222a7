import MICECore
import NIOCore
import WinteropTransport

/// Everything `winterop mice sink` and `winterop serve` configure.
public struct MICESinkConfiguration: Sendable {
    /// How the sink handles PINs (3.1.1 PIN Verification Enabled).
    public enum PINMode: Sendable, Hashable {
        /// No PIN support: PinSupported is not advertised.
        case off
        /// A random 8-digit PIN (3.1.5.4), shown at start and on every SESSION_REQUEST,
        /// replaced by a new one once a connection has used it (right or wrong).
        case random
        /// Always this PIN.
        case fixed(String)
    }

    public var listen: HostPort
    public var friendlyName: String
    public var pinMode: PINMode
    /// Whether DTLS stream encryption is offered (needs a DTLS engine).
    public var streamEncryption: Bool
    /// Close a running connection when a new one comes instead of refusing the new one (3.1.5.2).
    public var replaceExisting: Bool
    public var sessionEstablishmentTimeout: Duration
    public var pinSessionEstablishmentTimeout: Duration
    public var securityHandshakeTimeout: Duration
    public var maximumWrongPINs: Int
    /// With PINs on, let sources that skip pairing project anyway (`--allow-unpaired`).
    public var allowUnpaired: Bool
    /// How long a connection may hold the one source slot without sending a complete
    /// message before a newcomer may displace it (idle connections cannot crowd out a
    /// real source; the Session Establishment Timer still bounds every connection).
    public var unprovenConnectionGrace: Duration = .seconds(3)
    /// The option that changes ``listen``, named when it cannot be bound.
    public var listenOption = "--listen"
    /// The DTLS engine; nil disables stream encryption and PINs.
    public var dtls: (any MICEDTLSFactory)?
    /// PIN guessing limits across this sink's connections (benchmarks lift the global rate).
    public var pinAttemptPolicy = PINAttemptLimiter.Policy()
    /// The WFD session after the connect-back: RTP port, player, recording (3.1.7.1).
    public var projection = MICESinkProjection()

    public init(
        listen: HostPort = HostPort(host: "0.0.0.0", port: MICE.sinkPort),
        friendlyName: String, pinMode: PINMode = .random, streamEncryption: Bool = true,
        replaceExisting: Bool = false,
        sessionEstablishmentTimeout: Duration = .seconds(30),
        pinSessionEstablishmentTimeout: Duration = .seconds(120),
        securityHandshakeTimeout: Duration = .seconds(1),
        maximumWrongPINs: Int = 3,
        allowUnpaired: Bool = false,
        dtls: (any MICEDTLSFactory)?
    ) {
        self.listen = listen
        self.friendlyName = friendlyName
        self.pinMode = pinMode
        self.streamEncryption = streamEncryption
        self.replaceExisting = replaceExisting
        self.sessionEstablishmentTimeout = sessionEstablishmentTimeout
        self.pinSessionEstablishmentTimeout = pinSessionEstablishmentTimeout
        self.securityHandshakeTimeout = securityHandshakeTimeout
        self.maximumWrongPINs = maximumWrongPINs
        self.allowUnpaired = allowUnpaired
        self.dtls = dtls
    }

    /// Whether encryption is really on: asked for and an engine is present.
    public var encryptionAvailable: Bool { streamEncryption && dtls != nil }

    /// The Capability attribute this sink advertises (2.2.8.1, 3.1.3).
    public var capability: MICECapability {
        MICECapability(streamEncryption: encryptionAvailable, pin: encryptionAvailable && pinMode != .off)
    }

    /// The PIN shown before any connection: random or fixed, nil when off.
    func initialPIN() -> String? {
        switch pinMode {
        case .off: return nil
        case .random: return PINHash.randomPIN()
        case .fixed(let fixed): return fixed
        }
    }

    /// The state machine configuration for one connection, with the PIN it shows.
    func machineConfiguration(pin: String?) -> SinkStateMachine.Configuration {
        SinkStateMachine.Configuration(
            streamEncryptionSupported: encryptionAvailable, pin: pin, friendlyName: friendlyName,
            sessionEstablishmentTimeout: sessionEstablishmentTimeout,
            pinSessionEstablishmentTimeout: pinSessionEstablishmentTimeout,
            securityHandshakeTimeout: securityHandshakeTimeout,
            maximumWrongPINs: maximumWrongPINs,
            allowUnpaired: allowUnpaired
        )
    }
}
