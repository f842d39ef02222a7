import NIOCore
import NIOPosix
import WFDCore

/// The set-up the MS-MICE roles need around a WFD session, in one place: the RTSP pipeline
/// and the two UDP sockets of the stream.
public enum WFDChannels {
    /// Socket buffer for RTP bursts (a paced sender that runs late catches up at once).
    public static let udpBufferBytes = 4 << 20

    /// Adds RTSP framing and the session handler to a connected RTSP channel's pipeline:
    /// the sink's connect-back (MS-MICE 3.1.7.1) or the source's accepted child (3.2.5.7).
    public static func addSession<Machine: WFDSessionMachine>(
        to pipeline: ChannelPipeline.SynchronousOperations, machine: Machine, limits: RTSPLimits = .default,
        onAction: @escaping (WFDAction) -> Void
    ) throws {
        try pipeline.addHandler(ByteToMessageHandler(RTSPMessageDecoder(limits: limits)))
        try pipeline.addHandler(WFDSessionHandler(machine: machine, onAction: onAction))
    }

    /// Binds the sink's RTP port (`--rtp-port`; 0 picks one, read it from `localAddress`
    /// before answering M3) with `handler` on it.
    public static func bindRTPReceiver(group: any EventLoopGroup, host: String, port: Int, handler: @escaping @Sendable () -> RTPReceiveHandler) async throws -> any Channel {
        try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(udpBufferBytes))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler()) }
            }
            .bind(host: host, port: port).get()
    }

    /// Binds the source's UDP socket for RTP (its port is the M6 reply's `server_port`).
    public static func bindRTPSender(group: any EventLoopGroup, host: String, port: Int = 0) async throws -> any Channel {
        try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_sndbuf), value: SocketOptionValue(udpBufferBytes))
            .bind(host: host, port: port).get()
    }
}
