import NIOCore
import WinteropWire
import WinteropFormat

/// Any MS-TCC message (2.2.3), decoded.
public enum TCCMessage: Sendable, Hashable, JSONDescribable {
    case bringUpStartRequest(BringUpStartRequest)
    case bringUpSuccessResponse(BringUpSuccessResponse)
    case bringUpFailureResponse(BringUpFailureResponse)
    case protocolErrorResponse(ProtocolErrorResponse)
    case bringUpSuccessResponseUnpaired(BringUpSuccessResponseUnpaired)

    public var messageId: MessageId { Swift.type(of: body).messageId }

    public var body: any TCCMessageBody {
        switch self {
        case .bringUpStartRequest(let m): return m
        case .bringUpSuccessResponse(let m): return m
        case .bringUpFailureResponse(let m): return m
        case .protocolErrorResponse(let m): return m
        case .bringUpSuccessResponseUnpaired(let m): return m
        }
    }

    /// Decodes a message with a recognized MessageId; an unrecognized one is not a
    /// syntax error but its own event (3.1.5.5, 3.2.5.3), so the caller checks
    /// ``TCCFrame/messageId`` first.
    public static func decode(_ id: MessageId, payload: ByteBuffer) throws(WireError) -> TCCMessage {
        switch id {
        case .bringUpStartRequest: return .bringUpStartRequest(try .decode(payload: payload))
        case .bringUpSuccessResponse: return .bringUpSuccessResponse(try .decode(payload: payload))
        case .bringUpFailureResponse: return .bringUpFailureResponse(try .decode(payload: payload))
        case .protocolErrorResponse: return .protocolErrorResponse(try .decode(payload: payload))
        case .bringUpSuccessResponseUnpaired: return .bringUpSuccessResponseUnpaired(try .decode(payload: payload))
        }
    }

    /// Decodes one whole message's bytes; an unrecognized MessageId is an error here.
    public static func decode(bytes: some Collection<UInt8>) throws(WireError) -> TCCMessage {
        let frame = try TCCFrame.decode(bytes)
        guard let id = frame.messageId else {
            throw TCC.section("2.2.1.1").error("MessageId \(frame.id) is not recognized")
        }
        return try decode(id, payload: frame.payload)
    }

    public func encoded() throws(EncodingError) -> [UInt8] {
        try body.encoded()
    }

    public var json: JSONValue { body.json }
}
