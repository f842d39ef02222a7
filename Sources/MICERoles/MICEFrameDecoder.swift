import MICECore
import NIOCore
import WinteropWire

/// What the framing layer hands up: a whole message, or the reason the byte stream
/// cannot be framed (after which it stops decoding; the connection is torn down).
enum MICEFrameEvent: Sendable {
    case frame(MICEFrame)
    case malformed(WireError)
}

/// Frames TCP 7250 bytes into MS-MICE messages (2.2) by their Size field. A frame
/// is at most 65535 bytes (the 16-bit Size), so buffering is bounded.
struct MICEFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = MICEFrameEvent
    private var failed = false

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard !failed else {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        do {
            guard let frame = try MICEFrame.read(from: &buffer) else { return .needMoreData }
            context.fireChannelRead(wrapInboundOut(.frame(frame)))
            return .continue
        } catch {
            failed = true
            buffer.moveReaderIndex(to: buffer.writerIndex)
            context.fireChannelRead(wrapInboundOut(.malformed(error)))
            return .needMoreData
        }
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A partial message at EOF is dropped: the connection is closing anyway.
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}
