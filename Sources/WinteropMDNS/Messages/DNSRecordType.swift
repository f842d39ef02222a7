/// A resource record TYPE or question QTYPE (RFC 1035 3.2.2, 3.2.3).
public struct DNSRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// A host address (IPv4), RFC 1035 3.4.1.
    public static let a = DNSRecordType(1)
    /// A domain name pointer, RFC 1035 3.3.12.
    public static let ptr = DNSRecordType(12)
    /// Text strings, RFC 1035 3.3.14.
    public static let txt = DNSRecordType(16)
    /// An IPv6 host address, RFC 3596 2.1.
    public static let aaaa = DNSRecordType(28)
    /// Server selection, RFC 2782.
    public static let srv = DNSRecordType(33)
    /// EDNS(0) pseudo-record (RFC 6891); kept as opaque data.
    public static let opt = DNSRecordType(41)
    /// Next secure record, RFC 4034 4 (used by mDNS for negative answers, RFC 6762 6.1).
    public static let nsec = DNSRecordType(47)
    /// Any type (QTYPE only), RFC 1035 3.2.3.
    public static let any = DNSRecordType(255)

    public var description: String {
        switch self {
        case .a: "A"
        case .ptr: "PTR"
        case .txt: "TXT"
        case .aaaa: "AAAA"
        case .srv: "SRV"
        case .opt: "OPT"
        case .nsec: "NSEC"
        case .any: "ANY"
        default: "TYPE\(rawValue)"
        }
    }
}

/// A CLASS or QCLASS (RFC 1035 3.2.4, 3.2.5), without mDNS's top bit (RFC 6762 18.12, 18.13).
public struct DNSClass: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// The Internet, RFC 1035 3.2.4.
    public static let internet = DNSClass(1)
    /// Any class (QCLASS only), RFC 1035 3.2.5.
    public static let any = DNSClass(255)

    public var description: String {
        switch self {
        case .internet: "IN"
        case .any: "ANY"
        default: "CLASS\(rawValue)"
        }
    }
}
