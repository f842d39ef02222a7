import WinteropWire

/// A domain name: a sequence of labels, each 1 to 63 bytes (RFC 1035 2.3.4), the whole
/// name at most 255 bytes in wire form (length bytes and the final zero included).
///
/// Labels are kept as bytes: Multicast DNS names are UTF-8 (RFC 6762 16) and a DNS-SD
/// instance name may contain dots and any other character (RFC 6763 4.3), so a name is
/// never split on dots once built. Comparison and hashing ignore ASCII case (RFC 6762
/// 16: names are compared case-insensitively for ASCII letters).
public struct DNSName: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The labels, most specific first (`["Living Room TV", "_display", "_tcp", "local"]`).
    public private(set) var labels: [[UInt8]]

    /// The largest label (RFC 1035 2.3.4).
    public static let maxLabelLength = 63
    /// The largest name in wire form (RFC 1035 2.3.4).
    public static let maxWireLength = 255

    /// The root name (no labels).
    public static let root = DNSName(validatedLabels: [])

    init(validatedLabels: [[UInt8]]) {
        self.labels = validatedLabels
    }

    /// A name from its labels; throws when a label is empty or longer than 63 bytes or the
    /// name is longer than 255 bytes in wire form.
    public init(labels: [[UInt8]]) throws(EncodingError) {
        for label in labels {
            guard !label.isEmpty else { throw EncodingError("empty label in a domain name (RFC 1035 2.3.4)") }
            guard label.count <= Self.maxLabelLength else {
                throw EncodingError("label of \(label.count) bytes exceeds 63 (RFC 1035 2.3.4)")
            }
        }
        let wire = labels.reduce(1) { $0 + 1 + $1.count }
        guard wire <= Self.maxWireLength else {
            throw EncodingError("domain name of \(wire) bytes exceeds 255 (RFC 1035 2.3.4)")
        }
        self.labels = labels
    }

    /// A name from text labels (UTF-8), e.g. `DNSName(["Living Room TV", "_display", "_tcp", "local"])`.
    public init(_ labels: [String]) throws(EncodingError) {
        try self.init(labels: labels.map { Array($0.utf8) })
    }

    /// Parses dotted text such as `"host.local"` or `"host.local."`. Dots always separate
    /// labels here: build instance names, which may contain dots, from labels instead.
    public init(parsing text: String) throws(EncodingError) {
        var trimmed = Substring(text)
        if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
        if trimmed.isEmpty {
            self = .root
            return
        }
        try self.init(trimmed.split(separator: ".", omittingEmptySubsequences: false).map(String.init))
    }

    /// The name's length in wire form (uncompressed).
    public var wireLength: Int { labels.reduce(1) { $0 + 1 + $1.count } }

    /// This name with `suffix`'s labels appended.
    public func appending(_ suffix: DNSName) throws(EncodingError) -> DNSName {
        try DNSName(labels: labels + suffix.labels)
    }

    /// The name without its first `count` labels.
    public func dropFirst(_ count: Int = 1) -> DNSName {
        DNSName(validatedLabels: Array(labels.dropFirst(count)))
    }

    /// The first label as text (for instance names).
    public var firstLabelText: String {
        labels.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// Whether this name ends with `suffix` (ASCII case-insensitive).
    public func hasSuffix(_ suffix: DNSName) -> Bool {
        guard suffix.labels.count <= labels.count else { return false }
        return DNSName(validatedLabels: Array(labels.suffix(suffix.labels.count))) == suffix
    }

    /// Dotted text; dots and backslashes inside labels are escaped with a backslash,
    /// other bytes outside printable ASCII as `\DDD` (RFC 1035 5.1), except valid UTF-8.
    public var description: String {
        if labels.isEmpty { return "." }
        return labels.map(Self.escape).joined(separator: ".")
    }

    static func escape(_ label: [UInt8]) -> String {
        var out = ""
        if let text = String(validating: label, as: UTF8.self) {
            for scalar in text.unicodeScalars {
                switch scalar {
                case ".": out += "\\."
                case "\\": out += "\\\\"
                case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                    out += "\\" + threeDigits(UInt8(scalar.value))
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out
        }
        for byte in label {
            switch byte {
            case UInt8(ascii: "."): out += "\\."
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x21...0x7E, 0x20: out.unicodeScalars.append(Unicode.Scalar(byte))
            default: out += "\\" + threeDigits(byte)
            }
        }
        return out
    }

    private static func threeDigits(_ byte: UInt8) -> String {
        let digits = String(byte)
        return String(repeating: "0", count: 3 - digits.count) + digits
    }

    /// Labels lowercased in ASCII: the key for comparison, hashing and compression.
    var canonicalLabels: [[UInt8]] {
        labels.map { $0.map(Self.lowercase) }
    }

    @inline(__always)
    static func lowercase(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }

    public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
        guard lhs.labels.count == rhs.labels.count else { return false }
        for (a, b) in zip(lhs.labels, rhs.labels) {
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) where lowercase(x) != lowercase(y) { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(labels.count)
        for label in labels {
            hasher.combine(label.count)
            for byte in label { hasher.combine(Self.lowercase(byte)) }
        }
    }

    /// Canonical order of the uncompressed, lowercased wire forms (for RFC 6762 8.2 tie-breaking).
    public static func < (lhs: DNSName, rhs: DNSName) -> Bool {
        lhs.canonicalWire.lexicographicallyPrecedes(rhs.canonicalWire)
    }

    /// Uncompressed wire form with ASCII letters lowercased.
    var canonicalWire: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(wireLength)
        for label in canonicalLabels {
            bytes.append(UInt8(label.count))
            bytes.append(contentsOf: label)
        }
        bytes.append(0)
        return bytes
    }
}
