import Foundation
import NIOConcurrencyHelpers
import NIOCore
import WinteropWire
import WinteropFormat

/// Where a role reports what happens: with `--json`, one JSON object per line on
/// standard output (`{"event":"…",…}`); otherwise one readable line per event.
/// Logs and diagnostics go to standard error either way.
public final class EventLog: Sendable {
    /// Whether events are written as JSON lines.
    public let json: Bool
    private let sink: @Sendable (String) -> Void
    private let lock = NIOLock()

    /// An event log writing to standard output.
    public init(json: Bool) {
        self.json = json
        self.sink = { line in
            FileHandle.standardOutput.writeText(line + "\n")
        }
    }

    /// An event log that hands each line to `sink` (tests, embedding).
    public init(json: Bool, sink: @escaping @Sendable (String) -> Void) {
        self.json = json
        self.sink = sink
    }

    /// Reports one event. `text` is the line people see without `--json`; when nil,
    /// the event name and its fields are printed as `name key=value …`.
    public func emit(_ event: String, _ fields: [(String, JSONValue)] = [], text: String? = nil) {
        let line: String
        if json {
            line = JSONValue.object([("event", .string(event))] + fields).jsonText
        } else if let text {
            line = text
        } else {
            let rendered = fields.map { key, value -> String in
                switch value {
                case .string(let s): return "\(key)=\(s)"
                default: return "\(key)=\(value.jsonText)"
                }
            }
            line = ([event] + rendered).joined(separator: " ")
        }
        lock.withLock { sink(line) }
    }

    /// The `listening` event every listener reports first, carrying the real port
    /// (which matters when `--listen` asked for port 0).
    public func listening(service: String, address: SocketAddress?) {
        emit(ListenerEvent.listening(service: service, host: address?.ipAddress ?? "?", port: address?.port ?? 0))
    }

    /// Writes a line for people on standard error (never mixed into the JSON stream).
    public static func diagnostic(_ line: String) {
        FileHandle.standardError.writeText(line + "\n")
    }
}
