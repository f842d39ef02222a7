import NIOCore
import SSTPCore

extension SSTPRelay {
    /// A connection of the relay, numbered by the shell.
    public typealias ConnectionID = Int

    /// A received sequence waiting for its commit before it is acknowledged (3.1.4.7).
    public struct Deposit: Sendable, Hashable {
        public var connection: ConnectionID
        /// Its position in the connection's InboundMessageList.
        public var sequence: UInt64
        public init(connection: ConnectionID, sequence: UInt64) {
            self.connection = connection
            self.sequence = sequence
        }
    }

    /// Why a stored message left the store without being acknowledged (3.3.6).
    public enum DiscardReason: String, Sendable, Hashable {
        /// Offline Device Delivery Data TTL expired (3.3.6.1).
        case offlineDeliveryTTL = "offline_delivery_ttl"
        /// Ephemeral Data Delivery Timer expired (3.3.6.2).
        case ephemeralTTL = "ephemeral_ttl"
    }

    /// What the relay core asks its shell to do.
    public enum RelayAction: Sendable, Hashable {
        /// Commit these copies of one received sequence, then call
        /// ``RelayStateMachine/depositCommitted(_:now:)`` (acknowledge only after the commit).
        case store([StoredMessage], Deposit)
        /// The commit is done: complete the sequence in the connection's InboundMessageList (3.1.4.7).
        case acknowledgeDeposit(Deposit)
        /// Delete these messages from the store (acknowledged by the device, or discarded).
        case remove([Int64])
        /// Shared store: claim what is stored for these devices, attached here, then call
        /// ``RelayStateMachine/messagesClaimed(_:now:)``.
        case claim(deviceURLs: [String])
        /// Shared store: give up these claimed messages (their device is no longer attached
        /// here); another relay the device is attached to claims them.
        case release([Int64])
        /// Open a delivery session to an attached device (1.3.5.2.1), then call
        /// ``RelayStateMachine/deliverySessionOpened(connection:recipient:sessionId:)``.
        case openDeliverySession(ConnectionID, Recipient)
        /// Send this stored message on the delivery session (3.1.4.6), reference = its id.
        case deliver(ConnectionID, sessionId: UInt32, StoredMessage)
        /// Commit these identity registrations, then send `reply` (the RegisterResponse) on
        /// the connection: a registration is answered only once it survives a restart.
        case storeRegistrations(ConnectionID, [Registration], reply: SSTP.Command)
        /// Send this reply (AttachResponse, RegisterResponse, Close) on the connection.
        case reply(ConnectionID, SSTP.Command)
        /// Accept this FanoutOpen: OpenResponse OkStopSending, session 'suspended' (3.3.5.6).
        case acceptFanoutSession(ConnectionID, sessionId: UInt32, SSTP.AddressingEntry)
        /// Carry out a fanout session's flow control or fault report (3.3.4.1.2).
        case fanout(ConnectionID, sessionId: UInt32, FanoutReceiver.Action)
        /// Send a Noop now, its MessageCount acknowledging every sequence completed so far (3.1.4.2.1).
        case acknowledgeNow(ConnectionID)
        /// Close an inbound session: its resource handler faulted with `reason` (3.1.4.5).
        case closeSession(ConnectionID, sessionId: UInt32, SSTP.Close.Reason)
        /// Close the connection with ConnectClose (3.1.4.2).
        case closeConnection(ConnectionID, SSTP.ConnectClose.Reason, detail: String)
        /// Connect to the remote relay `relayURL` (transport, then Connect with it as the
        /// TargetDeviceURL, 3.3.5.6.1); then call ``RelayStateMachine/peerEstablished(relayURL:connection:)``
        /// or ``RelayStateMachine/peerFailed(relayURL:status:)``.
        case connectPeer(relayURL: String)
        /// Open an outbound single-hop fanout session on the peer connection (3.1.4.3.3),
        /// then call ``RelayStateMachine/singleHopOpened(_:connection:sessionId:)``.
        case openSingleHop(ConnectionID, SingleHopID, resourceURL: String, [SSTP.FanoutOpen.Entry])
        /// Send this received sequence on the single-hop session (3.3.5.12.1.2, 3.1.4.6);
        /// `reference` comes back in its acknowledgment.
        case forward(ConnectionID, sessionId: UInt32, reference: UInt64, SSTP.Message, [UInt8])
        /// Close an outbound single-hop session with EmptySession (3.3.5.4, 3.3.5.9, 3.3.7.1).
        case closeSingleHop(ConnectionID, sessionId: UInt32)
        /// Call ``RelayStateMachine/deliveryTimerFired(now:)`` at this deadline (3.3.2);
        /// replaces any earlier request.
        case scheduleTimer(NIODeadline)
        case cancelTimer

        // Notifications for events.
        case deviceAttached(ConnectionID, deviceURL: String)
        case discarded(StoredMessage, DiscardReason)
        /// A sequence for `identityURL` was refused: it would pass the identity's quota.
        case quotaExceeded(ConnectionID, identityURL: String)
        /// Fanout entries of an inbound session faulted (3.3.4.1.2).
        case fanoutFaulted(ConnectionID, sessionId: UInt32, SSTP.SessionStatus.StatusId, entries: [Int])
    }
}
