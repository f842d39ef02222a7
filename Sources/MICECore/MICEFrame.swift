import NIOCore
import WinteropWire

/// One message as it travels on TCP 7250 (2.2): the 4-byte header (Size, Version,
/// Command) and the TLVArray bytes. When the session encrypts TLVArrays (3.1.5.5)
/// `payload` is one DTLS application-data record and the header stays in clear
/// (DESIGN.md: Size = 4 + record length).
public struct MICEFrame: Sendable, Hashable {
    /// The smallest Size a header can carry: the header alone.
    public static let headerSize = 4
    /// The largest Size: the field is 16 bits.
    public static let maximumSize = Int(UInt16.max)

    /// The Command byte; unknown values are kept so the receiver can react (3.1.5.8).
    public var command: UInt8
    /// The TLVArray as sent: plain TLVs, or a DTLS record carrying them.
    public var payload: [UInt8]

    public init(command: UInt8, payload: [UInt8]) {
        self.command = command
        self.payload = payload
    }

    public init(type: MICEMessageType, payload: [UInt8]) {
        self.init(command: type.rawValue, payload: payload)
    }

    /// The known message type, or nil for an unknown Command.
    public var messageType: MICEMessageType? { MICEMessageType(rawValue: command) }

    /// Reads one whole frame from `buffer` if it holds one; nil when more bytes are
    /// needed. Throws when the header is invalid (Size below 4, Version not 0x01).
    public static func read(from buffer: inout ByteBuffer) throws(WireError) -> MICEFrame? {
        guard buffer.readableBytes >= headerSize,
              let size = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt16.self)
        else { return nil }
        guard Int(size) >= headerSize else {
            throw MICE.section("2.2").error("Size \(size) is smaller than the 4-byte header")
        }
        guard buffer.readableBytes >= Int(size) else { return nil }
        guard let slice = buffer.readSlice(length: Int(size)) else { return nil }
        var reader = WireReader(slice, MICE.section("2.2"))
        _ = try reader.readUInt16(.big, field: "Size")
        let version = try reader.readUInt8(field: "Version")
        guard version == MICE.version else {
            throw reader.error("Version must be 0x01 but is \(version)")
        }
        let command = try reader.readUInt8(field: "Command")
        let payload = Array(reader.readRest().readableBytesView)
        return MICEFrame(command: command, payload: payload)
    }

    /// Decodes exactly one frame that must span all of `bytes`.
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> MICEFrame {
        var buffer = ByteBuffer(bytes: bytes)
        guard let frame = try read(from: &buffer) else {
            if bytes.count >= 2 {
                let size = Int(bytes[0]) << 8 | Int(bytes[1])
                throw MICE.section("2.2").error("truncated: Size is \(size) but \(bytes.count) bytes are present")
            }
            throw MICE.section("2.2").error("truncated: \(bytes.count) bytes, a header needs 4")
        }
        guard buffer.readableBytes == 0 else {
            throw MICE.section("2.2").error("Size is \(bytes.count - buffer.readableBytes) but \(bytes.count) bytes are present")
        }
        return frame
    }

    /// Writes the header and payload; throws when the message would not fit in Size.
    public func encode(into buffer: inout ByteBuffer) throws(EncodingError) {
        let size = Self.headerSize + payload.count
        guard size <= Self.maximumSize else {
            throw EncodingError("a MS-MICE message of \(size) bytes does not fit the 16-bit Size field")
        }
        buffer.writeInteger(UInt16(size), endianness: .big)
        buffer.writeInteger(MICE.version)
        buffer.writeInteger(command)
        buffer.writeBytes(payload)
    }

    /// The frame's bytes.
    public func encoded() throws(EncodingError) -> [UInt8] {
        var buffer = ByteBuffer()
        try encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }
}
