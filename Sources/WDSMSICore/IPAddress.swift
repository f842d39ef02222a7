import NIOCore

/// An IPv4 or IPv6 address as the packets carry it: 4 or 16 bytes in network byte order
/// (2.2.1 TpMcAddress.Address and TpUniAddress.Address; 2.2.2.2 WDSMCSE_OPT_MULTICAST_ADDR
/// and WDSMCSE_OPT_SERVER_ADDR).
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4([UInt8])
    case v6([UInt8])

    /// An address from its 4 or 16 bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self = .v4(bytes)
        case 16: self = .v6(bytes)
        default: return nil
        }
    }

    /// Parses dotted IPv4 or textual IPv6 (no zone, no brackets).
    public init?(_ text: String) {
        guard let address = try? SocketAddress(ipAddress: text, port: 0) else { return nil }
        switch address {
        case .v4(let a):
            let value = UInt32(bigEndian: a.address.sin_addr.s_addr)
            self = .v4([UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)])
        case .v6(let a):
            var storage = a.address.sin6_addr
            self = .v6(withUnsafeBytes(of: &storage) { Array($0) })
        default:
            return nil
        }
    }

    /// The address's bytes in network byte order.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let b), .v6(let b): return b
        }
    }

    public var isIPv6: Bool {
        if case .v6 = self { return true }
        return false
    }

    /// Whether this is a multicast address (224.0.0.0/4 or ff00::/8).
    public var isMulticast: Bool {
        switch self {
        case .v4(let b): return b.first.map { $0 & 0xF0 == 0xE0 } ?? false
        case .v6(let b): return b.first == 0xFF
        }
    }

    public var description: String {
        switch self {
        case .v4(let b):
            return b.map(String.init).joined(separator: ".")
        case .v6(let b):
            let address = try? SocketAddress(packedIPAddress: ByteBuffer(bytes: b), port: 0)
            return address?.ipAddress ?? b.map { String($0, radix: 16) }.joined(separator: ":")
        }
    }
}
