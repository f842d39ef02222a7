import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
import WFDCore
import WFDRoles
import WinteropDTLS
import WinteropTestSupport

/// MS-MICE 3.1.7.1 / 3.2.5.7 with stream encryption: each RTP packet is one DTLS
/// application-data record of the MICE session's DTLS connection, one record per datagram
/// (DESIGN.md, Projection). The sender seals, the receiver opens; a tampered datagram is
/// dropped and counted, and the loss it leaves is counted like any other.
@Suite struct EncryptedStreamTests {
    /// A DTLS endpoint handed to the one event loop that uses it (endpoints are confined,
    /// not Sendable; each side's is used only on its own channel's loop).
    final class Confined: @unchecked Sendable {
        let endpoint: DTLSEndpoint
        init(_ endpoint: DTLSEndpoint) { self.endpoint = endpoint }
    }

    /// The source is the DTLS client, the sink the server (DESIGN.md, MS-MICE facts).
    static func handshake() throws -> (source: Confined, sink: Confined) {
        let source = try DTLSEndpoint(DTLSConfiguration(role: .client))
        let sink = try DTLSEndpoint(DTLSConfiguration(role: .server))
        _ = try sink.start()
        var toSink = try source.start().send
        for _ in 0..<10 where !(source.isHandshakeComplete && sink.isHandshakeComplete) {
            var toSource: [[UInt8]] = []
            for record in toSink { toSource += try sink.receiveHandshake(record).send }
            toSink = []
            for record in toSource { toSink += try source.receiveHandshake(record).send }
        }
        try #require(source.isHandshakeComplete && sink.isHandshakeComplete, "DTLS handshake did not complete")
        return (Confined(source), Confined(sink))
    }

    @Test func recordsPerDatagramDecryptAndTamperingIsCounted() async throws {
        let (source, sink) = try Self.handshake()
        let group = MultiThreadedEventLoopGroup.singleton
        let media = MPEGTSFixture.stream(count: 700, interval: 20, bytesPerSecond: 2_000_000)
        let recorded = NIOLockedValueBox<[UInt8]>([])
        let rtp = try await WFDChannels.bindRTPReceiver(group: group, host: "127.0.0.1", port: 0) {
            RTPReceiveHandler(window: 4, open: { datagram in
                ByteBuffer(bytes: try sink.endpoint.open(Array(datagram.readableBytesView)))
            }, output: { bytes in recorded.withLockedValue { $0 += bytes } })
        }
        // A relay starved by the parallel test run must not drop the sender's catch-up burst.
        let relay = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(WFDChannels.udpBufferBytes))
            .channelInitializer { [target = rtp.localAddress!] channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(UDPRelay(target: target, corrupt: [30])) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let sender = try await WFDChannels.bindRTPSender(group: group, host: "127.0.0.1")
        let destination = try #require(relay.localAddress)
        let sealedSizes = NIOLockedValueBox<[Int]>([])
        let result = try await sender.eventLoop.submit {
            let s = RTPStreamSender(channel: sender, destination: destination, reader: ChunkReader(media), seal: { packet in
                let record = try source.endpoint.seal(packet)
                sealedSizes.withLockedValue { $0.append(record.count - packet.count) }
                return record
            })
            s.begin()
            return s.result
        }.get().get()
        #expect(result.packets == 100)
        // Wait (up to 30 s, not a fixed sleep) until all 100 datagrams reached the receiver.
        func statistics() async throws -> RTPReceiveHandler.Statistics {
            try await rtp.eventLoop.submit {
                let handler = try rtp.pipeline.syncOperations.handler(type: RTPReceiveHandler.self)
                handler.flush()
                return handler.statistics
            }.get()
        }
        var stats = try await statistics()
        for _ in 0..<3000 where stats.receiver.packets + stats.undecryptable < 100 {
            try await Task.sleep(for: .milliseconds(10))
            stats = try await statistics()
        }
        #expect(stats.undecryptable == 1, "the tampered record is dropped")
        #expect(stats.receiver.lost == 1)
        #expect(stats.receiver.packets == 99)
        #expect(stats.receiver.malformed == 0)
        var expected = media
        expected.removeSubrange(30 * 7 * 188..<31 * 7 * 188)
        #expect(recorded.withLockedValue { $0 } == expected)
        // One record per datagram: every datagram carries the same record overhead.
        #expect(Set(sealedSizes.withLockedValue { $0 }).count == 1)
        for channel in [rtp, relay, sender] { try await channel.close() }
    }
}

/// Hands out bytes in 5000-byte chunks.
final class ChunkReader: TransportStreamReader {
    private var chunks: [[UInt8]]
    init(_ bytes: [UInt8]) { chunks = stride(from: 0, to: bytes.count, by: 5000).map { Array(bytes[$0..<min($0 + 5000, bytes.count)]) } }
    func read() throws -> [UInt8]? { chunks.isEmpty ? nil : chunks.removeFirst() }
}
