import SSTPCore
import WinteropTransport
import WinteropWire
import WinteropFormat

/// Everything `winterop sstp send` reports: the whole `--json` contract of the sender.
/// `message` is the message's index in the send (from 0), `name` its file ("-" for
/// standard input).
public enum SSTPSenderEvent: RoleEvent {
    /// The ConnectResponse was Ok (3.1.5.2).
    case connected(peer: String, version: SSTP.Version, deviceURLs: [String])
    /// The session's OpenResponse came (3.1.5.7): `state` is ready or suspended.
    case sessionOpened(session: UInt32, state: SSTP.SessionState)
    /// The receiver's flow control moved the session (StopSending / StartSending, 3.1.4.5).
    case flowControl(session: UInt32, state: SSTP.SessionState)
    /// A message was sent whole (EndMessage written).
    case sent(message: Int, name: String, sha256: String?)
    /// The receiver acknowledged a message (3.1.5.19): it is delivered.
    case acknowledged(message: Int, name: String)
    /// The relay lost fanout destinations (SessionStatus, 3.2.5.8, 3.3.4.1.2): `destinations`
    /// (IDENTITYURL DEVICEURL[@RELAYURL]) get nothing more; `unacknowledged` are the messages
    /// sent and not yet acknowledged when the loss was reported — they may not have reached them.
    case destinationsLost(session: UInt32, status: String, destinations: [String], unacknowledged: [String])
    /// How far the send is, at most ``SSTPSenderProgress/interval`` apart: payload bytes
    /// written, messages sent and acknowledged of `total`, seconds since the session opened.
    case progress(bytes: Int, sent: Int, acknowledged: Int, total: Int, seconds: Double)
    /// The send ended: what was acknowledged, sent but not acknowledged, and not sent.
    case done(SSTPSendReport, total: Int)

    public var name: String {
        switch self {
        case .connected: "connected"
        case .sessionOpened: "session_opened"
        case .flowControl: "flow_control"
        case .sent: "sent"
        case .acknowledged: "acknowledged"
        case .destinationsLost: "destinations_lost"
        case .progress: "progress"
        case .done: "done"
        }
    }

    public var fields: [(String, JSONValue)] {
        switch self {
        case .connected(let peer, let version, let urls):
            [("peer", .string(peer)), ("version", .string(version.description)), ("deviceURLs", .array(urls.map { .string($0) }))]
        case .sessionOpened(let session, let state), .flowControl(let session, let state):
            [("session", .integer(session)), ("state", .string(state.description))]
        case .sent, .acknowledged:
            {
                var list = JSONFieldList()
                describeMessage(into: &list)
                return list.fields
            }()
        case .destinationsLost(let session, let status, let destinations, let unacknowledged):
            [("session", .integer(session)), ("status", .string(status)), ("destinations", .array(destinations.map { .string($0) })),
             ("unacknowledged", .array(unacknowledged.map { .string($0) }))]
        case .progress(let bytes, let sent, let acknowledged, let total, let seconds):
            [("bytes", .int(Int64(bytes))), ("sent", .int(Int64(sent))), ("acknowledged", .int(Int64(acknowledged))),
             ("total", .int(Int64(total))), ("seconds", .double((seconds * 1000).rounded() / 1000)),
             ("megabytesPerSecond", .double(seconds > 0 ? (Double(bytes) / 1e6 / seconds * 10).rounded() / 10 : 0))]
        case .done(let report, _):
            [
                ("acknowledged", .array(report.acknowledged.map { .string($0) })),
                ("unacknowledged", .array(report.unacknowledged.map { .string($0) })),
                ("notSent", .array(report.notSent.map { .string($0) })),
                ("failure", report.failure.map { .string($0) } ?? .null),
            ]
        }
    }

    /// The fields of `sent` and `acknowledged` (two events per message).
    private func describeMessage<Fields: JSONFields>(into fields: inout Fields) {
        switch self {
        case .sent(let message, let name, let digest):
            fields.add("message", Int64(message))
            fields.add("name", name)
            if let digest { fields.add("sha256", digest) }
        case .acknowledged(let message, let name):
            fields.add("message", Int64(message))
            fields.add("name", name)
        default:
            break
        }
    }

    /// `sent` and `acknowledged` are written straight into the output bytes.
    public func writeJSON(to bytes: inout [UInt8]) {
        switch self {
        case .sent, .acknowledged: writeJSON(to: &bytes) { describeMessage(into: &$0) }
        default: writeJSONFromFields(to: &bytes)
        }
    }

    public var text: String {
        switch self {
        case .connected(let peer, let version, _): "connected to \(peer) (SSTP \(version))"
        case .sessionOpened(let session, let state): "session \(session) opened (\(state))"
        case .flowControl(let session, let state): "session \(session) is \(state)"
        case .sent(_, let name, let digest): "sent \(name)\(digest.map { " (sha256 \($0))" } ?? "")"
        case .acknowledged(_, let name): "acknowledged \(name)"
        case .destinationsLost(_, let status, let destinations, let unacknowledged):
            "the relay lost fanout destination\(destinations.count == 1 ? "" : "s") (\(status)): \(destinations.joined(separator: ", "))"
                + (unacknowledged.isEmpty ? "" : "; not yet acknowledged then, perhaps not delivered there: \(unacknowledged.joined(separator: ", "))")
        case .progress(let bytes, _, let acknowledged, let total, let seconds):
            "\(bytes) bytes, \(seconds > 0 ? String(Int(Double(bytes) / 1e6 / seconds)) : "–") MB/s, \(acknowledged) of \(total) acknowledged"
        case .done(let report, let total): "\(report.acknowledged.count) of \(total) messages acknowledged"
        }
    }
}
