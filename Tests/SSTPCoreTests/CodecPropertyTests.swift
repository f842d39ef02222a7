import NIOCore
import PropertyBased
import SSTPCore
import Testing
import WinteropWire

/// Property round trips: for every command and both versions, random valid commands
/// encode, decode back to themselves, and a stream of many decodes in order.
@Suite struct CodecPropertyTests {
    static let cases: [(SSTP.CommandId, SSTP.Version)] = SSTP.CommandId.allCases.flatMap { id in SSTP.Version.allCases.map { (id, $0) } }

    @Test(arguments: cases)
    func roundTrip(_ id: SSTP.CommandId, _ version: SSTP.Version) async {
        await propertyCheck(count: 60, input: Gen<UInt64>.value(in: 0...UInt64.max)) { seed in
            let command = RandomCommands.make(id, version: version, seed: seed)
            var bytes = ByteBuffer()
            try command.encode(into: &bytes, version: version)
            let encoded = bytes
            let decoded = try SSTP.CommandStream.decodeCommand(from: &bytes, version: version)
            #expect(bytes.readableBytes == 0)
            // Bytes always round trip. Values too, except where the 4- and 9-byte Ephemeral
            // forms are ambiguous next to Fragmentation fields (see Message.init(decodingBody:)).
            var again = ByteBuffer()
            try #require(decoded).encode(into: &again, version: version)
            #expect(again == encoded)
            if case .message(let m) = command, m.ephemeral?.hasReservedFields == true, m.fragmentation != nil {
                return
            }
            #expect(decoded == command)
        }
    }

    @Test func streamOfRandomCommandsDecodesInOrderFromAnySplit() async {
        await propertyCheck(count: 40, input: Gen<UInt64>.value(in: 0...UInt64.max), Gen<Int>.int(in: 1...97)) { seed, chunk in
            var rng = SplitMix(seed: seed)
            let commands = (0..<20).map { _ in
                RandomCommands.make(RandomCommands.pick(SSTP.CommandId.allCases, &rng), version: .v1_6, seed: rng.next())
            }.filter {
                if case .message(let m) = $0 { return !(m.ephemeral?.hasReservedFields == true && m.fragmentation != nil) }
                return true
            }
            var stream = ByteBuffer()
            for c in commands { try c.encode(into: &stream, version: .v1_6) }
            // Feed the stream in `chunk`-byte pieces, as TCP might.
            var pending = ByteBuffer()
            var decoded: [SSTP.Command] = []
            while stream.readableBytes > 0 {
                var piece = stream.readSlice(length: min(chunk, stream.readableBytes))!
                pending.writeBuffer(&piece)
                while let c = try SSTP.CommandStream.decodeCommand(from: &pending, version: .v1_6) { decoded.append(c) }
            }
            #expect(pending.readableBytes == 0)
            #expect(decoded == commands)
        }
    }

    @Test func dataSplitsAt2048Bytes() async {
        await propertyCheck(count: 50, input: Gen<Int>.int(in: 0...20_000)) { size in
            let payload = ByteBuffer(bytes: (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            var out = ByteBuffer()
            let count = SSTP.Data.writeCommands(sessionId: 9, payload: payload, into: &out)
            #expect(count == max(1, (size + 2047) / 2048))
            var joined = ByteBuffer()
            var commands = 0
            while let c = try SSTP.CommandStream.decodeCommand(from: &out, version: .v1_6) {
                guard case .data(var d) = c else { Issue.record("not Data"); return }
                #expect(d.sessionId == 9)
                #expect(d.payload.readableBytes <= 2048)
                joined.writeBuffer(&d.payload)
                commands += 1
            }
            #expect(commands == count)
            #expect(joined == payload)
        }
    }
}
