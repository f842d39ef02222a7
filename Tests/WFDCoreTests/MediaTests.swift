import NIOCore
import Testing
import WFDCore
import WinteropTestSupport
import WinteropWire

@Suite struct RTPHeaderTests {
    @Test func goldenHeader() throws {
        var out = ByteBuffer()
        RTPHeader(sequenceNumber: 0x1234, timestamp: 0x0102_0304, ssrc: 0xDEAD_BEEF).write(into: &out)
        #expect(Array(out.readableBytesView) == [0x80, 0x21, 0x12, 0x34, 0x01, 0x02, 0x03, 0x04, 0xDE, 0xAD, 0xBE, 0xEF])
        out.writeBytes([1, 2, 3])
        let (header, payload) = try RTPHeader.decode(out)
        #expect(header.sequenceNumber == 0x1234)
        #expect(header.payloadType == 33)
        #expect(Array(payload.readableBytesView) == [1, 2, 3])
    }

    @Test func csrcExtensionAndPadding() throws {
        // V=2 P=1 X=1 CC=1; one CSRC; an extension of one word; payload 0xAB then 3 padding octets.
        let bytes: [UInt8] = [0xB1, 0xA1, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 9, 0xBE, 0xDE, 0, 1, 1, 2, 3, 4, 0xAB, 0, 0, 3]
        let (header, payload) = try RTPHeader.decode(ByteBuffer(bytes: bytes))
        #expect(header.marker)
        #expect(header.csrcs == [9])
        #expect(Array(payload.readableBytesView) == [0xAB])
    }

    @Test func strictDecoding() {
        let bad: [[UInt8]] = [
            [0x40, 33, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0],  // version 1
            [0x80, 33, 0, 1, 0, 0, 0],  // short
            [0x8F, 33, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2],  // 15 CSRCs announced
            [0xA0, 33, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 9],  // padding 9 > payload
            [0x90, 33, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5],  // extension longer than the packet
        ]
        for bytes in bad {
            #expect(throws: WireError.self) { try RTPHeader.decode(ByteBuffer(bytes: bytes)) }
        }
    }
}

@Suite struct MPEGTSPacerTests {
    @Test func pcrIsRead() throws {
        let pcr: UInt64 = 123_456_789_012
        let packet = try MPEGTSPacket(MPEGTSFixture.packet(pid: 0x1011, pcr: pcr))
        #expect(packet.pid == 0x1011)
        #expect(packet.pcr == pcr)
        #expect(try MPEGTSPacket(MPEGTSFixture.packet(pid: 0x100)).pcr == nil)
    }

    @Test func constantRateBetweenPCRs() throws {
        // 1 Mbyte/s: each packet is due 188 µs after the one before.
        var pacer = MPEGTSPacer()
        let bytes = MPEGTSFixture.stream(count: 70, interval: 10, bytesPerSecond: 1_000_000)
        var paced: [MPEGTSPacer.Paced] = []
        for chunk in stride(from: 0, to: bytes.count, by: 1000) {
            paced += try pacer.append(bytes[chunk..<min(chunk + 1000, bytes.count)])
        }
        #expect(paced.count == 61, "packets after the last PCR wait for the next")
        for (i, p) in paced.enumerated() {
            #expect(abs(p.due - Int64(i) * 188_000) <= 1, "packet \(i) due at \(p.due)")
        }
        let tail = pacer.finish()
        #expect(tail.count == 9)
        #expect(abs((tail.last?.due ?? 0) - 69 * 188_000) <= 1000)
        #expect(pacer.byteRate.map { abs($0 - 1_000_000) < 1 } == true)
    }

    @Test func packetsBeforeTheFirstPCRAreDueAtZero() throws {
        var pacer = MPEGTSPacer()
        let bytes = MPEGTSFixture.packet(pid: 0) + MPEGTSFixture.packet(pid: 0x100) + MPEGTSFixture.stream(count: 11, interval: 10, bytesPerSecond: 500_000)
        let paced = try pacer.append(bytes)
        #expect(paced.prefix(3).map(\.due) == [0, 0, 0])
        #expect(pacer.pcrPID == 0x1011)
    }

    @Test func pcrWrapAndDiscontinuity() throws {
        var pacer = MPEGTSPacer()
        // Starts 10 ms before the 33-bit wrap: times run on smoothly.
        let start = MPEGTSPacket.pcrModulus - 270_000
        let paced = try pacer.append(MPEGTSFixture.stream(count: 101, interval: 10, bytesPerSecond: 1_000_000, startPCR: start))
        #expect(paced.count == 101)
        #expect(abs((paced.last?.due ?? 0) - 100 * 188_000) <= 2)
        // A jump back (a looped file) continues at the last rate instead.
        let again = try pacer.append(MPEGTSFixture.stream(count: 11, interval: 10, bytesPerSecond: 1_000_000))
        #expect(again.count == 11)
        #expect(zip(again, again.dropFirst()).allSatisfy { $1.due > $0.due })
        #expect(again.first.map { $0.due > (paced.last?.due ?? 0) } == true)
    }

