import NIOCore
import WinteropWire

extension SSTP {
    /// RegisterResponse (0x0c, 2.2.18): the outcome of a Register.
    public struct RegisterResponse: SSTPCommandBody {
        public static let commandId = CommandId.registerResponse

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
