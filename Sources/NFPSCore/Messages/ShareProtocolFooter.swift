import NIOCore
import WinteropWire
import WinteropFormat

/// The Share Protocol footer (2.2.4): 48 bytes (three AES blocks) carrying the last
/// 0 to 15 bytes of the package that did not fill a block. Sent encrypted.
public struct ShareProtocolFooter: NFPSMessage {
    /// "The total size of this message MUST be 48 bytes" (2.2.4).
    public static let size = 48
    /// RemainderLength "MUST be from zero to 15, inclusive" (2.2.4).
    public static let maximumRemainderLength = 15

    /// The final bytes of the package.
    public private(set) var remainder: [UInt8]

    /// A footer for `remainder`, or nil when it has more than 15 bytes.
    public init?(remainder: some Collection<UInt8>) {
        guard remainder.count <= Self.maximumRemainderLength else { return nil }
        self.remainder = Array(remainder)
    }

    private init(checkedRemainder: [UInt8]) {
        self.remainder = checkedRemainder
    }

    /// Decodes the 48 decrypted bytes; Reserved is ignored on receipt (2.2.4).
    public static func decode(bytes: some Collection<UInt8>) throws(WireError) -> ShareProtocolFooter {
        let reference = NFPS.section("2.2.4")
        guard bytes.count == size else {
            throw reference.error("the footer is \(bytes.count) bytes; it must be 48")
        }
        let array = Array(bytes)
        let length = Int(array[size - 1])
        guard length <= maximumRemainderLength else {
            throw reference.error("RemainderLength is \(length); it must be 0 to 15 (a wrong SharedSecretKey gives this too)")
        }
        return ShareProtocolFooter(checkedRemainder: Array(array[0..<length]))
    }

    /// Remainder, zeros, RemainderLength: 48 bytes.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeBytes(remainder)
        buffer.writeRepeatingByte(0, count: Self.size - 1 - remainder.count)
        buffer.writeInteger(UInt8(remainder.count))
    }

    public var json: JSONValue {
        .object([
            ("message", .string("Share Protocol footer")),
            ("remainderLength", .integer(remainder.count)),
            ("remainder", .hex(remainder)),
        ])
    }
}
