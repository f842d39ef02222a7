import TCCCore
import WinteropTransport

/// Where a TCC role talks: TCP (for networks without Bluetooth, and tests) or Bluetooth
/// RFCOMM, the spec's transport (2.1).
public enum TCCTransport: Sendable, Hashable, CustomStringConvertible {
    /// The default TCP port when `tcp:HOST` gives none (the spec has no TCP port; this is winterop's).
    public static let defaultTCPPort = 7260

    case tcp(HostPort)
    /// Server: the RFCOMM channel to listen on (1–30). Client: the server's Bluetooth
    /// address and, when known, its channel (else found by SDP).
    case rfcomm(address: BluetoothAddress?, channel: UInt8?)

    /// `tcp:HOST[:PORT]` or `rfcomm:CHANNEL` (a server) / `rfcomm:ADDRESS[/CHANNEL]` (a client).
    public init(parsing text: String, server: Bool) throws(RoleFailure) {
        let usage = server ? "tcp:HOST:PORT or rfcomm:CHANNEL" : "tcp:HOST:PORT or rfcomm:ADDRESS[/CHANNEL]"
        if text.hasPrefix("tcp:") {
            self = .tcp(try OptionValidation.hostPort(String(text.dropFirst(4)), defaultPort: Self.defaultTCPPort, option: "--transport"))
        } else if text.hasPrefix("rfcomm:") {
            let rest = String(text.dropFirst(7))
            if server {
                self = .rfcomm(address: nil, channel: try Self.channel(rest))
            } else {
                let parts = rest.split(separator: "/", maxSplits: 1).map(String.init)
                guard let first = parts.first, let address = BluetoothAddress(first) else {
                    throw .usage("--transport rfcomm: '\(rest)' is not a Bluetooth address such as 00:1A:7D:DA:71:13 (optionally /CHANNEL)")
                }
                self = .rfcomm(address: address, channel: parts.count == 2 ? try Self.channel(parts[1]) : nil)
            }
        } else {
            throw .usage("--transport must be \(usage), not '\(text)'")
        }
    }

    static func channel(_ text: String) throws(RoleFailure) -> UInt8 {
        guard let channel = UInt8(text), (1...30).contains(channel) else {
            throw .usage("--transport rfcomm: the channel must be a number from 1 to 30, not '\(text)'")
        }
        return channel
    }

    public var description: String {
        switch self {
        case .tcp(let address): return "tcp:\(address)"
        case .rfcomm(let address, let channel):
            return "rfcomm:" + [address?.description, channel.map(String.init)].compactMap { $0 }.joined(separator: "/")
        }
    }
}

/// A Bluetooth device address, `00:1A:7D:DA:71:13` (most significant byte first).
public struct BluetoothAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(_ text: String) {
        guard let bssid = Bssid(text) else { return nil }
        bytes = bssid.bytes
    }

    public var description: String {
        bytes.map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: ":")
    }
}
