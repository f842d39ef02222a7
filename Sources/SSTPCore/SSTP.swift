/// MS-GRVSSTP: Groove Simple Symmetric Transport Protocol.
public enum SSTP {
    /// The specification these rules come from.
    public static let spec = "MS-GRVSSTP"
    /// The well-known TCP port (MS-GRVSSTP 2.1).
    public static let port = 2492
}
