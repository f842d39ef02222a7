import NIOCore
import WinteropTransport

/// The share sender's part of the shared ``ListenerService`` (3.1.7.2 "Begin accepting
/// socket connections"): each accepted socket is framed by ``SenderFrameDecoder``,
/// wrapped for async use and handed to the session.
struct SenderListenerRole: ListenerRole {
    typealias Connection = NIOAsyncChannel<SenderInbound, ByteBuffer>

    let connections: AsyncStream<Connection>.Continuation

    func initialize(_ channel: any Channel) throws {
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SenderFrameDecoder()))
        connections.yield(try Connection(wrappingChannelSynchronously: channel))
    }

    static func configuration(_ address: HostPort) -> ListenerConfiguration {
        ListenerConfiguration(
            service: "nfps-sender", address: address, maxConnections: 32, shutdownGrace: .seconds(2),
            writeBufferWaterMark: .init(low: 1 << 20, high: 4 << 20)
        )
    }
}
