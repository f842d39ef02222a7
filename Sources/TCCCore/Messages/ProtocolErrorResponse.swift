import NIOCore
import WinteropWire
import WinteropFormat

/// ProtocolErrorResponse (2.2.3.5): the answer to a message whose MessageId is not
/// recognized; its MessageType structure carries that Id.
public struct ProtocolErrorResponse: TCCMessageBody {
    public static let messageId = MessageId.protocolErrorResponse
    public static let section = "2.2.3.5"
    public static let structures: Set<TypeId> = [.messageType]

    /// The unrecognized MessageId (2.2.2.8).
    public var messageType: UInt8

    public init(messageType: UInt8) {
        self.messageType = messageType
    }

    public init(structures: StructureList) throws(WireError) {
        messageType = try StructureValue.fixed(try structures.required(.messageType), .messageType, count: 1)[0]
    }

    public func writeStructures(into buffer: inout ByteBuffer) throws(EncodingError) {
        try buffer.writeStructure(.messageType, [messageType])
    }

    public var json: JSONValue {
        .object([("message", .string(Self.messageId.name)), ("messageType", .integer(messageType))])
    }
}
