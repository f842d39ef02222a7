import NIOConcurrencyHelpers
import NIOCore

/// The share sender's guard against a receiver that stops reading (`nfps send
/// --stall-timeout`): while package bytes wait to go out and none has been taken for
/// `limit`, the socket is closed as faulty (winterop's reading of 3.3.7.3 for the sender;
/// MS-NFPS sets no limit) and `stalled` says why the writes failed.
///
/// Progress is counted in slices of ``slice`` bytes (slices of the same storage, no copy;
/// the socket still gathers them into one `writev`), so a slow but steady receiver is
/// never mistaken for a stalled one, whatever the size of the sender's writes.
final class SendStallWatchdog: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let slice = 64 << 10

    let limit: Duration
    /// Set once the watchdog closed the socket: the stall, for the failure's reason.
    let stalled: NIOLockedValueBox<StallTimeout?>
    private var pending = 0
    private var lastProgress = NIODeadline.now()
    private var timer: Scheduled<Void>?

    init(limit: Duration, stalled: NIOLockedValueBox<StallTimeout?>) {
        self.limit = limit
        self.stalled = stalled
    }

    func handlerAdded(context: ChannelHandlerContext) {
        schedule(context, at: .now() + limit.timeAmount)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var buffer = unwrapOutboundIn(data)
        // Waiting starts now if nothing was waiting before.
        if pending == 0 { lastProgress = .now() }
        while buffer.readableBytes > Self.slice, let piece = buffer.readSlice(length: Self.slice) {
            context.write(wrapOutboundOut(piece), promise: tracked(context, nil))
        }
        context.write(wrapOutboundOut(buffer), promise: tracked(context, promise))
    }

    /// A promise that records progress when its bytes are on the socket, then completes `promise`.
    private func tracked(_ context: ChannelHandlerContext, _ promise: EventLoopPromise<Void>?) -> EventLoopPromise<Void> {
        pending += 1
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenComplete { _ in
            self.pending -= 1
            self.lastProgress = .now()
        }
        if let promise { written.futureResult.cascade(to: promise) }
        return written
    }

    private func schedule(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.check(context)
        }
    }

    private func check(_ context: ChannelHandlerContext) {
        let due = lastProgress + limit.timeAmount
        guard pending > 0, NIODeadline.now() >= due else {
            schedule(context, at: pending > 0 ? due : .now() + limit.timeAmount)
            return
        }
        timer = nil
        stalled.withLockedValue { $0 = StallTimeout(what: "the share receiver took none of the package", limit: limit) }
        context.close(promise: nil)
    }
}
