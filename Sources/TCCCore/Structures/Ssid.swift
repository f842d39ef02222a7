import NIOCore
import WinteropWire

/// A Wi-Fi SSID (2.2.2.10): a byte blob of 0 to 32 bytes (IEEE 802.11).
public struct Ssid: Sendable, Hashable, CustomStringConvertible {
    public static let maximumLength = 32
    public let bytes: [UInt8]

    /// Nil when longer than 32 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count <= Self.maximumLength else { return nil }
        self.bytes = bytes
    }

    /// The SSID of a text's UTF-8 bytes; nil when they are more than 32.
    public init?(_ text: String) {
        self.init(bytes: Array(text.utf8))
    }

    static func decode(_ value: ByteBuffer) throws(WireError) -> Ssid {
        guard let ssid = Ssid(bytes: Array(value.readableBytesView)) else {
            throw TCC.section("2.2.2.10").error("Ssid Length must be 0 to 32 but is \(value.readableBytes)")
        }
        return ssid
    }

    /// The SSID as UTF-8 text when it is, else nil.
    public var text: String? { String(validating: bytes, as: UTF8.self) }

    /// The text, or the bytes in hex when they are not UTF-8.
    public var description: String { text ?? "0x" + Hex.encode(bytes) }
}

