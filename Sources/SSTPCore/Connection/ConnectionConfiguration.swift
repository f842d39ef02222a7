extension SSTP {
    /// Which side of 3.2 / 3.3 a device plays.
    public enum Role: String, Sendable, Hashable {
        /// An end-user device (3.2): refuses relay-only commands with ProtocolError.
        case client
        /// A relay server (3.3): relay-only commands are handed to the higher layer.
        case relayServer
    }

    /// Global configuration (3.1.1.1) of a device.
    public struct ConnectionConfiguration: Sendable, Hashable {
        /// The version this device speaks (Version, 3.1.1.1).
        public var version: Version
        /// LocalDeviceURLs: at least one.
        public var localDeviceURLs: [String]
        public var role: Role
        /// MultidropSupported: MUST be false for a client.
        public var multidropSupported: Bool
        /// SingleHopSupported: MUST be false for a client.
        public var singleHopSupported: Bool
        /// PeerProductVersion sent in Connect and ConnectResponse (2.2.1.1: at least one token).
        public var peerProductVersion: String
        /// PeerProductCapabilities ("" as the Groove products send, <2>).
        public var peerProductCapabilities: String
        /// NumberOfConcurrentDeviceConnections (3.1.1.1): nil for no limit.
        public var numberOfConcurrentDeviceConnections: Int?
        /// How this device answers a Connect from a higher major version (3.1.5.1): WillUpgrade
        /// (with ``upgradeRetryTime``) when true, WontUpgrade otherwise.
        public var willUpgrade: Bool
        public var upgradeRetryTime: UInt32
        /// Inbound sessions a peer may hold open at once; more are answered Unknown.
        public var maximumInboundSessions: Int
        /// Payload bytes one received message may carry; a longer one closes its session
        /// with Close QuotaWouldBeExceeded. nil for no limit.
        public var maximumMessageSize: Int?
        /// Entries the InboundMessageList (3.1.1.2) may hold: at the limit the completed run
        /// is acknowledged at once; a list still full of messages the resource handler has
        /// not completed closes the connection with ConnectClose InternalError (the peer
        /// sends the rest again), so a fast peer cannot grow it without bound.
        public var maximumInboundMessages: Int = 262_144
        /// Entries the OutboundMessageList (3.1.1.3) may hold: a message beyond it is a
        /// usage error (``ConnectionStateMachine/outboundListIsFull``), and the higher
        /// layer waits for acknowledgments.
        public var maximumOutboundMessages: Int = 262_144
        public var timers: TimerConfiguration

        public init(
            version: Version = .v1_6, localDeviceURLs: [String], role: Role = .client,
            multidropSupported: Bool = false, singleHopSupported: Bool = false,
            peerProductVersion: String = "winterop SSTP 1.0", peerProductCapabilities: String = "",
            numberOfConcurrentDeviceConnections: Int? = nil, willUpgrade: Bool = false, upgradeRetryTime: UInt32 = 3600,
            maximumInboundSessions: Int = 4096, maximumMessageSize: Int? = nil, timers: TimerConfiguration = TimerConfiguration()
        ) {
            self.version = version
            self.localDeviceURLs = localDeviceURLs
            self.role = role
            self.multidropSupported = role == .client ? false : multidropSupported
            self.singleHopSupported = role == .client ? false : singleHopSupported
            self.peerProductVersion = peerProductVersion
            self.peerProductCapabilities = peerProductCapabilities
            self.numberOfConcurrentDeviceConnections = numberOfConcurrentDeviceConnections
            self.willUpgrade = willUpgrade
            self.upgradeRetryTime = upgradeRetryTime
            self.maximumInboundSessions = maximumInboundSessions
            self.maximumMessageSize = maximumMessageSize
            self.timers = timers
        }
    }

    /// What the higher layer knows about an incoming Connect when it arrives (3.1.5.1):
    /// the facts behind ConnectRejected, CrossedConnections, TryLater and AuthenticationFailed.
    public struct ConnectAdmission: Sendable, Hashable {
        /// One of the SourceDeviceURLs is under a security lockout.
        public var lockedOut: Bool
        /// Connections already established from the same source device, this one excluded.
        public var existingConnectionsFromSource: Int
        /// Set when the device cannot take a new connection now: the RetryTime to suggest.
        public var tryLaterRetryTime: UInt32?
        /// Set by a relay whose security layer rejected the token.
        public var authenticationFailed: Bool

        public init(lockedOut: Bool = false, existingConnectionsFromSource: Int = 0, tryLaterRetryTime: UInt32? = nil, authenticationFailed: Bool = false) {
            self.lockedOut = lockedOut
            self.existingConnectionsFromSource = existingConnectionsFromSource
            self.tryLaterRetryTime = tryLaterRetryTime
            self.authenticationFailed = authenticationFailed
        }
    }

    /// The options of one outgoing message (3.1.4.6: the higher layer chooses the A, F, G, S, E and D bits).
    public struct MessageOptions: Sendable, Hashable {
        public var track: Bool
        public var acknowledgeImmediately: Bool
        public var doNotDeliverIfOffline: Bool
        public var userRef: String
        public var ephemeral: Message.Ephemeral?
        public var streamSize: Message.StreamSize?
        public var fragmentation: Message.Fragmentation?

        public init(
            track: Bool = false, acknowledgeImmediately: Bool = false, doNotDeliverIfOffline: Bool = false,
            userRef: String = "", ephemeral: Message.Ephemeral? = nil, streamSize: Message.StreamSize? = nil,
            fragmentation: Message.Fragmentation? = nil
        ) {
            self.track = track
            self.acknowledgeImmediately = acknowledgeImmediately
            self.doNotDeliverIfOffline = doNotDeliverIfOffline
            self.userRef = userRef
            self.ephemeral = ephemeral
            self.streamSize = streamSize
            self.fragmentation = fragmentation
        }
    }

    /// A higher-layer request the state machine cannot carry out in its current state
    /// (a programming or sequencing error of the caller, not of the peer).
    public struct UsageError: Error, Hashable, Sendable, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }
}
