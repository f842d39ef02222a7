import NFPSCore
import NIOCore
import WinteropWire

/// What the share receiver reads on a socket, in order: the echoed Socket Connect
/// header (3.1.7.1), the Share header and the IV (3.3.7.2), then ciphertext until
/// the sender closes (3.3.5).
enum ReceiverInbound: Sendable {
    case socketConnectHeader(SocketConnectHeader)
    case shareHeader(ShareHeader)
    case iv([UInt8])
    /// Ciphertext as it arrives, in pieces of any size.
    case ciphertext(ByteBuffer)
}

/// Frames the share receiver's input.
struct ReceiverFrameDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = ReceiverInbound

    private enum Expecting { case socketConnectHeader, shareHeader, iv, ciphertext }
    private var expecting = Expecting.socketConnectHeader

    mutating func decode(buffer: inout ByteBuffer) throws -> ReceiverInbound? {
        switch expecting {
        case .socketConnectHeader:
            guard let bytes = buffer.readSlice(length: SocketConnectHeader.size) else { return nil }
            var reader = WireReader(bytes, NFPS.section("2.2.1"))
            expecting = .shareHeader
            return .socketConnectHeader(try SocketConnectHeader.decode(&reader))
        case .shareHeader:
            guard let header = try ShareHeader.decode(from: &buffer) else { return nil }
            expecting = .iv
            return .shareHeader(header)
        case .iv:
            guard let iv = buffer.readBytes(length: NFPS.ivSize) else { return nil }
            expecting = .ciphertext
            return .iv(iv)
        case .ciphertext:
            guard buffer.readableBytes > 0, let piece = buffer.readSlice(length: buffer.readableBytes) else { return nil }
            return .ciphertext(piece)
        }
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ReceiverInbound? {
        if let message = try decode(buffer: &buffer) { return message }
        guard buffer.readableBytes == 0 || expecting == .ciphertext else {
            throw NFPS.section("3.3.7.4").error("the share sender closed the connection in the middle of a header (\(buffer.readableBytes) bytes)")
        }
        return nil
    }
}
