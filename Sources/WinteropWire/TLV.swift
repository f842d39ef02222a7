import NIOCore

/// How one protocol lays out its type-length-value items. MS-MICE (1-byte type,
/// 2-byte big-endian length), MS-TCC (1-byte type, 2-byte big-endian length) and the
/// Wi-Fi Simple Configuration attributes (2-byte type, 2-byte length) all differ.
public struct TLVFormat: Hashable, Sendable {
    /// Width of the type field.
    public var typeWidth: IntegerWidth
    /// Width of the length field.
    public var lengthWidth: IntegerWidth
    /// Byte order of both fields.
    public var endianness: Endianness
    /// The smallest Length a valid item may declare (MS-MICE 2.2.7: at least 1).
    public var minimumLength: Int
    /// What the items are called in error messages ("TLV", "attribute").
    public var itemName: String

    public init(
        typeWidth: IntegerWidth, lengthWidth: IntegerWidth, endianness: Endianness,
        minimumLength: Int = 0, itemName: String = "TLV"
    ) {
        self.typeWidth = typeWidth
        self.lengthWidth = lengthWidth
        self.endianness = endianness
        self.minimumLength = minimumLength
        self.itemName = itemName
    }

    /// Bytes in one item's header.
    public var headerSize: Int { typeWidth.rawValue + lengthWidth.rawValue }
}

/// One type-length-value item; `value` is a slice of the original buffer.
public struct TLV: Hashable, Sendable {
    public var type: UInt32
    public var value: ByteBuffer

    public init(type: UInt32, value: ByteBuffer) {
        self.type = type
        self.value = value
    }
}

/// Walks TLV items over a buffer. Each item's header and declared length are checked
/// against the bytes left before its value is sliced, so a lying Length can neither
/// read past the end nor allocate.
public struct TLVIterator: Sendable {
    @usableFromInline var reader: WireReader
    public let format: TLVFormat

    @inlinable
    public init(_ buffer: ByteBuffer, format: TLVFormat, reference: SpecReference) {
        self.reader = WireReader(buffer, reference)
        self.format = format
    }

    /// The next item, or nil at the end of the buffer.
    @inlinable
    public mutating func next() throws(WireError) -> TLV? {
        guard !reader.isAtEnd else { return nil }
        // Field names are literals here; the detailed wording is built only on the error path.
        let type: UInt32
        do {
            switch format.typeWidth {
            case .one: type = UInt32(try reader.readUInt8(field: "type"))
            case .two: type = UInt32(try reader.readUInt16(format.endianness, field: "type"))
            case .four: type = try reader.readUInt32(format.endianness, field: "type")
            }
        } catch {
            throw reader.error("truncated: \(format.itemName) type needs \(format.typeWidth.rawValue) bytes, \(reader.remaining) left")
        }
        let length: Int
        do {
            length = try reader.readLength(width: format.lengthWidth, format.endianness, field: "length")
        } catch {
            throw reader.error("truncated: \(format.itemName) \(hex(type)) length needs \(format.lengthWidth.rawValue) bytes, \(reader.remaining) left")
        }
        guard length >= format.minimumLength else {
            throw reader.error("\(format.itemName) \(hex(type)) has length \(length); the minimum is \(format.minimumLength)")
        }
        guard length <= reader.remaining else {
            throw reader.error("\(format.itemName) \(hex(type)) declares \(length) bytes but only \(reader.remaining) remain")
        }
        let value = try reader.readSlice(length, field: "value")
        return TLV(type: type, value: value)
    }

    /// All remaining items.
    public mutating func collect() throws(WireError) -> [TLV] {
        var items: [TLV] = []
        while let item = try next() { items.append(item) }
        return items
    }
}

extension ByteBuffer {
    /// Writes one TLV item in `format`; throws when the type or length does not fit its field.
    public mutating func writeTLV(
        type: UInt32, value: some Collection<UInt8>, format: TLVFormat
    ) throws(EncodingError) {
        guard Int(type) <= format.typeWidth.maxValue else {
            throw EncodingError("\(format.itemName) type \(type) does not fit in \(format.typeWidth.rawValue) bytes")
        }
        switch format.typeWidth {
        case .one: writeInteger(UInt8(type))
        case .two: writeInteger(UInt16(type), endianness: format.endianness)
        case .four: writeInteger(type, endianness: format.endianness)
        }
        try writeLengthPrefixed(value, width: format.lengthWidth, format.endianness)
    }

    /// Writes one TLV item whose value `body` writes.
    public mutating func writeTLV(
        type: UInt32, format: TLVFormat, _ body: (inout ByteBuffer) throws(EncodingError) -> Void
    ) throws(EncodingError) {
        guard Int(type) <= format.typeWidth.maxValue else {
            throw EncodingError("\(format.itemName) type \(type) does not fit in \(format.typeWidth.rawValue) bytes")
        }
        switch format.typeWidth {
        case .one: writeInteger(UInt8(type))
        case .two: writeInteger(UInt16(type), endianness: format.endianness)
        case .four: writeInteger(type, endianness: format.endianness)
        }
        try writeLengthPrefixed(width: format.lengthWidth, format.endianness, body)
    }
}
