/// How the server lays out multicast sessions: address ranges, ports, block size, lifetime.
public struct MulticastConfiguration: Sendable, Hashable {
    /// IPv4 multicast addresses sessions are given (default 239.0.0.0/8, administratively scoped).
    public var ipv4Range: AddressRange
    /// IPv6 multicast addresses, or nil when the server sets up no IPv6 sessions (default ff15::/16).
    public var ipv6Range: AddressRange?
    /// UDP ports sessions are given, each session its own.
    public var ports: ClosedRange<UInt16>
    /// BlockSize of every session. The default, 1024, keeps a data packet inside a 1500-byte
    /// MTU in every security mode: 1024 + 20 (IPv4) + 8 (UDP) + 13 (Session Header) + 18
    /// (ODATA fields) + a Security Header of at most 5 + 256 (an RSA-2048 signature) = 1344.
    public var blockSize: UInt32
    /// How long a session lives after the last request that asked for it.
    public var sessionLifetime: Duration
    /// The most sessions alive at once; beyond it requests get ERROR_NO_SYSTEM_RESOURCES.
    public var maximumSessions: Int

    public init(
        ipv4Range: AddressRange = AddressRange("239.0.0.0/8")!, ipv6Range: AddressRange? = AddressRange("ff15::/16")!,
        ports: ClosedRange<UInt16> = 64_001...65_000, blockSize: UInt32 = 1024,
        sessionLifetime: Duration = .seconds(600), maximumSessions: Int = 4096
    ) {
        self.ipv4Range = ipv4Range
        self.ipv6Range = ipv6Range
        self.ports = ports
        self.blockSize = blockSize
        self.sessionLifetime = sessionLifetime
        self.maximumSessions = maximumSessions
    }
}

/// A block of addresses written `ADDRESS/PREFIX`, e.g. `239.0.0.0/8` or `ff15::/16`.
public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    public var base: IPAddress
    public var prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let base = IPAddress(String(parts[0])), let prefix = Int(parts[1]),
              prefix >= 0, prefix <= base.bytes.count * 8
        else { return nil }
        self.base = base
        self.prefixLength = prefix
    }

    public var description: String { "\(base)/\(prefixLength)" }

    /// How many addresses the range holds, capped at UInt64.max.
    public var count: UInt64 {
        let hostBits = base.bytes.count * 8 - prefixLength
        return hostBits >= 64 ? UInt64.max : UInt64(1) << UInt64(hostBits)
    }

    /// Whether every address of the range is a multicast address.
    public var isMulticast: Bool {
        let required = base.isIPv6 ? 8 : 4
        return base.isMulticast && prefixLength >= required
    }

    /// The address `index` places after the range's first (host bits replaced by `index`).
    public func address(at index: UInt64) -> IPAddress? {
        guard index < count else { return nil }
        var bytes = base.bytes
        // Clear the host bits, then add the index into the low 64 bits.
        for bit in prefixLength..<(bytes.count * 8) {
            bytes[bit / 8] &= ~(0x80 >> UInt8(bit % 8))
        }
        var carry = index
        var position = bytes.count - 1
        while carry != 0 && position >= 0 {
            let sum = UInt64(bytes[position]) + (carry & 0xFF)
            bytes[position] = UInt8(truncatingIfNeeded: sum)
            carry = (carry >> 8) + (sum >> 8)
            position -= 1
        }
        return IPAddress(bytes: bytes)
    }
}
