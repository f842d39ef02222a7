import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import WinteropWire

/// A TCP peer that speaks bytes, not MS-TCC: for sending what a correct peer never sends
/// (unknown ids, malformed lengths, silence) to a real `winterop` process.
final class RawPeer: Sendable {
    let channel: any Channel
    private let received: NIOLockedValueBox<[UInt8]>

    private init(channel: any Channel, received: NIOLockedValueBox<[UInt8]>) {
        self.channel = channel
        self.received = received
    }

    /// Connects to 127.0.0.1:`port`.
    static func connect(port: Int) async throws -> RawPeer {
        let received = NIOLockedValueBox<[UInt8]>([])
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(received)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawPeer(channel: channel, received: received)
    }

    func send(_ hex: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: Hex.decode(hex) ?? [])).get()
    }

    /// Everything received so far.
    var bytes: [UInt8] { received.withLockedValue { $0 } }
    var isClosed: Bool { !channel.isActive }

    /// Waits until at least `count` bytes came (or the peer closed, or `timeout` passed).
    func waitFor(bytes count: Int, timeout: Duration = .seconds(10)) async -> [UInt8] {
        await poll(timeout: timeout) { self.bytes.count >= count || self.isClosed }
        return bytes
    }

    /// Waits until the other side closed the connection; false on timeout.
    func waitForClose(timeout: Duration = .seconds(10)) async -> Bool {
        await poll(timeout: timeout) { self.isClosed }
        return isClosed
    }

    func close() {
        channel.close(promise: nil)
    }
}

/// A TCP server that answers the first bytes it receives with a script, for testing the client.
final class RawServer: Sendable {
    let channel: any Channel
    private let received: NIOLockedValueBox<[UInt8]>

    /// Listens on 127.0.0.1:0; after the client's first message it writes `reply` (hex)
    /// and, when `closeAfter`, closes.
    init(reply: String, closeAfter: Bool = false) async throws {
        let received = NIOLockedValueBox<[UInt8]>([])
        let bytes = Hex.decode(reply) ?? []
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(received, reply: bytes, closeAfter: closeAfter))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.received = received
    }

    var port: Int { channel.localAddress?.port ?? 0 }
    var bytes: [UInt8] { received.withLockedValue { $0 } }

    func waitFor(bytes count: Int, timeout: Duration = .seconds(10)) async -> [UInt8] {
        await poll(timeout: timeout) { self.bytes.count >= count }
        return bytes
    }

    func close() {
        channel.close(promise: nil)
    }
}

/// Appends what arrives; optionally replies once.
private final class Collector: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let received: NIOLockedValueBox<[UInt8]>
    let reply: [UInt8]?
    let closeAfter: Bool
    let replied = NIOLockedValueBox(false)

    init(_ received: NIOLockedValueBox<[UInt8]>, reply: [UInt8]? = nil, closeAfter: Bool = false) {
        self.received = received
        self.reply = reply
        self.closeAfter = closeAfter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        received.withLockedValue { $0 += buffer.readableBytesView }
        guard let reply, !replied.withLockedValue({ $0 }) else { return }
        replied.withLockedValue { $0 = true }
        let close = closeAfter
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(bytes: reply))).whenComplete { _ in
            if close { channel.close(promise: nil) }
        }
    }
}

func poll(timeout: Duration, _ done: @escaping () -> Bool) async {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline, !done() {
        try? await Task.sleep(for: .milliseconds(20))
    }
}
