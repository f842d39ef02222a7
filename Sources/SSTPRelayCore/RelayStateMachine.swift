import NIOCore
import SSTPCore

extension SSTPRelay {
    /// The relay server's store-and-forward logic (1.3.5.2.1, 3.3), sans-IO: which devices
    /// are attached on which connection, which identities they registered, the message
    /// sequences stored per recipient and their delivery. Time enters as `now`; the store
    /// and the connections are the shell's (``RelayAction``).
    public struct RelayStateMachine: Sendable {
        /// One connection as the relay sees it.
        public enum ConnectionState: Sendable, Hashable {
            /// Transport up, Connect not yet accepted.
            case connecting
            case established(Attached)
        }

        /// An established connection: its attached devices and its security and delivery sessions.
        public struct Attached: Sendable, Hashable {
            /// SourceDeviceURLs the authenticator accepted (1.3.5.2.1).
            public var devices: [String]
            /// AttachSessionIds and RegisterSessionIds (3.3.1).
            public var attachSessionIds: Set<UInt32> = []
            public var registerSessionIds: Set<UInt32> = []
            /// The relay's delivery session per recipient on this connection.
            public var deliveries: [Recipient: Delivery] = [:]
            /// Inbound fanout sessions by SessionId (3.3.1).
            public var fanouts: [UInt32: FanoutReceiver] = [:]
        }

        /// A delivery session's state (3.1.1.3 as the originator sees it).
        public enum Delivery: Sendable, Hashable {
            /// Open requested; the SessionId is known once the shell opened it.
            case opening(sessionId: UInt32?)
            /// OpenResponse Ok or StartSending: stored messages flow.
            case ready(sessionId: UInt32)
            /// StopSending or Suspended: nothing more is sent until it is ready again.
            case blocked(sessionId: UInt32)

            var sessionId: UInt32? {
                switch self {
                case .opening(let id): return id
                case .ready(let id), .blocked(let id): return id
                }
            }
        }

        public let configuration: CoreConfiguration
        public internal(set) var connections: [ConnectionID: ConnectionState] = [:]
        /// DeviceURL → the established connections that attached it, oldest first.
        var deviceConnections: [String: [ConnectionID]] = [:]
        /// IdentityURL → DeviceURLs: configuration plus accepted Register sessions.
        public internal(set) var registrations: [String: Set<String>]
        /// Stored, not yet sent, per recipient, in receive order.
        public internal(set) var pending: [Recipient: [StoredMessage]] = [:]
        /// Sent on a delivery session, not yet acknowledged: id → connection and message.
        public internal(set) var inFlight: [Int64: (ConnectionID, StoredMessage)] = [:]
        /// Messages in flight per connection, held at ``deliveryWindow``.
        var inFlightCount: [ConnectionID: Int] = [:]
        /// Messages sent on one connection and not yet acknowledged, at most: the rest wait
        /// in the store for acknowledgments (keeps the OutboundMessageList and the socket
        /// buffers bounded however large the backlog).
        public var deliveryWindow = 4096
        /// Received sequences being committed, by deposit.
        var committing: [Deposit: [StoredMessage]] = [:]
        private var nextId: Int64
        /// The deadline last asked for with ``RelayAction/scheduleTimer(_:)``.
        var timerDeadline: NIODeadline?

        /// Outbound single-hop sessions (3.3.5.6.1).
        public internal(set) var singleHops: [SingleHopID: SSTPRelay.SingleHop] = [:]
        var nextSingleHop: SingleHopID = 1
        /// Relay-to-relay connections by remote RelayURL, and their RelayURL by connection.
        public internal(set) var peers: [String: SSTPRelay.PeerLink] = [:]
        var peerConnections: [ConnectionID: String] = [:]
        /// Sequences sent on single-hop sessions, by the reference their acknowledgment returns.
        var forwarded: [UInt64: SSTPRelay.ForwardedSequence] = [:]
        var nextForwardReference: UInt64 = 1
        /// Messages and bytes stored per IdentityURL, for the quota.
        public internal(set) var usage: [String: IdentityQuota.Usage] = [:]
        /// Fanout sequences with single-hop parts, until every part is complete (3.3.4.2.2).
        var fanoutProgress: [SSTPRelay.Deposit: SSTPRelay.FanoutProgress] = [:]
        /// Sequences refused for quota, by their SessionId, waiting for the sequences received
        /// before them on the connection (``refuseForQuota(_:sessionId:)``).
        var heldRefusals: [SSTPRelay.Deposit: UInt32] = [:]

        /// MultidropSupported and SingleHopSupported (3.1.1.1, ConnectResponse M and S).
        public var multidropSupported = true
        public var singleHopSupported = true
        /// LocalDeviceURLs: a fanout entry whose RelayURL is one of them is local (3.3.5.6).
        public var localDeviceURLs: [String] = []

