import WinteropWire
import WinteropFormat

extension RTSPMessage {
    /// The message for `winterop decode rtsp`: start line, headers in order, and the body
    /// as its `text/parameters` lines (typed where the parameter is known) or as hex.
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = []
        switch self {
        case .request(let r):
            fields += [("kind", .string("request")), ("method", .string(r.method.rawValue)), ("uri", .string(r.uri))]
        case .response(let r):
            fields += [("kind", .string("response")), ("status", .int(Int64(r.status))), ("reason", .string(r.reason))]
        }
        fields.append(("headers", .array(headers.map { .object([("name", .string($0.name)), ("value", .string($0.value))]) })))
        let body = self.body
        if !body.isEmpty {
            if let parameters = try? WFDParameterList(body: body) {
                fields.append(("parameters", parameters.json))
            } else if let text = String(validating: body, as: UTF8.self) {
                fields.append(("body", .string(text)))
            } else {
                fields.append(("body", .hex(body)))
            }
        }
        return .object(fields)
    }

    /// Every message of a stream, for `winterop decode rtsp`.
    public static func describe(_ bytes: some Sequence<UInt8>) throws(WireError) -> JSONValue {
        do {
            let messages = try RTSPParser.decodeAll(bytes)
            return .object([("messages", .array(messages.map(\.json)))])
        } catch {
            throw error.error
        }
    }
}
