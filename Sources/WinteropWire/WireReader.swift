import NIOCore

/// A bounds-checked reader over a `ByteBuffer`.
///
/// Every read either returns a value taken from inside the buffer or throws a
/// ``WireError`` that names the field, the specification section in ``reference``
/// and how many bytes were missing. Nothing is ever read past the end, and no read
/// allocates more than the bytes actually present.
public struct WireReader: Sendable {
    /// The unread bytes.
    public var buffer: ByteBuffer
    /// The rule being decoded; errors are labelled with it.
    public var reference: SpecReference

    @inlinable
    public init(_ buffer: ByteBuffer, _ reference: SpecReference) {
        self.buffer = buffer
        self.reference = reference
    }

    @inlinable
    public init(bytes: some Sequence<UInt8>, _ reference: SpecReference) {
        self.init(ByteBuffer(bytes: bytes), reference)
    }

    /// Bytes not yet read.
    @inlinable
    public var remaining: Int { buffer.readableBytes }

    /// True when every byte has been read.
    @inlinable
    public var isAtEnd: Bool { buffer.readableBytes == 0 }

    /// An error at the current reference.
    @inlinable
    public func error(_ message: String) -> WireError {
        reference.error(message)
    }

    /// Throws unless at least `count` bytes remain for `field`.
    @inlinable
    public func require(_ count: Int, for field: String) throws(WireError) {
        guard count >= 0 else {
            throw error("\(field): negative length \(count)")
        }
        guard buffer.readableBytes >= count else {
            throw error("truncated: \(field) needs \(count) byte\(count == 1 ? "" : "s"), \(buffer.readableBytes) left")
        }
    }

    // MARK: Integers

    /// Reads an unsigned integer of `T`'s width in the given byte order.
    @inlinable
    public mutating func readInteger<T: FixedWidthInteger & UnsignedInteger>(
        _ endianness: Endianness, as: T.Type = T.self, field: String
    ) throws(WireError) -> T {
        try require(MemoryLayout<T>.size, for: field)
        // The length was checked above, so this read cannot fail.
        guard let value = buffer.readInteger(endianness: endianness, as: T.self) else {
            throw error("truncated: \(field)")
        }
        return value
    }

    @inlinable
    public mutating func readUInt8(field: String) throws(WireError) -> UInt8 {
        try readInteger(.big, as: UInt8.self, field: field)
    }
    @inlinable
    public mutating func readUInt16(_ endianness: Endianness, field: String) throws(WireError) -> UInt16 {
        try readInteger(endianness, as: UInt16.self, field: field)
    }
    @inlinable
    public mutating func readUInt32(_ endianness: Endianness, field: String) throws(WireError) -> UInt32 {
        try readInteger(endianness, as: UInt32.self, field: field)
    }
    @inlinable
    public mutating func readUInt64(_ endianness: Endianness, field: String) throws(WireError) -> UInt64 {
        try readInteger(endianness, as: UInt64.self, field: field)
    }

    /// Reads an integer that the specification fixes to one value (a reserved field
    /// that MUST be zero, a fixed length): throws naming both values otherwise.
    @inlinable
    public mutating func expectInteger<T: FixedWidthInteger & UnsignedInteger>(
        _ expected: T, _ endianness: Endianness, field: String
    ) throws(WireError) {
        let value: T = try readInteger(endianness, field: field)
        guard value == expected else {
            throw error("\(field) must be \(hex(expected)) but is \(hex(value))")
        }
    }

    // MARK: Byte runs

    /// Reads exactly `count` bytes as a slice of the buffer (no copy).
    @inlinable
    public mutating func readSlice(_ count: Int, field: String) throws(WireError) -> ByteBuffer {
        try require(count, for: field)
        guard let slice = buffer.readSlice(length: count) else {
            throw error("truncated: \(field)")
        }
        return slice
    }

    /// Reads exactly `count` bytes into an array.
    @inlinable
    public mutating func readBytes(_ count: Int, field: String) throws(WireError) -> [UInt8] {
        try require(count, for: field)
        guard let bytes = buffer.readBytes(length: count) else {
            throw error("truncated: \(field)")
        }
        return bytes
    }

    /// Reads every byte that is left.
    @inlinable
    public mutating func readRest() -> ByteBuffer {
        buffer.readSlice(length: buffer.readableBytes) ?? ByteBuffer()
    }

    /// Skips `count` bytes.
    @inlinable
    public mutating func skip(_ count: Int, field: String) throws(WireError) {
        try require(count, for: field)
        buffer.moveReaderIndex(forwardBy: count)
    }

    /// Reads `count` bytes that the specification says MUST all be zero.
    @inlinable
    public mutating func expectZeros(_ count: Int, field: String) throws(WireError) {
        let slice = try readSlice(count, field: field)
        guard slice.readableBytesView.allSatisfy({ $0 == 0 }) else {
            throw error("\(field) must be zero")
        }
    }

