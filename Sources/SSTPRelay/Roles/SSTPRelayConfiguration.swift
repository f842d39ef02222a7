import NIOCore
import SSTPCore
import WinteropTransport
import WinteropWire
import SSTPRelayCore

/// Configuration of `winterop sstp relay`: where it listens, its RelayURL (one of its
/// LocalDeviceURLs), its store and the identities it knows.
public struct SSTPRelayConfiguration: Sendable {
    public var listen: HostPort
    public var connection: SSTP.ConnectionConfiguration
    /// The SQLite file of the durable store.
    public var storePath: String
    /// `--store postgres://…`: the store is in this PostgreSQL database instead (``storePath`` unused).
    public var postgresURL: String?
    public var core: SSTPRelay.CoreConfiguration
    public var maxConnections: Int?
    /// Where `--metrics` serves Prometheus metrics (nil: not served).
    public var metrics: HostPort?
    /// Remote relays' addresses by RelayURL (`--peer RELAYURL=HOST:PORT`, 3.3.5.6.1).
    public var peers: [String: HostPort]
    /// PostgreSQL store: how long a claim on a stored message lasts unless renewed (`--claim-lease`).
    public var claimLease: Duration = .seconds(30)

    public init(listen: HostPort, connection: SSTP.ConnectionConfiguration, storePath: String, core: SSTPRelay.CoreConfiguration, maxConnections: Int? = nil, peers: [String: HostPort] = [:]) {
        self.listen = listen
        self.connection = connection
        self.storePath = storePath
        self.core = core
        self.maxConnections = maxConnections
        self.peers = peers
    }

    /// A relay-to-relay connection this relay initiates: the relay's own configuration with
    /// the Groove Server 2010 relay-to-relay timers of <11> — Transport Connection and
    /// Session Establishment 3 minutes, Outbound Idle 4 minutes.
    public var peerConnection: SSTP.ConnectionConfiguration {
        var configuration = connection
        configuration.timers.connectionEstablishment = .seconds(180)
        configuration.timers.sessionEstablishment = .seconds(180)
        configuration.timers.outboundIdle = .seconds(240)
        return configuration
    }

    /// The configuration the options ask for, with their rules checked; throws
    /// ``RoleFailure/usage(_:)`` (exit 2) naming the option.
    /// - `store`: `sqlite:PATH`, or `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (shared: every relay process on the database acts as one relay).
    /// - `identities`: `IDENTITYURL=DEVICEURL`, repeatable.
    /// - `peers`: `RELAYURL=HOST:PORT`, repeatable: where single-hop sessions to that relay go.
    public init(
        listen: String, relayURL: String, store: String, identities: [String] = [], lockedOutDevices: [String] = [],
        version: SSTP.Version = .v1_6, acknowledgmentDelay: Double = 1, maxConnections: Int? = nil, multidrop: Bool = true,
        singleHop: Bool = true, peers: [String] = [], maxMessageSize: Int = 64 << 20,
        maxDeviceConnections: Int? = nil, quotaMessages: Int? = nil, quotaBytes: Int? = nil, metrics: String? = nil, claimLease: Double = 30
    ) throws(RoleFailure) {
        let address = try OptionValidation.hostPort(listen, defaultPort: SSTP.port, option: "--listen")
        guard !relayURL.isEmpty, ASCII.encode(relayURL) != nil else {
            throw .usage("sstp relay: --relay-url must be a non-empty ASCII URL (the TargetDeviceURL devices connect to)")
        }
        let postgres = store.hasPrefix("postgres://") || store.hasPrefix("postgresql://")
        if postgres { _ = try SSTPRelay.PostgresRelayStore.configuration(store) }
        let storePath = postgres ? "" : try Self.sqlitePath(store)
        var registrations: [String: Set<String>] = [:]
        for identity in identities {
            let parts = identity.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, ASCII.encode(identity) != nil else {
                throw .usage("sstp relay: --identity takes IDENTITYURL=DEVICEURL (ASCII URLs), not \"\(identity)\"")
            }
            registrations[parts[0], default: []].insert(parts[1])
        }
        var peerAddresses: [String: HostPort] = [:]
        for peer in peers {
            guard let equals = peer.lastIndex(of: "="), equals != peer.startIndex, ASCII.encode(peer) != nil else {
                throw .usage("sstp relay: --peer takes RELAYURL=HOST:PORT (the remote relay's URL and address), not \"\(peer)\"")
            }
            let url = String(peer[..<equals])
            guard url != relayURL else { throw .usage("sstp relay: --peer \(url) is this relay's own --relay-url") }
            peerAddresses[url] = try OptionValidation.hostPort(String(peer[peer.index(after: equals)...]), defaultPort: SSTP.port, option: "--peer \(url)")
        }
        if let maxConnections, maxConnections < 1 { throw .usage("sstp relay: --max-connections must be at least 1") }
        for (option, value) in [("--max-device-connections", maxDeviceConnections), ("--quota-messages", quotaMessages), ("--quota-bytes", quotaBytes)] {
            if let value, value < 1 { throw .usage("sstp relay: \(option) must be at least 1") }
        }
        guard maxMessageSize > 0 else { throw .usage("sstp relay: --max-message-size must be above 0") }
        var connection = SSTP.ConnectionConfiguration(
            version: version, localDeviceURLs: [relayURL], role: .relayServer,
            multidropSupported: multidrop, singleHopSupported: singleHop, maximumMessageSize: maxMessageSize
        )
        connection.timers.messageAcknowledgment = try OptionValidation.seconds(acknowledgmentDelay, option: "--ack-delay")
        connection.numberOfConcurrentDeviceConnections = maxDeviceConnections
        self.init(
            listen: address, connection: connection, storePath: storePath,
            core: SSTPRelay.CoreConfiguration(
                identities: registrations, lockedOutDevices: Set(lockedOutDevices),
                quota: SSTPRelay.IdentityQuota(messages: quotaMessages, bytes: quotaBytes)
            ),
            maxConnections: maxConnections, peers: peerAddresses
        )
        if postgres { postgresURL = store }
        guard claimLease >= 1, claimLease <= 86_400 else { throw .usage("sstp relay: --claim-lease takes 1 to 86400 seconds") }
        self.claimLease = .milliseconds(Int64(claimLease * 1000))
        self.metrics = try metrics.map { (text: String) throws(RoleFailure) -> HostPort in
            try OptionValidation.hostPort(text, defaultPort: nil, option: "--metrics")
        }
    }

    /// The path of `sqlite:PATH`.
    static func sqlitePath(_ store: String) throws(RoleFailure) -> String {
        guard store.hasPrefix("sqlite:"), store.count > "sqlite:".count else {
            throw .usage("sstp relay: --store takes sqlite:PATH (the SQLite file of the message store) or postgres://USER@HOST[:PORT]/DATABASE, not \"\(store)\"")
        }
        return String(store.dropFirst("sqlite:".count))
    }
}
