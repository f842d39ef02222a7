import NIOCore
import WinteropWire

extension SSTP {
    /// AttachResponse (0x09, 2.2.15): a relay's security challenge to an Attach.
    public struct AttachResponse: SSTPCommandBody {
        public static let commandId = CommandId.attachResponse

        /// ResponseId values of 2.2.15.1.
        public enum ResponseId: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
            case ok = 0x00
            case attachRejected = 0x01
            case accountUnknown = 0x02
            case awaitingRegister = 0x03

            public var description: String {
                switch self {
                case .ok: return "Ok"
                case .attachRejected: return "AttachRejected"
                case .accountUnknown: return "AccountUnknown"
                case .awaitingRegister: return "AwaitingRegister"
                }
            }
        }

        public var eventId: UInt32
        public var responseId: ResponseId
        public var authenticationToken: [UInt8]

        public init(eventId: UInt32, responseId: ResponseId, authenticationToken: [UInt8]) {
            self.eventId = eventId
            self.responseId = responseId
            self.authenticationToken = authenticationToken
        }

        public init(decodingBody reader: inout WireReader, version: Version) throws(WireError) {
            eventId = try reader.le32("EventId")
            let raw = try reader.readUInt8(field: "ResponseId")
            guard let responseId = ResponseId(rawValue: raw) else {
                throw reader.error("ResponseId \(raw) is not a value of 2.2.15.1")
            }
            self.responseId = responseId
            authenticationToken = try reader.token("AuthenticationToken")
        }

        public func encodeBody(into buffer: inout ByteBuffer, version: Version) throws(EncodingError) {
            buffer.writeLE(eventId)
            buffer.writeInteger(responseId.rawValue)
            try buffer.writeToken(authenticationToken, field: "AuthenticationToken")
        }
    }
}
