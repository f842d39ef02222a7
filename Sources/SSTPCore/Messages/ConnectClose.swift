import NIOCore
import WinteropWire

extension SSTP {
    /// ConnectClose (0x04, 2.2.4): closes the connection, acknowledging messages on the way out.
    /// 12 bytes with Resting (ReturnTime present), 8 otherwise.
    public struct ConnectClose: SSTPCommandBody {
        public static let commandId = CommandId.connectClose

        /// ReasonId values of 2.2.4.1.
        public enum Reason: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
            case noReason = 0x00
            case resting = 0x01
            case idle = 0x02
            case protocolError = 0x03
            case deviceAuthenticationFailed = 0x04
            case userAuthenticationFailed = 0x05
            case staleConnectAuthenticate = 0x06
            case staleAttachAuthenticate = 0x07
            case responseTimeout = 0x08
            case rejected = 0x09
            case decryptionFailed = 0x0a
            case crossedConnections = 0x0c
            case internalError = 0x0d
            case upgrade = 0x0e
            case tooManyUnknownSessionCmds = 0x0f
            case newVersionRequired = 0x10

            public var description: String {
                switch self {
                case .noReason: return "NoReason"
                case .resting: return "Resting"
                case .idle: return "Idle"
                case .protocolError: return "ProtocolError"
                case .deviceAuthenticationFailed: return "DeviceAuthenticationFailed"
                case .userAuthenticationFailed: return "UserAuthenticationFailed"
                case .staleConnectAuthenticate: return "StaleConnectAuthenticate"
                case .staleAttachAuthenticate: return "StaleAttachAuthenticate"
                case .responseTimeout: return "ResponseTimeout"
                case .rejected: return "Rejected"
                case .decryptionFailed: return "DecryptionFailed"
                case .crossedConnections: return "CrossedConnections"
                case .internalError: return "InternalError"
                case .upgrade: return "Upgrade"
                case .tooManyUnknownSessionCmds: return "TooManyUnknownSessionCmds"
                case .newVersionRequired: return "NewVersionRequired"
                }
            }
        }

        public var reason: Reason
        /// MessageCount: messages newly acknowledged by this command (3.1.4.2.1).
        public var messageCount: UInt32
        /// ReturnTime in seconds: present exactly when the reason is Resting.
        public var returnTime: UInt32?

        public init(reason: Reason, messageCount: UInt32 = 0, returnTime: UInt32? = nil) {
            self.reason = reason
            self.messageCount = messageCount
            self.returnTime = returnTime
        }

        public init(decodingBody reader: inout WireReader, version: Version) throws(WireError) {
            let raw = try reader.readUInt8(field: "ReasonId")
            guard let reason = Reason(rawValue: raw) else {
                throw reader.error("ReasonId \(raw) is not a value of 2.2.4.1")
            }
            self.reason = reason
            messageCount = try reader.le32("MessageCount")
            if reason == .resting {
                guard reader.remaining == 4 else {
                    throw reader.error("ConnectClose with Resting MUST be 12 bytes (ReturnTime present)")
                }
                returnTime = try reader.le32("ReturnTime")
            } else {
                guard reader.isAtEnd else {
                    throw reader.error("ConnectClose MUST be 8 bytes unless the reason is Resting")
                }
                returnTime = nil
            }
        }

        public func encodeBody(into buffer: inout ByteBuffer, version: Version) throws(EncodingError) {
            guard (returnTime != nil) == (reason == .resting) else {
                throw EncodingError("ConnectClose: ReturnTime MUST be present exactly with Resting")
            }
            buffer.writeInteger(reason.rawValue)
            buffer.writeLE(messageCount)
            if let returnTime { buffer.writeLE(returnTime) }
        }
    }
}
