import MICECore
import NIOCore
import NIOPosix
import WFDRoles
import WinteropTransport
import WinteropWire

/// Commands the sink server sends a connection through its pipeline.
enum SinkCommand: Sendable {
    /// The higher layer disconnects (3.1.4): STOP_PROJECTION, then close.
    case disconnect
    /// A newer connection takes this one's place (3.1.5.2).
    case replace
}

/// The NIO shell of one 7250 connection: feeds frames to ``SinkStateMachine`` and
/// carries out its actions (send, DTLS, timers, RTSP connect-back, close).
final class SinkConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = MICEFrameEvent
    typealias OutboundOut = ByteBuffer

    private var machine: SinkStateMachine
    private let configuration: MICESinkConfiguration
    private let events: EventLog
    private let sourceAddress: SocketAddress
    private var tunnel: MICEDTLSTunnel
    private var sessionTimer = ShellTimer()
    private var handshakeTimer = ShellTimer()
    /// The WFD session on the RTSP connect-back (3.1.7.1).
    private var projection: SinkProjection?
    private var context: ChannelHandlerContext?
    private var closing = false
    private var pinUsed = false
    private let onClosed: @Sendable (_ pinUsed: Bool) -> Void
    /// Called once, when the first complete message arrives.
    private var onFirstMessage: (@Sendable () -> Void)?
    /// The PIN guessing limits this sink shares across connections.
    private let pinLimiter: SinkPINLimiter?
    /// Decoded messages waiting behind a PIN_CHALLENGE the limiter holds back, in order.
    private var held: [MICEMessage] = []
    private var holdTimer: Scheduled<Void>?

    init(
        configuration: MICESinkConfiguration, pin: String?, events: EventLog, sinkAddress: SocketAddress, sourceAddress: SocketAddress,
        pinLimiter: SinkPINLimiter? = nil,
        onFirstMessage: (@Sendable () -> Void)? = nil,
        onClosed: @escaping @Sendable (_ pinUsed: Bool) -> Void
    ) {
        self.onFirstMessage = onFirstMessage
        self.pinLimiter = pinLimiter
        self.configuration = configuration
        self.events = events
        self.sourceAddress = sourceAddress
        self.onClosed = onClosed
        self.tunnel = MICEDTLSTunnel(factory: configuration.dtls, role: .server, section: "3.1.5.5")
        self.machine = SinkStateMachine(
            configuration: configuration.machineConfiguration(pin: pin),
            sinkAddress: IPAddressText.bytes(sinkAddress) ?? [],
            sourceAddress: IPAddressText.bytes(sourceAddress) ?? []
        )
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        events.emit(MICESinkEvent.connected(peer: sourceAddress.hostPortText))
        run(machine.connectionEstablished(), context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        run(machine.connectionClosed(), context: context)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let event = unwrapInboundIn(data)
        if case .frame = event {
            onFirstMessage?()
            onFirstMessage = nil
        }
        let events = self.events
        switch tunnel.receive(event, encrypted: machine.tlvArraysEncrypted, ignoredTLV: { events.emit(MICESinkEvent.tlvIgnored(message: $0, $1)) }) {
        case .success(let message):
            deliver(message, context: context)
        case .failure(let error):
            run(machine.malformedMessageReceived(error), context: context)
        }
    }

    /// Hands a message to the machine, unless a PIN_CHALLENGE must first wait for the
    /// guessing limits; messages behind a held one wait with it, in order.
    private func deliver(_ message: MICEMessage, context: ChannelHandlerContext) {
        guard holdTimer == nil else {
            held.append(message)
            return
        }
        if case .pinChallenge = message, let pinLimiter {
            let now = NIODeadline.now()
            if case .wait(let until, let limit) = pinLimiter.request(address: machine.sourceAddress, now: now) {
                events.emit(MICESinkEvent.pinThrottled(
                    peer: sourceAddress.hostPortText, waitMilliseconds: Int((until - now).nanoseconds / 1_000_000), limit: limit))
                held.insert(message, at: 0)
                let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
                holdTimer = context.eventLoop.scheduleTask(deadline: until) { loopBound.value.releaseHeld() }
                return
            }
        }
        run(machine.messageReceived(message), context: context)
    }

    private func releaseHeld() {
        holdTimer = nil
        let queue = held
        held = []
        for message in queue {
            guard let context, !closing else { return }
            deliver(message, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let command = event as? SinkCommand {
            switch command {
            case .disconnect: run(machine.disconnectRequested(), context: context)
            case .replace: run(machine.replaced(), context: context)
            }
            if !closing { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        run(machine.connectionClosed(), context: context)
        context.close(promise: nil)
    }

    // MARK: Actions

    private func run(_ actions: [SinkStateMachine.Action], context: ChannelHandlerContext) {
        for action in actions {
            perform(action, context: context)
        }
    }

    private func perform(_ action: SinkStateMachine.Action, context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        switch action {
        case .startSessionEstablishmentTimer(let duration):
            sessionTimer.start(in: duration, on: context.eventLoop) { loopBound.value.timerFired { $0.sessionEstablishmentTimerFired() } }
        case .cancelSessionEstablishmentTimer:
            sessionTimer.cancel()
        case .startSecurityHandshakeTimer(let duration):
            handshakeTimer.start(in: duration, on: context.eventLoop) { loopBound.value.timerFired { $0.securityHandshakeTimerFired() } }
        case .cancelSecurityHandshakeTimer:
            handshakeTimer.cancel()
        case .feedDTLS(let token):
            run(tunnel.step({ try $0.receiveHandshake(token) }, driving: &machine), context: context)
        case .send(let message, let encrypted):
            guard context.channel.isActive else { return }
            do {
                let buffer = try tunnel.frame(message, encrypted: encrypted, allocator: context.channel.allocator)
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            } catch {
                EventLog.diagnostic("mice sink: cannot send \(message.type): \(error)")
            }
        case .displayPIN:
            break  // reported through .report(.pinDisplayed)
        case .connectRTSP(let port):
            connectRTSP(port: Int(port), context: context)
        case .report(let report):
            emit(report)
        case .close(let reason):
            closing = true
            holdTimer?.cancel()
            holdTimer = nil
            held = []
            events.emit(MICESinkEvent.closed(peer: sourceAddress.hostPortText, reason: reason))
            // 3.1.5.7: STOP_PROJECTION stops the stream at once; otherwise M8 goes first.
            if case .stopProjectionReceived = reason {
                projection?.stopProjectionReceived()
            } else {
                projection?.stop()
            }
            projection = nil
            context.close(promise: nil)
            onClosed(pinUsed)
        }
    }

    private func timerFired(_ event: (inout SinkStateMachine) -> [SinkStateMachine.Action]) {
        guard let context else { return }
        run(event(&machine), context: context)
    }

    /// How long after a WFD teardown the sink waits for STOP_PROJECTION before it ends the
    /// session for the lost RTSP connection (3.1.7).
    static let stopProjectionGrace: TimeAmount = .seconds(1)

    private func connectRTSP(port: Int, context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        guard let host = sourceAddress.ipAddress else {
            run(machine.rtspConnectionFailed("the source's address is unknown"), context: context)
            return
        }
        let target: SocketAddress
        do {
            target = try SocketAddress(ipAddress: host, port: port)
        } catch {
            run(machine.rtspConnectionFailed("\(error)"), context: context)
            return
        }
        let projection = SinkProjection(
            settings: configuration.projection, events: events, loop: context.eventLoop, open: streamOpener())
        self.projection = projection
        projection.start(target: target, localHost: context.channel.localAddress?.ipAddress ?? "0.0.0.0")
            .whenComplete { result in
                loopBound.value.rtspConnectFinished(result, target: target)
            }
    }

    /// 3.1.7.1: with the DTLS Encryption Key stored, every RTP packet is a DTLS
    /// application-data record of this session, one per datagram; nil in clear.
    private func streamOpener() -> ((ByteBuffer) throws -> ByteBuffer)? {
        guard case .sourceReady(let session, _) = machine.state, session.dtlsComplete, let dtls = tunnel.session else { return nil }
        return { datagram in ByteBuffer(bytes: try dtls.open(Array(datagram.readableBytesView))) }
    }

    private func rtspConnectFinished(_ result: Result<any Channel, any Error>, target: SocketAddress) {
        guard let context else {
            if case .success(let channel) = result { channel.close(promise: nil) }
            return
        }
        switch result {
        case .success(let channel):
            guard !closing else {
                channel.close(promise: nil)
                return
            }
            events.emit(MICESinkEvent.rtspConnected(host: target.ipAddress ?? "?", port: target.port ?? 0))
            run(machine.rtspConnected(), context: context)
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            channel.closeFuture.hop(to: context.eventLoop).whenComplete { _ in
                let handler = loopBound.value
                guard handler.projection?.endedByTeardown == true, let context = handler.context else {
                    return handler.timerFired { $0.rtspConnectionLost() }
                }
                // After M8 the source says STOP_PROJECTION (3.2.4.3): give it a moment to.
                context.eventLoop.scheduleTask(in: Self.stopProjectionGrace) {
                    loopBound.value.timerFired { $0.rtspConnectionLost() }
                }
            }
        case .failure(let error as RTPPortUnavailable):
            projection = nil
            run(machine.rtspConnectionFailed(error.description), context: context)
        case .failure(let error):
            projection = nil
            run(machine.rtspConnectionFailed("\(target.hostPortText): \(NetworkErrorText.plain(error))"), context: context)
        }
    }

    private func emit(_ report: SinkStateMachine.Report) {
        switch report {
        case .sessionRequest(let request):
            events.emit(MICESinkEvent.sessionRequest(request))
        case .pinDisplayed(let pin):
            events.emit(MICESinkEvent.pinDisplayed(pin: pin))
        case .dtlsComplete:
            if let completion = tunnel.completion { events.emit(MICESinkEvent.dtlsComplete(completion)) }
        case .pinResult(let accepted, let wrongAttempts):
            pinUsed = true
            pinLimiter?.record(address: machine.sourceAddress, accepted: accepted)
            events.emit(MICESinkEvent.pinResult(accepted: accepted, wrongAttempts: wrongAttempts))
        case .sourceReady(let ready):
            events.emit(MICESinkEvent.sourceReady(ready))
        case .rtspConnected:
            break  // reported with the address in rtspConnectFinished
        case .stopProjection(let stop):
            events.emit(MICESinkEvent.stopProjection(sourceID: stop.sourceID))
        }
    }
}
