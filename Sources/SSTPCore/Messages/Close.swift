import NIOCore
import WinteropWire

extension SSTP {
    /// Close (0x11, 2.2.9, exactly 8 bytes): ends a session.
    public struct Close: SSTPCommandBody {
        public static let commandId = CommandId.close

        /// ReasonId values of 2.2.9.1.
        public enum Reason: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
            case noReason = 0x00
            case idle = 0x02
            case protocolError = 0x03
            case deviceAuthenticationFailed = 0x04
            case userAuthenticationFailed = 0x05
            case staleAttachAuthenticate = 0x07
            case quotaWouldBeExceeded = 0x0b
            case internalError = 0x0d
            case emptySession = 0x15

            public var description: String {
                switch self {
                case .noReason: return "NoReason"
                case .idle: return "Idle"
                case .protocolError: return "ProtocolError"
                case .deviceAuthenticationFailed: return "DeviceAuthenticationFailed"
                case .userAuthenticationFailed: return "UserAuthenticationFailed"
                case .staleAttachAuthenticate: return "StaleAttachAuthenticate"
                case .quotaWouldBeExceeded: return "QuotaWouldBeExceeded"
                case .internalError: return "InternalError"
                case .emptySession: return "EmptySession"
                }
            }
        }

        public var sessionId: UInt32
        public var reason: Reason

        public init(sessionId: UInt32, reason: Reason = .noReason) {
            self.sessionId = sessionId
            self.reason = reason
        }

        public init(decodingBody reader: inout WireReader, version: Version) throws(WireError) {
            sessionId = try reader.le32("SessionId")
            let raw = try reader.readUInt8(field: "ReasonId")
            guard let reason = Reason(rawValue: raw) else {
                throw reader.error("ReasonId \(raw) is not a value of 2.2.9.1")
            }
            self.reason = reason
        }

        public func encodeBody(into buffer: inout ByteBuffer, version: Version) throws(EncodingError) {
            buffer.writeLE(sessionId)
            buffer.writeInteger(reason.rawValue)
        }
    }
}
