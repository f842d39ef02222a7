extension SSTPRelay {
    /// What the relay holds at one moment, for its metrics: connections, sessions, and the
    /// stored messages and their payload bytes by state.
    public struct Gauges: Sendable, Hashable {
        /// Client connections, established or not, and relay-to-relay connections.
        public var connections = 0
        public var peerConnections = 0
        /// Delivery sessions, inbound fanout sessions and outbound single-hop sessions.
        public var deliverySessions = 0
        public var fanoutSessions = 0
        public var singleHopSessions = 0
        /// Stored and not yet sent, and sent but not yet acknowledged by the device.
        public var pendingMessages = 0
        public var pendingBytes = 0
        public var inFlightMessages = 0
        public var inFlightBytes = 0
        /// Sequences waiting for their commit, and forwards waiting for the next hop.
        public var committing = 0
        public var forwardsInFlight = 0
    }
}

extension SSTPRelay.RelayStateMachine {
    /// The relay's gauges now.
    public var gauges: SSTPRelay.Gauges {
        var g = SSTPRelay.Gauges()
        g.connections = connections.count
        g.peerConnections = peerConnections.count
        for case .established(let attached) in connections.values {
            g.deliverySessions += attached.deliveries.count
            g.fanoutSessions += attached.fanouts.count
        }
        g.singleHopSessions = singleHops.count
        for messages in pending.values {
            g.pendingMessages += messages.count
            g.pendingBytes += messages.reduce(0) { $0 + $1.payload.count }
        }
        g.inFlightMessages = inFlight.count
        g.inFlightBytes = inFlight.values.reduce(0) { $0 + $1.1.payload.count }
        g.committing = committing.count
        g.forwardsInFlight = forwarded.count
        return g
    }
}
