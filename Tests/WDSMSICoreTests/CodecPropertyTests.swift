import NIOCore
import PropertyBased
import Testing
import WDSMSICore
import WinteropWire

/// Round trips: random valid packets encode, decode to themselves and re-encode to the same bytes.
@Suite struct CodecPropertyTests {
    @Test func udpMessagesRoundTrip() async {
        await propertyCheck(count: 300, input: Gen<UInt64>.value(in: 0...UInt64.max)) { seed in
            let message = RandomMessages.udpMessage(seed: seed)
            let bytes = try message.encoded()
            let decoded = try UDPMessage(decoding: bytes)
            #expect(decoded == message)
            #expect(try decoded.encoded() == bytes)
        }
    }

    @Test func wdscPacketsRoundTrip() async {
        await propertyCheck(count: 300, input: Gen<UInt64>.value(in: 0...UInt64.max)) { seed in
            let packet = RandomMessages.wdscPacket(seed: seed)
            let bytes = try packet.encoded()
            #expect(bytes.readableBytes % 16 == (WDSC.Packet.headersSize % 16))
            let decoded = try WDSC.Packet(decoding: bytes)
            #expect(decoded == packet)
            #expect(try decoded.encoded() == bytes)
        }
    }

    @Test func everyTruncationOfAPacketIsRejected() async {
        await propertyCheck(count: 40, input: Gen<UInt64>.value(in: 0...UInt64.max)) { seed in
            let udp = Array(try RandomMessages.udpMessage(seed: seed).encoded().readableBytesView)
            for cut in 0..<udp.count {
                #expect(throws: WireError.self) { try UDPMessage(decoding: udp[..<cut]) }
            }
            let wdsc = Array(try RandomMessages.wdscPacket(seed: seed).encoded().readableBytesView)
            for cut in stride(from: 0, to: wdsc.count, by: 3) {
                #expect(throws: WireError.self) { try WDSC.Packet(decoding: wdsc[..<cut]) }
            }
        }
    }

    @Test func initiateMessagesRoundTrip() async {
        await propertyCheck(count: 200, input: Gen<UInt64>.value(in: 0...UInt64.max)) { seed in
            var rng = Xoshiro(seed: seed)
            let request = InitiateRequest(
                namespace: RandomMessages.text(&rng), content: RandomMessages.text(&rng),
                client: String(RandomMessages.text(&rng, maxLength: 15).utf16.prefix(15)).flatMap { $0 } ?? "",
                capabilities: Bool.random(using: &rng) ? ClientCapabilities(rawValue: UInt32(rng.next() % 8)) : nil
            )
            let requestBytes = try request.encoded()
            #expect(try InitiateRequest(WDSC.Packet(decoding: requestBytes)) == request)
            let port = UInt16.random(in: 0...UInt16.max, using: &rng)
            let hasSym = Bool.random(using: &rng)
            let reply = InitiateReply(
                multicastPort: port, multicastAddress: RandomMessages.address(&rng), unicastPort: port,
                unicastAddress: RandomMessages.address(&rng), sessionId: UInt32.random(in: 0...UInt32.max, using: &rng),
                contentSize: rng.next(), blockSize: UInt32.random(in: 0...UInt32.max, using: &rng), totalBlocks: rng.next(),
                contentMetadata: Bool.random(using: &rng) ? RandomMessages.bytes(&rng, 0...40) : nil,
                symKey: hasSym ? RandomMessages.bytes(&rng, 1...40) : nil,
                signKey: Bool.random(using: &rng) ? RandomMessages.bytes(&rng, 1...300) : nil,
                hashAlgId: hasSym ? 0x800C : nil, hmacAlgId: hasSym ? 0x8009 : nil,
                secMode: Bool.random(using: &rng) ? SecurityModes.supported.randomElement(using: &rng) : nil,
                userSid: Bool.random(using: &rng) ? RandomMessages.bytes(&rng, 8...28) : nil
            )
            let replyBytes = try reply.encoded()
            #expect(try InitiateReply(WDSC.Packet(decoding: replyBytes)) == reply)
        }
    }
}
