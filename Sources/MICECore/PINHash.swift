import Crypto
import NIOCore

/// The salted PIN hash of 3.1.5.6.1: SHA-256 over the ASCII PIN (no NUL) followed by
/// the binary IP address of the *sender* (4 bytes for IPv4, 16 for IPv6). The source's
/// PIN_CHALLENGE uses the source's address of the 7250 connection, the sink's
/// PIN_RESPONSE the sink's (DESIGN.md).
public enum PINHash {
    /// SHA-256(pin ‖ address).
    public static func compute(pin: String, senderAddress: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: Array(pin.utf8))
        hasher.update(data: senderAddress)
        return Array(hasher.finalize())
    }

    /// Compares two hashes in time that does not depend on where they differ.
    /// The hash's size: SHA-256 output (2.2.7.6).
    public static let length = 32

    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        // Lengths compared whole: a length difference of 256 must not truncate to 0.
        var difference: UInt8 = a.count == b.count ? 0 : 1
        let count = max(a.count, b.count)
        for i in 0..<count {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0
    }

    /// Whether `pin` is a PIN as the sink displays it: 8 ASCII digits (3.1.5.4).
    public static func isValidPIN(_ pin: String) -> Bool {
        pin.utf8.count == 8 && pin.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// A random 8-digit PIN (3.1.5.4).
    public static func randomPIN() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<8).map { _ in Character(Unicode.Scalar(UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &generator))) })
    }
}

/// IP addresses as text and as the binary form the PIN hash salts with.
public enum IPAddressText {
    /// The network-order bytes of an IPv4 dotted-decimal or IPv6 address, or nil.
    public static func bytes(_ text: String) -> [UInt8]? {
        guard let address = try? SocketAddress(ipAddress: text, port: 0) else { return nil }
        return bytes(address)
    }

    /// The network-order bytes of a socket address's IP (4 or 16 bytes), or nil for a UNIX socket.
    /// An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack socket reports for an
    /// IPv4 peer) gives its 4 IPv4 bytes, so both ends salt the PIN hash alike.
    public static func bytes(_ address: SocketAddress) -> [UInt8]? {
        switch address {
        case .v4(let v4):
            return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            if bytes.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                return Array(bytes.suffix(4))
            }
            return bytes
        case .unixDomainSocket:
            return nil
        }
    }
}
