import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
import WFDCore
import WFDRoles
import WinteropTestSupport

/// The paced sender: datagrams leave when their PCR says, and a stop ends it early.
@Suite struct RTPStreamSenderTests {
    /// Collects arrival times of datagrams.
    final class Arrivals: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let times = NIOLockedValueBox<[ContinuousClock.Instant]>([])
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            times.withLockedValue { $0.append(.now) }
        }
    }

    @Test func pacedByPCRAndStoppable() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let arrivals = Arrivals()
        let receiver = try await WFDChannels.bindRTPReceiver(group: group, host: "127.0.0.1", port: 0) {
            RTPReceiveHandler(output: { _ in })
        }
        let counter = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(arrivals) } }
            .bind(host: "127.0.0.1", port: 0).get()
        let sender = try await WFDChannels.bindRTPSender(group: group, host: "127.0.0.1")
        let destination = try #require(counter.localAddress)
        // 700 packets at 188 000 bytes/s: 0.7 s of stream, 100 datagrams 7 ms apart.
        let stream = MPEGTSFixture.stream(count: 700, interval: 10, bytesPerSecond: 188_000)
        let start = ContinuousClock.now
        let result = try await sender.eventLoop.submit {
            let s = RTPStreamSender(channel: sender, destination: destination, reader: ChunkReader(stream))
            s.begin()
            let bound = NIOLoopBound(s, eventLoop: sender.eventLoop)
            sender.eventLoop.scheduleTask(in: .milliseconds(300)) {
                bound.value.stop()
                bound.value.stop()
            }
            return s.result
        }.get().get()
        let elapsed = ContinuousClock.now - start
        // Paced (not sent at once) and stopped before the stream's 0.7 s end: a loaded
        // machine may run the stop late, so the bound is the stream's end, not 300 ms.
        #expect(elapsed >= .milliseconds(290), "stopped after \(elapsed)")
        // About 300 ms of 7 ms datagrams: 43, give or take the loop's lateness; fewer than all 100.
        #expect((35...99).contains(result.packets), "\(result.packets) datagrams in 300 ms")
        // Wait (up to 30 s, not a fixed sleep) for the datagrams still in flight.
        for _ in 0..<3000 where arrivals.times.withLockedValue({ $0.count }) < result.packets {
            try await Task.sleep(for: .milliseconds(10))
        }
        let times = arrivals.times.withLockedValue { $0 }
        #expect(times.count == result.packets)
        if let first = times.first, let last = times.last {
            // Unpaced, the datagrams would arrive within a few milliseconds; paced, they span
            // the 300 ms less however late the loop began (it catches up at once).
            #expect(last - first >= .milliseconds(100), "not paced: all within \(last - first)")
        }
        for channel in [receiver, counter, sender] { try await channel.close() }
    }
}
