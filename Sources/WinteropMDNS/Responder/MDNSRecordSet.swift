import Foundation
import NIOCore
import WinteropWire

/// One record a responder owns.
public struct MDNSOwnedRecord: Sendable, Hashable {
    public var record: DNSResourceRecord
    /// Unique records (SRV, TXT, A, AAAA) are probed for and carry the cache-flush bit;
    /// shared ones (PTR) are not (RFC 6762 2, 8.1, 10.2).
    public var unique: Bool
}

/// The records a responder advertises for its instances and host (RFC 6763 4–6, 9, 12;
/// RFC 6762 6, 10): built from names that may be renamed after a conflict (RFC 6762 9).
public struct MDNSRecordSet: Sendable, Hashable {
    /// TTL of records that name a host: SRV, A, AAAA (RFC 6762 10).
    public static let hostRecordTTL: UInt32 = 120
    /// TTL of other records: PTR, TXT (RFC 6762 10).
    public static let otherRecordTTL: UInt32 = 4500

    public var instances: [MDNSServiceInstance]
    /// The current host name ("sink.local").
    public var hostName: DNSName
    /// A and AAAA data for the host.
    public var addresses: [DNSRecordData]

    public init(instances: [MDNSServiceInstance], hostName: DNSName, addresses: [DNSRecordData]) throws(EncodingError) {
        self.instances = instances
        self.hostName = hostName
        self.addresses = addresses
        _ = try records()
    }

    /// The full name of the instance at `index`: `<instance>.<service type>.<domain>` (RFC 6763 4.1).
    public func instanceName(_ index: Int) throws(EncodingError) -> DNSName {
        let instance = instances[index]
        return try DNSName([instance.instanceName]).appending(serviceName(index))
    }

    /// `<service type>.<domain>` of the instance at `index` (RFC 6763 4.1).
    public func serviceName(_ index: Int) throws(EncodingError) -> DNSName {
        let instance = instances[index]
        return try DNSName(parsing: instance.serviceType).appending(DNSName(parsing: instance.domain))
    }

    /// Every record, in a stable order.
    public func records() throws(EncodingError) -> [MDNSOwnedRecord] {
        var result: [MDNSOwnedRecord] = []
        var enumerations: Set<DNSName> = []
        for index in instances.indices {
            let instance = instances[index]
            let full = try instanceName(index)
            let service = try serviceName(index)
            result.append(MDNSOwnedRecord(
                record: DNSResourceRecord(name: service, ttl: Self.otherRecordTTL, data: .ptr(full)), unique: false))
            result.append(MDNSOwnedRecord(
                record: DNSResourceRecord(
                    name: full, cacheFlush: true, ttl: Self.hostRecordTTL,
                    data: .srv(priority: 0, weight: 0, port: instance.port, target: hostName)),
                unique: true))
            let strings = instance.txt.isEmpty ? [[]] : instance.txt.map { Array($0.utf8) }
            for string in strings where string.count > 255 {
                throw EncodingError("TXT string of \(string.count) bytes exceeds 255 (RFC 6763 6.1)")
            }
            result.append(MDNSOwnedRecord(
                record: DNSResourceRecord(name: full, cacheFlush: true, ttl: Self.otherRecordTTL, data: .txt(strings)),
                unique: true))
            // RFC 6763 9: service type enumeration.
            let enumeration = try DNSName(["_services", "_dns-sd", "_udp"]).appending(DNSName(parsing: instance.domain))
            if enumerations.insert(service).inserted {
                result.append(MDNSOwnedRecord(
                    record: DNSResourceRecord(name: enumeration, ttl: Self.otherRecordTTL, data: .ptr(service)), unique: false))
            }
        }
        for address in addresses {
            result.append(MDNSOwnedRecord(
                record: DNSResourceRecord(name: hostName, cacheFlush: true, ttl: Self.hostRecordTTL, data: address),
                unique: true))
        }
        return result
    }

    /// The names probed for: every instance name, then the host name (RFC 6762 8.1).
    public func uniqueNames() throws(EncodingError) -> [DNSName] {
        var names: [DNSName] = []
        for index in instances.indices { names.append(try instanceName(index)) }
        if !addresses.isEmpty { names.append(hostName) }
        return names
    }

    /// Picks the next name after a conflict on `name` (RFC 6762 9): "Name (2)", "Name (3)" …
    /// for instances, "host-2.local", "host-3.local" … for the host. Returns (old, new) texts.
    public mutating func rename(_ name: DNSName) throws(EncodingError) -> (from: String, to: String)? {
        for index in instances.indices where try instanceName(index) == name {
            let old = instances[index].instanceName
            instances[index].instanceName = Self.nextName(old, separator: " (", closing: ")", limit: 63)
            return (try DNSName(labels: name.labels).description, try instanceName(index).description)
        }
        if name == hostName, let first = hostName.labels.first {
            let old = hostName
            let next = Self.nextName(String(decoding: first, as: UTF8.self), separator: "-", closing: "", limit: 63)
            hostName = try DNSName([next]).appending(hostName.dropFirst())
            return (old.description, hostName.description)
        }
        return nil
    }

    /// "Name" → "Name (2)", "Name (2)" → "Name (3)"; keeps the result within `limit` UTF-8 bytes.
    static func nextName(_ name: String, separator: String, closing: String, limit: Int) -> String {
        var base = Substring(name)
        var number = 2
        if base.hasSuffix(closing), let range = base.range(of: separator, options: .backwards) {
            let digits = base[range.upperBound..<base.index(base.endIndex, offsetBy: -closing.count)]
            if let current = Int(digits), current >= 2, !digits.isEmpty, digits.allSatisfy(\.isNumber) {
                number = current + 1
                base = base[..<range.lowerBound]
            }
        }
        let suffix = "\(separator)\(number)\(closing)"
        while base.utf8.count + suffix.utf8.count > limit, !base.isEmpty {
            base = base.dropLast()
        }
        return String(base) + suffix
    }
}
