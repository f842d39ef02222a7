import NIOCore
import WinteropWire

/// A DNS message (RFC 1035 4.1) as Multicast DNS uses it (RFC 6762 18).
public struct DNSMessage: Hashable, Sendable, CustomStringConvertible {
    public var header: DNSHeader
    public var questions: [DNSQuestion]
    public var answers: [DNSResourceRecord]
    public var authorities: [DNSResourceRecord]
    public var additionals: [DNSResourceRecord]

    public init(
        header: DNSHeader, questions: [DNSQuestion] = [], answers: [DNSResourceRecord] = [],
        authorities: [DNSResourceRecord] = [], additionals: [DNSResourceRecord] = []
    ) {
        self.header = header
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
    }

    /// Decodes one whole message; every byte must belong to it.
    public static func decode(_ buffer: ByteBuffer) throws(WireError) -> DNSMessage {
        var decoder = DNSMessageDecoder(buffer)
        return try decoder.decodeMessage()
    }

    public static func decode(bytes: some Sequence<UInt8>) throws(WireError) -> DNSMessage {
        try decode(ByteBuffer(bytes: bytes))
    }

    /// Encodes the message, compressing names (RFC 1035 4.1.4) unless `compress` is false.
    public func encode(compress: Bool = true) throws(EncodingError) -> ByteBuffer {
        var encoder = DNSMessageEncoder(compress: compress)
        try encoder.encode(self)
        return encoder.buffer
    }

    public var description: String {
        var lines = ["\(header.isResponse ? "response" : "query") id=\(header.id) flags=0x\(String(header.flags, radix: 16))"]
        lines += questions.map { "  question \($0)" }
        lines += answers.map { "  answer \($0)" }
        lines += authorities.map { "  authority \($0)" }
        lines += additionals.map { "  additional \($0)" }
        return lines.joined(separator: "\n")
    }
}
