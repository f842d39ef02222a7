import WinteropWire
import WinteropFormat

extension DNSMessage: JSONDescribable {
    /// The message as JSON, fields in RFC 1035 4.1 order (for `winterop decode dns`).
    public var json: JSONValue {
        .object([
            ("id", .integer(header.id)),
            ("qr", .bool(header.isResponse)),
            ("opcode", .integer(header.opcode)),
            ("aa", .bool(header.authoritativeAnswer)),
            ("tc", .bool(header.truncated)),
            ("rd", .bool(header.recursionDesired)),
            ("ra", .bool(header.recursionAvailable)),
            ("rcode", .integer(header.responseCode)),
            ("questions", .array(questions.map(\.json))),
            ("answers", .array(answers.map(\.json))),
            ("authorities", .array(authorities.map(\.json))),
            ("additionals", .array(additionals.map(\.json))),
        ])
    }
}

extension DNSQuestion: JSONDescribable {
    public var json: JSONValue {
        .object([
            ("name", .string(name.description)), ("type", .string(type.description)),
            ("class", .string(recordClass.description)), ("unicastResponse", .bool(unicastResponse)),
        ])
    }
}

extension DNSResourceRecord: JSONDescribable {
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("name", .string(name.description)), ("type", .string(type.description)),
            ("class", .string(recordClass.description)), ("cacheFlush", .bool(cacheFlush)), ("ttl", .integer(ttl)),
        ]
        switch data {
        case .a, .aaaa:
            fields.append(("address", .string(data.description)))
        case .ptr(let target):
            fields.append(("target", .string(target.description)))
        case .srv(let priority, let weight, let port, let target):
            fields += [("priority", .integer(priority)), ("weight", .integer(weight)), ("port", .integer(port)), ("target", .string(target.description))]
        case .txt(let strings):
            fields.append(("strings", .array(strings.map { .string(String(decoding: $0, as: UTF8.self)) })))
        case .nsec(let next, let types):
            fields += [("next", .string(next.description)), ("types", .array(types.map { .string($0.description) }))]
        case .opaque(_, let bytes):
            fields.append(("rdata", .hex(bytes)))
        }
        return .object(fields)
    }
}
