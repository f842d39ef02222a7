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
    /// The sink takes several lines at once (standard output: one write for many events).
    private let sinkTakesLines: Bool
    private let lock = NIOLock()

    /// An event log writing to standard output.
    public init(json: Bool) {
        self.json = json
        self.sinkTakesLines = true
        self.sink = { line in
            var bytes = Array(line.utf8)
            bytes.append(UInt8(ascii: "\n"))
            Self.writeOut(bytes)
        }
    }

    /// Writes to standard output; a reader that has gone is not a reason to stop.
    private static func writeOut(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { try? FileHandle.standardOutput.writeAllBytes($0) }
    }

    /// An event log that hands each line to `sink` (tests, embedding).
    public init(json: Bool, sink: @escaping @Sendable (String) -> Void) {
        self.json = json
        self.sinkTakesLines = false
        self.sink = sink
    }

    /// Reports one event. `text` is the line people see without `--json`; when nil,
    /// the event name and its fields are printed as `name key=value …`.
    public func emit(_ event: String, _ fields: [(String, JSONValue)] = [], text: @autoclosure () -> String? = nil) {
        let line = self.line(event, fields, text: json ? nil : text())
        lock.withLock { sink(line) }
    }

    /// Reports several events in order, written to standard output at once (a listener
    /// reporting thousands of messages a second pays one write per batch, not per line).
    public func emit(lines: [(event: String, fields: [(String, JSONValue)], text: () -> String?)]) {
        guard !lines.isEmpty else { return }
        if json {
            emitJSON(count: lines.count) { index, bytes in
                JSONValue.object([("event", .string(lines[index].event))] + lines[index].fields).writeJSON(to: &bytes)
            }
            return
        }
        let rendered = lines.map { line($0.event, $0.fields, text: $0.text()) }
        lock.withLock {
            if sinkTakesLines {
                sink(rendered.joined(separator: "\n"))
            } else {
                for line in rendered { sink(line) }
            }
        }
    }

    /// Bytes rendered but not yet written; reused from batch to batch, so a batch costs no
    /// fresh pages (a new buffer of more than 128 KiB is a new mapping each time).
    private let pending = NIOLockedValueBox<[UInt8]>([])
    /// What is rendered is written once it passes this size (and at the end).
    private static let writeSize = 64 << 10

    /// Writes `count` JSON lines, line `index` appended to `bytes` by `render` (without
    /// its newline), in writes of about ``writeSize`` bytes.
    func emitJSON(count: Int, render: (_ index: Int, _ bytes: inout [UInt8]) -> Void) {
        guard sinkTakesLines else {
            for index in 0..<count {
                var bytes: [UInt8] = []
                render(index, &bytes)
                let line = String(decoding: bytes, as: UTF8.self)
                lock.withLock { sink(line) }
            }
            return
        }
        // Its lock also keeps lines of concurrent batches from interleaving.
        pending.withLockedValue { bytes in
            bytes.removeAll(keepingCapacity: true)
            bytes.reserveCapacity(Self.writeSize + 4096)
            for index in 0..<count {
                render(index, &bytes)
                bytes.append(UInt8(ascii: "\n"))
                if bytes.count >= Self.writeSize {
                    Self.writeOut(bytes)
                    bytes.removeAll(keepingCapacity: true)
                }
            }
            if !bytes.isEmpty { Self.writeOut(bytes) }
            if bytes.capacity > 4 * Self.writeSize { bytes = [] }
        }
    }

    private func line(_ event: String, _ fields: [(String, JSONValue)], text: String?) -> String {
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
        return line
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
