import NIOCore
import SSTPCore

/// What sits above an ``SSTPConnectionHandler``: the resource handlers and the sender.
/// Every method is called on the connection's event loop.
public protocol SSTPApplication: AnyObject {
    /// Facts behind the ResponseId of an incoming Connect (3.1.5.1).
    func admission(for connect: SSTP.Connect, on handler: SSTPConnectionHandler) -> SSTP.ConnectAdmission
    func connectionEstablished(_ handler: SSTPConnectionHandler, version: SSTP.Version, peerDeviceURLs: [String])
    func connectionEnded(_ handler: SSTPConnectionHandler, cause: SSTP.ConnectionEndCause, unacknowledged: [SSTP.OutboundMessageList.Entry])
    /// The ResourceHandlerAvailability of a new inbound session's addressing entry (3.1.5.5).
    func openReceived(_ handler: SSTPConnectionHandler, sessionId: UInt32, entry: SSTP.AddressingEntry) -> SSTP.ResourceHandlerAvailability
    func sessionStateChanged(_ handler: SSTPConnectionHandler, sessionId: UInt32, direction: SSTP.SessionDirection, state: SSTP.SessionState)
    func sessionRefused(_ handler: SSTPConnectionHandler, sessionId: UInt32, response: SSTP.OpenResponse.ResponseId?)
    func sessionClosed(_ handler: SSTPConnectionHandler, sessionId: UInt32, direction: SSTP.SessionDirection, reason: SSTP.Close.Reason, byPeer: Bool)
    /// Fanout destinations left an outbound session (3.1.5.8): their indexes in the FanoutOpen.
    func fanoutDestinationsRemoved(_ handler: SSTPConnectionHandler, sessionId: UInt32, status: SSTP.SessionStatus.StatusId, indexes: [Int])
    /// The peer broke a rule or limit of one session, which is being closed with `reason`.
    func sessionViolation(_ handler: SSTPConnectionHandler, sessionId: UInt32, reason: SSTP.Close.Reason, detail: String)
    func messageStarted(_ handler: SSTPConnectionHandler, sessionId: UInt32, message: SSTP.Message)
    func messageData(_ handler: SSTPConnectionHandler, sessionId: UInt32, payload: ByteBuffer)
    /// A complete sequence: call ``SSTPConnectionHandler/resourceHandlerCompleted(sequence:)`` once it is handled.
    func messageReceived(_ handler: SSTPConnectionHandler, entry: SSTP.InboundMessageList.Entry)
    func messageAborted(_ handler: SSTPConnectionHandler, sessionId: UInt32)
    func messagesAcknowledged(_ handler: SSTPConnectionHandler, entries: [SSTP.OutboundMessageList.Entry])
    /// The channel became writable again (back-pressure released).
    func writabilityChanged(_ handler: SSTPConnectionHandler, isWritable: Bool)
    /// Relay-only and security commands (a later relay role).
    func commandForHigherLayer(_ handler: SSTPConnectionHandler, command: SSTP.Command)
}

extension SSTPApplication {
    public func admission(for connect: SSTP.Connect, on handler: SSTPConnectionHandler) -> SSTP.ConnectAdmission { SSTP.ConnectAdmission() }
    public func connectionEstablished(_ handler: SSTPConnectionHandler, version: SSTP.Version, peerDeviceURLs: [String]) {}
    public func connectionEnded(_ handler: SSTPConnectionHandler, cause: SSTP.ConnectionEndCause, unacknowledged: [SSTP.OutboundMessageList.Entry]) {}
    public func openReceived(_ handler: SSTPConnectionHandler, sessionId: UInt32, entry: SSTP.AddressingEntry) -> SSTP.ResourceHandlerAvailability { .fault(.noReason) }
    public func sessionStateChanged(_ handler: SSTPConnectionHandler, sessionId: UInt32, direction: SSTP.SessionDirection, state: SSTP.SessionState) {}
    public func sessionRefused(_ handler: SSTPConnectionHandler, sessionId: UInt32, response: SSTP.OpenResponse.ResponseId?) {}
    public func sessionClosed(_ handler: SSTPConnectionHandler, sessionId: UInt32, direction: SSTP.SessionDirection, reason: SSTP.Close.Reason, byPeer: Bool) {}
    public func fanoutDestinationsRemoved(_ handler: SSTPConnectionHandler, sessionId: UInt32, status: SSTP.SessionStatus.StatusId, indexes: [Int]) {}
    public func sessionViolation(_ handler: SSTPConnectionHandler, sessionId: UInt32, reason: SSTP.Close.Reason, detail: String) {}
    public func messageStarted(_ handler: SSTPConnectionHandler, sessionId: UInt32, message: SSTP.Message) {}
    public func messageData(_ handler: SSTPConnectionHandler, sessionId: UInt32, payload: ByteBuffer) {}
    public func messageReceived(_ handler: SSTPConnectionHandler, entry: SSTP.InboundMessageList.Entry) {}
    public func messageAborted(_ handler: SSTPConnectionHandler, sessionId: UInt32) {}
    public func messagesAcknowledged(_ handler: SSTPConnectionHandler, entries: [SSTP.OutboundMessageList.Entry]) {}
    public func writabilityChanged(_ handler: SSTPConnectionHandler, isWritable: Bool) {}
    public func commandForHigherLayer(_ handler: SSTPConnectionHandler, command: SSTP.Command) {}
}
