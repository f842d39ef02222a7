import NIOCore
import WinteropWire

/// The Source ID TLV's value (2.2.7.3): 16 implementation-defined bytes that name
/// the source for a whole session. Treated as opaque bytes (one open source puts
/// ASCII text in it).
public struct SourceID: Sendable, Hashable, CustomStringConvertible {
    public static let length = 16
    public let bytes: [UInt8]

    /// Nil unless `bytes` is exactly 16 bytes.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count == Self.length else { return nil }
        self.bytes = bytes
    }

    /// Sixteen random bytes.
    public static func random() -> SourceID {
        var generator = SystemRandomNumberGenerator()
        return SourceID(uncheckedBytes: (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// All zero: used by a sink that must name a source it never heard from.
    public static let zero = SourceID(uncheckedBytes: [UInt8](repeating: 0, count: length))

    private init(uncheckedBytes: [UInt8]) { self.bytes = uncheckedBytes }

    /// The first 16 bytes of the value; bytes beyond them are ignored (2.2.7.5's rule).
    static func decode(_ value: ByteBuffer) throws(WireError) -> SourceID {
        guard value.readableBytes >= length else {
            throw MICE.section("2.2.7.3").error("Source ID Length must be 0x0010 but is \(value.readableBytes)")
        }
        return SourceID(uncheckedBytes: Array(value.readableBytesView.prefix(length)))
    }

    public var description: String { Hex.encode(bytes) }
}
