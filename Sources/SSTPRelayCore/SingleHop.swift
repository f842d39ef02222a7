import SSTPCore

extension SSTPRelay {
    /// Numbers the relay's outbound single-hop sessions (the core's own key: the SessionId
    /// is known only once the peer connection opened it).
    public typealias SingleHopID = Int

    /// One outbound single-hop fanout session (3.3.5.6.1): the entries of one inbound
    /// fanout session whose RelayURL is one remote relay, opened as a FanoutOpen on the
    /// relay-to-relay connection. Its session state drives those entries'
    /// ResourceHandlerAvailability (3.3.5.7); the sequences of the inbound session are
    /// forwarded on it in the order received (3.3.5.12.1.2).
    public struct SingleHop: Sendable, Hashable {
        /// The outbound session as its originator sees it (3.1.1.3).
        public enum State: Sendable, Hashable {
            /// No established connection to the remote relay yet (3.3.5.6.1).
            case awaitingConnection
            /// FanoutOpen asked for on `connection`; the SessionId is known once it was sent.
            case opening(connection: ConnectionID, sessionId: UInt32?)
            /// 'suspended', 'ready' or 'blocked' on `connection`.
            case open(connection: ConnectionID, sessionId: UInt32, SSTP.SessionState)
        }

        /// One received sequence waiting for the session to be 'ready'.
        public struct Forward: Sendable, Hashable {
            public var deposit: Deposit
            public var message: SSTP.Message
            public var payload: [UInt8]
        }

        /// The inbound fanout session this one serves.
        public let origin: ConnectionID
        public let originSessionId: UInt32
        public let relayURL: String
        public let resourceURL: String
        /// Indexes into the inbound FanoutAddressingList, in OutboundFanoutAddressingList order.
        public let entryIndexes: [Int]
        public let entries: [SSTP.FanoutOpen.Entry]
        public internal(set) var state: State = .awaitingConnection
        /// Sequences received while the session was not 'ready' (4.4.1), oldest first.
        public internal(set) var queue: [Forward] = []
        /// The inbound session ended: Close EmptySession once the queue is sent (3.3.5.9).
        public internal(set) var closing = false

        /// The connection and SessionId, once the FanoutOpen was sent.
        public var session: (connection: ConnectionID, sessionId: UInt32)? {
            switch state {
            case .awaitingConnection, .opening(_, nil): return nil
            case .opening(let connection, let id?): return (connection, id)
            case .open(let connection, let id, _): return (connection, id)
            }
        }

        public var isReady: Bool {
            if case .open(_, _, .ready) = state { return true }
            return false
        }
    }

    /// The relay-to-relay connection to one remote relay (3.3.5.6.1): one for all the
    /// single-hop sessions to it (4.3.4).
    public enum PeerLink: Sendable, Hashable {
        /// The shell is connecting (transport and Connect, 3.1.4.1).
        case connecting
        case established(ConnectionID)
    }

    /// Where a fanout sequence stands (3.3.4.2.2): it is complete, and acknowledged, once the
    /// local copies are committed and every single-hop session it went on acknowledged it
    /// (3.3.5.19), or lost the entries it carried.
    struct FanoutProgress: Sendable, Hashable {
        var localCommitPending: Bool
        var hops: Set<SingleHopID>
        var isComplete: Bool { !localCommitPending && hops.isEmpty }
    }

    /// A sequence sent on a single-hop session and not yet acknowledged by the remote relay.
    struct ForwardedSequence: Sendable, Hashable {
        var hop: SingleHopID
        var connection: ConnectionID
        var forward: SingleHop.Forward
        var deposit: Deposit { forward.deposit }
    }
}
