import NIOCore
import WFDCore

/// What the framing layer hands up: a whole RTSP message, or a message that broke RFC 2326.
public enum RTSPFrameEvent: Sendable {
    case message(RTSPMessage)
    case malformed(RTSPDecodingError)
}

/// Frames the WFD RTSP connection into messages with ``RTSPParser`` (Content-Length
/// framing, bounded by ``RTSPLimits``). A bad message whose extent is known is reported and
/// skipped; once framing is lost it stops decoding and the session machine closes.
public struct RTSPMessageDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = RTSPFrameEvent
    public let limits: RTSPLimits
    private var failed = false

    public init(limits: RTSPLimits = .default) {
        self.limits = limits
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> RTSPFrameEvent? {
        guard !failed else {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return nil
        }
        do {
            return try RTSPParser.parse(from: &buffer, limits: limits).map(RTSPFrameEvent.message)
        } catch {
            if error.closesConnection {
                failed = true
                buffer.moveReaderIndex(to: buffer.writerIndex)
            }
            return .malformed(error)
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RTSPFrameEvent? {
        // A partial message at EOF is dropped: the connection is closing anyway.
        if let event = try decode(buffer: &buffer) { return event }
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return nil
    }
}
