import NIOCore
import TCCCore
import WinteropTransport

/// What the client command tells the handler.
enum TCCClientCommand: Sendable {
    /// 3.1.4.1: the higher layer cancels.
    case cancel
}

/// The NIO shell of the client (3.1): runs a ``ClientStateMachine`` on the channel,
/// owns the MessageTimer and completes `outcome` once the request ended.
final class TCCClientHandler: ChannelInboundHandler {
    typealias InboundIn = TCCFrame
    typealias OutboundOut = ByteBuffer

    private var machine: ClientStateMachine
    private let events: EventLog
    private let outcome: EventLoopPromise<ClientOutcome>
    private let clockOffset: Duration
    private var timer: Scheduled<Void>?

    init(configuration: ClientStateMachine.Configuration, events: EventLog, clockOffset: Duration, outcome: EventLoopPromise<ClientOutcome>) {
        self.machine = ClientStateMachine(configuration: configuration)
        self.events = events
        self.clockOffset = clockOffset
        self.outcome = outcome
    }

    func channelActive(context: ChannelHandlerContext) {
        let peer = context.remoteAddress?.hostPortText ?? "the server"
        events.emit(TCCClientEvent.connected(peer: peer, authenticated: machine.configuration.keys != nil))
        let wall = FileTime.now.offset(by: clockOffset)
        run(machine.channelEstablished(now: .now(), wallClock: wall), context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if frame.messageId == nil { events.emit(TCCClientEvent.unrecognized(messageId: frame.id)) }
        run(machine.messageReceived(frame, now: .now()), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        run(machine.transportDisconnected(), context: context)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .cancel? = event as? TCCClientCommand {
            run(machine.cancel(), context: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let tls = error as? TLSPSKError {
            run(machine.channelSecurityFailed(tls.description), context: context)
        }
        context.close(promise: nil)
    }

    private func run(_ actions: [ClientStateMachine.Action], context: ChannelHandlerContext) {
        for action in actions {
            switch action {
            case .send(let message):
                guard let bytes = try? message.encoded() else { continue }
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
            case .startMessageTimer(let deadline):
                timer?.cancel()
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                timer = context.eventLoop.scheduleTask(deadline: deadline) {
                    let (handler, context) = loopBound.value
                    handler.run(handler.machine.messageTimerFired(now: .now()), context: context)
                }
            case .report(let outcome):
                switch outcome {
                case .settings(let settings, let unpaired): events.emit(TCCClientEvent.settings(settings, unpaired: unpaired))
                case .failure(let failure): events.emit(TCCClientEvent.failure(failure))
                default: events.emit(TCCClientEvent.closed(reason: outcome.summary))
                }
                self.outcome.succeed(outcome)
            case .close:
                timer?.cancel()
                context.close(promise: nil)
            }
        }
    }
}

extension FileTime {
    /// This time moved by `offset` (a hidden test option skews the client's clock).
    func offset(by offset: Duration) -> FileTime {
        let (seconds, attoseconds) = offset.components
        let ticks = Int128(seconds) * 10_000_000 + Int128(attoseconds) / 100_000_000_000
        return FileTime(UInt64(clamping: max(0, Int128(value) + ticks)))
    }
}
