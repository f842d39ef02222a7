/// A security mode of the WDS Multicast Transport Protocol (2.2.1, SecMode's table):
/// how packets of a multicast session carry validation information.
public enum SecurityMode: UInt16, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// WDSMCTP_SEC_NONE: no security or validation information.
    case none = 0x0000
    /// WDSMCTP_SEC_HASH: an HMAC of each packet.
    case hash = 0x0001
    /// WDSMCTP_SEC_SIGN: an RSA signature of each packet.
    case sign = 0x0002
    /// WDSMCTP_SEC_CHECKSUM: a byte-sum checksum of each packet.
    case checksum = 0x0003

    public var description: String {
        switch self {
        case .none: return "none"
        case .hash: return "hash"
        case .sign: return "sign"
        case .checksum: return "checksum"
        }
    }

    /// The spec's name, e.g. `WDSMCTP_SEC_HASH`.
    public var specName: String {
        switch self {
        case .none: return "WDSMCTP_SEC_NONE"
        case .hash: return "WDSMCTP_SEC_HASH"
        case .sign: return "WDSMCTP_SEC_SIGN"
        case .checksum: return "WDSMCTP_SEC_CHECKSUM"
        }
    }
}

/// The pair of security modes a multicast session uses: the server's (for packets the
/// server sends) and the client's (for packets clients send).
public struct SecurityModes: Sendable, Hashable, CustomStringConvertible {
    public var server: SecurityMode
    public var client: SecurityMode

    public init(server: SecurityMode, client: SecurityMode) {
        self.server = server
        self.client = client
    }

    /// Both checksum: what pre-OS clients get (3.1.5.1.1, 3.1.5.2, 3.1.5.3).
    public static let checksum = SecurityModes(server: .checksum, client: .checksum)

    /// The combinations a server supports for clients that are not pre-OS (3.1.5.1).
    public static let supported: [SecurityModes] = [
        SecurityModes(server: .sign, client: .hash),
        SecurityModes(server: .hash, client: .hash),
        SecurityModes(server: .checksum, client: .checksum),
        SecurityModes(server: .none, client: .none),
    ]

    /// Whether 3.1.5.1's table lists this pair.
    public var isSupported: Bool { SecurityModes.supported.contains(self) }

    public var description: String { "server \(server), client \(client)" }

    /// The SecMode variable's value (2.2.1): Client Security Mode in bits 0–15 and Server
    /// Security Mode in bits 16–31 of the drawing. Bit 0 is the first bit on the wire and
    /// the ULONG travels little-endian (MS-WDSC 2.2.1), so the client's mode is the low
    /// 16 bits of the value and the server's the high 16 bits.
    public var secModeValue: UInt32 {
        UInt32(client.rawValue) | UInt32(server.rawValue) << 16
    }

    /// Reads a SecMode value; nil when either half is not a mode of 2.2.1's table.
    public init?(secModeValue value: UInt32) {
        guard let client = SecurityMode(rawValue: UInt16(truncatingIfNeeded: value)),
              let server = SecurityMode(rawValue: UInt16(truncatingIfNeeded: value >> 16))
        else { return nil }
        self.init(server: server, client: client)
    }
}
