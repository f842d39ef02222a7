import NIOCore
import NIOPosix
import WFDCore
import WFDRoles
import WinteropTransport

/// The sink's Wi-Fi Display session on the RTSP connect-back (MS-MICE 3.1.7.1: "the Sink
/// MUST perform standard RTSP behavior"): binds the RTP port, connects to the source's RTSP
/// port with ``WFDSinkStateMachine`` on the connection, plays and records the stream, and
/// stops the player when the session ends (STOP_PROJECTION 3.1.5.7, M8, RTSP loss 3.1.7).
/// With the DTLS Encryption Key stored, each datagram is one DTLS record opened by `open`
/// (3.1.7.1). Runs on the 7250 connection's event loop.
final class SinkProjection {
    private let settings: MICESinkProjection
    private let events: EventLog
    private let loop: any EventLoop
    /// Opens one RTP datagram (a DTLS application-data record), nil in clear.
    private let open: ((ByteBuffer) throws -> ByteBuffer)?
    private var rtp: (any Channel)?
    private(set) var rtsp: (any Channel)?
    private var output: (any TransportStreamOutput)?
    private var started = false
    /// `stream_stats` at most once a second while the stream runs, when the counts moved.
    private var statsTimer: RepeatedTask?
    private var reported: RTPReceiveHandler.Statistics?
    private var ended = false
    /// The session ended with M8 (either side's): the source's STOP_PROJECTION follows (3.2.4.3).
    private(set) var endedByTeardown = false

    init(settings: MICESinkProjection, events: EventLog, loop: any EventLoop, open: ((ByteBuffer) throws -> ByteBuffer)?) {
        self.settings = settings
        self.events = events
        self.loop = loop
        self.open = open
    }

    private var bound: NIOLoopBound<SinkProjection> { NIOLoopBound(self, eventLoop: loop) }

