/// MS-NFPS: Near Field Proximity Sharing.
/// The protocol's fixed facts; its messages and state machines land with its issue.
public enum NFPS {
    /// The specification these rules come from.
    public static let spec = "MS-NFPS"
    /// AES block and key size in bytes: the key is 128 bits (see DESIGN.md on the key derivation).
    public static let aesKeySize = 16
}
