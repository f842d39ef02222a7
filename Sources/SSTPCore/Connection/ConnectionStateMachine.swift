import NIOCore
import WinteropWire

extension SSTP {
    /// One SSTP connection (3.1), sans-IO: commands received, higher-layer requests and
    /// timer expiries go in as events, and each returns the ``ConnectionAction``s to carry
    /// out. No sockets, no clocks.
    public struct ConnectionStateMachine: Sendable {
        /// ConnectionState (3.1.1.2).
        public enum State: Sendable {
            /// 'transport layer connected': nothing sent or received yet.
            case transportLayerConnected
            /// 'connecting': this side sent Connect and awaits the ConnectResponse.
            case connecting
            /// 'established': sessions and messages flow.
            case established(Established)
            /// 'aborting': a ConnectClose went out (or a refusal came in); the transport is ending.
            case aborting
            /// Transport gone; all state removed.
            case closed
            /// Only while an event mutates the established state in place (so its
            /// dictionaries are not copied), as postgres-nio's `modifying`; never seen
            /// between two events.
            case modifying
        }

        /// What an established connection holds (3.1.1.2, 3.1.1.3).
        public struct Established: Sendable {
            /// Version (3.1.1.2): the lesser minor version of the two sides.
            public var version: Version
            var outbound: [UInt32: OutboundSession] = [:]
            var inbound: [UInt32: InboundSession] = [:]
            public var inboundMessages = InboundMessageList()
            public var outboundMessages = OutboundMessageList()
            /// Whether the Message Acknowledgment Timer runs (3.1.2.1).
            public var acknowledgmentTimerActive = false
            /// AttachSessionIds and RegisterSessionIds (3.2.1).
            var attachSessionIds: Set<UInt32> = []
            var registerSessionIds: Set<UInt32> = []
            /// Inbound sessions closed from this side, whose in-flight commands are dropped.
            var closedInbound = ClosedSessions()

            init(version: Version) { self.version = version }
        }

        public let configuration: ConnectionConfiguration
        /// Inbound/Outbound (3.1.1.2): true when this device originated the transport connection.
        public let initiatedConnection: Bool
        public internal(set) var state: State
        var sessionIds: SessionIdAllocator
        /// Activity times for the idle and connect deadlines; nil until the transport is active.
        public internal(set) var liveness: Liveness?

        public init(configuration: ConnectionConfiguration, initiatedConnection: Bool) {
            self.configuration = configuration
            self.initiatedConnection = initiatedConnection
            self.state = .transportLayerConnected
            self.sessionIds = SessionIdAllocator(initiatedConnection: initiatedConnection)
        }

        /// The negotiated version once established (what FanoutOpen and SessionStatus parse by),
        /// otherwise the configured one.
        public var version: Version {
            // Asked for every command sent and received: read without binding (and so
            // copying) the established state.
            if case .established = state { return negotiatedVersion }
            return configuration.version
        }

        /// The established part's Version, kept beside it for ``version``.
        private var negotiatedVersion: Version = .v1_6

        /// The connection becomes 'established' at `version` (3.1.5.1, 3.1.5.2).
        mutating func establish(version: Version) {
            negotiatedVersion = version
            state = .established(Established(version: version))
        }

        public var isEstablished: Bool {
            if case .established = state { return true }
            return false
        }

        /// The state of a session, if it exists.
        public func sessionState(_ id: UInt32) -> (SessionDirection, SessionState)? {
            guard case .established(let e) = state else { return nil }
            if let s = e.outbound[id] { return (.outbound, s.state) }
            if let s = e.inbound[id] { return (.inbound, s.state) }
            return nil
        }

        /// The MessageReceiver state of an inbound session.
        public func messageReceiverState(_ id: UInt32) -> MessageReceiverState? {
            guard case .established(let e) = state else { return nil }
            return e.inbound[id]?.receiver
        }

        /// The established part, for inspection (message lists, acknowledgment timer).
        public var established: Established? {
            if case .established(let e) = state { return e }
            return nil
        }