        /// A relay resuming with what its store holds (messages in id order, registrations).
        public init(configuration: CoreConfiguration, recovered: [StoredMessage] = [], registrations recoveredRegistrations: [Registration] = []) {
            self.configuration = configuration
            var registrations = configuration.identities
            for registration in recoveredRegistrations {
                registrations[registration.identityURL, default: []].insert(registration.deviceURL)
            }
            self.registrations = registrations
            var last: Int64 = 0
            for message in recovered.sorted(by: { $0.id < $1.id }) {
                pending[message.recipient, default: []].append(message)
                usage[message.recipient.identityURL, default: .init()].add(message.payload.count)
                last = max(last, message.id)
            }
            self.nextId = last + 1
        }

        /// Actions to run once after ``init(configuration:recovered:registrations:)``: the timer of recovered TTLs.
        public mutating func start() -> [RelayAction] { rescheduleTimer() }

        /// Stored messages, pending and in flight.
        public var storedCount: Int { pending.values.reduce(0) { $0 + $1.count } + inFlight.count }

        // MARK: Connections (1.3.5.2.1, 3.1.5.1)

        public mutating func transportActive(_ connection: ConnectionID) {
            connections[connection] = .connecting
        }

        /// The facts behind ConnectRejected and CrossedConnections (3.1.5.1): a SourceDeviceURL
        /// under lockout, and how many established connections its devices already have (the
        /// connection refuses beyond NumberOfConcurrentDeviceConnections).
        public func admission(sourceDeviceURLs: [String]) -> SSTP.ConnectAdmission {
            SSTP.ConnectAdmission(
                lockedOut: sourceDeviceURLs.contains { configuration.lockedOutDevices.contains($0) },
                existingConnectionsFromSource: sourceDeviceURLs.map { deviceConnections[$0]?.count ?? 0 }.max() ?? 0
            )
        }

        /// Connect accepted: the SourceDeviceURLs the authenticator accepts are attached, and
        /// stored messages for them get a delivery session each (1.3.5.2.1).
        public mutating func connectionEstablished(_ connection: ConnectionID, sourceDeviceURLs: [String]) -> [RelayAction] {
            let devices = sourceDeviceURLs.filter { !configuration.lockedOutDevices.contains($0) && configuration.authenticator.acceptsDevice($0) }
            connections[connection] = .established(Attached(devices: devices))
            for device in devices { deviceConnections[device, default: []].append(connection) }
            var actions: [RelayAction] = devices.map { .deviceAttached(connection, deviceURL: $0) }
            for device in devices { actions += openDeliveries(for: device) }
            // A shared store holds what other relays took for these devices (and what this
            // relay took before it restarted).
            if configuration.sharedStore, !devices.isEmpty { actions.append(.claim(deviceURLs: devices)) }
            return actions
        }

        /// The transport went: what was sent on it and not acknowledged is stored again, ahead of
        /// what came later (3.1.7.1: unacknowledged sequences were not delivered), and goes to
        /// another connection of the same device if there is one.
        public mutating func connectionEnded(_ connection: ConnectionID) -> [RelayAction] {
            if peerConnections[connection] != nil { return peerConnectionEnded(connection) }
            guard let state = connections.removeValue(forKey: connection) else { return [] }
            // Its fanout sessions' single-hop sessions close (3.3.7.1); their sequences can
            // no longer be acknowledged to it.
            var actions = closeSingleHops(origin: connection, sessionId: nil, originGone: true)
            fanoutProgress = fanoutProgress.filter { $0.key.connection != connection }
            heldRefusals = heldRefusals.filter { $0.key.connection != connection }
            forwarded = forwarded.filter { $0.value.deposit.connection != connection }
            var returned: [Recipient: [StoredMessage]] = [:]
            inFlightCount[connection] = nil
            for (id, (owner, message)) in inFlight where owner == connection {
                inFlight[id] = nil
                returned[message.recipient, default: []].append(message)
            }
            for (recipient, messages) in returned {
                pending[recipient] = (messages + (pending[recipient] ?? [])).sorted { $0.id < $1.id }
            }
            // Sequences of this connection still committing are stored all the same (their
            // acknowledgment is lost with the connection: the depositor sends them again).
            guard case .established(let attached) = state else { return actions }
            for device in attached.devices {
                deviceConnections[device]?.removeAll { $0 == connection }
                if deviceConnections[device]?.isEmpty == true { deviceConnections[device] = nil }
            }
            for device in attached.devices { actions += openDeliveries(for: device) }
            if configuration.sharedStore { actions += releaseDetached(attached.devices) }
            return actions
        }

        /// The connection a device's deliveries use: the oldest established one listing it.
        func deliveryConnection(for device: String) -> ConnectionID? {
            deviceConnections[device]?.first
        }

        func attached(_ connection: ConnectionID) -> Attached? {
            if case .established(let a) = connections[connection] { return a }
            return nil
        }

        mutating func update(_ connection: ConnectionID, _ body: (inout Attached) -> Void) {
            guard case .established(var a) = connections[connection] else { return }
            body(&a)
            connections[connection] = .established(a)
        }

        mutating func allocateId() -> Int64 {
            defer { nextId += 1 }
            return nextId
        }
    }
}
