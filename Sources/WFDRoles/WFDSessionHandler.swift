import NIOCore
import WFDCore

/// Commands for a running session, sent with `channel.pipeline.fireUserInboundEventTriggered`.
public enum WFDSessionCommand: Sendable {
    /// Stop locally: the sink sends M8, the source the TEARDOWN trigger (then STOP_PROJECTION).
    case stop
    /// The RTP receiver lost packets: the sink sends M13.
    case idrNeeded
    /// MS-MICE STOP_PROJECTION arrived on 7250: stop at once and close the RTSP connection.
    case stopProjectionReceived
    /// Pause the stream (the sink sends M9, the source the PAUSE trigger).
    case pause
    /// Resume it (the sink sends M7, the source the PLAY trigger).
    case play
}

/// The NIO shell of one WFD RTSP connection, sink or source: feeds framed messages to the
/// session machine, writes what it sends, owns its timers (one `Scheduled` per
/// ``WFDTimer``), closes the channel on `.close`, and hands every other action
/// (stream start/stop, IDR, STOP_PROJECTION, reports, the close reason) to `onAction`.
///
/// Put it behind `ByteToMessageHandler(RTSPMessageDecoder())`.
public final class WFDSessionHandler<Machine: WFDSessionMachine>: ChannelInboundHandler {
    public typealias InboundIn = RTSPFrameEvent
    public typealias OutboundOut = ByteBuffer

    private var machine: Machine
    private var timers: [WFDTimer: Scheduled<Void>] = [:]
    private let onAction: (WFDAction) -> Void
    private var closed = false

    /// `onAction` runs on the channel's event loop.
    public init(machine: Machine, onAction: @escaping (WFDAction) -> Void) {
        self.machine = machine
        self.onAction = onAction
    }

    public func channelActive(context: ChannelHandlerContext) {
        run(machine.connected(now: .now()), context: context)
        context.fireChannelActive()
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { run(machine.connected(now: .now()), context: context) }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        run(machine.connectionClosed(), context: context)
        cancelTimers()
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .message(let message): run(machine.messageReceived(message, now: .now()), context: context)
        case .malformed(let error): run(machine.malformedMessageReceived(error), context: context)
        }
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let command = event as? WFDSessionCommand else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        switch command {
        case .stop: run(machine.stopRequested(now: .now()), context: context)
        case .idrNeeded: run(machine.idrNeeded(now: .now()), context: context)
        case .stopProjectionReceived: run(machine.stopProjectionReceived(), context: context)
        case .pause: run(machine.pauseRequested(now: .now()), context: context)
        case .play: run(machine.playRequested(now: .now()), context: context)
        }
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func run(_ actions: [WFDAction], context: ChannelHandlerContext) {
        for action in actions {
            switch action {
            case .send(let message):
                guard context.channel.isActive else { continue }
                var buffer = context.channel.allocator.buffer(capacity: 256)
                message.write(into: &buffer)
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            case .scheduleTimer(let timer, let deadline):
                timers[timer]?.cancel()
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                timers[timer] = context.eventLoop.scheduleTask(deadline: deadline) {
                    let (handler, context) = loopBound.value
                    handler.timers[timer] = nil
                    handler.run(handler.machine.timerFired(timer, now: .now()), context: context)
                }
            case .cancelTimer(let timer):
                timers.removeValue(forKey: timer)?.cancel()
            case .close:
                onAction(action)
                cancelTimers()
                if !closed {
                    closed = true
                    context.close(promise: nil)
                }
            default:
                onAction(action)
            }
        }
    }

    private func cancelTimers() {
        for timer in timers.values { timer.cancel() }
        timers = [:]
    }
}
