import NIOCore
import WinteropWire

/// The RTP fixed header (RFC 3550 5.1): version 2, padding, extension, CSRC count, marker,
/// payload type, sequence number, timestamp, SSRC, then the CSRC list and an optional
/// header extension (5.3.1), all before the payload.
public struct RTPHeader: Sendable, Hashable {
    public var marker: Bool
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    public var csrcs: [UInt32]

    /// MPEG-2 transport stream (RFC 3551 6: payload type 33, 90 kHz clock), the one WFD sends.
    public static let mp2tPayloadType: UInt8 = 33
    public static let size = 12

    public init(marker: Bool = false, payloadType: UInt8 = Self.mp2tPayloadType, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32, csrcs: [UInt32] = []) {
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
    }

    public func write(into out: inout ByteBuffer) {
        out.writeInteger(UInt8(0x80 | UInt8(csrcs.count & 0x0F)))
        out.writeInteger((marker ? 0x80 : 0) | (payloadType & 0x7F))
        out.writeInteger(sequenceNumber)
        out.writeInteger(timestamp)
        out.writeInteger(ssrc)
        for csrc in csrcs.prefix(15) { out.writeInteger(csrc) }
    }

    /// Reads one RTP packet: its header and its payload without padding or extension.
    public static func decode(_ datagram: ByteBuffer) throws(WireError) -> (header: RTPHeader, payload: ByteBuffer) {
        var r = WireReader(datagram, SpecReference("RFC 3550", "5.1"))
        let first = try r.readUInt8(field: "V/P/X/CC")
        guard first >> 6 == 2 else { throw r.error("RTP version \(first >> 6), not 2") }
        let second = try r.readUInt8(field: "M/PT")
        var header = RTPHeader(
            marker: second & 0x80 != 0, payloadType: second & 0x7F,
            sequenceNumber: try r.readUInt16(.big, field: "sequence number"),
            timestamp: try r.readUInt32(.big, field: "timestamp"), ssrc: try r.readUInt32(.big, field: "SSRC")
        )
        for _ in 0..<Int(first & 0x0F) {
            header.csrcs.append(try r.readUInt32(.big, field: "CSRC"))
        }
        if first & 0x10 != 0 {
            r.reference = SpecReference("RFC 3550", "5.3.1")
            try r.skip(2, field: "extension profile")
            let words = try r.readUInt16(.big, field: "extension length")
            try r.skip(Int(words) * 4, field: "header extension")
        }
        var payload = r.readRest()
        if first & 0x20 != 0 {
            // 5.1: the last octet counts the padding octets, itself included.
            guard let count = payload.getInteger(at: payload.writerIndex - 1, as: UInt8.self), count > 0, Int(count) <= payload.readableBytes else {
                throw SpecReference("RFC 3550", "5.1").error("padding count larger than the payload")
            }
            payload.moveWriterIndex(to: payload.writerIndex - Int(count))
        }
        return (header, payload)
    }
}
