import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A UDP relay between a client and a server on 127.0.0.1 that can lose or repeat
/// datagrams: what the network does to the client's retransmits.
final class UDPRelay: Sendable {
    struct Behaviour: Sendable {
        /// Requests (client → server) to drop before forwarding any.
        var dropRequests = 0
        /// Forward each request this many times.
        var requestCopies = 1
        /// Forward each reply this many times.
        var replyCopies = 1
    }

    struct Counts: Sendable {
        var requestsSeen = 0
        var requestsDropped = 0
        var repliesSeen = 0
    }

    let channel: any Channel
    private let state: NIOLockedValueBox<(behaviour: Behaviour, counts: Counts, client: SocketAddress?)>

    var port: Int { channel.localAddress?.port ?? 0 }
    var counts: Counts { state.withLockedValue { $0.counts } }

    init(serverPort: Int, behaviour: Behaviour) async throws {
        let server = try SocketAddress(ipAddress: "127.0.0.1", port: serverPort)
        let state = NIOLockedValueBox<(behaviour: Behaviour, counts: Counts, client: SocketAddress?)>((behaviour, Counts(), nil))
        self.state = state
        channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(server: server, state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async {
        try? await channel.close()
    }

    private final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>
        let server: SocketAddress
        let state: NIOLockedValueBox<(behaviour: Behaviour, counts: Counts, client: SocketAddress?)>

        init(server: SocketAddress, state: NIOLockedValueBox<(behaviour: Behaviour, counts: Counts, client: SocketAddress?)>) {
            self.server = server
            self.state = state
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            let (target, copies): (SocketAddress?, Int) = state.withLockedValue { s in
                if envelope.remoteAddress == server {
                    s.counts.repliesSeen += 1
                    return (s.client, s.behaviour.replyCopies)
                }
                s.client = envelope.remoteAddress
                s.counts.requestsSeen += 1
                if s.counts.requestsDropped < s.behaviour.dropRequests {
                    s.counts.requestsDropped += 1
                    return (nil, 0)
                }
                return (server, s.behaviour.requestCopies)
            }
            guard let target else { return }
            for _ in 0..<copies {
                context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: target, data: envelope.data)), promise: nil)
            }
            context.flush()
        }
    }
}