    /// Binds the RTP port, then connects to `target` and runs the session on it. The
    /// future is the RTSP channel; it fails when the port cannot be bound or the connect fails.
    func start(target: SocketAddress, localHost: String) -> EventLoopFuture<any Channel> {
        let bound = self.bound
        let rtpFuture = DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(WFDChannels.udpBufferBytes))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RTPReceiveHandler(
                        open: bound.value.open,
                        output: { bytes in bound.value.output?.write(bytes) },
                        onIDRNeeded: { bound.value.rtsp?.pipeline.fireUserInboundEventTriggered(WFDSessionCommand.idrNeeded) }
                    ))
                }
            }
            .bind(host: localHost, port: settings.rtpPort)
            .flatMapErrorThrowing { error in
                throw RTPPortUnavailable(port: bound.value.settings.rtpPort, error: error)
            }
        return rtpFuture.hop(to: loop).flatMap { rtp in
            let projection = bound.value
            projection.rtp = rtp
            var wfd = projection.settings.wfd
            // The port the source is told to send to: the bound one, or the one forwarded to it.
            wfd.rtpPort = UInt16(clamping: projection.settings.advertisedRTPPort ?? rtp.localAddress?.port ?? projection.settings.rtpPort)
            let machine = WFDSinkStateMachine(configuration: wfd)
            return ClientBootstrap(group: projection.loop)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try WFDChannels.addSession(to: channel.pipeline.syncOperations, machine: machine) { action in
                            bound.value.perform(action)
                        }
                    }
                }
                .connect(to: target)
                .hop(to: projection.loop)
                .map { channel in
                    bound.value.rtsp = channel
                    return channel
                }
                .flatMapErrorThrowing { error in
                    bound.value.closeStream()
                    throw error
                }
        }
    }

    /// MS-MICE STOP_PROJECTION arrived (3.1.5.7): stop displaying at once, close RTSP.
    func stopProjectionReceived() {
        guard let rtsp else { return closeStream() }
        rtsp.pipeline.fireUserInboundEventTriggered(WFDSessionCommand.stopProjectionReceived)
    }

    /// The sink disconnects (3.1.4): M8 when a session runs, then the RTSP connection closes.
    func stop() {
        guard let rtsp else { return closeStream() }
        rtsp.pipeline.fireUserInboundEventTriggered(WFDSessionCommand.stop)
        rtsp.close(promise: nil)
    }

    private func perform(_ action: WFDAction) {
        switch action {
        case .report(.negotiated(let format)):
            events.emit(WFDEvent.negotiated(format))
        case .report(.rejected(let method, let status)):
            EventLog.diagnostic("mice sink: answered \(method) from the source with RTSP \(status)")
        case .report(.parameterIgnored(let error)):
            EventLog.diagnostic("mice sink: ignored a WFD parameter: \(error)")
        case .report(.idrRequested):
            events.emit(WFDEvent.idrRequested)
        case .report:
            break
        case .startStream:
            startStream()
        case .stopStream:
            // What the receiver still holds goes out before the player's input ends.
            handler?.flush()
            output?.close()
            output = nil
        case .pauseStream:
            events.emit(WFDEvent.streamPaused)
        case .resumeStream:
            events.emit(WFDEvent.streamResumed)
        case .close(let reason):
            endedByTeardown = reason == .teardown || reason == .keepAliveExpired
            endStream(reason: reason.description)
        case .send, .scheduleTimer, .cancelTimer, .sendIDR, .sendStopProjection:
            break  // the session handler's, or the source's
        }
    }

    private func startStream() {
        guard !started else { return }
        started = true
        var outputs: [any TransportStreamOutput] = []
        if let record = settings.record {
            do {
                outputs.append(try TransportStreamRecorder(path: record))
            } catch {
                EventLog.diagnostic("mice sink: \(error)")
            }
        }
        if let command = settings.player.resolved() {
            do {
                outputs.append(try WFDPlayerPipe(command: command))
            } catch {
                EventLog.diagnostic("mice sink: \(error); use --player none or another command")
            }
        }
        output = outputs.isEmpty ? nil : TransportStreamTee(outputs)
        events.emit(WFDEvent.streamStarted(rtpPort: rtp?.localAddress?.port ?? settings.rtpPort, encrypted: open != nil))
        reported = handler?.statistics  // nothing to say until the counts move
        let bound = self.bound
        statsTimer = loop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            guard let statistics = bound.value.handler?.statistics else { return }
            bound.value.report(statistics)
        }
    }

    private var handler: RTPReceiveHandler? {
        try? rtp?.pipeline.syncOperations.handler(type: RTPReceiveHandler.self)
    }

    private func report(_ statistics: RTPReceiveHandler.Statistics) {
        guard started, !ended, statistics != reported else { return }
        reported = statistics
        let r = statistics.receiver
        events.emit(WFDEvent.streamStats(packets: r.packets, bytes: r.bytes, lost: r.lost, reordered: r.reordered))
    }

    /// The session is over: deliver what the receiver holds, stop the player, report.
    private func endStream(reason: String) {
        guard !ended else { return }
        ended = true
        let handler = self.handler
        handler?.flush()
        closeStream()
        let statistics = handler?.statistics
        if let undecryptable = statistics?.undecryptable, undecryptable > 0 {
            events.emit(MICESinkEvent.streamUndecryptable(count: undecryptable))
        }
        let r = statistics?.receiver
        events.emit(WFDEvent.streamEnded(reason: reason, packets: r?.packets ?? 0, bytes: r?.bytes ?? 0, lost: r?.lost ?? 0, reordered: r?.reordered ?? 0))
    }

    private func closeStream() {
        statsTimer?.cancel()
        statsTimer = nil
        output?.close()
        output = nil
        rtp?.close(promise: nil)
        rtp = nil
    }
}

/// `--rtp-port` could not be bound.
struct RTPPortUnavailable: Error, CustomStringConvertible {
    var port: Int
    var error: any Error
    var description: String {
        "cannot receive RTP on UDP port \(port): \(NetworkErrorText.plain(error)); choose another with --rtp-port (0 picks one)"
    }
}
