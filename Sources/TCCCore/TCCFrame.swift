import NIOCore
import WinteropWire

/// One message as it travels on the byte stream (2.2.3): its CommonHeader Id and the
/// Length bytes that follow. The Id is kept as a byte so an unrecognized MessageId can
/// be answered with a ProtocolErrorResponse (3.1.5.5, 3.2.5.3).
public struct TCCFrame: Sendable, Hashable {
    public var id: UInt8
    public var payload: ByteBuffer

    public init(id: UInt8, payload: ByteBuffer) {
        self.id = id
        self.payload = payload
    }

    /// The recognized MessageId, or nil.
    public var messageId: MessageId? { MessageId(rawValue: id) }

    /// Reads one whole message from `buffer` once all Length bytes are there (3.1.5, 3.2.5:
    /// "a message is only processed after the entire contents … have been received");
    /// nil while more bytes are needed. Every 16-bit Length is acceptable, so this never throws.
    public static func read(from buffer: inout ByteBuffer) -> TCCFrame? {
        guard let header = CommonHeader.peek(buffer),
              buffer.readableBytes >= TCC.headerSize + Int(header.length)
        else { return nil }
        buffer.moveReaderIndex(forwardBy: TCC.headerSize)
        guard let payload = buffer.readSlice(length: Int(header.length)) else { return nil }
        return TCCFrame(id: header.id, payload: payload)
    }

    /// Exactly one message spanning all of `bytes`.
    public static func decode(_ bytes: some Collection<UInt8>) throws(WireError) -> TCCFrame {
        var buffer = ByteBuffer(bytes: bytes)
        guard let frame = read(from: &buffer) else {
            if let header = CommonHeader.peek(buffer) {
                throw TCC.section("2.2.2.2").error("truncated: Length is \(header.length) but \(bytes.count - TCC.headerSize) bytes follow the header")
            }
            throw TCC.section("2.2.2.2").error("truncated: \(bytes.count) byte\(bytes.count == 1 ? "" : "s"), a CommonHeader needs 3")
        }
        guard buffer.readableBytes == 0 else {
            throw TCC.section("2.2.2.2").error("Length is \(frame.payload.readableBytes) but \(bytes.count - TCC.headerSize) bytes follow the header")
        }
        return frame
    }

    /// The header and payload.
    public func encode(into buffer: inout ByteBuffer) throws(EncodingError) {
        guard payload.readableBytes <= TCC.maximumLength else {
            throw EncodingError("an MS-TCC message of \(payload.readableBytes) bytes does not fit the 16-bit Length field")
        }
        CommonHeader(id: id, length: UInt16(payload.readableBytes)).write(into: &buffer)
        buffer.writeImmutableBuffer(payload)
    }

    public func encoded() throws(EncodingError) -> [UInt8] {
        var buffer = ByteBuffer()
        try encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }
}
