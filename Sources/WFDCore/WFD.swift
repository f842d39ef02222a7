import WinteropWire

/// Wi-Fi Display R1, the projection phase after MS-MICE's connect-back (MS-MICE 3.1.7.1,
/// 3.2.5.7: "perform standard RTSP behavior"). The Wi-Fi Alliance specification is not
/// public; the rules here are the ones `specs/WFD/WFD-NOTES.md` collects from public
/// implementations, each cited by its section there.
public enum WFD {
    /// RTSP/1.0 (RFC 2326), the control protocol of the session.
    static func rtsp(_ section: String) -> SpecReference { SpecReference("RFC 2326", section) }
    /// A `wfd_*` / `microsoft_*` / `intel_*` parameter (WFD-NOTES 3).
    static func parameter(_ name: String) -> SpecReference { SpecReference("Wi-Fi Display", name) }
    /// The media path (WFD-NOTES 5; RTP is RFC 3550, MPEG-TS in RTP is RFC 2250).
    static func media(_ section: String) -> SpecReference { SpecReference("RFC 2250", section) }

    /// The URI most requests carry (WFD-NOTES 2); never validated on receipt.
    public static let controlURI = "rtsp://localhost/wfd1.0"
    /// The option tag of M1/M2's `Require` and `Public` headers.
    public static let optionTag = "org.wfa.wfd1.0"
    /// The source's RTSP port when MS-MICE's RTSP Port TLV says nothing else.
    public static let defaultRTSPPort: UInt16 = 7236
    /// The sink's RTP port when none is configured (DESIGN.md `--rtp-port`).
    public static let defaultRTPPort: UInt16 = 1028
}
