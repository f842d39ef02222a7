import WinteropWire

/// MS-GRVSSTP: Groove Simple Symmetric Transport Protocol.
///
/// Every command of section 2.2 is a type nested here (``SSTP/Connect``,
/// ``SSTP/Message``, ``SSTP/Data`` …), so the spec's names do not collide with
/// Foundation's `Data` or other protocols' `Message`.
public enum SSTP {
    /// The specification these rules come from.
    public static let spec = "MS-GRVSSTP"
    /// The well-known TCP port (MS-GRVSSTP 2.1).
    public static let port = 2492

    /// A section of this specification, for labelling errors.
    static func reference(_ section: String) -> SpecReference {
        SpecReference(spec, section)
    }

    /// The SSTP versions this implementation speaks (1.7): major 1, minor 5 or 6.
    public enum Version: UInt8, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
        case v1_5 = 5
        case v1_6 = 6

        /// The major version of every version here (2.2.1.1: MajorVersionNumber MUST be 0x01).
        public static let major: UInt8 = 1

        public var minor: UInt8 { rawValue }

        /// The version for a negotiated minor number: 5 → 1.5, 6 or above → 1.6 (1.7: same-major
        /// versions are compatible, and 3.1.5.2 takes the lesser minor version).
        public init?(minor: UInt8) {
            if minor == 5 { self = .v1_5 } else if minor >= 6 { self = .v1_6 } else { return nil }
        }

        public static func < (lhs: Version, rhs: Version) -> Bool { lhs.rawValue < rhs.rawValue }

        public var description: String { "1.\(rawValue)" }
    }
}
