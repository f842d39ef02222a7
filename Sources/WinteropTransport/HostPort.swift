/// A `HOST:PORT` as the command line spells it (`--listen`, `--to`, `--sink`).
/// IPv6 literals go in brackets (`[::1]:7250`); a missing port takes the default.
public struct HostPort: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `text`; `defaultPort` fills in a missing port (nil makes the port required).
    public init(parsing text: String, defaultPort: Int?) throws(HostPortError) {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw HostPortError(text, "an IPv6 address in brackets needs a closing ]") }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.first == ":" else { throw HostPortError(text, "expected :PORT after ]") }
                portText = rest.dropFirst()
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            // No colon, or a bare IPv6 literal (several colons): host only.
            host = Substring(text)
        }
        guard !host.isEmpty else { throw HostPortError(text, "the host is empty") }
        let port: Int
        if let portText {
            guard let value = Int(portText), (0...65535).contains(value) else {
                throw HostPortError(text, "the port must be a number from 0 to 65535")
            }
            port = value
        } else if let defaultPort {
            port = defaultPort
        } else {
            throw HostPortError(text, "a port is required (HOST:PORT)")
        }
        self.init(host: String(host), port: port)
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

public struct HostPortError: Error, CustomStringConvertible, Sendable {
    public var text: String
    public var reason: String
    init(_ text: String, _ reason: String) {
        self.text = text
        self.reason = reason
    }
    public var description: String { "'\(text)' is not HOST:PORT: \(reason)" }
}
