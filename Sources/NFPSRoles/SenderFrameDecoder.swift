import NFPSCore
import NIOCore
import WinteropWire

/// What the share sender reads on a socket, in order: the receiver's Socket Connect
/// header (3.1.7.2), then the Reply header (3.2.7.2). Nothing else may follow.
enum SenderInbound: Sendable {
    case socketConnectHeader(SocketConnectHeader)
    case replyHeader(ReplyHeader)
}

/// Frames the share sender's input.
struct SenderFrameDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = SenderInbound

    private enum Expecting { case socketConnectHeader, replyHeader, nothing }
    private var expecting = Expecting.socketConnectHeader

    mutating func decode(buffer: inout ByteBuffer) throws -> SenderInbound? {
        switch expecting {
        case .socketConnectHeader:
            guard let bytes = buffer.readSlice(length: SocketConnectHeader.size) else { return nil }
            var reader = WireReader(bytes, NFPS.section("2.2.1"))
            expecting = .replyHeader
            return .socketConnectHeader(try SocketConnectHeader.decode(&reader))
        case .replyHeader:
            guard let header = try ReplyHeader.decode(from: &buffer) else { return nil }
            expecting = .nothing
            return .replyHeader(header)
        case .nothing:
            guard buffer.readableBytes > 0 else { return nil }
            throw NFPS.section("3.2.7.2").error("the share receiver sent \(buffer.readableBytes) bytes after its Reply header")
        }
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> SenderInbound? {
        try decode(buffer: &buffer)
    }
}
