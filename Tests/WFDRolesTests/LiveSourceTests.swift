import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
import WFDCore
import WFDRoles
import WinteropTestSupport

/// A live source (`--media testsrc`) is read on its own thread; the sender on the event
/// loop takes what is ready and asks again when nothing is, instead of blocking the loop
/// or taking a pause for the end of the stream.
@Suite struct LiveSourceTests {
    final class Arrivals: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let count = NIOLockedValueBox(0)
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            count.withLockedValue { $0 += 1 }
        }
    }

    /// Has nothing for its first 100 ms (a pipeline warming up), then hands out its chunks,
    /// each after 10 ms of nothing; counts how often it was asked.
    final class WarmingUpReader: TransportStreamReader {
        private var chunks: [[UInt8]]
        private var nextReady: ContinuousClock.Instant?
        private(set) var calls = 0
        init(_ bytes: [UInt8]) {
            chunks = stride(from: 0, to: bytes.count, by: 5000).map { Array(bytes[$0..<min($0 + 5000, bytes.count)]) }
        }
        func read() throws -> [UInt8]? {
            calls += 1
            let now = ContinuousClock.now
            let ready = nextReady ?? now + .milliseconds(100)
            nextReady = ready
            guard now >= ready else { return [] }
            guard !chunks.isEmpty else { return nil }
            nextReady = now + .milliseconds(10)
            return chunks.removeFirst()
        }
    }

    @Test func aSourceWithNothingReadyIsAskedAgainAndTheStreamGoesOn() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let arrivals = Arrivals()
        let counter = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(WFDChannels.udpBufferBytes))
            .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(arrivals) } }
            .bind(host: "127.0.0.1", port: 0).get()
        let sender = try await WFDChannels.bindRTPSender(group: group, host: "127.0.0.1")
        let destination = try #require(counter.localAddress)
        let stream = MPEGTSFixture.stream(count: 140, interval: 10, bytesPerSecond: 2_000_000)
        let reader = WarmingUpReader(stream)
        let result = try await sender.eventLoop.submit {
            let s = RTPStreamSender(channel: sender, destination: destination, reader: reader)
            s.begin()
            return s.result
        }.get().get()
        // Asked again every few milliseconds, not in a loop that holds the event loop:
        // about 200 ms of waiting at 5 ms a retry.
        let calls = try await sender.eventLoop.submit { reader.calls }.get()
        #expect(calls < 400, "the reader was asked \(calls) times")
        // Every packet was sent: the empty answers neither ended the stream nor lost bytes.
        #expect(result.packets == 20)
        #expect(result.bytes == stream.count + 20 * 12)
        for _ in 0..<3000 where arrivals.count.withLockedValue({ $0 }) < 20 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(arrivals.count.withLockedValue { $0 } == 20)
        for channel in [counter, sender] { try await channel.close() }
    }

    @Test func theBufferHoldsBackAFastSourceAndNeverMakesTheLoopWait() async throws {
        let buffer = LiveStreamBuffer(limit: 1000)
        #expect(buffer.take() == [])
        let written = NIOLockedValueBox(0)
        let writer = Thread {
            for _ in 0..<5 {
                buffer.put([UInt8](repeating: 7, count: 600))
                written.withLockedValue { $0 += 1 }
            }
            buffer.end()
        }
        writer.start()
        // The writer stops at the limit: two chunks (1,200 bytes) then it waits.
        let deadline = ContinuousClock.now + .seconds(20)
        while written.withLockedValue({ $0 }) < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(50))
        #expect(written.withLockedValue { $0 } == 2)
        var taken: [UInt8] = []
        while ContinuousClock.now < deadline {
            guard let chunk = buffer.take() else { break }
            taken += chunk
            if chunk.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(taken.count == 3000)
        #expect(buffer.take() == nil)
    }
}
