/// MS-TCC: Tethering Control Channel.
/// The protocol's fixed facts; its messages and state machines land with its issue.
public enum TCC {
    /// The specification these rules come from.
    public static let spec = "MS-TCC"
    /// Every message and structure starts with a 3-byte header: 1-byte type, 2-byte big-endian length (MS-TCC 2.2).
    public static let headerSize = 3
}
