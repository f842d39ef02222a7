import NIOCore
import TCCCore

/// Frames the byte stream into MS-TCC messages by their CommonHeader Length (2.2.2.2):
/// a message is handed up only once all its bytes are there (3.1.5, 3.2.5). Every
/// 16-bit Length is valid, so framing itself never fails and buffers at most 65538 bytes;
/// a Length that disagrees with the structures inside shows when the message is decoded.
struct TCCFrameDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = TCCFrame

    mutating func decode(buffer: inout ByteBuffer) throws -> TCCFrame? {
        TCCFrame.read(from: &buffer)
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> TCCFrame? {
        // A partial message at EOF is dropped: the transport is gone (3.1.7.1, 3.2.7.1).
        TCCFrame.read(from: &buffer)
    }
}
