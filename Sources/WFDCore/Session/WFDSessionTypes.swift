import NIOCore
import WinteropWire

/// The timers a WFD session machine asks its shell to run. Scheduling one replaces any
/// earlier deadline of the same kind; the shell calls `timerFired(_:now:)` when it passes.
public enum WFDTimer: Sendable, Hashable, CaseIterable {
    /// Until the session is playing: the exchange M1–M7 must finish (CRES waits 5–6 s a step).
    case negotiation
    /// A request of ours waits for its reply (WDS: 5 s per request).
    case response
    /// Sink: the session expires without a request from the source (M6 `timeout=`).
    /// Source: the next M16 is due.
    case keepAlive
    /// Source: after the TEARDOWN trigger, how long to wait for M8 (AOSP: 2 s).
    case teardown
}

/// What was agreed in M4, as both ends see it.
public struct WFDStreamFormat: Sendable, Hashable {
    public var video: WFDVideoMode?
    /// ``WFDH264Codec/profileName`` and level of the chosen entry.
    public var profile: String?
    public var level: String?
    public var audio: WFDAudioCodec?
    /// The sink's RTP port as M4's `wfd_client_rtp_ports` repeats it.
    public var rtpPort: UInt16?

    public init(video: WFDVideoMode? = nil, profile: String? = nil, level: String? = nil, audio: WFDAudioCodec? = nil, rtpPort: UInt16? = nil) {
        self.video = video
        self.profile = profile
        self.level = level
        self.audio = audio
        self.rtpPort = rtpPort
    }

    /// Reads an M4 body (the source's choice: one mode bit, one audio mode).
    init(_ parameters: WFDParameterList) {
        if case .videoFormats(let formats?) = parameters.parameter("wfd_video_formats"), let codec = formats.codecs.first {
            video = codec.modes.first
            profile = codec.profileName
            level = codec.highestLevelName
        }
        if case .audioCodecs(let codecs) = parameters.parameter("wfd_audio_codecs") {
            audio = codecs.codecs.first
        }
        if case .clientRTPPorts(let ports) = parameters.parameter("wfd_client_rtp_ports") {
            rtpPort = ports.port0
        }
    }

    /// The `wfd_negotiated` event's `video` field, e.g. `1920x1080p60 CHP 4.2`.
    public var videoText: String {
        guard let video else { return "none" }
        return [video.description, profile, level].compactMap { $0 }.joined(separator: " ")
    }

    /// The `wfd_negotiated` event's `audio` field, e.g. `AAC 48000 Hz 2 ch`.
    public var audioText: String {
        guard let audio else { return "none" }
        return ([audio.format.rawValue] + audio.supportedModes.map(\.mode.description)).joined(separator: " ")
    }
}

/// The stream once M6 and M7 are done: where RTP goes.
public struct WFDStream: Sendable, Hashable {
    public var sessionID: String
    /// The sink's RTP (and RTCP) port from M6's `client_port`: the source streams here
    /// (WFD-NOTES 7.7: never the port M3 advertised).
    public var clientPort: RTSPTransport.Ports
    /// The source's ports from the M6 reply's `server_port`.
    public var serverPort: RTSPTransport.Ports?
    public var format: WFDStreamFormat

    public init(sessionID: String, clientPort: RTSPTransport.Ports, serverPort: RTSPTransport.Ports?, format: WFDStreamFormat) {
        self.sessionID = sessionID
        self.clientPort = clientPort
        self.serverPort = serverPort
        self.format = format
    }
}

/// Why a WFD session ended.
public enum WFDCloseReason: Sendable, Hashable, CustomStringConvertible {
    /// The peer closed the RTSP connection (MS-MICE 3.1.7).
    case peerClosed
    /// The local side stopped (user, `--stop-after`, STOP_PROJECTION from MS-MICE).
    case stopped
    /// The sink sent M8 / the source triggered TEARDOWN and the sink followed.
    case teardown
    /// The MS-MICE peer sent STOP_PROJECTION (3.1.5.7, 3.2.4.3): the stream stops at once.
    case stopProjection
    /// No request from the source within the session timeout (sink), or no reply to M16 (source).
    case keepAliveExpired
    /// A reply to one of our requests did not come in time.
    case responseTimeout(String)
    /// The M1–M7 exchange did not finish in time.
    case negotiationTimeout
    /// The peer refused a step (a non-2xx reply).
    case refused(String, status: Int)
    /// No format both sides support, or a reply without what the next step needs.
    case negotiationFailed(String)
    /// Framing was lost on the RTSP connection.
    case malformed(WireError)

    public var description: String {
        switch self {
        case .peerClosed: return "the peer closed the RTSP connection"
        case .stopped: return "stopped"
        case .teardown: return "teardown"
        case .stopProjection: return "STOP_PROJECTION"
        case .keepAliveExpired: return "keep-alive expired"
        case .responseTimeout(let what): return "no reply to \(what)"
        case .negotiationTimeout: return "the WFD exchange did not finish in time"
        case .refused(let what, let status): return "\(what) refused with \(status)"
        case .negotiationFailed(let why): return why
        case .malformed(let error): return "malformed RTSP: \(error)"
        }
    }
}

/// What a WFD session machine asks its shell to do, in order.
public enum WFDAction: Sendable, Hashable {
    case send(RTSPMessage)
    case scheduleTimer(WFDTimer, NIODeadline)
    case cancelTimer(WFDTimer)
    /// Sink: start receiving on `clientPort` and playing. Source: start sending to the
    /// sink's address at `clientPort`.
    case startStream(WFDStream)
    /// Stop the player / the sender.
    case stopStream
    /// M9 PAUSE done: the sink stops displaying, the source stops sending; the session stays.
    case pauseStream
    /// M7 PLAY after a pause: display / send again.
    case resumeStream
    /// Source: the encoder should send an IDR picture now (M13).
    case sendIDR
    /// Source: the WFD session is over; send MS-MICE STOP_PROJECTION (3.2.4.3), then close 7250.
    case sendStopProjection
    case report(WFDReport)
    /// Close the RTSP connection; the session is over.
    case close(WFDCloseReason)
}

/// What the application hears about (the role's `wfd_*` / `stream_*` events).
public enum WFDReport: Sendable, Hashable {
    /// M4 fixed the formats (`wfd_negotiated`).
    case negotiated(WFDStreamFormat)
    /// The peer's `Server` header (Windows: `MSMiracastSource/<ver> guid/<uuid>`).
    case peerServer(String)
    /// A SET_PARAMETER after negotiation (Windows sends new formats or latency modes).
    case parametersChanged(WFDParameterList)
    /// A request the machine answered with an error status.
    case rejected(method: String, status: Int)
    /// A line of a known parameter did not parse and was ignored.
    case parameterIgnored(WireError)
    /// Sink: M13 went out, asking the source for an IDR picture after loss (WFD-NOTES 7.5).
    case idrRequested
}
