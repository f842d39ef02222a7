/// MS-MICE: Miracast over Infrastructure Connection Establishment.
public enum MICE {
    /// The specification these rules come from.
    public static let spec = "MS-MICE"
    /// The sink's well-known TCP port (MS-MICE 2.1).
    public static let sinkPort = 7250
    /// The source's default RTSP port, which the sink connects back to.
    public static let defaultRTSPPort = 7236
}
