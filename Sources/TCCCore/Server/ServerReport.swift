import WinteropWire

/// What the server tells the higher layer and the event log (3.2).
public enum ServerReport: Sendable, Hashable {
    /// A BringUpStartRequest was accepted: STARTING (3.2.5.1). `unpaired` when it
    /// carried a valid Timestamp and HMAC.
    case requestAccepted(unpaired: Bool)
    /// A BringUpStartRequest was refused with this failure (3.2.5.1: skew, HMAC, or no
    /// HMAC on a channel that is not paired).
    case requestRefused(BringUpFailureResponse)
    /// A message arrived in STARTING and was not processed (3.2.5.1).
    case ignoredWhileStarting(messageId: UInt8)
    /// An unrecognized MessageId was answered with ProtocolErrorResponse (3.2.5.3).
    case unrecognizedMessage(messageId: UInt8)
    /// The settings went out (3.2.4.2).
    case responded(BringUpSuccessResponse, unpaired: Bool)
    /// The failure went out (3.2.4.2).
    case failed(BringUpFailureResponse)
}

/// Why the server ended a connection.
public enum ServerCloseReason: Sendable, Hashable, CustomStringConvertible {
    /// A response or ProtocolErrorResponse came from the client (3.2.5.2).
    case protocolFailure(MessageId)
    /// A message that cannot be parsed (3.2.5.3).
    case protocolError(WireError)
    /// ServerTimer expired (3.2.6).
    case timedOut
    /// The transport went away (3.2.7.1).
    case transportFailure
    /// The higher layer shut the server down (3.2.4.1).
    case shutdown

    public var description: String {
        switch self {
        case .protocolFailure(let id): return "MS-TCC 3.2.5.2: the client sent a \(id.name)"
        case .protocolError(let error): return error.description
        case .timedOut: return "MS-TCC 3.2.6: ServerTimer expired"
        case .transportFailure: return "MS-TCC 3.2.7.1: the client disconnected"
        case .shutdown: return "MS-TCC 3.2.4.1: shutdown"
        }
    }
}
