import NIOCore

/// Turns a read timeout of `IdleStateHandler` into an error, so a share sender that
/// stops sending without closing is a fault (3.3.7.3: abandoned), not a graceful close.
final class ReadTimeoutHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The share sender sent nothing for `limit`.
    struct Timeout: Error, CustomStringConvertible {
        var limit: Duration
        var description: String {
            let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
            let text = seconds == seconds.rounded() ? "\(Int(seconds))" : "\(seconds)"
            return "the share sender sent nothing for \(text) s (--stall-timeout)"
        }
    }

    /// How long the receiver waits for the next bytes.
    let limit: Duration

    init(limit: Duration) {
        self.limit = limit
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.fireErrorCaught(Timeout(limit: limit))
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
