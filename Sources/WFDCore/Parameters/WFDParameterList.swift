import WinteropWire
import WinteropFormat

/// A `text/parameters` body (WFD-NOTES 2, 3): one parameter a line, `name: value`, or a
/// bare `name` (M3's request list, M13's `wfd_idr_request`, M16's empty body has none).
public struct WFDParameterList: Sendable, Hashable, Sequence {
    public struct Line: Sendable, Hashable {
        public var name: String
        /// nil for a bare name.
        public var value: String?
        public init(name: String, value: String?) {
            self.name = name
            self.value = value
        }
    }

    public var lines: [Line]

    public init(_ lines: [Line] = []) { self.lines = lines }

    /// Bare names: the body of an M3 request.
    public init(names: [String]) { self.lines = names.map { Line(name: $0, value: nil) } }

    public func makeIterator() -> IndexingIterator<[Line]> { lines.makeIterator() }
    public var isEmpty: Bool { lines.isEmpty }
    public var names: [String] { lines.map(\.name) }

    /// The value of the first line called `name` (names compare case-insensitively).
    public subscript(name: String) -> String? {
        lines.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public func contains(_ name: String) -> Bool {
        lines.contains { $0.name.lowercased() == name.lowercased() }
    }

    public mutating func append(_ name: String, _ value: String?) {
        lines.append(Line(name: name, value: value))
    }

    /// Decodes a body; empty lines are skipped, line ends are CRLF or LF.
    public init(body: [UInt8]) throws(WireError) {
        let reference = WFD.parameter("text/parameters")
        var lines: [Line] = []
        // Split on the bytes: a Swift String holds CRLF as one Character.
        for var raw in body.split(separator: 0x0A, omittingEmptySubsequences: false) {
            if raw.last == 0x0D { raw.removeLast() }
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw reference.error("body is not UTF-8 text")
            }
            let line = Substring(text)
            if line.rtspTrimmed.isEmpty { continue }
            guard !line.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) else {
                throw reference.error("line \"\(line.debugDescription)\" holds a control character")
            }
            let name: Substring
            let value: String?
            if let colon = line.firstIndex(of: ":") {
                name = line[..<colon]
                value = line[line.index(after: colon)...].rtspTrimmed
            } else {
                name = Substring(line.rtspTrimmed)
                value = nil
            }
            guard !name.isEmpty, name.utf8.allSatisfy(Self.isNameByte) else {
                throw reference.error("\"\(name)\" is not a parameter name (letters, digits, _ - .)")
            }
            lines.append(Line(name: String(name), value: value))
        }
        self.lines = lines
    }

    /// The body's bytes: each line `name: value` or `name`, ended by CRLF.
    public var body: [UInt8] {
        var text = ""
        for line in lines {
            text += line.name
            if let value = line.value { text += ": " + value }
            text += "\r\n"
        }
        return Array(text.utf8)
    }

    static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D || b == 0x2E
    }
}

extension WFDParameterList {
    /// Each line as `{name, value}`, with `typed` holding the decoded fields of a known parameter.
    public var json: JSONValue {
        .array(lines.map { line in
            var fields: [(String, JSONValue)] = [("name", .string(line.name))]
            if let value = line.value { fields.append(("value", .string(value))) }
            if let value = line.value {
                switch Result(catching: { () throws(WireError) in try WFDParameter(name: line.name, value: value) }) {
                case .success(let parameter):
                    if let typed = parameter.json { fields.append(("typed", typed)) }
                case .failure(let error):
                    fields.append(("error", .string(error.description)))
                }
            }
            return .object(fields)
        })
    }
}
