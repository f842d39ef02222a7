/// MS-WDSMSI: Windows Deployment Services Multicast Session Initiation.
/// The protocol's fixed facts; its messages and state machines land with its issue.
public enum WDSMSI {
    /// The specification these rules come from.
    public static let spec = "MS-WDSMSI"
    /// The server's well-known UDP port (MS-WDSMSI 2.1).
    public static let serverPort = 5041
}
