import NIOCore
import WinteropWire
import WinteropFormat

/// The Share header (2.2.2): the share sender's first message after the socket is set
/// up, carrying an estimate of the package size.
public struct ShareHeader: SizedHeader {
    public static let section = "2.2.2"

    /// HeaderSize this version sends: 10 (3.2.7.2 "No other value is valid").
    public static let currentHeaderSize: UInt16 = 10

    /// The size of the whole header, itself included, from its first two bytes
    /// (little-endian). Receivers accept any value ≥ 10 and ignore the bytes after
    /// the 10th (2.2.2, 3.3.7.2).
    public var headerSize: UInt16
    /// Estimated package size in bytes (little-endian); 0 = unknown (2.2.2).
    public var totalContentSizeEstimate: UInt64

    public init(totalContentSizeEstimate: UInt64, headerSize: UInt16 = ShareHeader.currentHeaderSize) {
        self.totalContentSizeEstimate = totalContentSizeEstimate
        self.headerSize = max(headerSize, Self.currentHeaderSize)
    }

    /// Decodes one header from the front of `buffer` as 3.3.7.2 reads it, or returns nil
    /// (consuming nothing) when not all HeaderSize bytes have arrived yet.
    public static func decode(from buffer: inout ByteBuffer) throws(WireError) -> ShareHeader? {
        let reference = NFPS.section("2.2.2")
        guard let size = buffer.getInteger(at: buffer.readerIndex, endianness: .little, as: UInt16.self) else { return nil }
        guard size >= currentHeaderSize else {
            throw reference.error("HeaderSize is \(size); it must be at least 10")
        }
        guard buffer.readableBytes >= Int(size) else { return nil }
        var reader = WireReader(buffer.readSlice(length: Int(size)) ?? ByteBuffer(), reference)
        let headerSize = try reader.readUInt16(.little, field: "HeaderSize")
        let estimate = try reader.readUInt64(.little, field: "TotalContentSizeEstimate")
        // Bytes after the 10th are fields of a later version: ignored (2.2.2, 3.3.7.2).
        return ShareHeader(totalContentSizeEstimate: estimate, headerSize: headerSize)
    }

    /// Writes HeaderSize, the estimate and zeros for any bytes beyond 10.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(headerSize, endianness: .little)
        buffer.writeInteger(totalContentSizeEstimate, endianness: .little)
        buffer.writeRepeatingByte(0, count: Int(headerSize) - Int(Self.currentHeaderSize))
    }

    public var json: JSONValue {
        .object([
            ("message", .string("Share")),
            ("headerSize", .integer(headerSize)),
            ("totalContentSizeEstimate", .integer(totalContentSizeEstimate)),
        ])
    }
}
