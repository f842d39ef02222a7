import WDSMSICore
import WinteropTransport
import WinteropWire
import WinteropFormat

/// Every event `winterop wds serve` reports (its `--json` contract), besides `listening` and `stopped`.
public enum WDSServerEvent: RoleEvent {
    /// A request set up a new multicast session.
    case sessionCreated(MulticastSession, client: String, path: String)
    /// A request was answered with a session that already lived.
    case sessionReused(MulticastSession, client: String, path: String)
    /// A request got an Error Packet (or an error reply): the Win32 code and the rule.
    case requestRefused(namespace: String, content: String, error: Win32Error, reason: String, client: String, path: String)
    /// A datagram that is not a request packet was dropped (nothing sent back).
    case datagramDropped(client: String, error: WireError)
    /// A session's lifetime ran out.
    case sessionEnded(MulticastSession)

    public var name: String {
        switch self {
        case .sessionCreated: "session_created"
        case .sessionReused: "session_reused"
        case .requestRefused: "request_refused"
        case .datagramDropped: "datagram_dropped"
        case .sessionEnded: "session_ended"
        }
    }

    public var fields: [(String, JSONValue)] {
        switch self {
        case .sessionCreated(let s, let client, let path):
            return [("client", .string(client)), ("path", .string(path))] + Self.sessionFields(s)
        case .sessionReused(let s, let client, let path):
            // Every further request reports this: the session's id says the rest.
            return [("client", .string(client)), ("path", .string(path)), ("sessionId", .integer(s.id)),
                    ("namespace", .string(s.namespace)), ("content", .string(s.content))]
        case .requestRefused(let namespace, let content, let error, let reason, let client, let path):
            return [
                ("client", .string(client)), ("path", .string(path)), ("namespace", .string(namespace)), ("content", .string(content)),
                ("error", .integer(error.code)), ("errorName", .string(error.name ?? "")), ("reason", .string(reason)),
            ]
        case .datagramDropped(let client, let error):
            return [("client", .string(client)), ("spec", .string(error.spec)), ("section", .string(error.section)), ("reason", .string(error.message))]
        case .sessionEnded(let s):
            return [("sessionId", .integer(s.id)), ("namespace", .string(s.namespace)), ("content", .string(s.content))]
        }
    }

    static func sessionFields(_ s: MulticastSession) -> [(String, JSONValue)] {
        [
            ("sessionId", .integer(s.id)), ("namespace", .string(s.namespace)), ("content", .string(s.content)),
            ("multicastAddress", .string(s.multicastAddress.description)), ("port", .integer(s.port)),
            ("serverAddress", .string(s.serverAddress.description)), ("contentSize", .integer(s.contentSize)),
            ("blockSize", .integer(s.blockSize)), ("totalBlocks", .integer(s.totalBlocks)),
            ("serverSecurityMode", .string(s.securityModes.server.description)),
            ("clientSecurityMode", .string(s.securityModes.client.description)),
        ]
    }

    public var text: String {
        switch self {
        case .sessionCreated(let s, let client, _):
            return "session \(s.id) for \(s.namespace)/\(s.content) on \(s.multicastAddress) port \(s.port) (\(s.contentSize) bytes, \(s.totalBlocks) blocks of \(s.blockSize)) requested by \(client)"
        case .sessionReused(let s, let client, _):
            return "session \(s.id) for \(s.namespace)/\(s.content) again, for \(client)"
        case .requestRefused(let namespace, let content, let error, let reason, let client, _):
            return "refused \(namespace)/\(content) for \(client): \(error): \(reason)"
        case .datagramDropped(let client, let error):
            return "dropped a datagram from \(client): \(error)"
        case .sessionEnded(let s):
            return "session \(s.id) for \(s.namespace)/\(s.content) ended"
        }
    }

    /// The event for a core report.
    static func from(_ report: SessionInitiationServer.Report, client: String, path: String) -> WDSServerEvent {
        switch report {
        case .sessionCreated(let s): return .sessionCreated(s, client: client, path: path)
        case .sessionReused(let s): return .sessionReused(s, client: client, path: path)
        case .requestRefused(let namespace, let content, let error, let reason):
            return .requestRefused(namespace: namespace, content: content, error: error, reason: reason, client: client, path: path)
        }
    }
}
