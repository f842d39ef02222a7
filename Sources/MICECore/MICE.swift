import WinteropWire

/// MS-MICE: Miracast over Infrastructure Connection Establishment.
public enum MICE {
    /// The specification these rules come from.
    public static let spec = "MS-MICE"
    /// The sink's well-known TCP port (MS-MICE 1.9, 2.1).
    public static let sinkPort = 7250
    /// The source's default RTSP port, which the sink connects back to (2.2.7.2).
    public static let defaultRTSPPort = 7236
    /// The protocol version carried in every message header (2.2).
    public static let version: UInt8 = 0x01
    /// The mDNS service type the sink registers (3.1.3).
    public static let serviceType = "_display._tcp"

    /// A reference to a section of MS-MICE, for labelling errors.
    public static func section(_ section: String) -> SpecReference {
        SpecReference(spec, section)
    }
}
