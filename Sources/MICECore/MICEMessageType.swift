/// The Command byte of a MS-MICE message header (2.2).
public enum MICEMessageType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case sourceReady = 0x01
    case stopProjection = 0x02
    case securityHandshake = 0x03
    case sessionRequest = 0x04
    case pinChallenge = 0x05
    case pinResponse = 0x06

    /// The name the specification uses.
    public var description: String {
        switch self {
        case .sourceReady: return "SOURCE_READY"
        case .stopProjection: return "STOP_PROJECTION"
        case .securityHandshake: return "SECURITY_HANDSHAKE"
        case .sessionRequest: return "SESSION_REQUEST"
        case .pinChallenge: return "PIN_CHALLENGE"
        case .pinResponse: return "PIN_RESPONSE"
        }
    }

    /// The section defining the message.
    public var section: String {
        switch self {
        case .sourceReady: return "2.2.1"
        case .stopProjection: return "2.2.2"
        case .securityHandshake: return "2.2.3"
        case .sessionRequest: return "2.2.4"
        case .pinChallenge: return "2.2.5"
        case .pinResponse: return "2.2.6"
        }
    }
}
