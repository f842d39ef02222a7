import NIOCore
import SSTPCore
import WinteropWire

/// Frames the TCP 2492 byte stream into SSTP commands (2.2) by their CommandId and
/// CommandLength. A command's length is checked against the limits of 2.2 as soon as its
/// 3-byte header is in (at most 65535 bytes, FanoutOpen; 2055 for most), so buffering is
/// bounded by one command. Each frame is the whole command, header included; the
/// connection handler decodes it at the negotiated version.
struct SSTPFrameDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(buffer: inout ByteBuffer) throws(WireError) -> ByteBuffer? {
        try SSTP.CommandStream.nextFrame(from: &buffer)
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws(WireError) -> ByteBuffer? {
        // A partial command at EOF is dropped: the connection is ending anyway.
        try decode(buffer: &buffer)
    }
}
