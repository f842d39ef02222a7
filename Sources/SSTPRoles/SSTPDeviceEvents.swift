import SSTPCore
import WinteropTransport
import WinteropWire
import WinteropFormat

/// Everything `winterop sstp listen` (and `serve`'s sstp-device) reports: the whole
/// `--json` contract of the device listener. `connection` numbers connections from 1.
public enum SSTPDeviceEvent: RoleEvent {
    /// Right after `listening`: the LocalDeviceURLs a Connect must target (3.1.1.1).
    case accepting(service: String, deviceURLs: [String])
    /// A Connect was answered Ok (3.1.5.1): the peer's SourceDeviceURLs.
    case connected(connection: Int, peer: String, version: SSTP.Version, deviceURLs: [String])
    /// The connection ended; `by` is local, peer or transport.
    case connectionClosed(connection: Int, peer: String, end: End)
    /// The peer broke a rule or limit; `reason` is the ConnectClose sent, or the Close
    /// sent on `session` when only that session ends.
    case protocolError(connection: Int, session: UInt32?, reason: String, detail: String)
    /// An inbound session was opened (3.1.5.5).
    case sessionOpened(connection: Int, session: UInt32, entry: SSTP.AddressingEntry)
    case sessionClosed(connection: Int, session: UInt32, reason: SSTP.Close.Reason)
    /// A message is stored under `path` and may now be acknowledged (3.1.4.7).
    case message(StoredMessage)
    /// A message could not be stored: it is not acknowledged.
    case storeFailed(connection: Int, session: UInt32, error: String)
    /// A message was refused (its session closed with QuotaWouldBeExceeded) because the
    /// process already receives `limit` messages (`--max-messages-in-progress`).
    case messageLimit(connection: Int, session: UInt32, limit: Int)

    /// How a connection ended, as the `by` and `reason` fields say it.
    public enum End: Sendable {
        case local(SSTP.ConnectClose.Reason, violation: String?)
        case peer(SSTP.ConnectClose)
        case refused(SSTP.ConnectResponse.ResponseId)
        case transport
    }

    /// One stored message and what its Message command carried.
    public struct StoredMessage: Sendable {
        public var connection: Int
        public var session: UInt32
        public var sequence: UInt64
        public var entry: SSTP.AddressingEntry?
        public var size: Int
        /// Absent under `--no-sha256`.
        public var sha256: String?
        public var message: SSTP.Message
        /// The message's own file, or the spool file holding it (`--store spool`).
        public var path: String
        /// Where the payload starts in the spool file; nil for a file of its own.
        public var offset: Int? = nil

        /// The `message` event's fields.
        func describe<Fields: JSONFields>(into fields: inout Fields) {
            fields.add("connection", Int64(connection))
            fields.add("session", integer: session)
            fields.add("sequence", integer: sequence)
            fields.add("resourceURL", entry?.resourceURL ?? "")
            fields.add("identityURL", entry?.identityURL ?? "")
            fields.add("deviceURL", entry?.deviceURL ?? "")
            fields.add("size", Int64(size))
            if let sha256 { fields.add("sha256", sha256) }
            fields.add("userRef", message.userRef)
            fields.addObject("flags") { flags in
                flags.add("track", message.track)
                flags.add("acknowledgeImmediately", message.acknowledgeImmediately)
                flags.add("doNotDeliverIfOffline", message.doNotDeliverIfOffline)
                if let e = message.ephemeral { flags.add("ttl", integer: e.ttl) }
                if let s = message.streamSize {
                    flags.addObject("streamSize") { size in
                        size.add("byteStreamSize", integer: s.byteStreamSize)
                        size.add("sessionSize", integer: s.sessionSize)
                        size.add("messageSize", integer: s.messageSize)
                    }
                }
                if let f = message.fragmentation {
                    flags.addObject("fragmentation") { fragment in
                        fragment.add("numFragments", integer: f.numFragments)
                        fragment.add("thisFragment", integer: f.thisFragment)
                        fragment.add("fragmentId", f.fragmentId)
                        fragment.add("fragmentOffset", integer: f.fragmentOffset)
                    }
                }
            }
            fields.add("path", path)
            if let offset { fields.add("offset", Int64(offset)) }
        }
    }

