import WinteropWire

/// MS-TCC: Tethering Control Channel (revision 10.0, a superset of revision 2.0).
/// The protocol's fixed facts.
public enum TCC {
    /// The specification these rules come from.
    public static let spec = "MS-TCC"
    /// Every message and structure starts with a 3-byte CommonHeader: 1-byte Id, 2-byte big-endian Length (2.2.2.2).
    public static let headerSize = 3
    /// The largest Length a CommonHeader can carry.
    public static let maximumLength = Int(UInt16.max)
    /// The SDP service class a tethering-capable server is identified by (2.1).
    public static let serviceUUID = "232E51D8-91FF-4C24-AC0F-9EE055DA30A5"
    /// MessageTimer (3.1.2) and ServerTimer (3.2.2): one minute.
    public static let defaultTimeout: Duration = .seconds(60)
    /// The recommended allowable Timestamp skew (3.2.5.1: 5 minutes).
    public static let defaultMaximumSkew: Duration = .seconds(300)

    /// The structure layout: 1-byte TypeId, 2-byte big-endian Length (2.2.2.2).
    public static let structureFormat = TLVFormat(typeWidth: .one, lengthWidth: .two, endianness: .big, itemName: "structure")

    /// A reference to a section of MS-TCC, for errors.
    public static func section(_ section: String) -> SpecReference {
        SpecReference(spec, section)
    }
}
