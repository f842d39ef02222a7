import NIOCore
import WinteropWire

/// The CommonHeader structure (2.2.2.2) in front of every message and every structure:
/// a 1-byte Id and the 2-byte big-endian Length of what follows.
public struct CommonHeader: Sendable, Hashable {
    /// A MessageId (2.2.1.1) for a message, a TypeId (2.2.1.3) for a structure.
    public var id: UInt8
    /// The number of bytes after the header.
    public var length: UInt16

    public init(id: UInt8, length: UInt16) {
        self.id = id
        self.length = length
    }

    /// The header at the front of `buffer`, without consuming it; nil when fewer than 3 bytes are there.
    public static func peek(_ buffer: ByteBuffer) -> CommonHeader? {
        guard let id = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
              let length = buffer.getInteger(at: buffer.readerIndex + 1, endianness: .big, as: UInt16.self)
        else { return nil }
        return CommonHeader(id: id, length: length)
    }

    public func write(into buffer: inout ByteBuffer) {
        buffer.writeInteger(id)
        buffer.writeInteger(length, endianness: .big)
    }
}
