import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import WDSMSICore
import WinteropTransport

/// Replies per second of the UDP server under a load generator, beside the ceiling of a
/// bare UDP echo measured the same way on the same machine. Used by the WDSBenchmarks
/// target and `winterop wds bench`. Build in release.
public enum WDSMeasurements {
    /// One load run: how many requests got answers, in what time.
    public struct Run: Sendable {
        public var replies: Int
        public var seconds: Double
        public var perSecond: Double { seconds > 0 ? Double(replies) / seconds : 0 }
    }

    /// Starts a server for one namespace with one 10 MB content, on 127.0.0.1:0, whose
    /// events go nowhere; returns it bound and the request packet to send it.
    public static func startServer(group: any EventLoopGroup) async throws -> (WDSServer, Int, ByteBuffer, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wds-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: directory + "/install.wim", contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/install.wim"))
        try handle.truncate(atOffset: 10_000_000)
        try handle.close()
        var options = WDSServerOptions()
        options.listen = "127.0.0.1:0"
        options.namespace = ["images=\(directory)"]
        options.serverSecurityMode = .none
        options.clientSecurityMode = .none
        let server = try WDSServer(validating: options, events: EventLog(json: true, sink: { _ in }), eventLoopGroup: group)
        let address = try await server.bind()
        return (server, address.port ?? 0, try requestPacket(), directory)
    }

    /// The request the load generator sends: the same content each time (a session reused).
    public static func requestPacket() throws -> ByteBuffer {
        try MulticastSessionInitiationRequest(namespace: "images", content: "install.wim", macAddress: [0, 0x11, 0x22, 0x33, 0x44, 0x55]).encoded()
    }

    /// A bare UDP echo on 127.0.0.1:0: every datagram goes back to its sender as it came.
    public static func startEcho(group: any EventLoopGroup) async throws -> (any Channel, Int) {
        let channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Echo()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return (channel, channel.localAddress?.port ?? 0)
    }

    final class Echo: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.write(data, promise: nil)
        }
        func channelReadComplete(context: ChannelHandlerContext) {
            context.flush()
        }
    }

    /// The load generator: keeps `window` copies of `datagram` in flight to `port`, sending
    /// one more per answer, until `total` answers came (or none for 200 ms: losses).
    public static func load(port: Int, datagram: ByteBuffer, total: Int, window: Int, group: any EventLoopGroup) async throws -> Run {
        let target = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let loop = group.next()
        let done = loop.makePromise(of: Run.self)
        let channel = try await DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Generator(target: target, datagram: datagram, total: total, window: window, done: done))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { channel.close(promise: nil) }
        return try await done.futureResult.get()
    }

    final class Generator: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>
        let target: SocketAddress
        let datagram: ByteBuffer
        let total: Int
        let window: Int
        let done: EventLoopPromise<Run>
        var sent = 0
        var received = 0
        var start: NIODeadline = .now()
        var lastReply: NIODeadline = .now()
        var watchdog: Scheduled<Void>?
        var finished = false

        init(target: SocketAddress, datagram: ByteBuffer, total: Int, window: Int, done: EventLoopPromise<Run>) {
            self.target = target
            self.datagram = datagram
            self.total = total
            self.window = window
            self.done = done
        }

        func channelActive(context: ChannelHandlerContext) {
            start = .now()
            lastReply = start
            for _ in 0..<min(window, total) { send(context) }
            context.flush()
            armWatchdog(context.eventLoop)
        }

        /// Ends the run when no answer came for 200 ms (datagrams lost under load).
        func armWatchdog(_ loop: any EventLoop) {
            watchdog = loop.assumeIsolated().scheduleTask(in: .milliseconds(100)) { [self] in
                if NIODeadline.now() - lastReply > .milliseconds(200) { finish() } else { armWatchdog(loop) }
            }
        }

        func send(_ context: ChannelHandlerContext) {
            sent += 1
            context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: target, data: datagram)), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += 1
            lastReply = .now()
            if received >= total { finish(); return }
            if sent < total { send(context) }
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            context.flush()
        }

        func finish() {
            guard !finished else { return }
            finished = true
            watchdog?.cancel()
            watchdog = nil
            let seconds = Double((lastReply - start).nanoseconds) / 1e9
            done.succeed(Run(replies: received, seconds: seconds))
        }
    }

    /// Both figures from one run: the server's replies/s and the echo's, and their ratio.
    public static func compare(total: Int = 200_000, window: Int = 64, group: any EventLoopGroup) async throws -> (server: Run, echo: Run) {
        let (server, serverPort, request, directory) = try await startServer(group: group)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (echo, echoPort) = try await startEcho(group: group)
        // Warm up both.
        _ = try await load(port: serverPort, datagram: request, total: 2000, window: window, group: group)
        _ = try await load(port: echoPort, datagram: request, total: 2000, window: window, group: group)
        let serverRun = try await load(port: serverPort, datagram: request, total: total, window: window, group: group)
        let echoRun = try await load(port: echoPort, datagram: request, total: total, window: window, group: group)
        try? await echo.close()
        server.core.stop()
        return (serverRun, echoRun)
    }
}
