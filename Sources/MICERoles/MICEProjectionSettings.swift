import Foundation
import WFDCore
import WFDRoles
import WinteropTransport

/// What the sink does with a projection once it has connected back (DESIGN.md,
/// Projection): `--rtp-port`, `--player`, `--record`.
public struct MICESinkProjection: Sendable {
    /// The UDP port advertised in `wfd_client_rtp_ports` and M6 `client_port` (0 picks one).
    public var rtpPort: Int
    /// `--rtp-advertise-port`: the port named in `wfd_client_rtp_ports` and M6 instead of the
    /// bound one, for a sink reached through a port forward (NAT, a container's published
    /// port, a relay); nil advertises the bound port.
    public var advertisedRTPPort: Int?
    public var player: WFDPlayerChoice
    /// `--record FILE`: the received transport stream.
    public var record: String?
    /// The WFD session machine's settings (timeouts, formats); the RTP port is set per session.
    public var wfd: WFDSinkStateMachine.Configuration

    public init(rtpPort: Int = 0, player: WFDPlayerChoice = .none, record: String? = nil, wfd: WFDSinkStateMachine.Configuration = .init()) {
        self.rtpPort = rtpPort
        self.player = player
        self.record = record
        self.wfd = wfd
    }

    /// Checks `--rtp-port` and `--rtp-advertise-port`.
    public init(validatingRTPPort rtpPort: Int, advertisedRTPPort: Int? = nil, player: WFDPlayerChoice, record: String?) throws(RoleFailure) {
        guard (0...65535).contains(rtpPort) else { throw .usage("--rtp-port must be 0 to 65535 (0 picks a free port)") }
        if let advertisedRTPPort, !(1...65535).contains(advertisedRTPPort) {
            throw .usage("--rtp-advertise-port must be 1 to 65535: the UDP port the source sends to, forwarded to --rtp-port")
        }
        self.init(rtpPort: rtpPort, player: player, record: record)
        self.advertisedRTPPort = advertisedRTPPort
    }
}

/// What the source projects once the sink has connected back: `--media`, `--loop`,
/// `--keepalive`, `--keepalive-timeout`.
public struct MICESourceProjection: Sendable {
    public enum Media: Sendable, Hashable {
        /// Negotiate and keep the session alive, send no stream.
        case none
        /// An MPEG-TS file paced by its PCR.
        case file(String)
        /// `testsrc`: a GStreamer test pattern encoded at the negotiated resolution, from this `gst-launch-1.0`.
        case testPattern(gstLaunch: String)
        /// `screen`: the X display in `DISPLAY`, captured and encoded the same way.
        case screen(gstLaunch: String)
    }

    public var media: Media
    public var loop: Bool
    /// `--rate-mbps`: a file's datagrams at this constant rate instead of by its PCR.
    public var rate: ConstantRatePacing?
    /// The M16 period; nil is the announced timeout minus 5 s.
    public var keepAlive: Duration?
    /// The session timeout announced in the M6 reply (`timeout=`), in seconds.
    public var sessionTimeoutSeconds: Int
    /// After the media ended, wait this long (the last datagrams land) before stopping.
    public var endGrace: Duration = .milliseconds(300)

    public init(media: Media = .none, loop: Bool = false, keepAlive: Duration? = nil, sessionTimeoutSeconds: Int = 30) {
        self.media = media
        self.loop = loop
        self.keepAlive = keepAlive
        self.sessionTimeoutSeconds = sessionTimeoutSeconds
    }

    /// Checks `--media`, `--rate-mbps`, `--keepalive` and `--keepalive-timeout`.
    public init(validatingMedia media: String?, loop: Bool, rateMbps: Double? = nil, keepAlive: Double?, sessionTimeout: Int) throws(RoleFailure) {
        guard (1...65535).contains(sessionTimeout) else { throw .usage("--keepalive-timeout must be 1 to 65535 seconds") }
        let period = try keepAlive.map { v throws(RoleFailure) in try OptionValidation.seconds(v, option: "--keepalive") }
        var chosen = Media.none
        if media == "testsrc" || media == "screen" {
            guard let gst = Self.onPath("gst-launch-1.0") else {
                throw .usage(GStreamerUnavailable(media: media ?? "", detail: "gst-launch-1.0 is not on PATH").description)
            }
            if media == "screen" {
                guard let display = ProcessInfo.processInfo.environment["DISPLAY"], !display.isEmpty else {
                    throw .usage("--media screen captures an X display and DISPLAY is not set: run it in the desktop session (on Wayland, through Xwayland), or under Xvfb")
                }
                chosen = .screen(gstLaunch: gst)
            } else {
                chosen = .testPattern(gstLaunch: gst)
            }
        } else if let media {
            guard !media.isEmpty else { throw .usage("--media needs an MPEG-TS file, testsrc or screen") }
            guard FileManager.default.isReadableFile(atPath: media) else {
                throw .usage("--media \(media): no such readable MPEG-TS file (or use --media testsrc or screen)")
            }
            chosen = .file(media)
        }
        if loop, case .file = chosen {} else if loop { throw .usage("--loop needs --media FILE") }
        var rate: ConstantRatePacing?
        if let rateMbps {
            guard case .file = chosen else { throw .usage("--rate-mbps needs --media FILE (a live pipeline sends as it encodes)") }
            guard rateMbps <= 10_000, let pacing = ConstantRatePacing(bitsPerSecond: rateMbps * 1e6) else {
                throw .usage("--rate-mbps must be a number of Mbit/s above 0 and at most 10000, e.g. 100")
            }
            rate = pacing
        }
        if let period, period >= .seconds(sessionTimeout) {
            EventLog.diagnostic("mice source: --keepalive \(period) is not shorter than the announced timeout \(sessionTimeout) s: the sink will end the session")
        }
        self.init(media: chosen, loop: loop, keepAlive: period, sessionTimeoutSeconds: sessionTimeout)
        self.rate = rate
    }

    static func onPath(_ program: String) -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
