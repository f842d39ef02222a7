import NIOCore
import WinteropWire

/// The sink's side of the Wi-Fi Display session (WFD-NOTES 2), sans-IO: the sink dialled
/// the source's RTSP port (MS-MICE 3.1.7.1); the source speaks first. Each event takes the
/// current time and returns the actions the shell carries out; timers are deadlines.
///
/// M1 → (answer, send M2) → M3 (answer every name) → M4 (accept, unknown lines too) →
/// M5 SETUP → M6 → M7 → playing, kept alive by any request of the source (M16) within the
/// M6 reply's timeout → M5 TEARDOWN or a local stop → M8.
public struct WFDSinkStateMachine: Sendable {
    public typealias Action = WFDAction

    public struct Configuration: Sendable, Hashable {
        /// The UDP port advertised in `wfd_client_rtp_ports` and sent in M6's `client_port`.
        public var rtpPort: UInt16
        /// What the sink decodes (`none` when nil).
        public var videoFormats: WFDVideoFormats?
        public var audioCodecs: WFDAudioCodecs
        /// More M3 answers, by name (friendly name, `microsoft_*`…). Names asked for that are
        /// neither here nor built in are answered `none` (WFD-NOTES 3: answer everything).
        public var parameters: [WFDParameter]
        /// The session timeout when M6's reply names none (CRES: 60 s).
        public var defaultSessionTimeout: TimeAmount
        /// How long a request of ours waits for its reply (WDS: 5 s).
        public var responseTimeout: TimeAmount
        /// How long M1 to M7 may take in all.
        public var negotiationTimeout: TimeAmount

        public init(
            rtpPort: UInt16 = WFD.defaultRTPPort, videoFormats: WFDVideoFormats? = Self.defaultVideoFormats,
            audioCodecs: WFDAudioCodecs = WFDAudioCodecs([WFDAudioCodec(format: .aac, modes: 0x01), WFDAudioCodec(format: .lpcm, modes: 0x03)]),
            parameters: [WFDParameter] = [.connectorType(0x05), .idrRequestCapability(true)],
            defaultSessionTimeout: TimeAmount = .seconds(60), responseTimeout: TimeAmount = .seconds(5),
            negotiationTimeout: TimeAmount = .seconds(30)
        ) {
            self.rtpPort = rtpPort
            self.videoFormats = videoFormats
            self.audioCodecs = audioCodecs
            self.parameters = parameters
            self.defaultSessionTimeout = defaultSessionTimeout
            self.responseTimeout = responseTimeout
            self.negotiationTimeout = negotiationTimeout
        }

        /// CBP and CHP up to level 4.2, every progressive CEA mode, VESA and HH modes of R1
        /// (a Windows sink's masks, WFD-NOTES 3 and 4).
        public static let defaultVideoFormats = WFDVideoFormats(native: 0x40, codecs: [
            WFDH264Codec(profiles: WFDH264Codec.constrainedBaseline, levels: 0x10, cea: 0x0001_BDEB, vesa: 0x1FFF_FFFF, hh: 0x0FFF),
            WFDH264Codec(profiles: WFDH264Codec.constrainedHigh, levels: 0x10, cea: 0x0001_BDEB, vesa: 0x1FFF_FFFF, hh: 0x0FFF),
        ])

        /// The answer to one M3 name.
        func answer(_ name: String) -> WFDParameterList.Line {
            if let configured = parameters.first(where: { $0.name == name }) { return configured.line }
            switch name {
            case "wfd_video_formats": return WFDParameter.videoFormats(videoFormats).line
            case "wfd_audio_codecs": return WFDParameter.audioCodecs(audioCodecs).line
            case "wfd_client_rtp_ports": return WFDParameter.clientRTPPorts(WFDClientRTPPorts(port0: rtpPort)).line
            default: return WFDParameterList.Line(name: name, value: "none")
            }
        }
    }

    /// What M4 said so far.
    public struct Negotiation: Sendable, Hashable {
        public var format: WFDStreamFormat?
        /// M4's `wfd_presentation_URL` url0: the URI of M6, M7 and M8.
        public var presentationURL: String?

