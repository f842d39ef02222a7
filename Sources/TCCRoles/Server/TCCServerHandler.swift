import Crypto
import Foundation
import NIOCore
import TCCCore
import WinteropTransport

/// What the listener tells a connection's handler.
enum TCCServerCommand: Sendable {
    /// 3.2.4.1: shut down.
    case shutdown
}

/// The NIO shell of one client connection (3.2): feeds frames to a ``ServerStateMachine``,
/// executes its actions, owns the ServerTimer and asks the provider to start tethering.
final class TCCServerHandler: ChannelInboundHandler {
    typealias InboundIn = TCCFrame
    typealias OutboundOut = ByteBuffer

    private var machine: ServerStateMachine
    private let provider: any TetheringProvider
    private let events: EventLog
    private var timer: Scheduled<Void>?
    private var peer = "?"
    private var closeReported = false

    init(configuration: ServerStateMachine.Configuration, provider: any TetheringProvider, events: EventLog) {
        self.machine = ServerStateMachine(configuration: configuration)
        self.provider = provider
        self.events = events
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.remoteAddress?.hostPortText ?? context.channel.remoteAddress?.description ?? "?"
        events.emit(TCCServerEvent.connected(peer: peer))
        run(machine.clientConnected(now: .now()), context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        run(machine.messageReceived(frame, now: .now(), wallClock: .now), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        _ = machine.transportDisconnected()
        reportClosed(ServerCloseReason.transportFailure.description)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .shutdown? = event as? TCCServerCommand {
            run(machine.shutdown(), context: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A socket or TLS-PSK error ends the transport (3.2.7.1).
        if let tls = error as? TLSPSKError { reportClosed(tls.description) }
        context.close(promise: nil)
    }

    private func run(_ actions: [ServerStateMachine.Action], context: ChannelHandlerContext) {
        for action in actions {
            switch action {
            case .send(let message):
                guard let bytes = try? message.encoded() else { continue }
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
            case .startServerTimer(let deadline):
                timer?.cancel()
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                timer = context.eventLoop.scheduleTask(deadline: deadline) {
                    let (handler, context) = loopBound.value
                    handler.run(handler.machine.serverTimerFired(now: .now()), context: context)
                }
            case .startTethering:
                startTethering(context: context)
            case .report(let report):
                self.report(report)
            case .close(let reason):
                timer?.cancel()
                reportClosed(reason.description)
                context.close(promise: nil)
            }
        }
    }

    /// 3.2.4.2: the provider runs off the event loop; its answer comes back onto it.
    private func startTethering(context: ChannelHandlerContext) {
        let provider = self.provider
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        Task { @Sendable in
            let result = await provider.startTethering()
            eventLoop.execute {
                let (handler, context) = loopBound.value
                handler.tetheringResult(result, context: context)
            }
        }
    }

    private func tetheringResult(_ result: TetheringResult, context: ChannelHandlerContext) {
        switch result {
        case .started(let settings):
            run(machine.tetheringStarted(settings, iv: Self.freshIV()), context: context)
        case .failed(let failure):
            run(machine.tetheringFailed(failure), context: context)
        }
    }

    /// 16 random bytes for the InitializationVector (2.2.2.7), from the system's CSPRNG.
    static func freshIV() -> [UInt8] {
        SymmetricKey(size: .init(bitCount: 128)).withUnsafeBytes { Array($0) }
    }

    private func report(_ report: ServerReport) {
        switch report {
        case .requestAccepted(let unpaired): events.emit(TCCServerEvent.request(peer: peer, unpaired: unpaired))
        case .requestRefused(let failure): events.emit(TCCServerEvent.refused(peer: peer, failure: failure))
        case .ignoredWhileStarting(let id): events.emit(TCCServerEvent.ignored(peer: peer, messageId: id))
        case .unrecognizedMessage(let id): events.emit(TCCServerEvent.unrecognized(peer: peer, messageId: id))
        case .responded(let settings, let unpaired): events.emit(TCCServerEvent.responded(peer: peer, ssid: settings.ssid.description, unpaired: unpaired))
        case .failed(let failure): events.emit(TCCServerEvent.failed(peer: peer, failure: failure))
        }
    }

    private func reportClosed(_ reason: String) {
        guard !closeReported else { return }
        closeReported = true
        events.emit(TCCServerEvent.closed(peer: peer, reason: reason))
    }
}

extension FileTime {
    /// The system clock now, as a FILETIME.
    static var now: FileTime {
        let since1970 = Date().timeIntervalSince1970
        return FileTime(unixNanoseconds: Int64((since1970 * 1e9).rounded()))
    }
}