    public var name: String {
        switch self {
        case .accepting: "accepting"
        case .connected: "connected"
        case .connectionClosed: "connection_closed"
        case .protocolError: "protocol_error"
        case .sessionOpened: "session_opened"
        case .sessionClosed: "session_closed"
        case .message: "message"
        case .storeFailed: "store_failed"
        case .messageLimit: "message_limit"
        }
    }

    public var fields: [(String, JSONValue)] {
        switch self {
        case .accepting(let service, let urls):
            return [("service", .string(service)), ("deviceURLs", .array(urls.map { .string($0) }))]
        case .connected(let id, let peer, let version, let urls):
            return [("connection", .int(Int64(id))), ("peer", .string(peer)), ("version", .string(version.description)),
                    ("deviceURLs", .array(urls.map { .string($0) }))]
        case .connectionClosed(let id, let peer, let end):
            var fields: [(String, JSONValue)] = [("connection", .int(Int64(id))), ("peer", .string(peer))]
            switch end {
            case .local(let reason, let violation):
                fields += [("by", .string("local")), ("reason", .string(reason.description))]
                if let violation { fields.append(("violation", .string(violation))) }
            case .peer(let close):
                fields += [("by", .string("peer")), ("reason", .string(close.reason.description))]
            case .refused(let response):
                fields += [("by", .string("peer")), ("reason", .string(response.description))]
            case .transport:
                fields += [("by", .string("transport")), ("reason", .string("transport lost"))]
            }
            return fields
        case .protocolError(let id, let session, let reason, let detail):
            return [("connection", .int(Int64(id)))] + (session.map { [("session", .integer($0))] } ?? [])
                + [("reason", .string(reason)), ("detail", .string(detail))]
        case .sessionOpened(let id, let session, let entry):
            return [("connection", .int(Int64(id))), ("session", .integer(session)), ("resourceURL", .string(entry.resourceURL)),
                    ("identityURL", .string(entry.identityURL)), ("deviceURL", .string(entry.deviceURL))]
        case .sessionClosed(let id, let session, let reason):
            return [("connection", .int(Int64(id))), ("session", .integer(session)), ("reason", .string(reason.description))]
        case .message(let stored):
            var list = JSONFieldList()
            stored.describe(into: &list)
            return list.fields
        case .storeFailed(let id, let session, let error):
            return [("connection", .int(Int64(id))), ("session", .integer(session)), ("error", .string(error))]
        case .messageLimit(let id, let session, let limit):
            return [("connection", .int(Int64(id))), ("session", .integer(session)), ("limit", .int(Int64(limit)))]
        }
    }

    /// A `message` event (one per message, tens of thousands a second) is written
    /// straight into the output bytes.
    public func writeJSON(to bytes: inout [UInt8]) {
        if case .message(let stored) = self {
            writeJSON(to: &bytes) { stored.describe(into: &$0) }
        } else {
            writeJSONFromFields(to: &bytes)
        }
    }

    public var text: String {
        switch self {
        case .accepting(let service, let urls):
            return "\(service) accepts Connect for \(urls.joined(separator: ", "))"
        case .connected(let id, let peer, let version, let urls):
            return "connection \(id) from \(peer) established (SSTP \(version), \(urls.joined(separator: ", ")))"
        case .connectionClosed(let id, _, let end):
            switch end {
            case .local(let reason, let violation):
                return "connection \(id) closed: sent ConnectClose \(reason)\(violation.map { " (\($0))" } ?? "")"
            case .peer(let close):
                return "connection \(id) closed by the peer: \(close.reason)"
            case .refused(let response):
                return "connection \(id) refused: \(response)"
            case .transport:
                return "connection \(id) lost"
            }
        case .protocolError(let id, let session, let reason, let detail):
            return "connection \(id): \(detail) → \(session == nil ? "ConnectClose" : "Close") \(reason)"
        case .sessionOpened(_, let session, let entry):
            return "session \(session) opened for \(entry)"
        case .sessionClosed(_, let session, let reason):
            return "session \(session) closed (\(reason))"
        case .message(let stored):
            return "message \(stored.sequence) on session \(stored.session): \(stored.size) bytes\(stored.sha256.map { ", sha256 \($0)" } ?? "") → \(stored.path)\(stored.offset.map { " at offset \($0)" } ?? "")"
        case .storeFailed(_, let session, let error):
            return "cannot store message on session \(session): \(error)"
        case .messageLimit(let id, let session, let limit):
            return "connection \(id): \(limit) messages already in progress (--max-messages-in-progress); session \(session) closed with QuotaWouldBeExceeded"
        }
    }
}
