import Foundation
import NIOCore
import NIOPosix

/// The Multicast DNS group addresses and port (RFC 6762 3, 22).
public enum MDNSNetwork {
    public static let port = 5353
    public static let ipv4Group = "224.0.0.251"
    public static let ipv6Group = "ff02::fb"

    public static func ipv4GroupAddress() throws -> SocketAddress {
        try SocketAddress(ipAddress: ipv4Group, port: port)
    }

    public static func ipv6GroupAddress() throws -> SocketAddress {
        try SocketAddress(ipAddress: ipv6Group, port: port)
    }

    /// IPv6 devices that can multicast, one per interface; loopback only when nothing else.
    public static func multicastIPv6Interfaces() throws -> [NIONetworkDevice] {
        var seen: Set<Int> = []
        return try multicastIPv6Devices().filter { seen.insert($0.interfaceIndex).inserted }
    }

    static func multicastIPv6Devices() throws -> [NIONetworkDevice] {
        let devices = try System.enumerateDevices().filter { device in
            guard device.multicastSupported, case .v6 = device.address else { return false }
            return true
        }
        let external = devices.filter { !isLoopback($0) }
        return external.isEmpty ? devices : external
    }

    /// The IPv6 addresses of the multicast IPv6 devices (for AAAA records).
    public static func hostIPv6Addresses() throws -> [SocketAddress] {
        var seen: Set<String> = []
        return try multicastIPv6Devices().compactMap { device in
            guard let address = device.address, let text = address.ipAddress, seen.insert(text).inserted else { return nil }
            return address
        }
    }

    /// IPv4 devices that can send and receive multicast and have an address. Loopback
    /// devices count only when nothing else does (a network namespace with `lo` alone).
    public static func multicastIPv4Devices() throws -> [NIONetworkDevice] {
        let devices = try System.enumerateDevices().filter { device in
            guard device.multicastSupported, case .v4 = device.address else { return false }
            return true
        }
        let external = devices.filter { !isLoopback($0) }
        return external.isEmpty ? devices : external
    }

    /// One device per interface (the first IPv4 address of each): what to join the group
    /// on and send multicast through, once per interface however many addresses it has.
    public static func multicastIPv4Interfaces() throws -> [NIONetworkDevice] {
        var seen: Set<Int> = []
        return try multicastIPv4Devices().filter { seen.insert($0.interfaceIndex).inserted }
    }

    static func isLoopback(_ device: NIONetworkDevice) -> Bool {
        device.name == "lo" || device.address?.ipAddress?.hasPrefix("127.") == true || device.address?.ipAddress == "::1"
    }

    /// The host's addresses to advertise: those of the multicast devices.
    public static func hostAddresses() throws -> [SocketAddress] {
        var seen: Set<String> = []
        var result: [SocketAddress] = []
        for device in try multicastIPv4Devices() {
            guard let address = device.address, let text = address.ipAddress, seen.insert(text).inserted else { continue }
            result.append(address)
        }
        return result
    }

    /// "<gethostname()>.local": the first label of the system's host name.
    public static func defaultHostName(domain: String = "local") -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let name: String
        if gethostname(&buffer, buffer.count) == 0 {
            name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        } else {
            name = "winterop"
        }
        let first = name.split(separator: ".").first.map(String.init) ?? "winterop"
        return "\(first.isEmpty ? "winterop" : first).\(domain)"
    }
}
