import TCCCore
import WinteropTransport
import WinteropWire
import WinteropFormat

/// Every event `winterop tcc request` reports: the client's whole `--json` contract.
public enum TCCClientEvent: RoleEvent {
    /// The channel to the server is up; the BringUpStartRequest went out (3.1.3).
    case connected(peer: String, authenticated: Bool)
    /// An unrecognized MessageId was answered with ProtocolErrorResponse (3.1.5.5).
    case unrecognized(messageId: UInt8)
    /// The tethering settings (3.1.5.1, 3.1.5.2).
    case settings(BringUpSuccessResponse, unpaired: Bool)
    /// The server could not start tethering (3.1.5.3).
    case failure(BringUpFailureResponse)
    /// The request ended without settings: protocol failure or error, security failure,
    /// MessageTimer expiry, transport loss or cancellation.
    case closed(reason: String)

    public var name: String {
        switch self {
        case .connected: "connected"
        case .unrecognized: "unrecognized_message"
        case .settings: "settings"
        case .failure: "failure"
        case .closed: "closed"
        }
    }

    public var fields: [(String, JSONValue)] {
        switch self {
        case .connected(let peer, let authenticated):
            return [("peer", .string(peer)), ("authenticated", .bool(authenticated))]
        case .unrecognized(let id):
            return [("messageId", .integer(id))]
        case .settings(let settings, let unpaired):
            var fields: [(String, JSONValue)] = [("ssid", .string(settings.ssid.description))]
            fields.append(("bssid", settings.bssid.map { .string($0.description) } ?? .null))
            fields.append(("passphrase", .string(settings.passphrase.text)))
            fields.append(("displayName", .string(settings.displayName)))
            fields.append(("unpaired", .bool(unpaired)))
            return fields
        case .failure(let failure):
            return TCCServerEvent.failureFields(failure)
        case .closed(let reason):
            return [("reason", .string(reason))]
        }
    }

    public var text: String {
        switch self {
        case .connected(let peer, let authenticated):
            return "connected to \(peer)\(authenticated ? " (request carries HMAC and Timestamp)" : "")"
        case .unrecognized(let id):
            return "unrecognized message \(id) from the server, answered with ProtocolErrorResponse"
        case .settings(let settings, let unpaired):
            return [
                "SSID: \(settings.ssid)",
                "BSSID: \(settings.bssid?.description ?? "(not given)")",
                "Passphrase: \(settings.passphrase.text)",
                "Display name: \(settings.displayName)\(unpaired ? "\n(received encrypted: BringUpSuccessResponseUnpaired)" : "")",
            ].joined(separator: "\n")
        case .failure(let failure):
            return "tethering failed: \(failure.statusCode)\(failure.errorString.map { ": \($0)" } ?? "")"
        case .closed(let reason):
            return "closed: \(reason)"
        }
    }
}

extension ClientOutcome {
    /// One sentence for what happened (3.1).
    public var summary: String {
        switch self {
        case .settings: return "tethering settings received"
        case .failure(let failure): return "the server could not start tethering: \(failure.statusCode)\(failure.errorString.map { ": \($0)" } ?? "")"
        case .protocolFailure(let id, let error):
            return "MS-TCC 3.1.5.4: the server sent a \(id.name)\(error.map { " (for message \($0.messageType))" } ?? "")"
        case .protocolError(let error): return "the server's message cannot be parsed: \(error)"
        case .securityFailure(let text): return text
        case .timedOut: return "MS-TCC 3.1.6: no answer before the MessageTimer expired"
        case .transportFailure: return "MS-TCC 3.1.7.1: the server closed the connection without answering"
        case .cancelled: return "cancelled"
        }
    }
}
