import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A UDP relay between a source and a sink's RTP port that drops and reorders datagrams by
/// their arrival index (0 is the first datagram): what a lossy network does to the stream.
/// Datagrams that arrive before ``forward(to:)`` names the target wait, in order.
final class UDPRelay: Sendable {
    struct Plan: Sendable {
        /// Arrival indices never forwarded.
        var drop: Set<Int>
        /// Arrival indices held back and forwarded right after the next datagram.
        var swap: Set<Int>
        /// Datagrams from this arrival index on are dropped: the stream the sink sees ends there.
        var end: Int
    }

    private struct State {
        var target: SocketAddress?
        var waiting: [ByteBuffer] = []
        var held: (index: Int, datagram: ByteBuffer)?
        var arrived = 0
        /// Arrival indices in the order they were forwarded.
        var forwarded: [Int] = []
    }

    private final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let relay: UDPRelay
        init(_ relay: UDPRelay) { self.relay = relay }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            relay.received(unwrapInboundIn(data).data, on: context.channel)
        }
    }

    let plan: Plan
    private let state = NIOLockedValueBox(State())
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)

    init(plan: Plan) { self.plan = plan }

    /// Binds on `host` and returns the port the sink should advertise.
    func start(host: String = "127.0.0.1") async throws -> Int {
        let bound = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Handler(self)) }
            }
            .bind(host: host, port: 0).get()
        channel.withLockedValue { $0 = bound }
        return bound.localAddress?.port ?? 0
    }

    /// From now on datagrams go to `target`; those that waited go first.
    func forward(to target: SocketAddress) {
        guard let channel = channel.withLockedValue({ $0 }) else { return }
        channel.eventLoop.execute {
            let waiting = self.state.withLockedValue { state in
                state.target = target
                defer { state.waiting = [] }
                return state.waiting
            }
            for datagram in waiting { channel.write(AddressedEnvelope(remoteAddress: target, data: datagram), promise: nil) }
            channel.flush()
        }
    }

    /// Arrival indices as forwarded (dropped ones absent, swapped ones exchanged).
    var forwarded: [Int] { state.withLockedValue { $0.forwarded } }
    var arrived: Int { state.withLockedValue { $0.arrived } }

    func stop() async {
        try? await channel.withLockedValue({ $0 })?.close()
    }

    private func received(_ datagram: ByteBuffer, on channel: any Channel) {
        let (out, target): ([ByteBuffer], SocketAddress?) = state.withLockedValue { state in
            let index = state.arrived
            state.arrived += 1
            var out: [(Int, ByteBuffer)] = []
            if plan.drop.contains(index) || index >= plan.end {
                return ([], state.target)
            } else if plan.swap.contains(index), state.held == nil {
                state.held = (index, datagram)
                return ([], state.target)
            }
            out.append((index, datagram))
            if let held = state.held {
                out.append(held)
                state.held = nil
            }
            state.forwarded += out.map(\.0)
            guard state.target != nil else {
                state.waiting += out.map(\.1)
                return ([], nil)
            }
            return (out.map(\.1), state.target)
        }
        guard let target else { return }
        for datagram in out { channel.write(AddressedEnvelope(remoteAddress: target, data: datagram), promise: nil) }
        channel.flush()
    }
}
