import NIOCore
import WinteropWire

/// Takes the bytes of the RTSP connection as they arrive and yields whole messages
/// (RFC 2326 4: a start line, header fields, an empty line, then `Content-Length` bytes
/// of body). Headers are read in any order and any case (WFD-NOTES 7.1).
///
/// A NIO decoder calls ``parse(from:limits:)`` on its cumulation buffer; other callers
/// ``append(_:)`` bytes and call ``next()`` until it returns nil.
public struct RTSPParser: Sendable {
    public var limits: RTSPLimits
    private var buffer = ByteBuffer()

    public init(limits: RTSPLimits = .default) {
        self.limits = limits
    }

    /// Bytes received but not yet part of a whole message.
    public var bufferedBytes: Int { buffer.readableBytes }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.writeBytes(bytes)
    }

    public mutating func append(_ bytes: ByteBuffer) {
        var bytes = bytes
        buffer.writeBuffer(&bytes)
    }

    /// The next whole message, or nil when more bytes are needed. After an error whose
    /// reaction is `.respond` the bad message is gone and `next()` may be called again.
    public mutating func next() throws(RTSPDecodingError) -> RTSPMessage? {
        defer { buffer.discardReadBytes() }
        return try Self.parse(from: &buffer, limits: limits)
    }

    /// Every message in `bytes`; throws at the first bad one or when bytes are left over.
    public static func decodeAll(_ bytes: some Sequence<UInt8>, limits: RTSPLimits = .default) throws(RTSPDecodingError) -> [RTSPMessage] {
        var buffer = ByteBuffer(bytes: Array(bytes))
        var messages: [RTSPMessage] = []
        while let message = try parse(from: &buffer, limits: limits) {
            messages.append(message)
        }
        skipEmptyLines(&buffer)
        if buffer.readableBytes > 0 {
            throw RTSPDecodingError(
                WFD.rtsp("4").error("truncated: \(buffer.readableBytes) bytes do not make a whole message"),
                reaction: .close(status: RTSPStatus.badRequest), isRequest: false
            )
        }
        return messages
    }

    /// Reads one message from the front of `buffer`. Consumes nothing and returns nil when
    /// the message is not complete; consumes exactly the message otherwise (also when it
    /// throws with a `.respond` reaction).
    public static func parse(from buffer: inout ByteBuffer, limits: RTSPLimits) throws(RTSPDecodingError) -> RTSPMessage? {
        skipEmptyLines(&buffer)
        let view = buffer.readableBytesView
        guard let headerEnd = endOfHeaderSection(view, limit: limits.maximumHeaderBytes) else {
            if view.count > limits.maximumHeaderBytes {
                throw RTSPDecodingError(
                    WFD.rtsp("4").error("header section longer than \(limits.maximumHeaderBytes) bytes"),
                    reaction: .close(status: RTSPStatus.requestHeaderFieldsTooLarge), isRequest: looksLikeRequest(view)
                )
            }
            return nil
        }
        let head = RTSPHead(view.prefix(headerEnd.sectionLength), limits: limits)
        let isRequest = head.isRequest
        let cseq = head.headers.cseq
        func fail(_ section: String, _ message: String, _ reaction: RTSPDecodingError.Reaction) -> RTSPDecodingError {
            RTSPDecodingError(WFD.rtsp(section).error(message), reaction: reaction, cseq: cseq, isRequest: isRequest)
        }
        // Framing first: without a usable Content-Length the next message cannot be found.
        let lengths = head.headers.values("Content-Length")
        var bodyLength = 0
        if let first = lengths.first {
            guard let n = Int(first.rtspTrimmed), n >= 0, first.rtspTrimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw fail("12.14", "Content-Length \"\(first)\" is not a decimal number", .close(status: RTSPStatus.badRequest))
            }
            guard lengths.allSatisfy({ Int($0.rtspTrimmed) == n }) else {
                throw fail("12.14", "Content-Length given \(lengths.count) times with different values", .close(status: RTSPStatus.badRequest))
            }
            bodyLength = n
        }
        if bodyLength > limits.maximumBodyBytes {
            throw fail("12.14", "body of \(bodyLength) bytes is over the limit of \(limits.maximumBodyBytes)", .close(status: RTSPStatus.requestEntityTooLarge))
        }
        let total = headerEnd.consumedLength + bodyLength
        guard view.count >= total else { return nil }
        let body = Array(view[(view.startIndex + headerEnd.consumedLength)..<(view.startIndex + total)])
        buffer.moveReaderIndex(forwardBy: total)
        if let problem = head.problem {
            throw fail(problem.section, problem.message, .respond(status: problem.status))
        }
        switch head.startLine {
        case .request(let method, let uri):
            return .request(RTSPRequest(method: method, uri: uri, headers: head.headers, body: body))
        case .response(let status, let reason):
            return .response(RTSPResponse(status: status, reason: reason, headers: head.headers, body: body))
        case .none:
            throw fail("4", "no start line", .respond(status: RTSPStatus.badRequest))
        }
    }

    /// RFC 2326 allows empty lines before a message; some peers send a stray CRLF.
    static func skipEmptyLines(_ buffer: inout ByteBuffer) {
        while let byte = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) {
            if byte == 0x0A {
                buffer.moveReaderIndex(forwardBy: 1)
            } else if byte == 0x0D, buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self) == 0x0A {
                buffer.moveReaderIndex(forwardBy: 2)
            } else {
                return
            }
        }
    }

    /// Where the header section ends: its length without the empty line, and with it.
    /// Lines end in CRLF; a bare LF is read as one too (RFC 2326 4).
    static func endOfHeaderSection(_ view: ByteBufferView, limit: Int) -> (sectionLength: Int, consumedLength: Int)? {
        var index = view.startIndex
        let end = min(view.endIndex, view.startIndex + limit + 4)
        while index < end {
            if view[index] == 0x0A {
                let next = index + 1
                if next < view.endIndex, view[next] == 0x0A {
                    return (next - view.startIndex, next + 1 - view.startIndex)
                }
                if next + 1 < view.endIndex, view[next] == 0x0D, view[next + 1] == 0x0A {
                    return (next - view.startIndex, next + 2 - view.startIndex)
                }
            }
            index += 1
        }
        return nil
    }

    static func looksLikeRequest(_ view: ByteBufferView) -> Bool {
        !view.starts(with: Array("RTSP/".utf8))
    }
}

