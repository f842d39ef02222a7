/// The TypeId enumeration (2.2.1.3): the Id of a structure's CommonHeader.
public enum TypeId: UInt8, Sendable, Hashable, CaseIterable {
    case statusCode = 1
    case ssid = 2
    case bssid = 3
    case passphrase = 4
    case displayName = 5
    case errorString = 6
    case messageType = 7
    /// Revision 10.0 only (product note <4>), as are the three after it.
    case timestamp = 8
    case hmac = 9
    case initializationVector = 10
    case encryptedBringUpSuccessResponse = 11

    /// The spec's name for the structure.
    public var name: String {
        switch self {
        case .statusCode: return "StatusCode"
        case .ssid: return "Ssid"
        case .bssid: return "Bssid"
        case .passphrase: return "Passphrase"
        case .displayName: return "DisplayName"
        case .errorString: return "ErrorString"
        case .messageType: return "MessageType"
        case .timestamp: return "Timestamp"
        case .hmac: return "HMAC"
        case .initializationVector: return "InitializationVector"
        case .encryptedBringUpSuccessResponse: return "EncryptedBringUpSuccessResponse"
        }
    }

    /// The spec section that defines the structure.
    public var section: String {
        switch self {
        case .bssid: return "2.2.2.1"
        case .displayName: return "2.2.2.3"
        case .encryptedBringUpSuccessResponse: return "2.2.2.4"
        case .errorString: return "2.2.2.5"
        case .hmac: return "2.2.2.6"
        case .initializationVector: return "2.2.2.7"
        case .messageType: return "2.2.2.8"
        case .passphrase: return "2.2.2.9"
        case .ssid: return "2.2.2.10"
        case .statusCode: return "2.2.2.11"
        case .timestamp: return "2.2.2.12"
        }
    }
}
