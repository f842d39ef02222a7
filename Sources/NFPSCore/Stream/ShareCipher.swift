import CWinteropNFPSCipher
import Crypto
import Foundation
import NIOCore

/// The one place that fixes MS-NFPS's cipher, which the text leaves partly open:
/// "a standard AES 128-block cipher with the IV and SymmetricKey" (3.2.7.2, 3.3.5),
/// SymmetricKey "derived by taking the SHA256 hash of the SharedSecretKey" (3.2.1).
///
/// winterop reads it as (DESIGN.md, "MS-NFPS"): key = the first 16 bytes of
/// SHA-256(SharedSecretKey); mode = AES-128-CBC without padding (Windows CNG's default
/// chaining mode), one chain starting at the IV and running over every full block of
/// the package and then the footer's three blocks. A capture from a Windows peer
/// that settles it otherwise changes only this file. The cipher runs in the system's
/// OpenSSL (`CWinteropNFPSCipher`), the code `openssl speed -evp aes-128-cbc` measures.
public struct ShareCipher: Sendable {
    public enum Direction: Sendable { case encrypt, decrypt }

    /// The 128-bit SymmetricKey derived from `sharedSecretKey` (3.2.1, 3.3.1).
    public static func symmetricKey(sharedSecretKey: some DataProtocol) -> SymmetricKey {
        let digest = SHA256.hash(data: sharedSecretKey)
        return SymmetricKey(data: Array(digest.prefix(NFPS.aesKeySize)))
    }

    /// A fresh IV from the system's cryptographic random source (3.2.3).
    public static func randomIV() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<NFPS.ivSize).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    public let direction: Direction
    /// The SymmetricKey's 16 bytes.
    private let key: [UInt8]
    /// The chaining value: the IV, then the last ciphertext block processed.
    private var chain: [UInt8]

    /// A cipher over one CBC chain from `iv` (16 bytes).
    public init(direction: Direction, key: SymmetricKey, iv: some Collection<UInt8>) throws(Failure) {
        guard key.bitCount == NFPS.aesKeySize * 8 else { throw Failure("the key is \(key.bitCount) bits; AES-128 takes 128") }
        guard iv.count == NFPS.ivSize else { throw Failure("the IV is \(iv.count) bytes; it takes \(NFPS.ivSize)") }
        self.direction = direction
        self.key = key.withUnsafeBytes { Array($0) }
        self.chain = Array(iv)
    }

    /// Encrypts or decrypts `input`, a whole number of blocks, continuing the chain,
    /// and appends the result to `output`. One OpenSSL EVP call, straight into
    /// `output`'s storage: no intermediate copies whatever the size.
    public mutating func process(_ input: UnsafeRawBufferPointer, into output: inout ByteBuffer) throws(Failure) {
        precondition(input.count % NFPS.blockSize == 0, "ShareCipher takes whole blocks")
        guard let source = input.baseAddress, input.count > 0 else { return }
        let encrypt: Int32 = direction == .encrypt ? 1 : 0
        var ok: Int32 = 0
        _ = key.withUnsafeBufferPointer { key in
            chain.withUnsafeMutableBufferPointer { chain in
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: input.count) { target in
                    guard let keyBase = key.baseAddress, let chainBase = chain.baseAddress, let targetBase = target.baseAddress else { return 0 }
                    ok = wo_nfps_aes128_cbc(encrypt, keyBase, chainBase, source.assumingMemoryBound(to: UInt8.self), targetBase.assumingMemoryBound(to: UInt8.self), input.count)
                    return ok == 1 ? input.count : 0
                }
            }
        }
        guard ok == 1 else { throw Failure("OpenSSL's AES-128-CBC failed") }
    }

    /// ``process(_:into:)`` in place: `bytes` (whole blocks) are replaced by their result.
    public mutating func process(inPlace bytes: UnsafeMutableRawBufferPointer) throws(Failure) {
        precondition(bytes.count % NFPS.blockSize == 0, "ShareCipher takes whole blocks")
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else { return }
        let encrypt: Int32 = direction == .encrypt ? 1 : 0
        let ok = key.withUnsafeBufferPointer { key in
            chain.withUnsafeMutableBufferPointer { chain -> Int32 in
                guard let keyBase = key.baseAddress, let chainBase = chain.baseAddress else { return 0 }
                return wo_nfps_aes128_cbc(encrypt, keyBase, chainBase, base, base, bytes.count)
            }
        }
        guard ok == 1 else { throw Failure("OpenSSL's AES-128-CBC failed") }
    }

    /// ``process(_:into:)`` over the readable bytes of `input`.
    public mutating func process(_ input: ByteBuffer, into output: inout ByteBuffer) throws(Failure) {
        try input.withUnsafeReadableBytes { (bytes) throws(Failure) in try process(bytes, into: &output) }
    }

    /// The cipher could not run (a library failure, or a key or IV of the wrong size).
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