    /// Reads a byte field preceded by its length, an unsigned integer of `width` in `endianness`.
    /// `maxLength` bounds what the field may declare, before anything is read.
    @inlinable
    public mutating func readLengthPrefixed(
        width: IntegerWidth, _ endianness: Endianness, maxLength: Int = .max, field: String
    ) throws(WireError) -> ByteBuffer {
        let length = try readLength(width: width, endianness, field: "\(field) length")
        guard length <= maxLength else {
            throw error("\(field) length \(length) exceeds the limit of \(maxLength)")
        }
        return try readSlice(length, field: field)
    }

    /// Reads an unsigned length of the given width.
    @inlinable
    public mutating func readLength(width: IntegerWidth, _ endianness: Endianness, field: String) throws(WireError) -> Int {
        switch width {
        case .one: return Int(try readUInt8(field: field))
        case .two: return Int(try readUInt16(endianness, field: field))
        case .four:
            let value = try readUInt32(endianness, field: field)
            guard let length = Int(exactly: value) else { throw error("\(field) \(value) is too large") }
            return length
        }
    }

    // MARK: Text

    /// Reads ASCII text up to and including a NUL terminator (the NUL is not returned).
    /// Throws when no NUL comes within `maxLength` bytes (terminator included) or a byte is not ASCII.
    @inlinable
    public mutating func readNULTerminatedASCII(maxLength: Int = .max, field: String) throws(WireError) -> String {
        let view = buffer.readableBytesView
        let limit = min(view.count, maxLength)
        guard let nul = view.prefix(limit).firstIndex(of: 0) else {
            if view.count >= maxLength {
                throw error("\(field) has no NUL terminator within \(maxLength) bytes")
            }
            throw error("truncated: \(field) has no NUL terminator")
        }
        let length = nul - view.startIndex
        let text = try readSlice(length, field: field)
        buffer.moveReaderIndex(forwardBy: 1)
        return try ASCII.decode(text.readableBytesView, field: field, reference)
    }

    /// Reads `byteCount` bytes of ASCII text (no terminator).
    @inlinable
    public mutating func readASCII(_ byteCount: Int, field: String) throws(WireError) -> String {
        let text = try readSlice(byteCount, field: field)
        return try ASCII.decode(text.readableBytesView, field: field, reference)
    }

    /// Reads `byteCount` bytes of UTF-16LE text. A leading byte-order mark is dropped;
    /// a trailing NUL code unit (and anything after it) ends the text.
    @inlinable
    public mutating func readUTF16LE(_ byteCount: Int, field: String) throws(WireError) -> String {
        let bytes = try readSlice(byteCount, field: field)
        return try UTF16LE.decode(bytes.readableBytesView, field: field, reference)
    }

    /// Reads UTF-16LE text up to and including a NUL code unit (0x0000).
    @inlinable
    public mutating func readNULTerminatedUTF16LE(maxLength: Int = .max, field: String) throws(WireError) -> String {
        let view = buffer.readableBytesView
        var offset = 0
        let limit = min(view.count, maxLength)
        while offset + 1 < limit {
            let base = view.startIndex + offset
            if view[base] == 0 && view[base + 1] == 0 {
                let text = try readSlice(offset, field: field)
                buffer.moveReaderIndex(forwardBy: 2)
                return try UTF16LE.decode(text.readableBytesView, field: field, reference)
            }
            offset += 2
        }
        if view.count >= maxLength {
            throw error("\(field) has no NUL terminator within \(maxLength) bytes")
        }
        throw error("truncated: \(field) has no NUL terminator")
    }

    // MARK: Structure

    /// Throws unless every byte has been consumed: a declared length must be used exactly.
    @inlinable
    public func expectEnd(_ what: String) throws(WireError) {
        guard buffer.readableBytes == 0 else {
            throw error("\(buffer.readableBytes) unexpected byte\(buffer.readableBytes == 1 ? "" : "s") after \(what)")
        }
    }

    /// Runs `body` on a reader over exactly the next `count` bytes, which must consume them all.
    @inlinable
    public mutating func withSubReader<T>(
        _ count: Int, field: String, section: String? = nil,
        _ body: (inout WireReader) throws(WireError) -> T
    ) throws(WireError) -> T {
        let slice = try readSlice(count, field: field)
        var sub = WireReader(slice, section.map { reference.section($0) } ?? reference)
        let value = try body(&sub)
        try sub.expectEnd(field)
        return value
    }

    /// Iterates TLVs in `format` over all remaining bytes.
    @inlinable
    public mutating func readTLVs(_ format: TLVFormat) -> TLVIterator {
        TLVIterator(readRest(), format: format, reference: reference)
    }
}

/// The width of an unsigned integer field, for length prefixes and TLV headers.
public enum IntegerWidth: Int, Sendable, Hashable {
    case one = 1, two = 2, four = 4

    /// The largest value a field of this width holds.
    public var maxValue: Int {
        switch self {
        case .one: return Int(UInt8.max)
        case .two: return Int(UInt16.max)
        case .four: return Int(UInt32.max)
        }
    }
}

@usableFromInline
func hex<T: FixedWidthInteger>(_ value: T) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    let width = MemoryLayout<T>.size * 2
    return "0x" + String(repeating: "0", count: max(0, width - digits.count)) + digits
}
