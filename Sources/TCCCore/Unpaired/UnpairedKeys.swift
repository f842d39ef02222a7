import Crypto

/// The three 256-bit keys of the unpaired flow (1.5): K1 authenticates the request's
/// Timestamp, K2 encrypts the response, K3 authenticates it. How Windows provisions them
/// is outside the spec; winterop reads them from a key file.
public struct UnpairedKeys: Sendable {
    public let k1: SymmetricKey
    public let k2: SymmetricKey
    public let k3: SymmetricKey

    /// Nil unless each key is exactly 32 bytes.
    public init?(k1: [UInt8], k2: [UInt8], k3: [UInt8]) {
        guard k1.count == 32, k2.count == 32, k3.count == 32 else { return nil }
        self.k1 = SymmetricKey(data: k1)
        self.k2 = SymmetricKey(data: k2)
        self.k3 = SymmetricKey(data: k3)
    }
}
