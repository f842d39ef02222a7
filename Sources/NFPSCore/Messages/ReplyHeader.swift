import NIOCore
import WinteropWire
import WinteropFormat

/// The Reply header (2.2.3): the share receiver's answer to the Share header.
public struct ReplyHeader: SizedHeader {
    public static let section = "2.2.3"

    /// HeaderSize this version sends: 2 (3.3.7.2 "No other value is valid").
    public static let currentHeaderSize: UInt16 = 2

    /// The size of the whole header (little-endian). Senders accept any value ≥ 2
    /// and ignore the bytes after the 2nd (2.2.3, 3.2.7.2).
    public var headerSize: UInt16

    public init(headerSize: UInt16 = ReplyHeader.currentHeaderSize) {
        self.headerSize = max(headerSize, Self.currentHeaderSize)
    }

    /// Decodes one header from the front of `buffer` as 3.2.7.2 reads it, or returns nil
    /// (consuming nothing) when not all HeaderSize bytes have arrived yet.
    public static func decode(from buffer: inout ByteBuffer) throws(WireError) -> ReplyHeader? {
        guard let size = buffer.getInteger(at: buffer.readerIndex, endianness: .little, as: UInt16.self) else { return nil }
        guard size >= currentHeaderSize else {
            throw NFPS.section("2.2.3").error("HeaderSize is \(size); it must be at least 2")
        }
        guard buffer.readableBytes >= Int(size) else { return nil }
        buffer.moveReaderIndex(forwardBy: Int(size))
        return ReplyHeader(headerSize: size)
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(headerSize, endianness: .little)
        buffer.writeRepeatingByte(0, count: Int(headerSize) - Int(Self.currentHeaderSize))
    }

    public var json: JSONValue {
        .object([("message", .string("Reply")), ("headerSize", .integer(headerSize))])
    }
}
