import NIOCore
import WinteropWire

/// The source's side of the Wi-Fi Display session (WFD-NOTES 2), sans-IO: the sink has
/// connected to the source's RTSP port (MS-MICE 3.2.5.7) and the source speaks first.
///
/// M1 → M2 (answer) → M3 → pick formats → M4 → M5 SETUP → M6 (answer with `Session` and
/// `server_port`) → M7 (answer; stream) → M16 every keep-alive period. A local stop sends
/// M5 TEARDOWN, waits briefly for M8 (AOSP: 2 s; lazycast never sends it, 7.8), then asks
/// for MS-MICE STOP_PROJECTION.
public struct WFDSourceStateMachine: Sendable {
    public typealias Action = WFDAction

    public struct Configuration: Sendable, Hashable {
        /// What the source can encode: profiles, levels and modes it produces.
        public var video: WFDH264Codec
        /// What audio it can send, most wanted first; empty for none.
        public var audio: [WFDAudioCodec]
        /// The source's address as the sink reaches it, for `wfd_presentation_URL`.
        public var host: String
        /// The source's RTP (and RTCP) ports for the M6 reply's `server_port`.
        public var serverPort: RTSPTransport.Ports
        /// The `Session` identifier of the M6 reply (the shell makes a random one).
        public var sessionID: String
        /// The `timeout=` of the M6 reply, in seconds (AOSP, GND: 30).
        public var sessionTimeoutSeconds: Int
        /// The M16 period; nil is the session timeout minus 5 s (`--keepalive`).
        public var keepAliveInterval: TimeAmount?
        /// The names M3 asks for.
        public var m3Names: [String]
        /// Extra lines of M4 (after the formats, URL and ports).
        public var m4Parameters: [WFDParameter]
        /// The `Server` header of the M2 reply.
        public var server: String?
        public var responseTimeout: TimeAmount
        /// How long to wait for M8 after the TEARDOWN trigger (AOSP: 2 s).
        public var teardownWait: TimeAmount
        public var negotiationTimeout: TimeAmount

        public init(
            video: WFDH264Codec = Self.anyVideo, audio: [WFDAudioCodec] = [], host: String,
            serverPort: RTSPTransport.Ports, sessionID: String, sessionTimeoutSeconds: Int = 30,
            keepAliveInterval: TimeAmount? = nil, m3Names: [String] = M3.defaultNames, m4Parameters: [WFDParameter] = [],
            server: String? = nil, responseTimeout: TimeAmount = .seconds(5), teardownWait: TimeAmount = .seconds(2),
            negotiationTimeout: TimeAmount = .seconds(30)
        ) {
            self.video = video
            self.audio = audio
            self.host = host
            self.serverPort = serverPort
            self.sessionID = sessionID
            self.sessionTimeoutSeconds = sessionTimeoutSeconds
            self.keepAliveInterval = keepAliveInterval
            self.m3Names = m3Names
            self.m4Parameters = m4Parameters
            self.server = server
            self.responseTimeout = responseTimeout
            self.teardownWait = teardownWait
            self.negotiationTimeout = negotiationTimeout
        }

        /// Every R1 mode in both profiles up to level 4.2: a transport-stream file or an
        /// encoder that scales to whatever is asked.
        public static let anyVideo = WFDH264Codec(profiles: 0x03, levels: 0x1F, cea: 0x0001_FFFF, vesa: 0x1FFF_FFFF, hh: 0x0FFF)

        /// The M16 period: the configured one, else timeout − 5 s (at least 1 s).
        public var keepAlive: TimeAmount {
            keepAliveInterval ?? .seconds(Int64(max(1, sessionTimeoutSeconds - 5)))
        }
    }

    public enum State: Sendable, Hashable {
        case idle
        /// M1 sent; the sink's M2 comes too. M3 goes once both are done.
        case optionsExchange(m1Replied: Bool, m2Answered: Bool)
        /// M3 sent.
        case capabilityExchange
        /// M4 sent with the chosen format.
        case settingParameters(WFDStreamFormat)
        /// M5 SETUP sent.
        case triggeringSetup(WFDStreamFormat)
        /// M5 answered: M6 comes.
        case waitingForSetup(WFDStreamFormat)
        /// M6 answered: M7 comes.
        case waitingForPlay(WFDStream)
        case playing(WFDStream)
        /// M9 answered: nothing is sent until M7 resumes; M16 keeps the session alive.
        case paused(WFDStream)
        /// M5 TEARDOWN sent: M8 or the teardown timer ends it. `streaming` when M7 had started the stream.
        case tearingDown(WFDStream, streaming: Bool)
        case closed(WFDCloseReason)
    }

