import WinteropWire

/// `wfd_client_rtp_ports` (WFD-NOTES 3): `RTP/AVP/UDP;unicast <port0> <port1> mode=play`.
/// The sink advertises its RTP port in M3; the source repeats it in M4.
public struct WFDClientRTPPorts: Sendable, Hashable {
    /// The transport profile, `RTP/AVP/UDP;unicast` in R1.
    public var profile: String
    public var port0: UInt16
    /// The secondary sink's port, 0 when there is none.
    public var port1: UInt16
    /// `play` in R1.
    public var mode: String

    public static let udpUnicast = "RTP/AVP/UDP;unicast"

    public init(profile: String = Self.udpUnicast, port0: UInt16, port1: UInt16 = 0, mode: String = "play") {
        self.profile = profile
        self.port0 = port0
        self.port1 = port1
        self.mode = mode
    }

    static let name = "wfd_client_rtp_ports"

    public static func parse(_ value: String) throws(WireError) -> WFDClientRTPPorts {
        var s = ParameterScanner(value, parameter: name)
        let profile = try s.token("profile")
        guard profile.hasPrefix("RTP/AVP/") else { throw s.error("profile \"\(profile)\" is not RTP/AVP/…") }
        let port0: UInt16 = try s.decimal("RTP port 0")
        let port1: UInt16 = try s.decimal("RTP port 1")
        let mode = try s.token("mode")
        guard mode.hasPrefix("mode="), mode.count > 5 else { throw s.error("\"\(mode)\" is not mode=…") }
        try s.expectEnd()
        return WFDClientRTPPorts(profile: String(profile), port0: port0, port1: port1, mode: String(mode.dropFirst(5)))
    }

    public var rendered: String { "\(profile) \(port0) \(port1) mode=\(mode)" }
}

/// `wfd_presentation_URL` (WFD-NOTES 3): `<url0> <url1>`, each `none` or an RTSP URL
/// (`rtsp://<ip>/wfd1.0/streamid=0`). The sink uses url0 in its M6 SETUP.
public struct WFDPresentationURL: Sendable, Hashable {
    public var primary: String?
    public var secondary: String?

    public init(primary: String?, secondary: String? = nil) {
        self.primary = primary
        self.secondary = secondary
    }

    /// The stream URL a source at `host` announces for its primary sink.
    public static func stream(host: String) -> WFDPresentationURL {
        WFDPresentationURL(primary: "rtsp://\(host)/wfd1.0/streamid=0")
    }

    static let name = "wfd_presentation_URL"

    public static func parse(_ value: String) throws(WireError) -> WFDPresentationURL {
        var s = ParameterScanner(value, parameter: name)
        func url(_ field: String) throws(WireError) -> String? {
            let text = try s.token(field)
            if text == "none" { return nil }
            guard text.hasPrefix("rtsp://") else { throw s.error("\(field) \"\(text)\" is neither none nor rtsp://…") }
            return String(text)
        }
        let primary = try url("url0")
        let secondary = try url("url1")
        try s.expectEnd()
        return WFDPresentationURL(primary: primary, secondary: secondary)
    }

    public var rendered: String { "\(primary ?? "none") \(secondary ?? "none")" }
}
