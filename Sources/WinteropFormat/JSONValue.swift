import WinteropWire
/// A JSON value with ordered object keys: used for `--json` event lines and for
/// `winterop decode`, so output reads in the order a specification lists fields.
public indirect enum JSONValue: Hashable, Sendable {
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
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let v): out += v ? "true" : "false"
        case .int(let v): out += String(v)
        case .uint(let v): out += String(v)
        case .double(let v): out += v.isFinite ? "\(v)" : "null"
        case .string(let v): JSONValue.writeString(v, to: &out)
        case .array(let values):
            out += "["
            for (i, value) in values.enumerated() {
                if i > 0 { out += "," }
                value.write(to: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (i, (key, value)) in fields.enumerated() {
                if i > 0 { out += "," }
                JSONValue.writeString(key, to: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ s: String, to out: inout String) {
        out += "\""
        // Most strings need no escape: appended whole (per-scalar appends dominated the
        // CPU of a listener reporting tens of thousands of messages a second).
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            out += s
            out += "\""
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let digits = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
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
