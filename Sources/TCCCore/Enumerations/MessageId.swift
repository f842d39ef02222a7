/// The MessageId enumeration (2.2.1.1): the Id of a message's CommonHeader.
public enum MessageId: UInt8, Sendable, Hashable, CaseIterable {
    case bringUpStartRequest = 1
    case bringUpSuccessResponse = 2
    case bringUpFailureResponse = 3
    case protocolErrorResponse = 4
    /// Revision 10.0 only (2.2.1.1, product note <2>).
    case bringUpSuccessResponseUnpaired = 5

    /// The spec's name for the message.
    public var name: String {
        switch self {
        case .bringUpStartRequest: return "BringUpStartRequest"
        case .bringUpSuccessResponse: return "BringUpSuccessResponse"
        case .bringUpFailureResponse: return "BringUpFailureResponse"
        case .protocolErrorResponse: return "ProtocolErrorResponse"
        case .bringUpSuccessResponseUnpaired: return "BringUpSuccessResponseUnpaired"
        }
    }
}
