import NIOCore
import NIOPosix
import WinteropTransport

/// The share sender's TCP listener (3.1.7.2 "Begin accepting socket connections"):
/// each accepted socket framed by ``SenderFrameDecoder`` and wrapped for async use.
/// Kept in one small file so it moves onto the shared listener service when that lands.
enum SenderListener {
    typealias Connection = NIOAsyncChannel<SenderInbound, ByteBuffer>
    typealias Server = NIOAsyncChannel<Connection, Never>

    static func bind(_ address: HostPort, group: any EventLoopGroup) async throws -> Server {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 1 << 20, high: 4 << 20))
            .bind(host: address.host, port: address.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SenderFrameDecoder()))
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
    }
}
