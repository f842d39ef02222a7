import NIOCore
import WinteropWire

/// An RTSP/1.0 request (RFC 2326 6): `METHOD URI RTSP/1.0`, headers, optional body.
public struct RTSPRequest: Sendable, Hashable {
    public var method: RTSPMethod
    /// The Request-URI, carried as sent: WFD peers put `*`, `rtsp://localhost/wfd1.0` or the
    /// stream URL here and nobody may rely on which (WFD-NOTES 2).
    public var uri: String
    public var headers: RTSPHeaders
    public var body: [UInt8]

    public init(method: RTSPMethod, uri: String, headers: RTSPHeaders = [:], body: [UInt8] = []) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
    }

    public var cseq: Int? { headers.cseq }
}

/// An RTSP/1.0 response (RFC 2326 7): `RTSP/1.0 CODE REASON`, headers, optional body.
public struct RTSPResponse: Sendable, Hashable {
    public var status: Int
    public var reason: String
    public var headers: RTSPHeaders
    public var body: [UInt8]

    public init(status: Int, reason: String? = nil, headers: RTSPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.reason = reason ?? RTSPStatus.reason(status)
        self.headers = headers
        self.body = body
    }

    /// A response to the request numbered `cseq`, echoing it (RFC 2326 12.17).
    public init(status: Int, cseq: Int, headers: RTSPHeaders = [:], body: [UInt8] = []) {
        var all: RTSPHeaders = ["CSeq": String(cseq)]
        for field in headers { all.append(field.name, field.value) }
        self.init(status: status, headers: all, body: body)
    }

    public var cseq: Int? { headers.cseq }
    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// One RTSP message on the WFD control connection, either way.
public enum RTSPMessage: Sendable, Hashable {
    case request(RTSPRequest)
    case response(RTSPResponse)

    public static let version = "RTSP/1.0"

    public var headers: RTSPHeaders {
        switch self {
        case .request(let r): return r.headers
        case .response(let r): return r.headers
        }
    }

    public var body: [UInt8] {
        switch self {
        case .request(let r): return r.body
        case .response(let r): return r.body
        }
    }

    public var cseq: Int? { headers.cseq }

    /// The message's bytes. `Content-Length` is written with the body's length: in place
    /// when the headers carry one, else after the other headers when there is a body
    /// (RFC 2326 12.14).
    public func write(into out: inout ByteBuffer) {
        var headers = self.headers
        switch self {
        case .request(let r):
            out.writeString("\(r.method.rawValue) \(r.uri) \(Self.version)\r\n")
        case .response(let r):
            out.writeString("\(Self.version) \(Self.statusText(r.status)) \(r.reason)\r\n")
        }
        let body = self.body
        if !body.isEmpty || headers["Content-Length"] != nil {
            headers.set("Content-Length", String(body.count))
        }
        for field in headers {
            out.writeString("\(field.name): \(field.value)\r\n")
        }
        out.writeString("\r\n")
        out.writeBytes(body)
    }

    public func encoded() -> [UInt8] {
        var out = ByteBuffer()
        write(into: &out)
        return Array(out.readableBytesView)
    }

    static func statusText(_ status: Int) -> String {
        let digits = String(status)
        return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }
}

extension RTSPRequest {
    public var message: RTSPMessage { .request(self) }
}

extension RTSPResponse {
    public var message: RTSPMessage { .response(self) }
}
