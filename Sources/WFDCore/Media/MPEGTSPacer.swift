import WinteropWire

/// The PCR pacing calculator: given transport-stream bytes as they are read, says when each
/// 188-byte packet is due, in nanoseconds from the first PCR (ISO/IEC 13818-1 2.4.2.2: bytes
/// between two PCRs of the PCR PID arrive at a constant rate). Packets wait until the next
/// PCR fixes their rate; ``finish()`` releases the tail at the last rate seen.
public struct MPEGTSPacer: Sendable {
    /// A packet and its due time.
    public struct Paced: Sendable, Hashable {
        public var packet: MPEGTSPacket
        /// Nanoseconds after the first PCR.
        public var due: Int64
        /// The same instant on the 90 kHz clock of RTP timestamps (RFC 2250 2).
        public var clock90kHz: Int64 { due * 9 / 100_000 }

        public init(packet: MPEGTSPacket, due: Int64) {
            self.packet = packet
            self.due = due
        }
    }

    /// A gap between PCRs beyond this is a discontinuity (a looped file, a spliced stream):
    /// the clock runs on at the last rate instead of jumping (2.4.3.5 allows at most 100 ms).
    public static let maximumPCRGap: Int64 = 1_000_000_000

    private var partial: [UInt8] = []
    private var waiting: [MPEGTSPacket] = []
    /// The PID whose PCRs pace the stream: the first to carry one.
    public private(set) var pcrPID: UInt16?
    /// The last PCR (27 MHz, as sent) and its due time.
    private var lastPCR: (value: UInt64, due: Int64)?
    /// Bytes a second between the last two PCRs.
    public private(set) var byteRate: Double?
    /// Set when packets were released without a PCR: the next PCR cannot measure a rate.
    private var continuesAtRate = false

    public init() {}

    /// Takes bytes in any chunking; returns every packet whose due time is known.
    public mutating func append(_ bytes: some Sequence<UInt8>) throws(WireError) -> [Paced] {
        partial.append(contentsOf: bytes)
        var out: [Paced] = []
        var offset = 0
        while partial.count - offset >= MPEGTSPacket.size {
            let packet = try MPEGTSPacket(Array(partial[offset..<(offset + MPEGTSPacket.size)]))
            offset += MPEGTSPacket.size
            out += take(packet)
        }
        partial.removeFirst(offset)
        return out
    }

    /// The end of the stream: packets after the last PCR, at the last rate (or all at the
    /// last PCR's time when the stream had one PCR). Bytes short of a packet are dropped.
    public mutating func finish() -> [Paced] {
        partial = []
        return releaseAtLastRate()
    }

    /// Packets that wait this long for a PCR go at the last rate (a stream whose PCRs stopped
    /// must not make the pacer hold it all).
    public static let maximumWaiting = 8192

    mutating func releaseAtLastRate() -> [Paced] {
        let base = lastPCR?.due ?? 0
        let released = waiting.enumerated().map { index, packet in
            Paced(packet: packet, due: base + Int64(Double((index + 1) * MPEGTSPacket.size) / (byteRate ?? .infinity) * 1e9))
        }
        if let last = released.last, let pcr = lastPCR {
            // The clock moved on by those bytes: the next PCR continues from here at the rate.
            lastPCR = (pcr.value, last.due)
            continuesAtRate = true
        }
        waiting = []
        return released
    }

    mutating func take(_ packet: MPEGTSPacket) -> [Paced] {
        if pcrPID == nil, packet.pcr != nil { pcrPID = packet.pid }
        guard packet.pid == pcrPID, let pcr = packet.pcr else {
            waiting.append(packet)
            return waiting.count >= Self.maximumWaiting ? releaseAtLastRate() : []
        }
        guard let last = lastPCR else {
            // Packets before the first PCR go at its time.
            let released = (waiting + [packet]).map { Paced(packet: $0, due: 0) }
            waiting = []
            lastPCR = (pcr, 0)
            return released
        }
        let bytes = (waiting.count + 1) * MPEGTSPacket.size
        let ticks = (pcr + MPEGTSPacket.pcrModulus - last.value) % MPEGTSPacket.pcrModulus
        var elapsed = Int64(ticks) * 1000 / 27
        if ticks == 0 || elapsed > Self.maximumPCRGap || continuesAtRate {
            continuesAtRate = false
            // Discontinuity: carry on at the last rate.
            elapsed = byteRate.map { Int64(Double(bytes) / $0 * 1e9) } ?? 0
        } else {
            byteRate = Double(bytes) / (Double(elapsed) / 1e9)
        }
        let released = (waiting + [packet]).enumerated().map { index, p in
            Paced(packet: p, due: last.due + elapsed * Int64(index + 1) / Int64(waiting.count + 1))
        }
        waiting = []
        lastPCR = (pcr, last.due + elapsed)
        return released
    }
}
