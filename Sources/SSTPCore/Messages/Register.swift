import NIOCore
import WinteropWire

extension SSTP {
    /// Register (0x0b, 2.2.17, at most 8192 bytes): registers a device-account pair or identities.
    public struct Register: SSTPCommandBody {
        public static let commandId = CommandId.register

        public var eventId: UInt32
        public var registrationToken: [UInt8]

        public init(eventId: UInt32, registrationToken: [UInt8]) {
            self.eventId = eventId
            self.registrationToken = registrationToken
        }

        public init(decodingBody reader: inout WireReader, version: Version) throws(WireError) {
            eventId = try reader.le32("EventId")
            registrationToken = try reader.token("RegistrationToken")
        }

        public func encodeBody(into buffer: inout ByteBuffer, version: Version) throws(EncodingError) {
            buffer.writeLE(eventId)
            try buffer.writeToken(registrationToken, field: "RegistrationToken")
        }
    }
}
