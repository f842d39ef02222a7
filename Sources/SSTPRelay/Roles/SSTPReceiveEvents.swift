import SSTPCore
import WinteropTransport
import WinteropWire
import WinteropFormat

/// Everything `winterop sstp receive` reports: the whole `--json` contract of the receiver.
public enum SSTPReceiveEvent: RoleEvent {
    case connected(relay: String, version: SSTP.Version)
    /// The relay answered a Register session (3.2.4.1.3).
    case registered(identity: String)
    /// A delivered message, written to `path` (when --out) and acknowledged.
    case message(number: Int, entry: SSTP.AddressingEntry, size: Int, sha256: String, userRef: String, path: String?)
    /// The receiver finished: how many messages it took.
    case done(received: Int)

    public var name: String {
        switch self {
        case .connected: "connected"
        case .registered: "registered"
        case .message: "message"
        case .done: "done"
        }
    }

    public var fields: [(String, JSONValue)] {
        switch self {
        case .connected(let relay, let version):
            [("relay", .string(relay)), ("version", .string(version.description))]
        case .registered(let identity):
            [("identity", .string(identity))]
        case .message(let number, let entry, let size, let sha256, let userRef, let path):
            [("number", .int(Int64(number))), ("resource", .string(entry.resourceURL)), ("identity", .string(entry.identityURL)),
             ("device", .string(entry.deviceURL)), ("size", .int(Int64(size))), ("sha256", .string(sha256)),
             ("userRef", .string(userRef)), ("path", path.map { .string($0) } ?? .null)]
        case .done(let received):
            [("received", .int(Int64(received)))]
        }
    }

    public var text: String {
        switch self {
        case .connected(let relay, let version): "connected to relay \(relay) (SSTP \(version))"
        case .registered(let identity): "registered for \(identity)"
        case .message(let number, _, let size, let sha256, let userRef, let path):
            "message \(number)\(userRef.isEmpty ? "" : " \(userRef)"): \(size) bytes, sha256 \(sha256)\(path.map { " -> \($0)" } ?? "")"
        case .done(let received): "done: \(received) message\(received == 1 ? "" : "s") received"
        }
    }
}
