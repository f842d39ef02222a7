import NIOCore

/// The RDATA of a resource record, by type. Types winterop does not interpret are kept
/// byte for byte as ``opaque(type:bytes:)`` (RFC 3597 2: unknown types pass through).
public enum DNSRecordData: Hashable, Sendable, CustomStringConvertible {
    /// A: four address bytes (RFC 1035 3.4.1).
    case a([UInt8])
    /// AAAA: sixteen address bytes (RFC 3596 2.2).
    case aaaa([UInt8])
    /// PTR: a domain name (RFC 1035 3.3.12); DNS-SD browsing answers (RFC 6763 4.1).
    case ptr(DNSName)
    /// SRV: priority, weight, port and target host (RFC 2782); DNS-SD service location (RFC 6763 5).
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName)
    /// TXT: one or more character-strings of at most 255 bytes (RFC 1035 3.3.14, RFC 6763 6.1).
    case txt([[UInt8]])
    /// NSEC: the next domain name and the set of types that exist (RFC 4034 4.1, RFC 6762 6.1).
    case nsec(next: DNSName, types: [DNSRecordType])
    /// Any other type, its RDATA uninterpreted.
    case opaque(type: DNSRecordType, bytes: [UInt8])

    /// The record type this data belongs to.
    public var type: DNSRecordType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .ptr: .ptr
        case .srv: .srv
        case .txt: .txt
        case .nsec: .nsec
        case .opaque(let type, _): type
        }
    }

    /// An A or AAAA record's address with `port`, or nil for other data.
    public func socketAddress(port: Int = 0) -> SocketAddress? {
        switch self {
        case .a(let bytes), .aaaa(let bytes):
            return try? SocketAddress(packedIPAddress: ByteBuffer(bytes: bytes), port: port)
        default:
            return nil
        }
    }

    /// A or AAAA data for an IP address.
    public static func address(_ address: SocketAddress) -> DNSRecordData? {
        switch address {
        case .v4(let v4):
            var value = v4.address.sin_addr.s_addr  // network byte order in memory
            return .a(withUnsafeBytes(of: &value) { Array($0) })
        case .v6(let v6):
            var value = v6.address.sin6_addr
            return .aaaa(withUnsafeBytes(of: &value) { Array($0) })
        default:
            return nil
        }
    }

    /// TXT strings as text (`key=value`), bytes that are not UTF-8 replaced.
    public var txtStrings: [String]? {
        guard case .txt(let strings) = self else { return nil }
        return strings.map { String(decoding: $0, as: UTF8.self) }
    }

    public var description: String {
        switch self {
        case .a(let bytes):
            return bytes.map(String.init).joined(separator: ".")
        case .aaaa(let bytes):
            return socketAddress()?.ipAddress ?? bytes.map { String($0, radix: 16) }.joined(separator: ":")
        case .ptr(let name):
            return name.description
        case .srv(let priority, let weight, let port, let target):
            return "\(priority) \(weight) \(port) \(target)"
        case .txt(let strings):
            return strings.map { "\"" + String(decoding: $0, as: UTF8.self) + "\"" }.joined(separator: " ")
        case .nsec(let next, let types):
            return ([next.description] + types.map(\.description)).joined(separator: " ")
        case .opaque(_, let bytes):
            return "\\# \(bytes.count) " + bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        }
    }
}