    enum Request: String, Sendable, Hashable {
        case m1 = "M1 OPTIONS", m3 = "M3 GET_PARAMETER", m4 = "M4 SET_PARAMETER", m5Setup = "M5 SETUP trigger",
             m5Teardown = "M5 TEARDOWN trigger", m5Pause = "M5 PAUSE trigger", m5Play = "M5 PLAY trigger", m16 = "M16 keep-alive"

        /// Triggers the sink may refuse without ending the session.
        var isOptional: Bool { self == .m5Teardown || self == .m5Pause || self == .m5Play }
    }

    public let configuration: Configuration
    public private(set) var state: State = .idle
    private var requests: WFDRequestTracker<Request>

    public init(configuration: Configuration) {
        self.configuration = configuration
        self.requests = WFDRequestTracker(timeout: configuration.responseTimeout)
    }

    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    var sessionHeader: RTSPSessionHeader {
        RTSPSessionHeader(id: configuration.sessionID, timeoutSeconds: configuration.sessionTimeoutSeconds)
    }

    // MARK: Connection

    /// The sink connected to the RTSP port (MS-MICE 3.2.5.7): send M1.
    public mutating func connected(now: NIODeadline) -> [Action] {
        guard case .idle = state else { return [] }
        state = .optionsExchange(m1Replied: false, m2Answered: false)
        let m1 = requests.allocate(.m1, now: now)
        return [.scheduleTimer(.negotiation, now + configuration.negotiationTimeout)] + send(M1.request(cseq: m1))
    }

    /// The sink closed the connection. After a TEARDOWN trigger that is how some sinks
    /// answer it (lazycast, WFD-NOTES 7.8).
    public mutating func connectionClosed() -> [Action] {
        if case .tearingDown = state { return finishStop() }
        return close(.peerClosed)
    }

    /// A local stop (`--stop-after`, Ctrl-C): M5 TEARDOWN when a session exists, else
    /// STOP_PROJECTION at once.
    public mutating func stopRequested(now: NIODeadline) -> [Action] {
        switch state {
        case .waitingForPlay(let stream), .playing(let stream), .paused(let stream):
            if case .waitingForPlay = state { state = .tearingDown(stream, streaming: false) } else { state = .tearingDown(stream, streaming: true) }
            let m5 = requests.allocate(.m5Teardown, now: now)
            return send(M5.request(cseq: m5, trigger: .teardown)) + [.cancelTimer(.keepAlive), .scheduleTimer(.teardown, now + configuration.teardownWait)]
        case .idle, .optionsExchange, .capabilityExchange, .settingParameters, .triggeringSetup, .waitingForSetup:
            return [.sendStopProjection] + close(.stopped)
        case .tearingDown, .closed:
            return []
        }
    }

    /// The sink sent MS-MICE STOP_PROJECTION (it disconnects, 3.1.4): stop streaming now.
    public mutating func stopProjectionReceived() -> [Action] {
        close(.stopProjection)
    }

    /// Ask the sink to pause (M5 PAUSE trigger; it answers with M9).
    public mutating func pauseRequested(now: NIODeadline) -> [Action] {
        guard case .playing = state else { return [] }
        let m5 = requests.allocate(.m5Pause, now: now)
        return send(M5.request(cseq: m5, trigger: .pause))
    }

    /// Ask the sink to resume (M5 PLAY trigger; it answers with M7).
    public mutating func playRequested(now: NIODeadline) -> [Action] {
        guard case .paused = state else { return [] }
        let m5 = requests.allocate(.m5Play, now: now)
        return send(M5.request(cseq: m5, trigger: .play))
    }

    // MARK: Messages

    public mutating func requestReceived(_ request: RTSPRequest, now: NIODeadline) -> [Action] {
        guard let cseq = request.cseq else {
            return Action.rejectWithoutCSeq(request)
        }
        switch request.method {
        case .options: return m2Received(cseq: cseq, now: now)
        case .setup: return m6Received(request, cseq: cseq)
        case .play: return m7Received(request, cseq: cseq, now: now)
        case .teardown: return m8Received(request, cseq: cseq)
        case .pause: return m9Received(request, cseq: cseq)
        case .setParameter:
            guard let list = try? WFDParameterList(body: request.body) else { return Action.reject(request, cseq, RTSPStatus.badRequest) }
            if list.contains(M13.parameterName) {
                // M13: the sink lost pictures; the encoder sends an IDR.
                return [.send(.status(RTSPStatus.ok, cseq)), .sendIDR]
            }
            return [.send(.status(RTSPStatus.ok, cseq)), .report(.parametersChanged(list))]
        case .getParameter:
            return [.send(.status(RTSPStatus.ok, cseq))]
        default:
            return Action.reject(request, cseq, RTSPStatus.notImplemented)
        }
    }

