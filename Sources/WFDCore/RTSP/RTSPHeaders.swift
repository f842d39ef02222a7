/// The header fields of one RTSP message, in the order they came (RFC 2326 4.2, 12).
///
/// Names compare case-insensitively and order carries no meaning (Windows sends `CSeq`
/// last, WFD-NOTES 7.1), but the order is kept so a message re-encodes to its bytes.
public struct RTSPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field]

    public init(_ fields: [Field] = []) { self.fields = fields }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    public var count: Int { fields.count }
    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// The value of the first field called `name` (any case).
    public subscript(name: String) -> String? {
        fields.first { Self.same($0.name, name) }?.value
    }

    /// Every value of the fields called `name`.
    public func values(_ name: String) -> [String] {
        fields.filter { Self.same($0.name, name) }.map(\.value)
    }

    /// Adds a field at the end.
    public mutating func append(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces the first field called `name` in place, or appends it.
    public mutating func set(_ name: String, _ value: String) {
        if let index = fields.firstIndex(where: { Self.same($0.name, name) }) {
            fields[index].value = value
        } else {
            append(name, value)
        }
    }

    /// Removes every field called `name`.
    public mutating func remove(_ name: String) {
        fields.removeAll { Self.same($0.name, name) }
    }

    static func same(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && a.lowercased() == b.lowercased()
    }
}

extension RTSPHeaders {
    /// `CSeq` (RFC 2326 12.17): the request's sequence number, echoed in its response.
    public var cseq: Int? {
        self["CSeq"].flatMap { Int($0.rtspTrimmed) }
    }

    /// `Content-Length` (RFC 2326 12.14), when present and a decimal number.
    public var contentLength: Int? {
        self["Content-Length"].flatMap { Int($0.rtspTrimmed) }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (RFC 2326 15.1 linear white space).
    var rtspTrimmed: String {
        var s = Substring(self)
        while let first = s.first, first == " " || first == "\t" { s.removeFirst() }
        while let last = s.last, last == " " || last == "\t" { s.removeLast() }
        return String(s)
    }
}
