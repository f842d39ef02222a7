import Crypto
import CryptoExtras
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
/// that settles it otherwise changes only this file.
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
    private let key: SymmetricKey
    /// The chaining value: the IV, then the last ciphertext block processed.
    private var chain: AES._CBC.IV

    /// A cipher over one CBC chain from `iv` (16 bytes).
    public init(direction: Direction, key: SymmetricKey, iv: some Collection<UInt8>) throws {
        self.direction = direction
        self.key = key
        self.chain = try AES._CBC.IV(ivBytes: iv)
    }

    /// Encrypts or decrypts `input`, a whole number of blocks, continuing the chain,
    /// and appends the result to `output`. Large inputs amortise the library's
    /// per-call key schedule and copies (the shells pass 64 KiB to 1 MiB).
    public mutating func process(_ input: UnsafeRawBufferPointer, into output: inout ByteBuffer) throws {
        precondition(input.count % NFPS.blockSize == 0, "ShareCipher takes whole blocks")
        output.reserveCapacity(minimumWritableBytes: input.count)
        // The library copies its input and allocates its output on every call: slices
        // that stay in the CPU cache cost less than one large call (measured by `nfps bench`).
        var offset = 0
        while offset < input.count {
            let end = min(offset + Self.slice, input.count)
            try processSlice(UnsafeRawBufferPointer(rebasing: input[offset..<end]), into: &output)
            offset = end
        }
    }

    /// Bytes per library call.
    static let slice = 16 << 10

    private mutating func processSlice(_ input: UnsafeRawBufferPointer, into output: inout ByteBuffer) throws {
        let result: Data
        switch direction {
        case .encrypt:
            result = try AES._CBC.encrypt(input, using: key, iv: chain, noPadding: true)
            chain = try AES._CBC.IV(ivBytes: result.suffix(NFPS.blockSize))
        case .decrypt:
            result = try AES._CBC.decrypt(input, using: key, iv: chain, noPadding: true)
            chain = try AES._CBC.IV(ivBytes: UnsafeRawBufferPointer(rebasing: input[(input.count - NFPS.blockSize)...]))
        }
        output.writeBytes(result)
    }

    /// ``process(_:into:)`` over the readable bytes of `input`.
    public mutating func process(_ input: ByteBuffer, into output: inout ByteBuffer) throws {
        try input.withUnsafeReadableBytes { try process($0, into: &output) }
    }
}