        /// Mutates the established state in place (no copy of its dictionaries).
        @discardableResult
        mutating func withEstablished<R>(_ body: (inout Established) throws(UsageError) -> R) throws(UsageError) -> R {
            guard var e = takeEstablished() else { throw UsageError("the connection is not established") }
            defer { state = .established(e) }
            return try body(&e)
        }

        /// Moves the established part out, leaving ``State/modifying`` until the caller
        /// puts it back; nil (the state untouched) when not established. A move: unlike
        /// `if case .established(var e) = state`, nothing of it is copied or retained, which
        /// matters three times per received message.
        mutating func takeEstablished() -> Established? {
            var taken = State.modifying
            swap(&taken, &state)
            switch consume taken {
            case .established(let e):
                return e
            case let other:
                state = other
                return nil
            }
        }

        // MARK: Commands received (3.1.5)

        /// Dispatches one received command. `admission` describes an incoming Connect (3.1.5.1).
        public mutating func commandReceived(_ command: Command, admission: ConnectAdmission = ConnectAdmission()) -> [ConnectionAction] {
            switch state {
            case .aborting, .closed:
                return []
            case .transportLayerConnected, .connecting, .established:
                break
            case .modifying:
                preconditionFailure("a command was received while the state machine is modifying its state")
            }
            switch command {
            case .connect(let c): return connectReceived(c, admission: admission)
            case .connectResponse(let c): return connectResponseReceived(c)
            case .connectClose(let c): return connectCloseReceived(c)
            case .open(let c): return openReceived(c)
            case .openResponse(let c): return openResponseReceived(c)
            case .sessionStatus(let c): return sessionStatusReceived(c)
            case .close(let c): return closeReceived(c)
            case .message(let c): return messageReceived(c)
            case .data(let c): return dataReceived(c).actions
            case .endMessage(let c): return endMessageReceived(c)
            case .noop(let c): return noopReceived(c)
            case .fanoutOpen, .connectAuthenticate, .attach, .attachAuthenticate, .register:
                return relayCommandReceived(command)
            case .attachResponse(let c): return attachResponseReceived(c)
            case .registerResponse(let c): return registerResponseReceived(c)
            }
        }

        /// A command that cannot be decoded (3.1.5: not a valid SSTP message): ConnectClose ProtocolError.
        public mutating func malformedCommandReceived(_ error: WireError) -> [ConnectionAction] {
            switch state {
            case .aborting, .closed: return []
            case .transportLayerConnected, .connecting, .established:
                return closeConnection(.protocolError, violation: error.description)
            case .modifying: preconditionFailure("malformed input while the state machine is modifying its state")
            }
        }

        /// Commands only a relay server takes (3.2.5.3, 3.2.5.6, 3.2.5.14, 3.2.5.16, 3.2.5.17):
        /// a client answers ConnectClose ProtocolError.
        mutating func relayCommandReceived(_ command: Command) -> [ConnectionAction] {
            guard configuration.role == .relayServer else {
                return closeConnection(.protocolError, violation: "a client received \(command.commandId), which only a relay server takes")
            }
            guard isEstablished else {
                switch command {
                case .attach, .attachAuthenticate:
                    // 3.3.5.14, 3.3.5.16: an attach command before 'established'.
                    return closeConnection(.tooManyUnknownSessionCmds, violation: "\(command.commandId) before the connection was established")
                default:
                    return closeConnection(.protocolError, violation: "\(command.commandId) before the connection was established")
                }
            }
            return [.commandForHigherLayer(command)]
        }

        // MARK: Closing (3.1.4.2)

        /// Closes the connection: ConnectClose with `reason` and the MessageCount of 3.1.4.2.1,
        /// then all state goes and the transport ends.
        public mutating func close(reason: ConnectClose.Reason, returnTime: UInt32? = nil) -> [ConnectionAction] {
            switch state {
            case .aborting, .closed: return []
            case .transportLayerConnected, .connecting, .established:
                return closeConnection(reason, violation: nil, returnTime: returnTime)
            case .modifying: preconditionFailure("close while the state machine is modifying its state")
            }
        }