        public init(format: WFDStreamFormat? = nil, presentationURL: String? = nil) {
            self.format = format
            self.presentationURL = presentationURL
        }

        var url: String { presentationURL ?? "rtsp://localhost/wfd1.0/streamid=0" }
    }

    public enum State: Sendable, Hashable {
        case idle
        /// Connected, waiting for the source's M1.
        case waitingForM1
        /// M1 answered and M2 sent: M3 and M4 come, then the SETUP trigger.
        case capabilityExchange(Negotiation)
        /// M6 sent.
        case settingUp(Negotiation, cseq: Int)
        /// M7 sent.
        case starting(Negotiation, WFDStream, timeout: TimeAmount, cseq: Int)
        /// The stream flows; the session expires at `expiry` unless the source sends a request.
        case playing(Negotiation, WFDStream, timeout: TimeAmount, expiry: NIODeadline)
        /// M9 answered: no stream until M7; the session still expires without the source's requests.
        case paused(Negotiation, WFDStream, timeout: TimeAmount, expiry: NIODeadline)
        /// M8 sent.
        case tearingDown(cseq: Int)
        case closed(WFDCloseReason)
    }

    /// The sink's own requests that wait for a reply.
    enum Request: String, Sendable, Hashable {
        case m2 = "M2 OPTIONS", m6 = "M6 SETUP", m7 = "M7 PLAY", m8 = "M8 TEARDOWN", m9 = "M9 PAUSE", m13 = "M13 IDR request"
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

    // MARK: Connection

    /// The TCP connection to the source's RTSP port is up (MS-MICE 3.1.7.1).
    public mutating func connected(now: NIODeadline) -> [Action] {
        guard case .idle = state else { return [] }
        state = .waitingForM1
        return [.scheduleTimer(.negotiation, now + configuration.negotiationTimeout)]
    }

    /// The source closed the connection: the session ends (MS-MICE 3.1.7).
    public mutating func connectionClosed() -> [Action] {
        close(.peerClosed)
    }

    /// A local stop (the user, or MS-MICE STOP_PROJECTION from the source, 3.1.5.7): M8
    /// when there is a session, else close at once.
    public mutating func stopRequested(now: NIODeadline) -> [Action] {
        switch state {
        case .settingUp, .starting, .playing, .paused:
            return sendTeardown(now: now)
        case .idle, .waitingForM1, .capabilityExchange:
            return close(.stopped)
        case .tearingDown, .closed:
            return []
        }
    }

    /// MS-MICE STOP_PROJECTION came on 7250 (3.1.5.7: "the Sink MUST stop displaying the
    /// stream"): stop now, no M8 (the source has ended the session).
    public mutating func stopProjectionReceived() -> [Action] {
        close(.stopProjection)
    }

    /// The RTP receiver lost packets: ask for an IDR picture with M13 (WFD-NOTES 7.5). Also
    /// while M7 waits for its reply: the source streams once it has answered, and the first
    /// datagrams can be read before that answer is.
    public mutating func idrNeeded(now: NIODeadline) -> [Action] {
        switch state {
        case .starting, .playing: break
        default: return []
        }
        guard !requests.isWaiting(for: .m13) else { return [] }
        let cseq = allocate(.m13, now: now)
        return send(M13.request(cseq: cseq)) + [.report(.idrRequested)]
    }

    /// Pause the stream (a local pause, or the source's M5 PAUSE trigger): M9 while playing.
    public mutating func pauseRequested(now: NIODeadline) -> [Action] {
        guard case .playing(let negotiation, let stream, _, _) = state, !requests.isWaiting(for: .m9) else { return [] }
        let m9 = allocate(.m9, now: now)
        return send(M9.request(cseq: m9, url: negotiation.url, session: stream.sessionID))
    }

