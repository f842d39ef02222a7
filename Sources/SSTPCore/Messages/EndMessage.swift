import NIOCore
import WinteropWire

extension SSTP {
    /// EndMessage (0x0f, 2.2.12, exactly 7 bytes): ends a message sequence.
    public struct EndMessage: SSTPCommandBody {
        public static let commandId = CommandId.endMessage
        public var sessionId: UInt32

        public init(sessionId: UInt32) { self.sessionId = sessionId }

        public init(decodingBody reader: inout WireReader, version: Version) throws(WireError) {
            sessionId = try reader.le32("SessionId")
        }

        public func encodeBody(into buffer: inout ByteBuffer, version: Version) throws(EncodingError) {
            buffer.writeLE(sessionId)
        }
    }
}