    @Test func unalignedStreamIsAnError() {
        var pacer = MPEGTSPacer()
        #expect(throws: WireError.self) { try pacer.append([0x00] + MPEGTSFixture.packet(pid: 1)) }
    }

    @Test func ninetyKilohertzClock() throws {
        let p = MPEGTSPacer.Paced(packet: try MPEGTSPacket(MPEGTSFixture.packet(pid: 1)), due: 1_000_000_000)
        #expect(p.clock90kHz == 90_000)
    }
}

@Suite struct RTPPacketizerTests {
    static func paced(_ count: Int) throws -> [MPEGTSPacer.Paced] {
        var pacer = MPEGTSPacer()
        return try pacer.append(MPEGTSFixture.stream(count: count, interval: 7, bytesPerSecond: 1_316_000)) + pacer.finish()
    }

    @Test func sevenPacketsPerDatagramType33() throws {
        var packetizer = RTPMP2TPacketizer(ssrc: 0xDEAD_BEEF, initialSequenceNumber: 100, initialTimestamp: 1000)
        let datagrams = packetizer.packetize(try Self.paced(30)) + packetizer.flush()
        #expect(datagrams.map(\.bytes.count) == [1328, 1328, 1328, 1328, 12 + 2 * 188])
        #expect(datagrams.map(\.sequenceNumber) == [100, 101, 102, 103, 104])
        let (header, payload) = try RTPHeader.decode(ByteBuffer(bytes: datagrams[1].bytes))
        #expect(header.payloadType == 33)
        #expect(header.ssrc == 0xDEAD_BEEF)
        #expect(payload.readableBytes == 7 * 188)
        // 7 packets at 1 316 000 bytes/s = 1 ms = 90 ticks of the 90 kHz clock.
        #expect(datagrams.map(\.timestamp) == [1000, 1090, 1180, 1270, 1360])
        #expect(datagrams.map(\.due) == [0, 1_000_000, 2_000_000, 3_000_000, 4_000_000])
    }

    /// `--rate-mbps`: datagrams due by the bytes before them at the rate, the PCR's RTP
    /// timestamps kept.
    @Test func constantRatePacingReplacesThePCRSchedule() throws {
        var packetizer = RTPMP2TPacketizer()
        let datagrams = packetizer.packetize(try Self.paced(30)) + packetizer.flush()
        // 1316 TS bytes at 10.528 Mbit/s take 1 ms.
        var pacing = try #require(ConstantRatePacing(bitsPerSecond: 10_528_000))
        let timed = pacing.retime(Array(datagrams.prefix(2))) + pacing.retime(Array(datagrams.dropFirst(2)))
        #expect(timed.map(\.due) == [0, 1_000_000, 2_000_000, 3_000_000, 4_000_000])
        #expect(timed.map(\.timestamp) == datagrams.map(\.timestamp))
        #expect(timed.map(\.bytes) == datagrams.map(\.bytes))
        #expect(pacing.bytes == 30 * 188)
        var faster = try #require(ConstantRatePacing(bitsPerSecond: 2 * 10_528_000))
        #expect(faster.retime(datagrams).map(\.due) == [0, 500_000, 1_000_000, 1_500_000, 2_000_000])
        #expect(ConstantRatePacing(bitsPerSecond: 0) == nil)
        #expect(ConstantRatePacing(bitsPerSecond: .infinity) == nil)
    }

    @Test func sequenceAndTimestampWrap() throws {
        var packetizer = RTPMP2TPacketizer(initialSequenceNumber: 65534, initialTimestamp: UInt32.max - 100)
        let datagrams = packetizer.packetize(try Self.paced(28))
        #expect(datagrams.map(\.sequenceNumber) == [65534, 65535, 0, 1])
        #expect(datagrams.map(\.timestamp) == [UInt32.max - 100, UInt32.max - 10, 79, 169])
    }

    @Test func payloadIsTheStreamUnchanged() throws {
        var pacer = MPEGTSPacer()
        let stream = MPEGTSFixture.stream(count: 50, interval: 10, bytesPerSecond: 2_000_000)
        var packetizer = RTPMP2TPacketizer()
        let datagrams = packetizer.packetize(try pacer.append(stream) + pacer.finish()) + packetizer.flush()
        var receiver = RTPReceiver()
        let out = datagrams.flatMap { receiver.received(ByteBuffer(bytes: $0.bytes)) }.flatMap { output -> [UInt8] in
            if case .transportStream(let bytes) = output { return bytes }
            return []
        }
        #expect(out == stream)
    }
}

