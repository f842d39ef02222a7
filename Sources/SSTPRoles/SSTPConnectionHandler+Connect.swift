import NIOCore
import NIOPosix
import WinteropTransport

extension SSTPConnectionHandler {
    /// Opens a TCP connection as the initiating side (3.1.5.1: the side that connects
    /// sends Connect) with the one pipeline every SSTP client uses: `TCP_NODELAY` (a Noop
    /// or an acknowledgment must not wait for Nagle) and the handler `makeHandler` builds
    /// for the new channel. `sstp send`, `sstp receive` and the relay's relay-to-relay
    /// connections all connect through this.
    /// - Parameter writeBufferWaterMark: the channel's back-pressure marks, for a bulk sender.
    public static func connect(
        to address: HostPort,
        group: any EventLoopGroup,
        connectTimeout: TimeAmount,
        writeBufferWaterMark: ChannelOptions.Types.WriteBufferWaterMark? = nil,
        makeHandler: @escaping @Sendable (any Channel) throws -> SSTPConnectionHandler
    ) -> EventLoopFuture<any Channel> {
        var bootstrap = ClientBootstrap(group: group)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(connectTimeout)
        if let writeBufferWaterMark {
            bootstrap = bootstrap.channelOption(.writeBufferWaterMark, value: writeBufferWaterMark)
        }
        return bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(try makeHandler(channel))
                }
            }
            .connect(host: address.host, port: address.port)
    }
}
