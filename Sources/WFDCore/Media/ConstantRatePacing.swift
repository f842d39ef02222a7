/// Due times for a constant bit rate instead of the transport stream's PCR (`mice source
/// --rate-mbps`): each datagram is due when the transport-stream bytes before it have gone
/// out at `bitsPerSecond`. For a file whose PCRs are missing or wrong, or to load a link or
/// a sink at a chosen rate. The RTP timestamps keep the PCR's clock (RFC 2250 2).
public struct ConstantRatePacing: Sendable {
    public let bitsPerSecond: Double
    /// Transport-stream bytes of the datagrams already timed.
    public private(set) var bytes = 0

    /// `bitsPerSecond` must be positive.
    public init?(bitsPerSecond: Double) {
        guard bitsPerSecond > 0, bitsPerSecond.isFinite else { return nil }
        self.bitsPerSecond = bitsPerSecond
    }

    /// The same datagrams, each due after the bytes before it (nanoseconds from the first).
    public mutating func retime(_ datagrams: [RTPMP2TPacketizer.Datagram]) -> [RTPMP2TPacketizer.Datagram] {
        datagrams.map { datagram in
            var timed = datagram
            timed.due = Int64((Double(bytes) * 8 / bitsPerSecond * 1e9).rounded())
            bytes += datagram.bytes.count - RTPHeader.size
            return timed
        }
    }
}
