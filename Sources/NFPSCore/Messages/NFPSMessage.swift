import NIOCore
import WinteropWire

/// A message of 2.2 that writes itself into a buffer.
public protocol NFPSMessage: Sendable, Hashable {
    func encode(into buffer: inout ByteBuffer)
}

extension NFPSMessage {
    /// The message's bytes on the wire.
    public var bytes: [UInt8] {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }
}

/// A header that starts with its own little-endian HeaderSize (2.2.2, 2.2.3): read as
/// 3.2.7.2 and 3.3.7.2 say, 2 bytes and then HeaderSize − 2 more.
public protocol SizedHeader: NFPSMessage {
    /// The section that defines it.
    static var section: String { get }
    /// Decodes one header from the front of `buffer`, or returns nil (consuming
    /// nothing) when not all HeaderSize bytes have arrived yet.
    static func decode(from buffer: inout ByteBuffer) throws(WireError) -> Self?
}

extension SizedHeader {
    /// Decodes a complete header: exactly HeaderSize bytes.
    public static func decode(bytes: some Sequence<UInt8>) throws(WireError) -> Self {
        var buffer = ByteBuffer(bytes: bytes)
        let reference = NFPS.section(section)
        guard let header = try decode(from: &buffer) else {
            let size = buffer.getInteger(at: buffer.readerIndex, endianness: .little, as: UInt16.self).map { String($0) } ?? "?"
            throw reference.error("truncated: HeaderSize says \(size) bytes, \(buffer.readableBytes) given")
        }
        guard buffer.readableBytes == 0 else {
            throw reference.error("\(buffer.readableBytes) bytes after the header")
        }
        return header
    }
}
