import NIOCore
import WinteropWire
import WinteropFormat

/// The Security Options TLV's value (2.2.7.5). Bit 7 of the byte (0x01) is A,
/// UseDtlsStreamEncryption; bit 6 (0x02) is B, SinkDisplaysPin (DESIGN.md: bit 0 is
/// the most significant bit; example 4.5 sets both as 0x03).
public struct SecurityOptions: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A: the source wants DTLS stream encryption.
    public static let useDTLSStreamEncryption = SecurityOptions(rawValue: 0x01)
    /// B: the sink displays a random PIN the source provides after the handshake.
    public static let sinkDisplaysPIN = SecurityOptions(rawValue: 0x02)

    /// Decodes the value: at least one byte, extra bytes ignored, reserved bits
    /// ignored on receipt, and B only with A ("Bit A MUST be set if bit B is set").
    static func decode(_ value: ByteBuffer) throws(WireError) -> SecurityOptions {
        var reader = MICETLVArray.reader(value, .securityOptions)
        let byte = try reader.readUInt8(field: "Security Options")
        let options = SecurityOptions(rawValue: byte & 0x03)
        if options.contains(.sinkDisplaysPIN) && !options.contains(.useDTLSStreamEncryption) {
            throw reader.error("SinkDisplaysPin (B) is set without UseDtlsStreamEncryption (A); A MUST be set if B is")
        }
        return options
    }

    var json: JSONValue {
        .object([
            ("value", .integer(rawValue)),
            ("useDtlsStreamEncryption", .bool(contains(.useDTLSStreamEncryption))),
            ("sinkDisplaysPin", .bool(contains(.sinkDisplaysPIN))),
        ])
    }
}
