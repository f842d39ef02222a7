import NIOCore
import WinteropWire

/// A Wi-Fi BSSID (2.2.2.1): 6 bytes, usually the access point's MAC address.
public struct Bssid: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Nil unless exactly 6 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 6 else { return nil }
        self.bytes = bytes
    }

    /// Six hexadecimal pairs separated by colons or dashes, e.g. `01:02:03:04:05:06`.
    public init?(_ text: String) {
        let parts = text.split(whereSeparator: { $0 == ":" || $0 == "-" })
        guard parts.count == 6, parts.allSatisfy({ $0.count == 2 }) else { return nil }
        let bytes = parts.compactMap { UInt8($0, radix: 16) }
        self.init(bytes: bytes)
    }

    static func decode(_ value: ByteBuffer) throws(WireError) -> Bssid {
        let bytes = try StructureValue.fixed(value, .bssid, count: 6)
        guard let bssid = Bssid(bytes: bytes) else {
            throw TCC.section("2.2.2.1").error("Bssid Length must be 6")
        }
        return bssid
    }

    /// `01:02:03:04:05:06`.
    public var description: String { Hex.encode(bytes, separator: ":") }
}
