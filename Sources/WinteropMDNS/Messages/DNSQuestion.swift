/// An entry of the question section (RFC 1035 4.1.2). In Multicast DNS the top bit of
/// QCLASS asks for a unicast response (the "QU" bit, RFC 6762 5.4, 18.12).
public struct DNSQuestion: Hashable, Sendable, CustomStringConvertible {
    public var name: DNSName
    public var type: DNSRecordType
    /// QCLASS without the QU bit.
    public var recordClass: DNSClass
    /// The QU bit: the querier prefers a unicast response (RFC 6762 5.4).
    public var unicastResponse: Bool

    public init(name: DNSName, type: DNSRecordType, recordClass: DNSClass = .internet, unicastResponse: Bool = false) {
        self.name = name
        self.type = type
        self.recordClass = DNSClass(recordClass.rawValue & 0x7FFF)
        self.unicastResponse = unicastResponse
    }

    /// Whether a record of `name`, `type` and `recordClass` answers this question (RFC 1035 3.7.1, 6.3).
    public func isAnswered(by record: DNSResourceRecord) -> Bool {
        (type == .any || type == record.type)
            && (recordClass == .any || recordClass == record.recordClass)
            && name == record.name
    }

    public var description: String {
        "\(name) \(recordClass) \(type)\(unicastResponse ? " QU" : "")"
    }
}
