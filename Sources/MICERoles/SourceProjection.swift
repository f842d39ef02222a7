import Foundation
import NIOCore
import WFDCore
import WFDRoles
import WinteropTransport

/// The source's Wi-Fi Display session on the sink's RTSP connection (MS-MICE 3.2.5.7):
/// ``WFDSourceStateMachine`` on the accepted connection, the `--media` stream paced by its
/// PCR to the sink's M6 `client_port`, sealed into one DTLS record per datagram when
/// Stream Encryption is selected (3.2.5.7). A stop sends the TEARDOWN trigger, waits
/// briefly for M8, then asks for STOP_PROJECTION (`onSessionEnded`). Runs on the driver's loop.
final class SourceProjection {
    private let settings: MICESourceProjection
    private let events: EventLog
    private let loop: any EventLoop
    /// The UDP socket RTP leaves from (its port is the M6 reply's `server_port`).
    private let sender: any Channel
    private let seal: (([UInt8]) throws -> [UInt8])?
    /// The WFD session is over (for any reason): end the MICE session too (3.2.4.3).
    private let onSessionEnded: () -> Void
    private var rtsp: (any Channel)?
    private var stream: RTPStreamSender?
    private var testPattern: GStreamerStream?
    private var statsTimer: RepeatedTask?
    private var ended = false
    private var stopping = false

    init(
        settings: MICESourceProjection, events: EventLog, loop: any EventLoop, sender: any Channel,
        seal: (([UInt8]) throws -> [UInt8])?, onSessionEnded: @escaping () -> Void
    ) {
        self.settings = settings
        self.events = events
        self.loop = loop
        self.sender = sender
        self.seal = seal
        self.onSessionEnded = onSessionEnded
    }

    private var bound: NIOLoopBound<SourceProjection> { NIOLoopBound(self, eventLoop: loop) }

    /// Whether a WFD session is running and a stop goes through TEARDOWN.
    var isRunning: Bool { rtsp != nil && !ended }

    /// Runs the session on the sink's connection; the source speaks first (M1).
    func attach(_ channel: any Channel) throws {
        rtsp = channel
        let machine = WFDSourceStateMachine(configuration: WFDSourceStateMachine.Configuration(
            host: channel.localAddress?.ipAddress ?? "127.0.0.1",
            serverPort: .init(rtp: UInt16(clamping: sender.localAddress?.port ?? 0)),
            sessionID: String(format: "%08X", UInt32.random(in: 1...UInt32.max)),
            sessionTimeoutSeconds: settings.sessionTimeoutSeconds,
            keepAliveInterval: settings.keepAlive?.timeAmount
        ))
        let bound = self.bound
        try WFDChannels.addSession(to: channel.pipeline.syncOperations, machine: machine) { action in
            bound.value.perform(action)
        }
    }

    /// `--stop-after`, Ctrl-C, or the end of the media: the TEARDOWN trigger.
    func stop() {
        guard let rtsp, !stopping else { return }
        stopping = true
        rtsp.pipeline.fireUserInboundEventTriggered(WFDSessionCommand.stop)
    }

    /// The user pauses the stream: the PAUSE trigger (M5), after which the sink sends M9.
    func pause() {
        guard !stopping else { return }
        rtsp?.pipeline.fireUserInboundEventTriggered(WFDSessionCommand.pause)
    }

    /// The user resumes it: the PLAY trigger (M5), after which the sink sends M7.
    func play() {
        guard !stopping else { return }
        rtsp?.pipeline.fireUserInboundEventTriggered(WFDSessionCommand.play)
    }

    /// MS-MICE STOP_PROJECTION from the sink: stop streaming at once.
    func stopProjectionReceived() {
        rtsp?.pipeline.fireUserInboundEventTriggered(WFDSessionCommand.stopProjectionReceived)
    }

