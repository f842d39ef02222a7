import Foundation
import NFPSCore
import WinteropTransport
import WinteropWire
import WinteropFormat

/// What both MS-NFPS roles report (they share every event, so one enum is the
/// contract of both) (`--json`: one object per line; otherwise one
/// readable line each). `listening` comes from ``EventLog/listening(service:address:)``.
public enum NFPSEvent: RoleEvent {
    /// The session socket is set up (3.1.7): the peer and the connection type chosen.
    case connected(peer: String, connectionType: ConnectionType)
    /// The receiver declined with the Abort flag (3.1.7.2, 4.2).
    case declined
    /// The Share header: the package size estimate, 0 when unknown (2.2.2).
    case header(totalContentSizeEstimate: UInt64, headerSize: UInt16)
    /// Package bytes so far (at most a few per second).
    case progress(bytes: UInt64, total: UInt64, bytesPerSecond: Double)
    /// The package went through: its size and SHA-256 (nil under `--no-sha256`), the
    /// time taken, and what was unpacked.
    case done(bytes: UInt64, sha256: String?, seconds: Double, files: [String])
    case failed(reason: String)

    public var name: String {
        switch self {
        case .connected: return "connected"
        case .declined: return "declined"
        case .header: return "header"
        case .progress: return "progress"
        case .done: return "done"
        case .failed: return "failed"
        }
    }

    public var fields: [(String, JSONValue)] {
        switch self {
        case .connected(let peer, let type):
            return [("peer", .string(peer)), ("connectionType", .integer(type.rawValue)), ("connectionTypeName", .string(type.description))]
        case .declined:
            return []
        case .header(let estimate, let size):
            return [("totalContentSizeEstimate", .integer(estimate)), ("headerSize", .integer(size))]
        case .progress(let bytes, let total, let rate):
            return [("bytes", .integer(bytes)), ("total", .integer(total)), ("bytesPerSecond", .integer(UInt64(max(0, rate))))]
        case .done(let bytes, let sha256, let seconds, let files):
            var fields: [(String, JSONValue)] = [("bytes", .integer(bytes))]
            if let sha256 { fields.append(("sha256", .string(sha256))) }
            fields.append(("seconds", .double((seconds * 1000).rounded() / 1000)))
            if !files.isEmpty { fields.append(("files", .array(files.map(JSONValue.string)))) }
            return fields
        case .failed(let reason):
            return [("reason", .string(reason))]
        }
    }

    public var text: String {
        switch self {
        case .connected(let peer, let type): return "connected to \(peer) (connection type \(type.rawValue), \(type))"
        case .declined: return "declined: the share receiver set the Abort flag"
        case .header(let estimate, _): return estimate == 0 ? "package size unknown" : "package of \(ByteCount(estimate))"
        case .progress(let bytes, let total, let rate):
            return total == 0 ? "\(ByteCount(bytes)) at \(ByteCount(UInt64(rate)))/s" : "\(ByteCount(bytes)) of \(ByteCount(total)) at \(ByteCount(UInt64(rate)))/s"
        case .done(let bytes, let sha256, let seconds, let files):
            let rate = seconds > 0 ? Double(bytes) / seconds : 0
            let what = files.isEmpty ? "" : " → " + files.joined(separator: ", ")
            let digest = sha256.map { ", sha256 \($0)" } ?? ""
            return "done: \(ByteCount(bytes)) in \(String(format: "%.2f", seconds)) s (\(ByteCount(UInt64(rate)))/s)\(digest)\(what)"
        case .failed(let reason): return "failed: \(reason)"
        }
    }
}

/// A byte count for people: 1.5 MiB.
struct ByteCount: CustomStringConvertible {
    var value: UInt64
    init(_ value: UInt64) { self.value = value }
    var description: String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024, unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : String(format: "%.1f %@", amount, units[unit])
    }
}