    /// Resume after a pause (locally, or the source's M5 PLAY trigger): M7 while paused.
    public mutating func playRequested(now: NIODeadline) -> [Action] {
        guard case .paused(let negotiation, let stream, _, _) = state, !requests.isWaiting(for: .m7) else { return [] }
        let m7 = allocate(.m7, now: now)
        return send(M7.request(cseq: m7, url: negotiation.url, session: stream.sessionID))
    }

    // MARK: Messages

    public mutating func requestReceived(_ request: RTSPRequest, now: NIODeadline) -> [Action] {
        guard let cseq = request.cseq else {
            return Action.rejectWithoutCSeq(request)
        }
        // Any request of the source keeps the session alive (RFC 2326 12.37).
        switch state {
        case .playing(let negotiation, let stream, let timeout, _):
            state = .playing(negotiation, stream, timeout: timeout, expiry: now + timeout)
        case .paused(let negotiation, let stream, let timeout, _):
            state = .paused(negotiation, stream, timeout: timeout, expiry: now + timeout)
        default:
            break
        }
        switch request.method {
        case .options:
            return m1Received(cseq: cseq, now: now)
        case .getParameter:
            guard let list = try? WFDParameterList(body: request.body) else { return reject(request, cseq, RTSPStatus.badRequest) }
            // WDS tells M16 from M3 only by the empty body (WFD-NOTES 2).
            return list.isEmpty ? [.send(.status(RTSPStatus.ok, cseq))] : m3Received(list, cseq: cseq)
        case .setParameter:
            guard let list = try? WFDParameterList(body: request.body) else { return reject(request, cseq, RTSPStatus.badRequest) }
            if let trigger = list["wfd_trigger_method"] {
                guard let method = WFDTriggerMethod(rawValue: trigger) else { return reject(request, cseq, RTSPStatus.badRequest) }
                return m5Received(method, cseq: cseq, now: now)
            }
            return m4Received(list, cseq: cseq)
        case .setup, .play, .pause, .teardown:
            // The sink serves only OPTIONS, GET_PARAMETER and SET_PARAMETER (its M1 reply).
            return reject(request, cseq, RTSPStatus.methodNotAllowed)
        default:
            return reject(request, cseq, RTSPStatus.notImplemented)
        }
    }

    /// M1: answer, then send M2.
    mutating func m1Received(cseq: Int, now: NIODeadline) -> [Action] {
        let reply: Action = .send(M1.reply(cseq: cseq).message)
        guard case .waitingForM1 = state else { return [reply] }
        state = .capabilityExchange(Negotiation())
        let m2 = allocate(.m2, now: now)
        return [reply] + send(M2.request(cseq: m2))
    }

    /// M3: every name gets a line, `none` for what the sink lacks (WFD-NOTES 3).
    mutating func m3Received(_ list: WFDParameterList, cseq: Int) -> [Action] {
        let answers = WFDParameterList(list.names.map(configuration.answer))
        return [.send(M3.reply(cseq: cseq, parameters: answers).message)]
    }

    /// M4 (and later SET_PARAMETERs): take the formats and URL, accept every other line.
    mutating func m4Received(_ list: WFDParameterList, cseq: Int) -> [Action] {
        var actions: [Action] = []
        for line in list.lines {
            if let value = line.value, case .failure(let error) = Result(catching: { () throws(WireError) in try WFDParameter(name: line.name, value: value) }) {
                actions.append(.report(.parameterIgnored(error)))
            }
        }
        let ok: Action = .send(.status(RTSPStatus.ok, cseq))
        switch state {
        case .waitingForM1:
            return [.send(.status(RTSPStatus.methodNotValidInThisState, cseq))]
        case .capabilityExchange(var negotiation):
            if case .presentationURL(let url) = list.parameter("wfd_presentation_URL"), let primary = url.primary {
                negotiation.presentationURL = primary
            }
            if list.contains("wfd_video_formats") || list.contains("wfd_audio_codecs") {
                let format = WFDStreamFormat(list)
                negotiation.format = format
                actions.append(.report(.negotiated(format)))
            }
            state = .capabilityExchange(negotiation)
            return [ok] + actions
        default:
            // After negotiation: Windows sends new formats or latency modes (WFD-NOTES 7.4).
            return [ok] + actions + [.report(.parametersChanged(list))]
        }
    }

