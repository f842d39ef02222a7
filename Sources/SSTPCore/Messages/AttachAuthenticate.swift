import NIOCore
import WinteropWire

extension SSTP {
    /// AttachAuthenticate (0x0a, 2.2.16): answers an AttachResponse's challenge.
    public struct AttachAuthenticate: SSTPCommandBody {
        public static let commandId = CommandId.attachAuthenticate

        public var eventId: UInt32
        public var authenticationToken: [UInt8]

        public init(eventId: UInt32, authenticationToken: [UInt8]) {
            self.eventId = eventId
            self.authenticationToken = authenticationToken
        }

        public init(decodingBody reader: inout WireReader, version: Version) throws(WireError) {
            eventId = try reader.le32("EventId")
            authenticationToken = try reader.token("AuthenticationToken")
        }

        public func encodeBody(into buffer: inout ByteBuffer, version: Version) throws(EncodingError) {
            buffer.writeLE(eventId)
            try buffer.writeToken(authenticationToken, field: "AuthenticationToken")
        }
    }
}
