/// A resource record (RFC 1035 4.1.3). In Multicast DNS responses the top bit of CLASS
/// is the cache-flush bit: this record replaces every cached record of its name, type
/// and class (RFC 6762 10.2, 18.13).
public struct DNSResourceRecord: Hashable, Sendable, CustomStringConvertible {
    public var name: DNSName
    /// CLASS without the cache-flush bit.
    public var recordClass: DNSClass
    /// The cache-flush bit (RFC 6762 10.2).
    public var cacheFlush: Bool
    /// Seconds the record may be cached; 0 is a goodbye (RFC 6762 10.1).
    public var ttl: UInt32
    public var data: DNSRecordData

    public init(name: DNSName, recordClass: DNSClass = .internet, cacheFlush: Bool = false, ttl: UInt32, data: DNSRecordData) {
        self.name = name
        self.recordClass = DNSClass(recordClass.rawValue & 0x7FFF)
        self.cacheFlush = cacheFlush
        self.ttl = ttl
        self.data = data
    }

    public var type: DNSRecordType { data.type }

    /// Same name, type, class and data: the same record whatever its TTL and cache-flush bit
    /// (RFC 6762 7.1 known answers, 8.2 and 9 conflicts).
    public func isSameRecord(as other: DNSResourceRecord) -> Bool {
        name == other.name && recordClass == other.recordClass && data.type == other.data.type
            && DNSMessageEncoder.canonicalRDATA(data) == DNSMessageEncoder.canonicalRDATA(other.data)
    }

    public var description: String {
        "\(name) \(ttl) \(recordClass)\(cacheFlush ? " (flush)" : "") \(type) \(data)"
    }
}