    /// M5: answer 200, then do what the trigger asks.
    mutating func m5Received(_ trigger: WFDTriggerMethod, cseq: Int, now: NIODeadline) -> [Action] {
        let ok: Action = .send(.status(RTSPStatus.ok, cseq))
        let wrongState: Action = .send(.status(RTSPStatus.methodNotValidInThisState, cseq))
        switch (trigger, state) {
        case (.setup, .capabilityExchange(let negotiation)):
            let m6 = allocate(.m6, now: now)
            state = .settingUp(negotiation, cseq: m6)
            return [ok] + send(M6.request(cseq: m6, url: negotiation.url, clientPort: .init(rtp: configuration.rtpPort)))
        case (.play, .paused):
            return [ok] + playRequested(now: now)
        case (.play, .playing):
            return [ok]  // already playing
        case (.pause, .playing):
            return [ok] + pauseRequested(now: now)
        case (.pause, .paused):
            return [ok]  // already paused
        case (.teardown, .settingUp), (.teardown, .starting), (.teardown, .playing), (.teardown, .paused):
            return [ok] + sendTeardown(now: now, withoutSession: .teardown)
        case (.teardown, .capabilityExchange):
            return [ok] + close(.teardown)
        default:
            return [wrongState, .report(.rejected(method: "SET_PARAMETER wfd_trigger_method: \(trigger.rawValue)", status: RTSPStatus.methodNotValidInThisState))]
        }
    }

    public mutating func responseReceived(_ response: RTSPResponse, now: NIODeadline) -> [Action] {
        guard let cseq = response.cseq, let request = requests.replied(cseq) else {
            return []  // A reply to nothing we asked: ignored.
        }
        var actions: [Action]
        switch request {
        case .m2:
            guard response.isSuccess else { return close(.refused(request.rawValue, status: response.status)) }
            actions = response.headers["Server"].map { [.report(.peerServer($0))] } ?? []
        case .m6:
            actions = setupReplyReceived(response, cseq: cseq, now: now)
        case .m7:
            actions = playReplyReceived(response, now: now)
        case .m8:
            return close(.teardown)
        case .m9:
            actions = pauseReplyReceived(response)
        case .m13:
            actions = []
        }
        return actions + (isClosed ? [] : [requests.timerAction])
    }

    /// M6 reply: the session and its timeout, then M7.
    mutating func setupReplyReceived(_ response: RTSPResponse, cseq: Int, now: NIODeadline) -> [Action] {
        guard case .settingUp(let negotiation, let sent) = state, sent == cseq else { return [] }
        guard response.isSuccess else { return close(.refused(Request.m6.rawValue, status: response.status)) }
        guard let sessionValue = response.headers["Session"], let session = try? RTSPSessionHeader.parse(sessionValue) else {
            return close(.negotiationFailed("the M6 reply has no usable Session header"))
        }
        // CRES reads `server_port=a-b` (WFD-NOTES 7.6); any pair, consecutive or not.
        let transport = response.headers["Transport"].flatMap { try? RTSPTransport.parse($0) }
        let timeout = session.timeoutSeconds.map { TimeAmount.seconds(Int64($0)) } ?? configuration.defaultSessionTimeout
        let stream = WFDStream(
            sessionID: session.id, clientPort: transport?.clientPort ?? .init(rtp: configuration.rtpPort),
            serverPort: transport?.serverPort, format: negotiation.format ?? WFDStreamFormat(rtpPort: configuration.rtpPort)
        )
        let m7 = allocate(.m7, now: now)
        state = .starting(negotiation, stream, timeout: timeout, cseq: m7)
        return send(M7.request(cseq: m7, url: negotiation.url, session: session.id))
    }