/// The start line and header fields of one message, read leniently enough to find its
/// CSeq and Content-Length even when something else in it is wrong.
struct RTSPHead {
    enum StartLine {
        case request(RTSPMethod, String)
        case response(Int, String)
    }

    struct Problem {
        var section: String
        var message: String
        var status: Int
    }

    var startLine: StartLine?
    var headers = RTSPHeaders()
    /// The first rule the section breaks, if any.
    var problem: Problem?
    var isRequest = true

    init(_ bytes: ByteBufferView.SubSequence, limits: RTSPLimits) {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line -> ArraySlice<UInt8> in
            var line = ArraySlice(line)
            if line.last == 0x0D { line.removeLast() }
            return line
        }
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard let first = lines.first else {
            note("4", "empty message", RTSPStatus.badRequest)
            return
        }
        parseStartLine(first)
        let fieldLines = lines.dropFirst()
        if fieldLines.count > limits.maximumHeaderCount {
            note("4.2", "\(fieldLines.count) header fields, more than the limit of \(limits.maximumHeaderCount)", RTSPStatus.requestHeaderFieldsTooLarge)
        }
        for line in fieldLines {
            parseField(line)
        }
    }

    mutating func note(_ section: String, _ message: String, _ status: Int) {
        if problem == nil { problem = Problem(section: section, message: message, status: status) }
    }

    mutating func parseStartLine(_ line: ArraySlice<UInt8>) {
        guard let text = Self.text(line) else {
            note("4", "start line is not UTF-8", RTSPStatus.badRequest)
            return
        }
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        if text.hasPrefix("RTSP/") {
            isRequest = false
            guard parts.count >= 2, parts[0] == RTSPMessage.version else {
                note("7.1", "status line \"\(text)\" is not RTSP/1.0 CODE REASON", RTSPStatus.versionNotSupported)
                return
            }
            guard parts[1].utf8.count == 3, parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let code = Int(parts[1]), code >= 100 else {
                note("7.1.1", "status code \"\(parts[1])\" is not three digits", RTSPStatus.badRequest)
                return
            }
            startLine = .response(code, parts.count == 3 ? parts[2] : "")
            return
        }
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, parts[0].utf8.allSatisfy(Self.isTokenByte), !parts[1].contains(" ") else {
            note("6.1", "request line \"\(text)\" is not METHOD URI RTSP/1.0", RTSPStatus.badRequest)
            return
        }
        guard parts[2] == RTSPMessage.version else {
            note("6.1", "version \"\(parts[2])\" is not RTSP/1.0", RTSPStatus.versionNotSupported)
            return
        }
        startLine = .request(RTSPMethod(parts[0]), parts[1])
    }

    mutating func parseField(_ line: ArraySlice<UInt8>) {
        guard let text = Self.text(line) else {
            note("4.2", "header field is not UTF-8", RTSPStatus.badRequest)
            return
        }
        guard let colon = text.firstIndex(of: ":") else {
            note("4.2", "header field \"\(text)\" has no colon", RTSPStatus.badRequest)
            return
        }
        let name = String(text[..<colon])
        guard !name.isEmpty, name.utf8.allSatisfy(Self.isTokenByte) else {
            // Also a folded continuation line (leading white space): WFD peers never fold.
            note("4.2", "header name \"\(name)\" is not a token", RTSPStatus.badRequest)
            return
        }
        headers.append(name, text[text.index(after: colon)...].rtspTrimmed)
    }

    static func text(_ bytes: ArraySlice<UInt8>) -> String? {
        guard !bytes.contains(where: { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F }) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// RFC 2326 15.1 token characters.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        guard byte > 0x20, byte < 0x7F else { return false }
        return !"()<>@,;:\\\"/[]?={} ".utf8.contains(byte)
    }
}
