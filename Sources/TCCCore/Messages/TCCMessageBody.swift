import NIOCore
import WinteropWire
import WinteropFormat

/// What every MS-TCC message type provides (2.2.3).
public protocol TCCMessageBody: Sendable, Hashable, JSONDescribable {
    static var messageId: MessageId { get }
    /// The section that defines the message.
    static var section: String { get }
    /// The structures the message defines; any other is ignored on receipt (2.2.3).
    static var structures: Set<TypeId> { get }
    /// Decodes the message from its checked structures.
    init(structures: StructureList) throws(WireError)
    /// Writes the structures in increasing TypeId order (2.2.3).
    func writeStructures(into buffer: inout ByteBuffer) throws(EncodingError)
}

extension TCCMessageBody {
    /// Decodes the payload that follows the message's CommonHeader.
    public static func decode(payload: ByteBuffer) throws(WireError) -> Self {
        try Self(structures: StructureList(payload, allowed: structures, section: section))
    }

    /// The whole message: CommonHeader with this message's Id, then the structures.
    public func encoded() throws(EncodingError) -> [UInt8] {
        var payload = ByteBuffer()
        try writeStructures(into: &payload)
        return try TCCFrame(id: Self.messageId.rawValue, payload: payload).encoded()
    }
}
