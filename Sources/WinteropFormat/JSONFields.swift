/// Receives a JSON object's fields in order. An event reported for every message
/// describes its fields once, generically: ``JSONFieldList`` collects them as
/// ``JSONValue``s (for `fields`), ``JSONObjectText`` writes their JSON text straight into
/// bytes (no value, array or string built per field).
public protocol JSONFields {
    mutating func add(_ key: String, _ value: String)
    mutating func add(_ key: String, _ value: Int64)
    mutating func add(_ key: String, _ value: UInt64)
    mutating func add(_ key: String, _ value: Bool)
    /// A field whose value is an object, its fields added by `body`.
    mutating func addObject(_ key: String, _ body: (inout Self) -> Void)
}

extension JSONFields {
    /// An integer of any width (as ``JSONValue/integer(_:)``).
    public mutating func add<T: BinaryInteger>(_ key: String, integer value: T) {
        if let signed = Int64(exactly: value) { add(key, signed) } else { add(key, UInt64(truncatingIfNeeded: value)) }
    }
}

/// Collects fields as `(key, JSONValue)` pairs.
public struct JSONFieldList: JSONFields {
    public private(set) var fields: [(String, JSONValue)] = []

    public init() {}

    public mutating func add(_ key: String, _ value: String) { fields.append((key, .string(value))) }
    public mutating func add(_ key: String, _ value: Int64) { fields.append((key, .int(value))) }
    public mutating func add(_ key: String, _ value: UInt64) { fields.append((key, .integer(value))) }
    public mutating func add(_ key: String, _ value: Bool) { fields.append((key, .bool(value))) }
    public mutating func addObject(_ key: String, _ body: (inout JSONFieldList) -> Void) {
        var inner = JSONFieldList()
        body(&inner)
        fields.append((key, .object(inner.fields)))
    }
}

/// Writes fields as compact JSON text, the same bytes ``JSONValue/writeJSON(to:)`` writes
/// for the object ``JSONFieldList`` collects.
public struct JSONObjectText: JSONFields {
    private var bytes: [UInt8] = []
    private var first = true

    /// Appends one object to `bytes`, its fields added by `body`.
    public static func append(to bytes: inout [UInt8], _ body: (inout JSONObjectText) -> Void) {
        var text = JSONObjectText()
        // Moved in and out, never copied.
        swap(&text.bytes, &bytes)
        text.bytes.append(UInt8(ascii: "{"))
        body(&text)
        text.bytes.append(UInt8(ascii: "}"))
        swap(&text.bytes, &bytes)
    }

    private mutating func key(_ key: String) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        JSONValue.writeString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    public mutating func add(_ key: String, _ value: String) {
        self.key(key)
        JSONValue.writeString(value, to: &bytes)
    }

    public mutating func add(_ key: String, _ value: Int64) {
        self.key(key)
        JSONValue.writeDecimal(value, to: &bytes)
    }

    public mutating func add(_ key: String, _ value: UInt64) {
        self.key(key)
        JSONValue.writeDecimal(value, to: &bytes)
    }

    public mutating func add(_ key: String, _ value: Bool) {
        self.key(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    public mutating func addObject(_ key: String, _ body: (inout JSONObjectText) -> Void) {
        self.key(key)
        bytes.append(UInt8(ascii: "{"))
        first = true
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        first = false
    }
}
