import WinteropWire

/// MS-NFPS: Near Field Proximity Sharing. The protocol's fixed facts.
public enum NFPS {
    /// The specification these rules come from.
    public static let spec = "MS-NFPS"
    /// AES block size in bytes (2.2.4, 3.2.7.2: "each complete block (16 full bytes)").
    public static let blockSize = 16
    /// AES key size in bytes: the key is 128 bits (3.2.1 SymmetricKey; see DESIGN.md on the derivation).
    public static let aesKeySize = 16
    /// The initialization vector, sent in clear as the first block (3.2.7.2).
    public static let ivSize = 16

    /// A reference to a section of MS-NFPS, for labelling errors.
    public static func section(_ section: String) -> SpecReference {
        SpecReference(spec, section)
    }
}
