import NIOCore

/// Puts paced transport-stream packets into RTP (RFC 2250 2, WFD-NOTES 5): payload type 33,
/// seven 188-byte packets a datagram (12 + 1316 = 1328 bytes, under a 1500-byte MTU), the
/// 90 kHz timestamp of the first packet's due time, and the datagram due when that packet is.
public struct RTPMP2TPacketizer: Sendable {
    /// One RTP packet ready for the socket (or for DTLS, one record each).
    public struct Datagram: Sendable, Hashable {
        public var bytes: [UInt8]
        public var sequenceNumber: UInt16
        public var timestamp: UInt32
        /// Nanoseconds after the first PCR.
        public var due: Int64
    }

    public static let packetsPerDatagram = 7

    public var ssrc: UInt32
    public private(set) var nextSequenceNumber: UInt16
    /// The RTP timestamp of due time 0 (RFC 3550 5.1: random).
    public var initialTimestamp: UInt32
    private var pending: [MPEGTSPacer.Paced] = []

    public init(ssrc: UInt32 = 1, initialSequenceNumber: UInt16 = 0, initialTimestamp: UInt32 = 0) {
        self.ssrc = ssrc
        self.nextSequenceNumber = initialSequenceNumber
        self.initialTimestamp = initialTimestamp
    }

    /// Full datagrams of the packets so far; a remainder waits for more.
    public mutating func packetize(_ packets: [MPEGTSPacer.Paced]) -> [Datagram] {
        pending += packets
        var out: [Datagram] = []
        while pending.count >= Self.packetsPerDatagram {
            out.append(datagram(Array(pending.prefix(Self.packetsPerDatagram))))
            pending.removeFirst(Self.packetsPerDatagram)
        }
        return out
    }

    /// The last, shorter datagram at the end of the stream.
    public mutating func flush() -> [Datagram] {
        defer { pending = [] }
        return pending.isEmpty ? [] : [datagram(pending)]
    }

    mutating func datagram(_ packets: [MPEGTSPacer.Paced]) -> Datagram {
        let first = packets[0]
        let timestamp = initialTimestamp &+ UInt32(truncatingIfNeeded: first.clock90kHz)
        let header = RTPHeader(sequenceNumber: nextSequenceNumber, timestamp: timestamp, ssrc: ssrc)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(RTPHeader.size + packets.count * MPEGTSPacket.size)
        header.write(into: &buffer)
        for p in packets { buffer.writeBytes(p.packet.bytes) }
        defer { nextSequenceNumber &+= 1 }
        return Datagram(bytes: Array(buffer.readableBytesView), sequenceNumber: nextSequenceNumber, timestamp: timestamp, due: first.due)
    }
}
