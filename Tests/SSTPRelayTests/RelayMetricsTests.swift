import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
import WinteropTestSupport

/// `sstp relay --metrics`: Prometheus metrics over HTTP.
@Suite(.serialized) struct RelayMetricsTests {
    /// Collects everything the server sends until it closes.
    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let text = NIOLockedValueBox("")
        let done: EventLoopPromise<String>
        init(done: EventLoopPromise<String>) { self.done = done }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            text.withLockedValue { $0 += String(buffer: buffer) }
        }
        func channelInactive(context: ChannelHandlerContext) { done.succeed(text.withLockedValue { $0 }) }
    }

    /// One HTTP/1.0 request (the server closes after answering); the whole response.
    static func get(port: Int, _ request: String) async throws -> String {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let done = loop.makePromise(of: String.self)
        do {
            let channel = try await ClientBootstrap(group: loop).channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(done: done)) }
            }.connect(host: "127.0.0.1", port: port).get()
            try await channel.writeAndFlush(ByteBuffer(string: request)).get()
        } catch {
            done.fail(error)
        }
        return try await done.futureResult.get()
    }

    /// The value of one sample line `name value` (labels included in `name`).
    static func sample(_ text: String, _ name: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func metricsCountDepositsDeliveriesAndCommits() async throws {
        let work = try RelayProcessTests.temporaryDirectory()
        let relay = try RelayProcessTests.relay(work.appendingPathComponent("relay.sqlite"), extra: ["--metrics", "127.0.0.1:0"])
        defer { relay.terminate() }
        let port = try #require(await relay.listeningPort(service: "sstp-relay"))
        let metricsPort = try #require(await relay.listeningPort(service: "sstp-relay-metrics"), "no metrics listener: \(relay.stderr)")
        let files = try RelayProcessTests.makeFiles(in: work, count: 3)
        #expect(try RelayProcessTests.send(port, files: files).status == 0)

        let before = try await Self.get(port: metricsPort, "GET /metrics HTTP/1.0\r\n\r\n")
        #expect(before.hasPrefix("HTTP/1.0 200 OK"), "\(before)")
        #expect(before.contains("Content-Type: text/plain; version=0.0.4"))
        #expect(Self.sample(before, "sstp_relay_deposits_total") == 3)
        #expect(Self.sample(before, "sstp_relay_stored_messages{state=\"pending\"}") == 3)
        let bytes = try files.reduce(0) { $0 + (try Data(contentsOf: $1)).count }
        #expect(Self.sample(before, "sstp_relay_stored_bytes{state=\"pending\"}") == Double(bytes))
        #expect((Self.sample(before, "sstp_relay_commit_batches_total") ?? 0) >= 1)
        #expect(Self.sample(before, "sstp_relay_commit_writes_total") == 3)

        #expect(try RelayProcessTests.receive(port, out: work.appendingPathComponent("inbox"), count: 3).status == 0)
        _ = await relay.wait(for: "acknowledged")
        // The device's acknowledgments are counted once their commit removed the messages from the core.
        var after = ""
        for _ in 0..<300 {
            after = try await Self.get(port: metricsPort, "GET /metrics HTTP/1.0\r\n\r\n")
            if Self.sample(after, "sstp_relay_acknowledged_total") == 3 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(Self.sample(after, "sstp_relay_acknowledged_total") == 3)
        #expect(Self.sample(after, "sstp_relay_deliveries_total") == 3)
        #expect(Self.sample(after, "sstp_relay_stored_messages{state=\"pending\"}") == 0)

        let missing = try await Self.get(port: metricsPort, "GET /other HTTP/1.0\r\n\r\n")
        #expect(missing.hasPrefix("HTTP/1.0 404"))
    }

    @Test func aBadMetricsAddressIsAUsageError() throws {
        let result = try WinteropProcess.run(["sstp", "relay", "--listen", "127.0.0.1:0", "--relay-url", "dpp://relay",
                                              "--store", "sqlite:/tmp/winterop-unused.sqlite", "--metrics", "nowhere"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--metrics"))
    }
}
