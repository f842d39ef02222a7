/// The Cap variable of a WDSMC_OP_INITIATE request (2.2.1): what the client can do.
public struct ClientCapabilities: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// WDSMC_CLIENT_CAP_CHECKSUM: handles checksummed WDS Multicast Transport packets.
    public static let checksum = ClientCapabilities(rawValue: 0x0000_0001)
    /// WDSMC_CLIENT_CAP_IPV6: can receive IPv6 multicast.
    public static let ipv6 = ClientCapabilities(rawValue: 0x0000_0002)
    /// WDSMC_CLIENT_CAP_BOOT_DEVICE: runs in a pre-OS environment.
    public static let bootDevice = ClientCapabilities(rawValue: 0x0000_0004)

    public var description: String {
        var names: [String] = []
        if contains(.checksum) { names.append("WDSMC_CLIENT_CAP_CHECKSUM") }
        if contains(.ipv6) { names.append("WDSMC_CLIENT_CAP_IPV6") }
        if contains(.bootDevice) { names.append("WDSMC_CLIENT_CAP_BOOT_DEVICE") }
        let unknown = rawValue & ~0x7
        if unknown != 0 { names.append("0x" + String(unknown, radix: 16)) }
        return names.isEmpty ? "none" : names.joined(separator: " | ")
    }
}
