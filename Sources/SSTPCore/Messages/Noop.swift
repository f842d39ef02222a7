import NIOCore
import WinteropWire

extension SSTP {
    /// Noop (0x10, 2.2.13, exactly 7 bytes): acknowledges messages and keeps the transport alive.
    public struct Noop: SSTPCommandBody {
        public static let commandId = CommandId.noop
        /// MessageCount: messages newly acknowledged (3.1.4.2.1).
        public var messageCount: UInt32

        public init(messageCount: UInt32 = 0) { self.messageCount = messageCount }

        public init(decodingBody reader: inout WireReader, version: Version) throws(WireError) {
            messageCount = try reader.le32("MessageCount")
        }

        public func encodeBody(into buffer: inout ByteBuffer, version: Version) throws(EncodingError) {
            buffer.writeLE(messageCount)
        }
    }
}