        /// Sends ConnectClose and removes all state; reports the unacknowledged messages.
        mutating func closeConnection(_ reason: ConnectClose.Reason, violation: String?, returnTime: UInt32? = nil) -> [ConnectionAction] {
            var count: UInt32 = 0
            var unacknowledged: [OutboundMessageList.Entry] = []
            var actions: [ConnectionAction] = []
            if case .established(var e) = state {
                count = e.inboundMessages.takeAcknowledgmentCount()
                unacknowledged = e.outboundMessages.removeAll()
                if e.acknowledgmentTimerActive { actions.append(.cancelTimer(.messageAcknowledgment)) }
                for (id, s) in e.outbound where s.state == .opening { actions.append(.cancelTimer(.sessionEstablishment(id))) }
            }
            if case .connecting = state { actions.append(.cancelTimer(.connectionEstablishment)) }
            state = .aborting
            let time: UInt32? = reason == .resting ? (returnTime ?? 0) : nil
            actions.append(.sendConnectCloseAndTerminate(ConnectClose(reason: reason, messageCount: count, returnTime: time)))
            actions.append(.connectionEnded(.closedLocally(reason, violation: violation), unacknowledged: unacknowledged))
            return actions
        }

        /// ConnectClose received (3.1.5.4): acknowledgments first (3.1.5.19), then all state goes.
        mutating func connectCloseReceived(_ close: ConnectClose) -> [ConnectionAction] {
            var actions: [ConnectionAction] = []
            var unacknowledged: [OutboundMessageList.Entry] = []
            if case .established(var e) = state {
                if close.messageCount > 0 {
                    let acknowledged = e.outboundMessages.acknowledge(min(close.messageCount, UInt32(e.outboundMessages.count))) ?? []
                    if !acknowledged.isEmpty { actions.append(.messagesAcknowledged(acknowledged)) }
                }
                unacknowledged = e.outboundMessages.removeAll()
                if e.acknowledgmentTimerActive { actions.append(.cancelTimer(.messageAcknowledgment)) }
                for (id, s) in e.outbound where s.state == .opening { actions.append(.cancelTimer(.sessionEstablishment(id))) }
                for (id, s) in e.inbound where s.receiver != .waiting { actions.append(.messageAborted(sessionId: id)) }
            }
            if case .connecting = state { actions.append(.cancelTimer(.connectionEstablishment)) }
            state = .closed
            actions.append(.terminateTransport)
            actions.append(.connectionEnded(.closedByPeer(close), unacknowledged: unacknowledged))
            return actions
        }

        // MARK: Transport loss (3.1.7.1)

        /// The transport went away: all state goes; what the OutboundMessageList still holds
        /// was not delivered.
        public mutating func transportLost() -> [ConnectionAction] {
            switch state {
            case .aborting, .closed:
                state = .closed
                return []
            case .transportLayerConnected:
                state = .closed
                return [.connectionEnded(.transportLost, unacknowledged: [])]
            case .connecting:
                state = .closed
                return [.cancelTimer(.connectionEstablishment), .connectionEnded(.transportLost, unacknowledged: [])]
            case .established(var e):
                var actions: [ConnectionAction] = []
                if e.acknowledgmentTimerActive { actions.append(.cancelTimer(.messageAcknowledgment)) }
                for (id, s) in e.outbound where s.state == .opening { actions.append(.cancelTimer(.sessionEstablishment(id))) }
                for (id, s) in e.inbound where s.receiver != .waiting { actions.append(.messageAborted(sessionId: id)) }
                let unacknowledged = e.outboundMessages.removeAll()
                state = .closed
                actions.append(.connectionEnded(.transportLost, unacknowledged: unacknowledged))
                return actions
            case .modifying:
                preconditionFailure("transport lost while the state machine is modifying its state")
            }
        }

        // MARK: Timers (3.1.6, <11>)

        /// Connection Establishment Timer expired (<11>): ConnectClose ResponseTimeout.
        public mutating func connectionEstablishmentTimerFired() -> [ConnectionAction] {
            guard case .connecting = state else { return [] }
            return closeConnection(.responseTimeout, violation: "no ConnectResponse in time")
        }
    }
}