@Suite struct RTPReceiverTests {
    static func datagram(_ sequence: UInt16, fill: UInt8? = nil) -> ByteBuffer {
        var out = ByteBuffer()
        RTPHeader(sequenceNumber: sequence, timestamp: 0, ssrc: 7).write(into: &out)
        out.writeBytes(MPEGTSFixture.packet(pid: 0x1011, fill: fill ?? UInt8(truncatingIfNeeded: sequence)))
        return out
    }

    static func fills(_ outputs: [RTPReceiver.Output]) -> [UInt8] {
        outputs.compactMap { if case .transportStream(let b) = $0 { return b[4] } else { return nil } }
    }

    @Test func inOrder() {
        var r = RTPReceiver()
        let out = (0..<5).flatMap { r.received(Self.datagram(UInt16($0))) }
        #expect(Self.fills(out) == [0, 1, 2, 3, 4])
        #expect(r.statistics.packets == 5)
        #expect(r.statistics.bytes == 5 * 188)
        #expect(r.statistics.lost == 0)
        #expect(r.ssrc == 7)
    }

    @Test func reorderWithinTheWindow() {
        var r = RTPReceiver()
        let out = [10, 12, 13, 11, 14].flatMap { r.received(Self.datagram(UInt16($0))) }
        #expect(Self.fills(out) == [10, 11, 12, 13, 14])
        #expect(r.statistics.reordered == 1)
        #expect(!out.contains(.requestIDR))
    }

    @Test func lossBeyondTheWindowAsksForAnIDR() {
        var r = RTPReceiver(window: 3)
        var out = r.received(Self.datagram(1))
        out += [3, 4, 5].flatMap { r.received(Self.datagram(UInt16($0))) }
        #expect(Self.fills(out) == [1], "3 held, within the window")
        let more = r.received(Self.datagram(6))
        #expect(more.first == .requestIDR)
        #expect(Self.fills(more) == [3, 4, 5, 6])
        #expect(r.statistics.lost == 1)
        // The lost packet coming late is dropped.
        #expect(r.received(Self.datagram(2)).isEmpty)
        #expect(r.statistics.duplicates == 1)
    }

    @Test func duplicates() {
        var r = RTPReceiver()
        _ = r.received(Self.datagram(1))
        _ = r.received(Self.datagram(3))
        #expect(r.received(Self.datagram(1)).isEmpty)
        #expect(r.received(Self.datagram(3)).isEmpty)
        #expect(r.statistics.duplicates == 2)
    }

    @Test func sequenceWrapAroundWithReordering() {
        var r = RTPReceiver()
        let order: [UInt16] = [65533, 65535, 65534, 1, 0, 2]
        let out = order.flatMap { r.received(Self.datagram($0)) }
        #expect(Self.fills(out) == [0xFD, 0xFE, 0xFF, 0, 1, 2])
        #expect(r.statistics.lost == 0)
        #expect(r.statistics.reordered == 2)
    }

    @Test func lossAcrossTheWrap() {
        var r = RTPReceiver(window: 2)
        let out = [65534, 0, 1, 2].flatMap { r.received(Self.datagram(UInt16($0))) }
        #expect(out.contains(.requestIDR))
        #expect(r.statistics.lost == 1, "65535 lost")
        #expect(Self.fills(out) == [0xFE, 0, 1, 2])
    }

    @Test func flushReleasesWhatIsHeld() {
        var r = RTPReceiver()
        _ = r.received(Self.datagram(1))
        _ = r.received(Self.datagram(4))
        #expect(Self.fills(r.flush()) == [4])
        #expect(r.statistics.lost == 2)
    }

    @Test func malformedDatagramsAreCountedAndDropped() {
        var r = RTPReceiver()
        var wrongType = ByteBuffer()
        RTPHeader(payloadType: 96, sequenceNumber: 1, timestamp: 0, ssrc: 1).write(into: &wrongType)
        wrongType.writeBytes(MPEGTSFixture.packet(pid: 1))
        var partial = ByteBuffer()
        RTPHeader(sequenceNumber: 1, timestamp: 0, ssrc: 1).write(into: &partial)
        partial.writeBytes(MPEGTSFixture.packet(pid: 1).prefix(100))
        var noSync = ByteBuffer()
        RTPHeader(sequenceNumber: 1, timestamp: 0, ssrc: 1).write(into: &noSync)
        noSync.writeBytes([0] + MPEGTSFixture.packet(pid: 1).dropFirst())
        for d in [wrongType, partial, noSync, ByteBuffer(bytes: [1, 2, 3])] {
            #expect(r.received(d).isEmpty)
        }
        #expect(r.statistics.malformed == 4)
        #expect(r.lastError != nil)
    }
}
