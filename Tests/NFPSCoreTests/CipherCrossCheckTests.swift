import Crypto
import CryptoExtras
import NFPSCore
import NIOCore
import PropertyBased
import Testing

/// ShareCipher runs on the system's OpenSSL; swift-crypto's AES._CBC (BoringSSL) is an
/// independent implementation of the same mode. Over one chain fed in uneven calls,
/// both directions must agree with it byte for byte.
@Suite struct CipherCrossCheckTests {
    @Test func oneChainInUnevenCallsMatchesSwiftCrypto() async {
        await propertyCheck(
            input: Gen.uint8().array(of: 1...40), Gen.int(in: 1...80), Gen.int(in: 1...9), Gen.uint8().array(of: 16...16)
        ) { secret, blocks, callBlocks, iv in
            do {
                let key = ShareCipher.symmetricKey(sharedSecretKey: secret)
                let plain = (0..<blocks * 16).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(secret[0])) }
                let reference = try AES._CBC.encrypt(plain, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true)
                var encrypt = try ShareCipher(direction: .encrypt, key: key, iv: iv)
                var decrypt = try ShareCipher(direction: .decrypt, key: key, iv: iv)
                var ciphertext = ByteBuffer(), decrypted = ByteBuffer()
                for start in stride(from: 0, to: plain.count, by: callBlocks * 16) {
                    let piece = Array(plain[start..<min(start + callBlocks * 16, plain.count)])
                    try piece.withUnsafeBytes { try encrypt.process($0, into: &ciphertext) }
                }
                #expect(Array(ciphertext.readableBytesView) == Array(reference))
                for start in stride(from: 0, to: reference.count, by: callBlocks * 16) {
                    let piece = Array(reference[start..<min(start + callBlocks * 16, reference.count)])
                    try piece.withUnsafeBytes { try decrypt.process($0, into: &decrypted) }
                }
                #expect(Array(decrypted.readableBytesView) == plain)
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test func aWrongSizedKeyOrIVIsRefused() {
        #expect(throws: ShareCipher.Failure.self) {
            try ShareCipher(direction: .encrypt, key: SymmetricKey(size: .bits256), iv: [UInt8](repeating: 0, count: 16))
        }
        #expect(throws: ShareCipher.Failure.self) {
            try ShareCipher(direction: .decrypt, key: SymmetricKey(size: .bits128), iv: [UInt8](repeating: 0, count: 15))
        }
    }
}
