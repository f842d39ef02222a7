import NIOCore
import WinteropWire
import WinteropFormat

/// What every MS-MICE message type provides: its Command, its TLVArray decoder and
/// encoder, and a field-by-field description.
public protocol MICEMessageBody: Sendable, Hashable, JSONDescribable {
    /// The Command byte (2.2).
    static var type: MICEMessageType { get }
    /// The TLVs the message defines (a TLV outside this set is refused).
    static var allowedTLVs: Set<MICETLVType> { get }
    /// Decodes the message from its parsed TLVArray.
    init(tlvArray: MICETLVArray) throws(WireError)
    /// Writes the message's TLVArray.
    func writeTLVArray(into buffer: inout ByteBuffer) throws(EncodingError)
}

extension MICEMessageBody {
    /// Decodes a TLVArray's bytes.
    public static func decode(tlvArray bytes: ByteBuffer) throws(WireError) -> Self {
        try Self(tlvArray: MICETLVArray(bytes, message: type, allowed: allowedTLVs))
    }

    /// The TLVArray bytes.
    public func tlvArrayBytes() throws(EncodingError) -> [UInt8] {
        var buffer = ByteBuffer()
        try writeTLVArray(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// The message as a plain frame (TLVArray in clear).
    public func frame() throws(EncodingError) -> MICEFrame {
        MICEFrame(type: Self.type, payload: try tlvArrayBytes())
    }

    /// The whole message's bytes, header included, TLVArray in clear.
    public func encoded() throws(EncodingError) -> [UInt8] {
        try frame().encoded()
    }
}

/// Reads the RTSP Port TLV's value (2.2.7.2): 2 bytes; bytes beyond them are ignored,
/// as 2.2.7.5 rules for Security Options, so that a longer future value still decodes.
func decodeRTSPPort(_ value: ByteBuffer) throws(WireError) -> UInt16 {
    var reader = MICETLVArray.reader(value, .rtspPort)
    guard value.readableBytes >= 2 else {
        throw reader.error("RTSP Port Length must be 0x0002 but is \(value.readableBytes)")
    }
    return try reader.readUInt16(.big, field: "RTSP Port")
}