    private func perform(_ action: WFDAction) {
        switch action {
        case .report(.negotiated(let format)):
            events.emit(WFDEvent.negotiated(format))
        case .report(.rejected(let method, let status)):
            EventLog.diagnostic("mice source: answered \(method) from the sink with RTSP \(status)")
        case .report:
            break
        case .startStream(let stream):
            startStream(stream)
        case .stopStream:
            stream?.stop()
            testPattern?.stop()
        case .pauseStream:
            stream?.pause()
            events.emit(WFDEvent.streamPaused)
        case .resumeStream:
            stream?.resume()
            events.emit(WFDEvent.streamResumed)
        case .sendIDR:
            // A file's next IDR comes when it comes; the request is reported.
            events.emit(WFDEvent.idrRequested)
        case .sendStopProjection:
            // After the `.close` that follows, so stream_ended comes before the MICE goodbye.
            let bound = self.bound
            loop.execute { bound.value.finish() }
        case .close(let reason):
            endStream(reason: reason.description)
            if stopping || !Self.endedBySink(reason) { return finish() }
            // The sink ended the WFD session: its STOP_PROJECTION, on the other connection,
            // may still be on the way; wait briefly so the MICE session ends for that reason.
            let bound = self.bound
            loop.scheduleTask(in: Self.stopProjectionGrace) { bound.value.finish() }
        case .send, .scheduleTimer, .cancelTimer:
            break  // the session handler's
        }
    }

    private func startStream(_ negotiated: WFDStream) {
        guard stream == nil, let host = rtsp?.remoteAddress?.ipAddress,
              let destination = try? SocketAddress(ipAddress: host, port: Int(negotiated.clientPort.rtp))
        else { return }
        events.emit(WFDEvent.streamStarted(rtpPort: Int(negotiated.clientPort.rtp), encrypted: seal != nil))
        let reader: any TransportStreamReader
        do {
            switch settings.media {
            case .none: return
            case .file(let path): reader = try TransportStreamFile(path: path, loop: settings.loop)
            case .testPattern(let gst), .screen(let gst):
                let capture: GStreamerStream.Capture = if case .screen = settings.media { .screen } else { .testPattern }
                let pattern = try GStreamerStream(gstLaunch: gst, video: negotiated.format.video, capture: capture)
                testPattern = pattern
                reader = pattern
            }
        } catch {
            EventLog.diagnostic("mice source: \(error)")
            return stop()
        }
        let sender = RTPStreamSender(channel: self.sender, destination: destination, reader: reader, rate: settings.rate, seal: seal)
        stream = sender
        let bound = self.bound
        statsTimer = loop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            guard let statistics = bound.value.stream?.statistics else { return }
            bound.value.events.emit(WFDEvent.streamStats(packets: statistics.packets, bytes: statistics.bytes, lost: 0, reordered: 0))
        }
        sender.begin()
        sender.result.hop(to: loop).whenComplete { result in
            let projection = bound.value
            if case .failure(let error) = result {
                EventLog.diagnostic("mice source: the media stream stopped: \(error)")
            }
            // The media ran out: let the last datagrams land, then tear down.
            guard !projection.stopping else { return }
            projection.loop.scheduleTask(in: projection.settings.endGrace.timeAmount) { bound.value.stop() }
        }
    }

    private func endStream(reason: String) {
        guard !ended else { return }
        ended = true
        statsTimer?.cancel()
        statsTimer = nil
        stream?.stop()
        testPattern?.stop()
        let statistics = stream?.statistics
        events.emit(WFDEvent.streamEnded(reason: reason, packets: statistics?.packets ?? 0, bytes: statistics?.bytes ?? 0))
    }

    private var finished = false

    /// How long a WFD session the sink ended waits for the sink's STOP_PROJECTION before
    /// the source sends its own (3.2.4.3).
    static let stopProjectionGrace = TimeAmount.milliseconds(500)

    /// The sink closed the RTSP connection or tore the session down (M8).
    private static func endedBySink(_ reason: WFDCloseReason) -> Bool {
        switch reason {
        case .peerClosed, .teardown: return true
        default: return false
        }
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        onSessionEnded()
    }
}
