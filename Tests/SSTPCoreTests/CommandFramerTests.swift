import NIOCore
import PropertyBased
import SSTPCore
import Testing
import WinteropWire

/// ``SSTP/CommandFramer``: the frames it cuts from reads split anywhere are the commands
/// of the stream, in order and byte for byte; only a command split across reads is held
/// (never more than one command), and bad headers are refused as soon as they are in.
@Suite struct CommandFramerTests {
    /// A random stream of commands and the frames a whole-stream cut gives.
    static func stream(seed: UInt64) throws -> (bytes: ByteBuffer, frames: [ByteBuffer]) {
        var rng = SplitMix(seed: seed)
        var stream = ByteBuffer()
        for _ in 0..<30 {
            let id = RandomCommands.pick(SSTP.CommandId.allCases, &rng)
            if id == .data, rng.next() % 2 == 0 {
                // Full-size Data commands too: the listener's hot path.
                let payload = ByteBuffer(bytes: (0..<Int(rng.next() % 6000)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
                SSTP.Data.writeCommands(sessionId: UInt32(truncatingIfNeeded: rng.next()), payload: payload, into: &stream)
            } else {
                try RandomCommands.make(id, version: .v1_6, seed: rng.next()).encode(into: &stream, version: .v1_6)
            }
        }
        var whole = stream
        var frames: [ByteBuffer] = []
        while let frame = try SSTP.CommandStream.nextFrame(from: &whole) { frames.append(frame) }
        return (stream, frames)
    }

    @Test func framesFromReadsSplitAnywhereAreTheStreamsCommands() async {
        await propertyCheck(count: 60, input: Gen<UInt64>.value(in: 0...UInt64.max), Gen<Int>.int(in: 1...9000)) { seed, largest in
            var (stream, expected) = try Self.stream(seed: seed)
            var rng = SplitMix(seed: seed ^ 0x5eed)
            var framer = SSTP.CommandFramer()
            var frames: [ByteBuffer] = []
            while stream.readableBytes > 0 {
                let size = 1 + Int(rng.next() % UInt64(largest))
                let slice = stream.readSlice(length: min(size, stream.readableBytes))
                let read = try #require(slice)
                try framer.process(read) { frames.append($0) }
                // At most one command (of at most 65535 bytes) is ever held back.
                #expect(framer.pendingBytes <= SSTP.CommandId.largestLength)
            }
            #expect(framer.pendingBytes == 0)
            #expect(frames == expected)
        }
    }

    @Test func aCommandWhollyInsideOneReadIsASliceOfIt() throws {
        var stream = ByteBuffer()
        SSTP.Data.writeCommands(sessionId: 7, payload: ByteBuffer(bytes: [UInt8](repeating: 0xAB, count: 4096)), into: &stream)
        var framer = SSTP.CommandFramer()
        var frames: [ByteBuffer] = []
        try framer.process(stream) { frames.append($0) }
        #expect(frames.count == 2)
        // Same storage: the frame reads the bytes the socket filled.
        let base = stream.withUnsafeReadableBytes { $0.baseAddress }
        let first = try #require(frames.first).withUnsafeReadableBytes { $0.baseAddress }
        #expect(base == first)
    }

    @Test func anUnknownCommandIdIsRefusedAsSoonAsItsByteArrives() throws {
        var framer = SSTP.CommandFramer()
        var stream = ByteBuffer()
        try SSTP.Command.noop(SSTP.Noop(messageCount: 1)).encode(into: &stream, version: .v1_6)
        // A whole Noop and the first byte of the next command, split inside the Noop.
        stream.writeInteger(UInt8(0xEE))
        var frames = 0
        let head = stream.readSlice(length: 2)
        try framer.process(try #require(head)) { _ in frames += 1 }
        #expect(frames == 0)
        #expect(throws: WireError.self) { try framer.process(stream) { _ in frames += 1 } }
        #expect(frames == 1)
    }

    @Test func aCommandLengthOutsideTheLimitsIsRefusedOnceItsHeaderIsIn() throws {
        var framer = SSTP.CommandFramer()
        // Data (0x0e) with CommandLength 4000 > 2055, the header split 1 + 2.
        try framer.process(ByteBuffer(bytes: [0x0E])) { _ in }
        #expect(throws: WireError.self) { try framer.process(ByteBuffer(bytes: [0xA0, 0x0F])) { _ in } }
    }
}
