import WinteropWire

/// What the media path needs of an MPEG-2 transport stream packet (ISO/IEC 13818-1
/// 2.4.3.2, 2.4.3.4): the 188-byte frame with sync byte 0x47, its PID, and the PCR when
/// its adaptation field carries one.
public struct MPEGTSPacket: Sendable, Hashable {
    public static let size = 188
    public static let syncByte: UInt8 = 0x47

    public var bytes: [UInt8]

    /// Checks the sync byte and the adaptation field's length.
    public init(_ bytes: [UInt8]) throws(WireError) {
        let reference = SpecReference("ISO/IEC 13818-1", "2.4.3.2")
        guard bytes.count == Self.size else { throw reference.error("a transport packet is 188 bytes, not \(bytes.count)") }
        guard bytes[0] == Self.syncByte else { throw reference.error("sync byte 0x\(hexField(bytes[0], digits: 2)), not 0x47: the stream is not aligned on 188-byte packets") }
        if bytes[3] & 0x20 != 0, Int(bytes[4]) > Self.size - 5 {
            throw SpecReference("ISO/IEC 13818-1", "2.4.3.4").error("adaptation field length \(bytes[4]) runs past the packet")
        }
        self.bytes = bytes
    }

    public var pid: UInt16 { UInt16(bytes[1] & 0x1F) << 8 | UInt16(bytes[2]) }

    /// The program clock reference in 27 MHz units (base × 300 + extension), when present.
    public var pcr: UInt64? {
        // adaptation_field_control has the adaptation bit, the field is long enough, PCR_flag set.
        guard bytes[3] & 0x20 != 0, bytes[4] >= 7, bytes[5] & 0x10 != 0 else { return nil }
        let b = bytes[6...11].map(UInt64.init)
        let base = b[0] << 25 | b[1] << 17 | b[2] << 9 | b[3] << 1 | b[4] >> 7
        let ext = (b[4] & 0x01) << 8 | b[5]
        return base * 300 + ext
    }

    /// PCR values wrap at 2^33 × 300 (the 33-bit base).
    public static let pcrModulus: UInt64 = (1 << 33) * 300
}