    /// M9 reply: paused (a refusal, such as 406 when the source is paused already, leaves
    /// the stream as it is).
    mutating func pauseReplyReceived(_ response: RTSPResponse) -> [Action] {
        guard case .playing(let negotiation, let stream, let timeout, let expiry) = state else { return [] }
        guard response.isSuccess else { return [.report(.rejected(method: Request.m9.rawValue, status: response.status))] }
        state = .paused(negotiation, stream, timeout: timeout, expiry: expiry)
        return [.pauseStream]
    }

    /// M7 reply: playing; the session lives while the source's requests keep coming.
    mutating func playReplyReceived(_ response: RTSPResponse, now: NIODeadline) -> [Action] {
        if case .paused(let negotiation, let stream, let timeout, let expiry) = state {
            // Resuming: a refusal leaves the session paused.
            guard response.isSuccess else { return [.report(.rejected(method: Request.m7.rawValue, status: response.status))] }
            state = .playing(negotiation, stream, timeout: timeout, expiry: expiry)
            return [.resumeStream]
        }
        guard case .starting(let negotiation, let stream, let timeout, _) = state else { return [] }
        guard response.isSuccess else { return close(.refused(Request.m7.rawValue, status: response.status)) }
        let expiry = now + timeout
        state = .playing(negotiation, stream, timeout: timeout, expiry: expiry)
        return [.cancelTimer(.negotiation), .scheduleTimer(.keepAlive, expiry), .startStream(stream)]
    }

    // MARK: Timers

    public mutating func timerFired(_ timer: WFDTimer, now: NIODeadline) -> [Action] {
        switch (timer, state) {
        case (_, .closed), (_, .idle):
            return []
        case (.negotiation, .waitingForM1), (.negotiation, .capabilityExchange), (.negotiation, .settingUp), (.negotiation, .starting):
            return close(.negotiationTimeout)
        case (.keepAlive, .playing(_, _, _, let expiry)), (.keepAlive, .paused(_, _, _, let expiry)):
            guard now >= expiry else { return [.scheduleTimer(.keepAlive, expiry)] }
            // No M16 (nor any request) within the timeout: the source is gone.
            var actions = sendTeardown(now: now)
            actions += close(.keepAliveExpired)
            return actions
        case (.response, _):
            // M9 and M13 are best effort: dropping them is enough.
            if let missing = requests.expire(now: now).first(where: { ![.m9, .m13].contains($0) }) {
                return close(missing == .m8 ? .teardown : .responseTimeout(missing.rawValue))
            }
            return [requests.timerAction]
        default:
            return []
        }
    }

    // MARK: Helpers

    mutating func allocate(_ request: Request, now: NIODeadline) -> Int {
        requests.allocate(request, now: now)
    }

    /// Sends a request of ours and (re)arms the response timer.
    func send(_ request: RTSPRequest) -> [Action] {
        [.send(request.message), requests.timerAction]
    }

    /// M8 for the session, the stream stopped.
    mutating func sendTeardown(now: NIODeadline, withoutSession reason: WFDCloseReason = .stopped) -> [Action] {
        let negotiation: Negotiation
        let session: String
        let streaming: Bool
        switch state {
        case .settingUp:
            // No Session id yet: nothing to tear down on the source's side.
            return close(reason)
        case .starting(let n, let s, _, _): (negotiation, session, streaming) = (n, s.sessionID, false)
        case .playing(let n, let s, _, _), .paused(let n, let s, _, _): (negotiation, session, streaming) = (n, s.sessionID, true)
        default: return []
        }
        let m8 = allocate(.m8, now: now)
        state = .tearingDown(cseq: m8)
        return (streaming ? [.stopStream] : []) + [.cancelTimer(.keepAlive)] + send(M8.request(cseq: m8, url: negotiation.url, session: session))
    }

    func reject(_ request: RTSPRequest, _ cseq: Int, _ status: Int) -> [Action] {
        Action.reject(request, cseq, status)
    }

    public mutating func close(_ reason: WFDCloseReason) -> [Action] {
        let streaming: Bool
        switch state {
        case .closed: return []
        case .playing, .paused: streaming = true
        default: streaming = false
        }
        state = .closed(reason)
        requests.removeAll()
        return Action.closing(reason, streaming: streaming)
    }
}
