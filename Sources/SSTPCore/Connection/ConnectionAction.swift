import NIOCore

extension SSTP {
    /// Why a connection ended, as the higher layer learns it.
    public enum ConnectionEndCause: Sendable, Hashable {
        /// This device sent ConnectClose with this reason: on request (3.1.4.2) or as the
        /// spec's reaction to the peer (then `violation` says what the peer did).
        case closedLocally(ConnectClose.Reason, violation: String?)
        /// The peer sent this ConnectClose (3.1.5.4); Resting carries a ReturnTime to honour.
        case closedByPeer(ConnectClose)
        /// The peer answered our Connect with this non-Ok ConnectResponse (3.1.5.2).
        case refused(ConnectResponse)
        /// The transport went away without a ConnectClose (3.1.7.1).
        case transportLost
    }

    /// What the state machine asks its shell to do.
    public enum ConnectionAction: Sendable, Hashable {
        /// Write this command.
        case send(Command)
        /// Write Data commands carrying `payload`, split at 2048 bytes (3.1.4.6; ``SSTP/Data/writeCommands(sessionId:payload:into:)``).
        case sendData(sessionId: UInt32, payload: ByteBuffer)
        /// Write this ConnectClose, then terminate the transport (3.1.4.2).
        case sendConnectCloseAndTerminate(ConnectClose)
        /// Terminate the transport without writing anything more.
        case terminateTransport
        case startTimer(Timer)
        case cancelTimer(Timer)

        // Notifications for the higher layer.

        /// The connection is 'established' at this version; `peerDeviceURLs` are the peer's
        /// SourceDeviceURLs (acceptor) or TargetDeviceURLs (initiator).
        case connectionEstablished(version: Version, peerDeviceURLs: [String])
        /// The connection ended; `unacknowledged` are the outbound message sequences not
        /// acknowledged, which are not delivered (3.1.7.1).
        case connectionEnded(ConnectionEndCause, unacknowledged: [OutboundMessageList.Entry])
        /// A session Open arrived (3.1.5.5): answer with
        /// ``SSTP/ConnectionStateMachine/resourceHandlerAvailabilityChanged(sessionId:_:)``.
        case openReceived(sessionId: UInt32, AddressingEntry)
        /// A session changed state: outbound sessions on OpenResponse (3.1.5.7), inbound ones on
        /// availability changes (3.1.4.5).
        case sessionStateChanged(sessionId: UInt32, SessionDirection, SessionState)
        /// The peer refused an outbound session (3.1.5.7), or the Session Establishment Timer
        /// expired (`response` nil).
        case sessionRefused(sessionId: UInt32, response: OpenResponse.ResponseId?)
        /// The peer broke a rule (or a limit) of one session: the session is being closed
        /// with Close `reason` (a ``sessionClosed(sessionId:_:_:byPeer:)`` follows).
        case sessionViolation(sessionId: UInt32, Close.Reason, detail: String)
        /// A session ended: by the peer's Close, by ours, or by SessionStatus emptying a fanout session.
        case sessionClosed(sessionId: UInt32, SessionDirection, Close.Reason, byPeer: Bool)
        /// Fanout destinations left the session (3.1.5.8): their indexes in the FanoutOpen.
        case fanoutDestinationsRemoved(sessionId: UInt32, SessionStatus.StatusId, indexes: [Int])
        /// A Message began a sequence on an inbound session (3.1.5.10).
        case messageStarted(sessionId: UInt32, Message)
        /// Payload of the sequence being received (3.1.5.11).
        case messageData(sessionId: UInt32, ByteBuffer)
        /// EndMessage: the sequence is complete and 'processing' in the InboundMessageList
        /// (3.1.5.12); call ``SSTP/ConnectionStateMachine/resourceHandlerCompleted(sequence:)`` once handled.
        case messageReceived(InboundMessageList.Entry)
        /// An inbound session ended inside a sequence: discard what was received of it.
        case messageAborted(sessionId: UInt32)
        /// Outbound sequences acknowledged by a MessageCount (3.1.5.19), oldest first.
        case messagesAcknowledged([OutboundMessageList.Entry])
        /// A relay-only or security command for the higher layer (relay role, attach sessions).
        case commandForHigherLayer(Command)
    }
}
