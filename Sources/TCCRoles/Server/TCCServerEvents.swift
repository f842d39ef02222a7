import TCCCore
import WinteropTransport
import WinteropWire
import WinteropFormat

/// Every event `winterop tcc serve` (and the `tcc-server` role of `serve`) reports: the
/// server's whole `--json` contract. `listening` and `stopped` are ``ListenerEvent``s.
public enum TCCServerEvent: RoleEvent {
    /// A client connected (3.2.3).
    case connected(peer: String)
    /// A BringUpStartRequest was accepted; tethering is being started (3.2.5.1).
    case request(peer: String, unpaired: Bool)
    /// A BringUpStartRequest was refused (skew, HMAC, or an unpaired channel without HMAC).
    case refused(peer: String, failure: BringUpFailureResponse)
    /// A message arrived in STARTING and was not processed (3.2.5.1).
    case ignored(peer: String, messageId: UInt8)
    /// An unrecognized MessageId was answered with ProtocolErrorResponse (3.2.5.3).
    case unrecognized(peer: String, messageId: UInt8)
    /// The settings went to the client (3.2.4.2).
    case responded(peer: String, ssid: String, unpaired: Bool)
    /// The failure went to the client (3.2.4.2).
    case failed(peer: String, failure: BringUpFailureResponse)
    /// The connection ended.
    case closed(peer: String, reason: String)

    public var name: String {
        switch self {
        case .connected: "connected"
        case .request: "request"
        case .refused: "refused"
        case .ignored: "ignored"
        case .unrecognized: "unrecognized_message"
        case .responded: "responded"
        case .failed: "failed"
        case .closed: "closed"
        }
    }

    public var fields: [(String, JSONValue)] {
        switch self {
        case .connected(let peer):
            [("peer", .string(peer))]
        case .request(let peer, let unpaired):
            [("peer", .string(peer)), ("unpaired", .bool(unpaired))]
        case .refused(let peer, let failure), .failed(let peer, let failure):
            [("peer", .string(peer))] + Self.failureFields(failure)
        case .ignored(let peer, let id), .unrecognized(let peer, let id):
            [("peer", .string(peer)), ("messageId", .integer(id))]
        case .responded(let peer, let ssid, let unpaired):
            [("peer", .string(peer)), ("ssid", .string(ssid)), ("unpaired", .bool(unpaired))]
        case .closed(let peer, let reason):
            [("peer", .string(peer)), ("reason", .string(reason))]
        }
    }

    static func failureFields(_ failure: BringUpFailureResponse) -> [(String, JSONValue)] {
        var fields: [(String, JSONValue)] = [("statusCode", .integer(failure.statusCode.rawValue))]
        if let name = failure.statusCode.name { fields.append(("status", .string(name))) }
        if let text = failure.errorString { fields.append(("errorString", .string(text))) }
        return fields
    }

    public var text: String {
        switch self {
        case .connected(let peer): "\(peer) connected"
        case .request(let peer, let unpaired): "\(peer) asks for tethering\(unpaired ? " (unpaired, HMAC verified)" : "")"
        case .refused(let peer, let failure): "\(peer) refused: \(failure.statusCode)\(failure.errorString.map { ": \($0)" } ?? "")"
        case .ignored(let peer, let id): "\(peer): message \(id) ignored while starting tethering"
        case .unrecognized(let peer, let id): "\(peer): unrecognized message \(id), answered with ProtocolErrorResponse"
        case .responded(let peer, let ssid, let unpaired): "\(peer) given the settings of \(ssid)\(unpaired ? " (encrypted)" : "")"
        case .failed(let peer, let failure): "\(peer) told tethering failed: \(failure.statusCode)\(failure.errorString.map { ": \($0)" } ?? "")"
        case .closed(let peer, let reason): "\(peer) closed: \(reason)"
        }
    }
}
