import WinteropWire
/// A JSON value with ordered object keys: used for `--json` event lines and for
/// `winterop decode`, so output reads in the order a specification lists fields.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.uint(let a), .uint(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let v): hasher.combine(v)
        case .int(let v): hasher.combine(v)
        case .uint(let v): hasher.combine(v)
        case .double(let v): hasher.combine(v)
        case .string(let v): hasher.combine(v)
        case .array(let v): hasher.combine(v)
        case .object(let v):
            for (key, value) in v { hasher.combine(key); hasher.combine(value) }
        }
    }

    /// Bytes as a lower-case hex string.
    public static func hex(_ bytes: some Sequence<UInt8>) -> JSONValue {
        .string(Hex.encode(bytes))
    }

    /// An integer of any width.
    public static func integer<T: BinaryInteger>(_ value: T) -> JSONValue {
        if let signed = Int64(exactly: value) { return .int(signed) }
        return .uint(UInt64(truncatingIfNeeded: value))
    }

    /// Looks up a key of an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields.first(where: { $0.0 == key })?.1
    }

    /// Compact JSON on one line.
    public var jsonText: String {
        // Built as UTF-8 bytes: String appends dominated the CPU of a listener reporting
        // tens of thousands of messages a second.
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the compact JSON text as UTF-8 (many lines into one buffer).
    public func writeJSON(to out: inout [UInt8]) {
        write(to: &out)
    }

    private func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let v): out.append(contentsOf: (v ? "true" : "false").utf8)
        case .int(let v): JSONValue.writeDecimal(v, to: &out)
        case .uint(let v): JSONValue.writeDecimal(v, to: &out)
        case .double(let v): out.append(contentsOf: (v.isFinite ? "\(v)" : "null").utf8)
        case .string(let v): JSONValue.writeString(v, to: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (i, value) in values.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                value.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in fields.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Appends the decimal digits of `value` (no String made for it).
    static func writeDecimal(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        writeDecimal(value.magnitude, to: &out)
    }

    static func writeDecimal(_ value: UInt64, to out: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { raw in
            repeat {
                raw[raw.count - 1 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            out.append(contentsOf: raw[(raw.count - count)...])
        }
    }

    static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escape: appended whole.
        let appendedWhole = s.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard bytes.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) else { return false }
            out.append(contentsOf: bytes)
            return true
        } ?? false
        if appendedWhole {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\r"): out.append(contentsOf: "\\r".utf8)
            case UInt8(ascii: "\t"): out.append(contentsOf: "\\t".utf8)
            case 0..<0x20:
                let digits = String(byte, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - digits.count) + digits).utf8)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Indented `key: value` text for people.
    public var text: String {
        var lines: [String] = []
        describe(into: &lines, indent: "", key: nil)
        return lines.joined(separator: "\n")
    }

    private var scalarText: String? {
        switch self {
        case .null: return "null"
        case .bool(let v): return v ? "true" : "false"
        case .int(let v): return String(v)
        case .uint(let v): return String(v)
        case .double(let v): return "\(v)"
        case .string(let v): return v
        case .array(let v) where v.isEmpty: return "[]"
        case .object(let v) where v.isEmpty: return "{}"
        default: return nil
        }
    }

    private func describe(into lines: inout [String], indent: String, key: String?) {
        let label = key.map { "\($0):" }
        if let scalar = scalarText {
            lines.append(indent + (label.map { "\($0) " } ?? "") + scalar)
            return
        }
        var childIndent = indent
        if let label {
            lines.append(indent + label)
            childIndent += "  "
        }
        switch self {
        case .array(let values):
            for (i, value) in values.enumerated() {
                value.describe(into: &lines, indent: childIndent, key: "[\(i)]")
            }
        case .object(let fields):
            for (k, value) in fields {
                value.describe(into: &lines, indent: childIndent, key: k)
            }
        default: break
        }
    }
}

/// A message that can describe itself field by field, for `winterop decode` and events.
public protocol JSONDescribable {
    var json: JSONValue { get }
}
