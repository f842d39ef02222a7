import NIOCore

/// Writers matching ``WireReader``'s readers. Writers that can be handed a value too
/// large for its field throw ``EncodingError`` rather than truncate.
public struct EncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension ByteBuffer {
    /// Writes ASCII text followed by a NUL byte.
    public mutating func writeNULTerminatedASCII(_ text: String) throws(EncodingError) {
        guard let bytes = ASCII.encode(text), !bytes.contains(0) else {
            throw EncodingError("\"\(text)\" is not NUL-free ASCII")
        }
        writeBytes(bytes)
        writeInteger(UInt8(0))
    }

    /// Writes ASCII text with no terminator.
    public mutating func writeASCII(_ text: String) throws(EncodingError) {
        guard let bytes = ASCII.encode(text) else {
            throw EncodingError("\"\(text)\" is not ASCII")
        }
        writeBytes(bytes)
    }

    /// Writes UTF-16LE text, followed by a NUL code unit when `terminated`. Returns the byte count.
    @discardableResult
    public mutating func writeUTF16LE(_ text: String, terminated: Bool = false) -> Int {
        writeBytes(UTF16LE.encode(text, terminated: terminated))
    }

    /// Writes an unsigned length of `width` bytes; throws when `length` does not fit.
    public mutating func writeLength(_ length: Int, width: IntegerWidth, _ endianness: Endianness) throws(EncodingError) {
        guard length >= 0, length <= width.maxValue else {
            throw EncodingError("length \(length) does not fit in \(width.rawValue) byte\(width == .one ? "" : "s")")
        }
        switch width {
        case .one: writeInteger(UInt8(length))
        case .two: writeInteger(UInt16(length), endianness: endianness)
        case .four: writeInteger(UInt32(length), endianness: endianness)
        }
    }

    /// Writes a byte field preceded by its length.
    public mutating func writeLengthPrefixed(
        _ bytes: some Collection<UInt8>, width: IntegerWidth, _ endianness: Endianness
    ) throws(EncodingError) {
        try writeLength(bytes.count, width: width, endianness)
        writeBytes(bytes)
    }

    /// Writes a field whose length prefix is only known once `body` has written it:
    /// reserves the prefix, runs `body`, then fills the prefix in.
    public mutating func writeLengthPrefixed(
        width: IntegerWidth, _ endianness: Endianness,
        _ body: (inout ByteBuffer) throws(EncodingError) -> Void
    ) throws(EncodingError) {
        let prefixIndex = writerIndex
        writeRepeatingByte(0, count: width.rawValue)
        let start = writerIndex
        try body(&self)
        let length = writerIndex - start
        guard length <= width.maxValue else {
            throw EncodingError("length \(length) does not fit in \(width.rawValue) byte\(width == .one ? "" : "s")")
        }
        switch width {
        case .one: setInteger(UInt8(length), at: prefixIndex)
        case .two: setInteger(UInt16(length), at: prefixIndex, endianness: endianness)
        case .four: setInteger(UInt32(length), at: prefixIndex, endianness: endianness)
        }
    }
}
