import NIOCore
import WinteropWire

extension SSTP {
    /// OpenResponse (0x07, 2.2.7, exactly 8 bytes): answers Open or FanoutOpen, and later
    /// carries flow control (StartSending, StopSending).
    public struct OpenResponse: SSTPCommandBody {
        public static let commandId = CommandId.openResponse

        /// ResponseId values of 2.2.7.1.
        public enum ResponseId: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
            case ok = 0x00
            case noResource = 0x04
            case unknown = 0x05
            case noFanoutEntries = 0x08
            case startSending = 0x09
            case stopSending = 0x0a
            case okStopSending = 0x0b
            case fanoutNotSupported = 0x0c

            public var description: String {
                switch self {
                case .ok: return "Ok"
                case .noResource: return "NoResource"
                case .unknown: return "Unknown"
                case .noFanoutEntries: return "NoFanoutEntries"
                case .startSending: return "StartSending"
                case .stopSending: return "StopSending"
                case .okStopSending: return "OkStopSending"
                case .fanoutNotSupported: return "FanoutNotSupported"
                }
            }
        }

        public var sessionId: UInt32
        public var responseId: ResponseId

        public init(sessionId: UInt32, responseId: ResponseId) {
            self.sessionId = sessionId
            self.responseId = responseId
        }

        public init(decodingBody reader: inout WireReader, version: Version) throws(WireError) {
            sessionId = try reader.le32("SessionId")
            let raw = try reader.readUInt8(field: "ResponseId")
            guard let responseId = ResponseId(rawValue: raw) else {
                throw reader.error("ResponseId \(raw) is not a value of 2.2.7.1")
            }
            self.responseId = responseId
        }

        public func encodeBody(into buffer: inout ByteBuffer, version: Version) throws(EncodingError) {
            buffer.writeLE(sessionId)
            buffer.writeInteger(responseId.rawValue)
        }
    }
}
