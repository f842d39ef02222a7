import NIOCore
import WinteropWire

/// A WPA2 passphrase (2.2.2.9, 3.2.1): 8 to 63 ASCII characters in the range 32 to 126,
/// or exactly 64 hexadecimal characters.
public struct Passphrase: Sendable, Hashable, CustomStringConvertible {
    public let text: String

    /// Nil when the text breaks 2.2.2.9; ``problem(_:)`` says why.
    public init?(_ text: String) {
        guard Self.problem(Array(text.utf8)) == nil else { return nil }
        self.text = text
    }

    /// What is wrong with these passphrase bytes, or nil when they are valid.
    public static func problem(_ bytes: [UInt8]) -> String? {
        switch bytes.count {
        case 8...63:
            guard bytes.allSatisfy({ (32...126).contains($0) }) else {
                return "a passphrase of 8 to 63 characters must be ASCII characters 32 to 126"
            }
            return nil
        case 64:
            guard bytes.allSatisfy({ Self.isHexDigit($0) }) else {
                return "a passphrase of 64 characters must be all hexadecimal digits"
            }
            return nil
        default:
            return "a passphrase has 8 to 64 characters, not \(bytes.count)"
        }
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }

    static func decode(_ value: ByteBuffer) throws(WireError) -> Passphrase {
        let bytes = Array(value.readableBytesView)
        if let problem = problem(bytes) {
            throw TCC.section("2.2.2.9").error(problem)
        }
        // Valid bytes are ASCII, so they are UTF-8.
        return Passphrase(unchecked: String(decoding: bytes, as: UTF8.self))
    }

    init(unchecked text: String) { self.text = text }

    public var description: String { text }
}
