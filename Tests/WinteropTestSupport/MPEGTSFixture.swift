/// Transport-stream packets for the Wi-Fi Display media tests (ISO/IEC 13818-1 2.4.3.2:
/// sync byte, PID, continuity counter, an adaptation field with a PCR when asked).
public enum MPEGTSFixture {
    /// PCR values wrap at 2^33 × 300.
    public static let pcrModulus: UInt64 = (1 << 33) * 300

    /// A 188-byte packet on `pid`; with `pcr` (27 MHz) an adaptation field carries it.
    public static func packet(pid: UInt16, pcr: UInt64? = nil, fill: UInt8 = 0xAA, counter: UInt8 = 0) -> [UInt8] {
        var bytes: [UInt8] = [0x47, UInt8(pid >> 8) & 0x1F, UInt8(pid & 0xFF)]
        if let pcr {
            bytes.append(0x30 | (counter & 0x0F))
            let base = pcr / 300
            let ext = pcr % 300
            bytes += [7, 0x10, UInt8((base >> 25) & 0xFF), UInt8((base >> 17) & 0xFF), UInt8((base >> 9) & 0xFF), UInt8((base >> 1) & 0xFF),
                      UInt8((base & 1) << 7) | 0x7E | UInt8(ext >> 8), UInt8(ext & 0xFF)]
        } else {
            bytes.append(0x10 | (counter & 0x0F))
        }
        return bytes + Array(repeating: fill, count: 188 - bytes.count)
    }

    /// `count` packets with a PCR every `interval` packets, at `bytesPerSecond`.
    public static func stream(count: Int, interval: Int, bytesPerSecond: Int, startPCR: UInt64 = 0) -> [UInt8] {
        (0..<count).flatMap { i -> [UInt8] in
            if i % interval == 0 {
                let pcr = (startPCR + UInt64(i * 188) * 27_000_000 / UInt64(bytesPerSecond)) % pcrModulus
                return packet(pid: 0x1011, pcr: pcr, fill: UInt8(i & 0xFF), counter: UInt8(i & 0x0F))
            }
            return packet(pid: 0x1011, fill: UInt8(i & 0xFF), counter: UInt8(i & 0x0F))
        }
    }
}
