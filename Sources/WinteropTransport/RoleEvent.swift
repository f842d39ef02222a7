import WinteropWire
import WinteropFormat

/// One event a role reports. Each role has one `enum` conforming to this in one file
/// (`<Role>Events.swift`), so the role's whole `--json` contract reads in one place:
/// the case is the event, its associated values are the fields.
public protocol RoleEvent: Sendable {
    /// The event's name: the `"event"` value of its JSON object.
    var name: String { get }
    /// The JSON fields after `"event"`, in order.
    var fields: [(String, JSONValue)] { get }
    /// The line people read without `--json`.
    var text: String { get }
    /// Appends the event's JSON object (`{"event":name,…fields}`, no newline). The default
    /// renders ``fields``; an event reported for every message writes its bytes directly.
    func writeJSON(to bytes: inout [UInt8])
}

extension RoleEvent {
    public func writeJSON(to bytes: inout [UInt8]) {
        writeJSONFromFields(to: &bytes)
    }

    /// The default ``writeJSON(to:)``: the object of ``name`` and ``fields``.
    public func writeJSONFromFields(to bytes: inout [UInt8]) {
        JSONValue.object([("event", .string(name))] + fields).writeJSON(to: &bytes)
    }

    /// ``writeJSON(to:)`` for an event whose fields `describe` adds (see ``JSONFields``).
    public func writeJSON(to bytes: inout [UInt8], fields describe: (inout JSONObjectText) -> Void) {
        JSONObjectText.append(to: &bytes) { object in
            object.add("event", name)
            describe(&object)
        }
    }
}

extension EventLog {
    /// Reports `event`: its JSON object with `--json`, otherwise its text line.
    public func emit(_ event: some RoleEvent) {
        if json {
            emitJSON(count: 1) { _, bytes in event.writeJSON(to: &bytes) }
        } else {
            emit(event.name, event.fields, text: event.text)
        }
    }

    /// Reports `events` in order, with one write to standard output.
    public func emit(all events: [some RoleEvent]) {
        guard !events.isEmpty else { return }
        if json {
            emitJSON(count: events.count) { index, bytes in events[index].writeJSON(to: &bytes) }
        } else {
            emit(lines: events.map { event in (event.name, event.fields, { event.text }) })
        }
    }
}

/// The events every listener shares (reported by ``ListenerService`` and ``RoleRunner``).
public enum ListenerEvent: RoleEvent {
    /// Bound and accepting; `port` is the real one when port 0 was asked for.
    case listening(service: String, host: String, port: Int)
    /// A connection beyond the listener's limit was refused.
    case connectionLimitReached(service: String, peer: String, limit: Int)
    /// Every service has shut down.
    case stopped
    /// The role could not run (or stopped on an error); `message` says what to do.
    case failed(message: String)

    public var name: String {
        switch self {
        case .listening: "listening"
        case .connectionLimitReached: "connection_limit"
        case .stopped: "stopped"
        case .failed: "failed"
        }
    }

    public var fields: [(String, JSONValue)] {
        switch self {
        case .listening(let service, let host, let port):
            [("service", .string(service)), ("host", .string(host)), ("port", .int(Int64(port)))]
        case .connectionLimitReached(let service, let peer, let limit):
            [("service", .string(service)), ("peer", .string(peer)), ("limit", .int(Int64(limit)))]
        case .stopped:
            []
        case .failed(let message):
            [("message", .string(message))]
        }
    }

    public var text: String {
        switch self {
        case .listening(let service, let host, let port):
            "\(service) listening on \(HostPort(host: host, port: port))"
        case .connectionLimitReached(let service, let peer, let limit):
            "\(service): refused a connection from \(peer): \(limit) connection\(limit == 1 ? "" : "s") already open"
        case .stopped:
            "stopped"
        case .failed(let message):
            "failed: \(message)"
        }
    }
}