    /// M2: answer; M3 goes once M1 is answered too.
    mutating func m2Received(cseq: Int, now: NIODeadline) -> [Action] {
        let reply: Action = .send(M2.reply(cseq: cseq, server: configuration.server).message)
        guard case .optionsExchange(let m1Replied, _) = state else { return [reply] }
        state = .optionsExchange(m1Replied: m1Replied, m2Answered: true)
        return [reply] + sendM3IfReady(now: now)
    }

    mutating func sendM3IfReady(now: NIODeadline) -> [Action] {
        guard case .optionsExchange(true, true) = state else { return [] }
        state = .capabilityExchange
        let m3 = requests.allocate(.m3, now: now)
        return send(M3.request(cseq: m3, names: configuration.m3Names))
    }

    /// M6: the sink's RTP port; answer with the session, its timeout and `server_port`.
    mutating func m6Received(_ request: RTSPRequest, cseq: Int) -> [Action] {
        let format: WFDStreamFormat
        switch state {
        case .waitingForSetup(let f), .triggeringSetup(let f): format = f
        default: return Action.reject(request, cseq, RTSPStatus.methodNotValidInThisState)
        }
        guard let value = request.headers["Transport"], let transport = try? RTSPTransport.parse(value), let clientPort = transport.clientPort else {
            return Action.reject(request, cseq, RTSPStatus.unsupportedTransport)
        }
        var reply = transport
        reply.serverPort = configuration.serverPort
        let stream = WFDStream(sessionID: configuration.sessionID, clientPort: clientPort, serverPort: configuration.serverPort, format: format)
        state = .waitingForPlay(stream)
        return [.send(M6.reply(cseq: cseq, session: sessionHeader, transport: reply).message)]
    }

    /// M7: answer, start streaming, keep the session alive with M16.
    mutating func m7Received(_ request: RTSPRequest, cseq: Int, now: NIODeadline) -> [Action] {
        switch state {
        case .waitingForPlay(let stream):
            guard sessionMatches(request) else { return Action.reject(request, cseq, RTSPStatus.sessionNotFound) }
            state = .playing(stream)
            return [
                .send(M7.reply(cseq: cseq, session: sessionHeader).message), .cancelTimer(.negotiation),
                .startStream(stream), .scheduleTimer(.keepAlive, now + configuration.keepAlive),
            ]
        case .paused(let stream):
            // Resume after M9.
            guard sessionMatches(request) else { return Action.reject(request, cseq, RTSPStatus.sessionNotFound) }
            state = .playing(stream)
            return [.send(M7.reply(cseq: cseq, session: sessionHeader).message), .resumeStream]
        case .playing:
            return [.send(M7.reply(cseq: cseq, session: sessionHeader).message)]
        default:
            return Action.reject(request, cseq, RTSPStatus.methodNotValidInThisState)
        }
    }

    /// M9: pause the stream; 406 when paused already (WDS), 455 before PLAY.
    mutating func m9Received(_ request: RTSPRequest, cseq: Int) -> [Action] {
        switch state {
        case .playing(let stream):
            guard sessionMatches(request) else { return Action.reject(request, cseq, RTSPStatus.sessionNotFound) }
            state = .paused(stream)
            return [.send(M9.reply(cseq: cseq, session: sessionHeader).message), .pauseStream]
        case .paused:
            return Action.reject(request, cseq, RTSPStatus.notAcceptable)
        default:
            return Action.reject(request, cseq, RTSPStatus.methodNotValidInThisState)
        }
    }

    /// M8: answer; after our TEARDOWN trigger the stop completes, otherwise the sink ended it.
    mutating func m8Received(_ request: RTSPRequest, cseq: Int) -> [Action] {
        let reply: Action = .send(M8.reply(cseq: cseq, session: configuration.sessionID).message)
        if case .tearingDown = state { return [reply] + finishStop() }
        return [reply] + close(.teardown)
    }

    func sessionMatches(_ request: RTSPRequest) -> Bool {
        request.headers["Session"].flatMap { try? RTSPSessionHeader.parse($0) }?.id == configuration.sessionID
    }

