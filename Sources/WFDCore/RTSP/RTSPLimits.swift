/// Bounds on what one RTSP message may occupy. RFC 2326 sets none; these are far above
/// what any WFD peer sends (WFD-NOTES 2: under a dozen headers, bodies of a few kilobytes;
/// the largest value, an EDID of a few 128-byte blocks in hex) and keep a peer from making
/// the receiver buffer without end.
public struct RTSPLimits: Sendable, Hashable {
    /// Bytes of the start line and header fields together, with their line ends.
    public var maximumHeaderBytes: Int
    /// Header fields in one message.
    public var maximumHeaderCount: Int
    /// Bytes of one body (`Content-Length`).
    public var maximumBodyBytes: Int

    public init(maximumHeaderBytes: Int = 8192, maximumHeaderCount: Int = 64, maximumBodyBytes: Int = 65536) {
        self.maximumHeaderBytes = maximumHeaderBytes
        self.maximumHeaderCount = maximumHeaderCount
        self.maximumBodyBytes = maximumBodyBytes
    }

    public static let `default` = RTSPLimits()
}
