import NIOCore
import WinteropWire

extension SSTP {
    /// Attach (0x08, 2.2.14): a client authenticates an account to a relay server.
    public struct Attach: SSTPCommandBody {
        public static let commandId = CommandId.attach

        /// EventId: the attach session's identifier (3.2.4.1.2).
        public var eventId: UInt32
        /// ResourceURL: the relay URL of the authenticating relay; may be empty.
        public var resourceURL: String
        /// AccountURL: MUST NOT be empty.
        public var accountURL: String
        public var authenticationToken: [UInt8]

        public init(eventId: UInt32, resourceURL: String, accountURL: String, authenticationToken: [UInt8]) {
            self.eventId = eventId
            self.resourceURL = resourceURL
            self.accountURL = accountURL
            self.authenticationToken = authenticationToken
        }

        public init(decodingBody reader: inout WireReader, version: Version) throws(WireError) {
            eventId = try reader.le32("EventId")
            resourceURL = try reader.url("ResourceURL")
            accountURL = try reader.url("AccountURL")
            guard !accountURL.isEmpty else { throw reader.error("AccountURL MUST NOT be empty") }
            authenticationToken = try reader.token("AuthenticationToken")
        }

        public func encodeBody(into buffer: inout ByteBuffer, version: Version) throws(EncodingError) {
            guard !accountURL.isEmpty else { throw EncodingError("Attach: AccountURL MUST NOT be empty") }
            buffer.writeLE(eventId)
            try buffer.writeURL(resourceURL, field: "ResourceURL")
            try buffer.writeURL(accountURL, field: "AccountURL")
            try buffer.writeToken(authenticationToken, field: "AuthenticationToken")
        }
    }
}
