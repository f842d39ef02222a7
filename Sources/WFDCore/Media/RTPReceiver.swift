import NIOCore
import WinteropWire

/// The sink's RTP receiver, sans-IO (WFD-NOTES 5, 7.5): checks each datagram (RTP version 2,
/// payload type 33, whole 188-byte packets), puts packets back in sequence-number order
/// within a small window, counts loss, reordering and duplicates, and says when an IDR
/// should be asked for (M13) because pictures were lost.
public struct RTPReceiver: Sendable {
    public enum Output: Sendable, Hashable {
        /// Transport-stream bytes in order, for the player and `--record`.
        case transportStream([UInt8])
        /// Packets were lost: ask the source for an IDR picture.
        case requestIDR
    }

    public struct Statistics: Sendable, Hashable {
        /// Packets delivered in order.
        public var packets = 0
        /// Transport-stream bytes delivered.
        public var bytes = 0
        /// Sequence numbers given up on.
        public var lost = 0
        /// Packets that arrived after a later one and were put back in place.
        public var reordered = 0
        /// Copies and packets too late to place.
        public var duplicates = 0
        /// Datagrams that were not RTP/MP2T.
        public var malformed = 0
    }

    /// How many packets may wait for a missing one before it counts as lost (lazycast asks
    /// for an IDR once 12 packets wait out of order, WFD-NOTES 7.5).
    public let window: Int
    public private(set) var statistics = Statistics()
    /// The SSRC of the stream, taken from the first packet.
    public private(set) var ssrc: UInt32?
    /// The extended (wrap-counting, RFC 3550 A.1) sequence number expected next.
    private var expected: Int64?
    private var held: [Int64: [UInt8]] = [:]

    public init(window: Int = 12) {
        self.window = max(1, window)
    }

    /// The last error of a dropped datagram, for the shell's log.
    public private(set) var lastError: WireError?

    public mutating func received(_ datagram: ByteBuffer) -> [Output] {
        let header: RTPHeader
        let payload: ByteBuffer
        do {
            (header, payload) = try RTPHeader.decode(datagram)
            try Self.checkPayload(header, payload)
        } catch {
            statistics.malformed += 1
            lastError = error
            return []
        }
        if ssrc == nil { ssrc = header.ssrc }
        let bytes = Array(payload.readableBytesView)
        guard let next = expected else {
            expected = Int64(header.sequenceNumber)
            return deliverFrom(Int64(header.sequenceNumber), bytes)
        }
        // The 16-bit number nearest to what is expected (wrap-around, RFC 3550 A.1).
        let delta = Int64(Int16(bitPattern: header.sequenceNumber &- UInt16(truncatingIfNeeded: next)))
        let sequence = next + delta
        if sequence < next || held[sequence] != nil {
            statistics.duplicates += 1
            return []
        }
        if sequence == next {
            if !held.isEmpty { statistics.reordered += 1 }
            return deliverFrom(sequence, bytes)
        }
        held[sequence] = bytes
        guard held.count > window || sequence - next > Int64(window) * 4 else { return [] }
        // Waited long enough: give up on the gap before the first packet held.
        guard let first = held.keys.min(), let firstBytes = held.removeValue(forKey: first) else { return [] }
        statistics.lost += Int(first - next)
        return [.requestIDR] + deliverFrom(first, firstBytes)
    }

    /// The end of the stream: what is held, in order, gaps counted as lost.
    public mutating func flush() -> [Output] {
        var out: [Output] = []
        for sequence in held.keys.sorted() {
            if let next = expected, sequence > next { statistics.lost += Int(sequence - next) }
            out += deliver(held[sequence] ?? [])
            expected = sequence + 1
        }
        held = [:]
        return out
    }

    /// Delivers `bytes` as `sequence`, then every held packet that follows without a gap.
    mutating func deliverFrom(_ sequence: Int64, _ bytes: [UInt8]) -> [Output] {
        var out = deliver(bytes)
        var next = sequence + 1
        while let more = held.removeValue(forKey: next) {
            out += deliver(more)
            next += 1
        }
        expected = next
        return out
    }

    mutating func deliver(_ bytes: [UInt8]) -> [Output] {
        statistics.packets += 1
        statistics.bytes += bytes.count
        return [.transportStream(bytes)]
    }

    static func checkPayload(_ header: RTPHeader, _ payload: ByteBuffer) throws(WireError) {
        let reference = SpecReference("RFC 2250", "2")
        guard header.payloadType == RTPHeader.mp2tPayloadType else {
            throw reference.error("payload type \(header.payloadType), not 33 (MP2T)")
        }
        guard payload.readableBytes > 0, payload.readableBytes % MPEGTSPacket.size == 0 else {
            throw reference.error("payload of \(payload.readableBytes) bytes is not whole 188-byte transport packets")
        }
        var offset = payload.readerIndex
        while offset < payload.writerIndex {
            guard payload.getInteger(at: offset, as: UInt8.self) == MPEGTSPacket.syncByte else {
                throw SpecReference("ISO/IEC 13818-1", "2.4.3.2").error("transport packet without the 0x47 sync byte")
            }
            offset += MPEGTSPacket.size
        }
    }
}