    public mutating func responseReceived(_ response: RTSPResponse, now: NIODeadline) -> [Action] {
        guard let cseq = response.cseq, let request = requests.replied(cseq) else { return [] }
        if !response.isSuccess, !request.isOptional {
            return close(.refused(request.rawValue, status: response.status))
        }
        var actions: [Action] = []
        switch request {
        case .m1:
            if case .optionsExchange(_, let m2Answered) = state {
                state = .optionsExchange(m1Replied: true, m2Answered: m2Answered)
                actions = sendM3IfReady(now: now)
            }
        case .m3:
            actions = m3ReplyReceived(response, now: now)
        case .m4:
            if case .settingParameters(let format) = state {
                state = .triggeringSetup(format)
                let m5 = requests.allocate(.m5Setup, now: now)
                actions = send(M5.request(cseq: m5, trigger: .setup))
            }
        case .m5Setup:
            if case .triggeringSetup(let format) = state { state = .waitingForSetup(format) }
        case .m5Teardown, .m5Pause, .m5Play, .m16:
            break
        }
        return actions + (isClosed ? [] : [requests.timerAction])
    }

    /// M3 reply: pick the formats (WFDFormatNegotiation) and send M4.
    mutating func m3ReplyReceived(_ response: RTSPResponse, now: NIODeadline) -> [Action] {
        guard case .capabilityExchange = state else { return [] }
        guard let list = try? WFDParameterList(body: response.body) else {
            return close(.negotiationFailed("the sink's M3 reply is not text/parameters"))
        }
        guard case .videoFormats(let sinkVideo) = list.parameter("wfd_video_formats"),
              let video = WFDFormatNegotiation.video(sink: sinkVideo, source: configuration.video)
        else {
            return close(.negotiationFailed("no video format both the sink and this source support (sink: \(list["wfd_video_formats"] ?? "nothing"))"))
        }
        guard case .clientRTPPorts(let ports) = list.parameter("wfd_client_rtp_ports") else {
            return close(.negotiationFailed("the sink's M3 reply has no usable wfd_client_rtp_ports"))
        }
        var sinkAudio: WFDAudioCodecs?
        if case .audioCodecs(let codecs) = list.parameter("wfd_audio_codecs") { sinkAudio = codecs }
        let audio = WFDFormatNegotiation.audio(sink: sinkAudio, source: configuration.audio)
        var parameters: [WFDParameter] = [.videoFormats(video.formats)]
        if let audio { parameters.append(.audioCodecs(audio.codecs)) }
        parameters += [.presentationURL(.stream(host: configuration.host)), .clientRTPPorts(ports)] + configuration.m4Parameters
        let format = WFDStreamFormat(WFDParameterList(parameters))
        state = .settingParameters(format)
        let m4 = requests.allocate(.m4, now: now)
        return [.report(.negotiated(format))] + send(M4.request(cseq: m4, parameters: parameters))
    }

    // MARK: Timers

    public mutating func timerFired(_ timer: WFDTimer, now: NIODeadline) -> [Action] {
        switch (timer, state) {
        case (_, .closed), (_, .idle):
            return []
        case (.negotiation, .playing), (.negotiation, .paused), (.negotiation, .tearingDown):
            return []
        case (.negotiation, _):
            return close(.negotiationTimeout)
        case (.keepAlive, .playing), (.keepAlive, .paused):
            // M16 every timeout − 5 s (AOSP, GND: 25 s of 30).
            let m16 = requests.allocate(.m16, now: now)
            return send(M16.request(cseq: m16, session: configuration.sessionID)) + [.scheduleTimer(.keepAlive, now + configuration.keepAlive)]
        case (.teardown, .tearingDown):
            return finishStop()
        case (.response, _):
            let late = requests.expire(now: now)
            if late.contains(.m16) { return close(.keepAliveExpired) }
            // The TEARDOWN trigger's reply may never come: the teardown timer decides.
            if let missing = late.first(where: { !$0.isOptional }) { return close(.responseTimeout(missing.rawValue)) }
            return [requests.timerAction]
        default:
            return []
        }
    }

    // MARK: Helpers

    func send(_ request: RTSPRequest) -> [Action] {
        [.send(request.message), requests.timerAction]
    }

    /// The stop is complete (M8 came, the wait ran out, or the sink closed): STOP_PROJECTION.
    mutating func finishStop() -> [Action] {
        guard case .tearingDown(_, let streaming) = state else { return [] }
        state = .closed(.stopped)
        requests.removeAll()
        return (streaming ? [.stopStream] : []) + [.sendStopProjection] + WFDTimer.allCases.map { .cancelTimer($0) } + [.close(.stopped)]
    }

    public mutating func close(_ reason: WFDCloseReason) -> [Action] {
        let streaming: Bool
        switch state {
        case .closed: return []
        case .playing, .paused, .tearingDown(_, streaming: true): streaming = true
        default: streaming = false
        }
        state = .closed(reason)
        requests.removeAll()
        return Action.closing(reason, streaming: streaming)
    }
}
