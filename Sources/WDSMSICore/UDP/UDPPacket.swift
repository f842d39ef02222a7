import NIOCore
import WinteropWire

/// The one packet format of the UDP path (2.2.2): OpCode (1 byte), OptionsCount (2 bytes)
/// and that many options, in network byte order. The typed packets of 2.2.2.1–2.2.2.3
/// are built on it.
public struct UDPPacket: Sendable, Hashable {
    /// OpCode values (2.2.2).
    public enum OpCode: UInt8, Sendable, Hashable, CustomStringConvertible {
        /// WDSMCSE_OP_REQUEST: a Multicast Session Initiation Request Packet.
        case request = 0x01
        /// WDSMCSE_OP_REPLY: a Reply Packet, or an Error Packet when it carries WDSMCSE_OPT_ERROR.
        case reply = 0x02

        public var description: String {
            self == .request ? "WDSMCSE_OP_REQUEST" : "WDSMCSE_OP_REPLY"
        }
    }

    public var opCode: OpCode
    public var options: [UDPOption]

    public init(opCode: OpCode, options: [UDPOption]) {
        self.opCode = opCode
        self.options = options
    }

    /// The largest packet either side accepts: one UDP datagram's payload.
    public static let maximumSize = 65_507

    /// Decodes a whole datagram: every declared option must be present and nothing may follow.
    public init(decoding buffer: ByteBuffer) throws(WireError) {
        var reader = WireReader(buffer, WDSMSI.reference("2.2.2"))
        guard reader.remaining <= UDPPacket.maximumSize else {
            throw reader.error("packet of \(reader.remaining) bytes exceeds a UDP datagram")
        }
        let raw = try reader.readUInt8(field: "OpCode")
        guard let opCode = OpCode(rawValue: raw) else {
            throw reader.error("OpCode \(hexByte(raw)) is neither WDSMCSE_OP_REQUEST (0x01) nor WDSMCSE_OP_REPLY (0x02)")
        }
        let count = Int(try reader.readUInt16(.big, field: "OptionsCount"))
        // Each option takes at least its 4-byte header: bound the count by what is there.
        guard count * 4 <= reader.remaining else {
            throw reader.error("OptionsCount \(count) needs at least \(count * 4) bytes but \(reader.remaining) follow")
        }
        var options: [UDPOption] = []
        options.reserveCapacity(count)
        for index in 0..<count {
            let id = try reader.readUInt16(.big, field: "OptionId of option \(index + 1)")
            let length = Int(try reader.readUInt16(.big, field: "OptionLength of option \(index + 1)"))
            let value = try reader.readBytes(length, field: "OptionValue of option \(index + 1) (0x\(String(id, radix: 16)))")
            options.append(UDPOption(id: id, value: value))
        }
        try reader.expectEnd("the \(count) option\(count == 1 ? "" : "s") OptionsCount declares")
        self.init(opCode: opCode, options: options)
    }

    public init(decoding bytes: some Sequence<UInt8>) throws(WireError) {
        try self.init(decoding: ByteBuffer(bytes: bytes))
    }

    /// The packet's bytes.
    public func encoded() throws(EncodingError) -> ByteBuffer {
        guard options.count <= Int(UInt16.max) else {
            throw EncodingError("\(options.count) options do not fit OptionsCount")
        }
        var buffer = ByteBuffer()
        buffer.writeInteger(opCode.rawValue)
        buffer.writeInteger(UInt16(options.count), endianness: .big)
        for option in options {
            buffer.writeInteger(option.id, endianness: .big)
            try buffer.writeLengthPrefixed(option.value, width: .two, .big)
        }
        guard buffer.readableBytes <= UDPPacket.maximumSize else {
            throw EncodingError("packet of \(buffer.readableBytes) bytes exceeds a UDP datagram")
        }
        return buffer
    }

    /// The options keyed by their known id. A known option given twice is an error;
    /// options this specification does not define are left out (and ignored).
    func knownOptions(_ reference: SpecReference) throws(WireError) -> [UDPOption.Id: UDPOption] {
        var known: [UDPOption.Id: UDPOption] = [:]
        for option in options {
            guard let id = UDPOption.Id(rawValue: option.id) else { continue }
            guard known[id] == nil else {
                throw reference.error("\(id) appears twice")
            }
            known[id] = option
        }
        return known
    }
}

func hexByte(_ value: UInt8) -> String {
    "0x" + (value < 0x10 ? "0" : "") + String(value, radix: 16, uppercase: true)
}
