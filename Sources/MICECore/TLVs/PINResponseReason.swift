import NIOCore
import WinteropWire

/// The PIN Response Reason TLV's value (2.2.7.7).
public enum PINResponseReason: UInt8, Sendable, Hashable, CustomStringConvertible {
    /// The PIN matched the one the sink displays.
    case pinAccepted = 0x00
    /// The PIN did not match.
    case wrongPIN = 0x01
    /// A PIN Challenge message was not expected.
    case invalidMessage = 0x02

    static func decode(_ value: ByteBuffer) throws(WireError) -> PINResponseReason {
        var reader = MICETLVArray.reader(value, .pinResponseReason)
        // Bytes beyond the first are ignored (2.2.7.5's rule).
        guard value.readableBytes >= 1 else {
            throw reader.error("PIN Response Reason Length must be 0x0001 but is \(value.readableBytes)")
        }
        let byte = try reader.readUInt8(field: "PIN Response Reason")
        guard let reason = PINResponseReason(rawValue: byte) else {
            throw reader.error("PIN Response Reason \(byte) is not 0x00, 0x01 or 0x02")
        }
        return reason
    }

    /// The name in `--json` events (`pin_result`'s `reason`), the same for sink and source.
    public var code: String {
        switch self {
        case .pinAccepted: return "accepted"
        case .wrongPIN: return "wrong_pin"
        case .invalidMessage: return "invalid_message"
        }
    }

    public var description: String {
        switch self {
        case .pinAccepted: return "PIN accepted"
        case .wrongPIN: return "wrong PIN"
        case .invalidMessage: return "invalid message"
        }
    }
}
