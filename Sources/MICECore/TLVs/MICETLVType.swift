/// The Type byte of a Miracast TLV (2.2.7).
public enum MICETLVType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case friendlyName = 0x00
    case rtspPort = 0x02
    case sourceID = 0x03
    case securityToken = 0x04
    case securityOptions = 0x05
    case pinChallenge = 0x06
    case pinResponseReason = 0x07

    /// The name the specification uses.
    public var description: String {
        switch self {
        case .friendlyName: return "FRIENDLY_NAME"
        case .rtspPort: return "RTSP_PORT"
        case .sourceID: return "SOURCE_ID"
        case .securityToken: return "SECURITY_TOKEN"
        case .securityOptions: return "SECURITY_OPTIONS"
        case .pinChallenge: return "PIN_CHALLENGE"
        case .pinResponseReason: return "PIN_RESPONSE_REASON"
        }
    }

    /// The section defining the TLV.
    public var section: String {
        switch self {
        case .friendlyName: return "2.2.7.1"
        case .rtspPort: return "2.2.7.2"
        case .sourceID: return "2.2.7.3"
        case .securityToken: return "2.2.7.4"
        case .securityOptions: return "2.2.7.5"
        case .pinChallenge: return "2.2.7.6"
        case .pinResponseReason: return "2.2.7.7"
        }
    }
}
