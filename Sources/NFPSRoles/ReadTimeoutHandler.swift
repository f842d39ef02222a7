import NIOCore

/// Turns a read timeout of `IdleStateHandler` into an error, so a share sender that
/// stops sending without closing is a fault (3.3.7.3: abandoned), not a graceful close.
final class ReadTimeoutHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    struct Timeout: Error, CustomStringConvertible {
        var description: String { "the share sender sent nothing for \(ReadTimeoutHandler.limit)" }
    }

    /// How long the receiver waits for the next bytes.
    static let limit = Duration.seconds(30)

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.fireErrorCaught(Timeout())
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
