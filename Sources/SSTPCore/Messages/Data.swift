import NIOCore
import WinteropWire

extension SSTP {
    /// Data (0x0e, 2.2.11): a portion of a message's payload, at most 2048 bytes (2055 − 7).
    public struct Data: SSTPCommandBody {
        public static let commandId = CommandId.data
        /// The most payload one Data command carries (3.1.4.6).
        public static let maximumPayload = 2048
        /// CommandId, CommandLength and SessionId.
        public static let overhead = 7

        public var sessionId: UInt32
        /// The payload: a slice of the received bytes, never copied by the decoder.
        public var payload: ByteBuffer

        public init(sessionId: UInt32, payload: ByteBuffer) {
            self.sessionId = sessionId
            self.payload = payload
        }

        public init(decodingBody reader: inout WireReader, version: Version) throws(WireError) {
            sessionId = try reader.le32("SessionId")
            payload = reader.readRest()
        }

        public func encodeBody(into buffer: inout ByteBuffer, version: Version) throws(EncodingError) {
            guard payload.readableBytes <= Self.maximumPayload else {
                throw EncodingError("Data: \(payload.readableBytes) bytes of payload; at most \(Self.maximumPayload) fit one command")
            }
            buffer.writeLE(sessionId)
            buffer.writeImmutableBuffer(payload)
        }

        /// Writes `payload` as Data commands of at most 2048 bytes each (3.1.4.6), header and
        /// payload contiguous in `buffer`; an empty payload becomes one empty Data command.
        /// Returns how many commands were written.
        @discardableResult
        public static func writeCommands(sessionId: UInt32, payload: ByteBuffer, into buffer: inout ByteBuffer) -> Int {
            var rest = payload
            let count = max(1, (rest.readableBytes + maximumPayload - 1) / maximumPayload)
            buffer.reserveCapacity(minimumWritableBytes: rest.readableBytes + count * overhead)
            repeat {
                let length = min(rest.readableBytes, maximumPayload)
                buffer.writeInteger(CommandId.data.rawValue)
                buffer.writeInteger(UInt16(length + overhead), endianness: .little)
                buffer.writeInteger(sessionId, endianness: .little)
                if let chunk = rest.readSlice(length: length) { buffer.writeImmutableBuffer(chunk) }
            } while rest.readableBytes > 0
            return count
        }
    }
}
