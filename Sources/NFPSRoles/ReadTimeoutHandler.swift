import NIOCore

/// Turns a read timeout of `IdleStateHandler` into an error, so a share sender that
/// stops sending without closing is a fault (3.3.7.3: abandoned), not a graceful close.
final class ReadTimeoutHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// How long the receiver waits for the next bytes.
    let limit: Duration

    init(limit: Duration) {
        self.limit = limit
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.fireErrorCaught(StallTimeout(what: "the share sender sent nothing", limit: limit))
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
