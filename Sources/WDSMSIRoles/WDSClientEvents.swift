import WDSMSICore
import WinteropTransport
import WinteropWire
import WinteropFormat

/// Every event `winterop wds request` reports (its `--json` contract).
public enum WDSClientEvent: RoleEvent {
    /// The request went out (attempt 1, then once a second, 3.1.6).
    case requestSent(server: String, attempt: Int)
    /// The server set up the session.
    case session(MulticastSessionInitiationReply, SecurityModes)
    /// The server answered with an Error Packet.
    case serverError(Win32Error)
    /// The reply broke a rule of 2.2.2.2.
    case invalidReply(WireError)
    /// No reply in time.
    case timedOut(attempts: Int, seconds: Double)
    /// A datagram that was ignored (malformed, from elsewhere, or a duplicate reply).
    case ignored(from: String, reason: String)

    public var name: String {
        switch self {
        case .requestSent: "request_sent"
        case .session: "session"
        case .serverError: "server_error"
        case .invalidReply: "invalid_reply"
        case .timedOut: "timed_out"
        case .ignored: "ignored"
        }
    }

    public var fields: [(String, JSONValue)] {
        switch self {
        case .requestSent(let server, let attempt):
            return [("server", .string(server)), ("attempt", .integer(attempt))]
        case .session(let r, let modes):
            return [
                ("sessionId", .integer(r.sessionId)),
                ("multicastAddress", .string(r.multicastAddress.description)), ("multicastPort", .integer(r.multicastPort)),
                ("serverAddress", .string(r.serverAddress.description)), ("serverPort", .integer(r.serverPort)),
                ("contentSize", .integer(r.contentSize)), ("blockSize", .integer(r.blockSize)), ("totalBlocks", .integer(r.totalBlocks)),
                ("serverSecurityMode", .string(modes.server.description)), ("clientSecurityMode", .string(modes.client.description)),
            ]
        case .serverError(let error):
            return [("error", .integer(error.code)), ("errorName", .string(error.name ?? ""))]
        case .invalidReply(let error):
            return [("spec", .string(error.spec)), ("section", .string(error.section)), ("reason", .string(error.message))]
        case .timedOut(let attempts, let seconds):
            return [("attempts", .integer(attempts)), ("seconds", .double(seconds))]
        case .ignored(let from, let reason):
            return [("from", .string(from)), ("reason", .string(reason))]
        }
    }

    public var text: String {
        switch self {
        case .requestSent(let server, let attempt):
            return attempt == 1 ? "request sent to \(server)" : "no reply yet: request sent again to \(server) (attempt \(attempt))"
        case .session(let r, let modes):
            return """
                session \(r.sessionId)
                  multicast \(r.multicastAddress) port \(r.multicastPort)
                  server    \(r.serverAddress) port \(r.serverPort)
                  content   \(r.contentSize) bytes in \(r.totalBlocks) blocks of \(r.blockSize) bytes
                  security  server \(modes.server), client \(modes.client)
                """
        case .serverError(let error):
            return "the server refused: \(error)"
        case .invalidReply(let error):
            return "the server's reply is invalid: \(error)"
        case .timedOut(let attempts, let seconds):
            return "no reply after \(attempts) request\(attempts == 1 ? "" : "s") in \(seconds) s"
        case .ignored(let from, let reason):
            return "ignored a datagram from \(from): \(reason)"
        }
    }
}
