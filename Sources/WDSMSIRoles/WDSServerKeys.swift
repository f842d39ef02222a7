import Crypto
import CryptoExtras
import Foundation
import WDSMSICore

/// The server's SignKey and HashKey (3.1.1.3), generated once and kept under
/// `<data>/wds/`: `hash-key` (24 random bytes) and `sign-key.pem` (an RSA-2048 key pair,
/// PKCS#8), both readable by their owner only.
///
/// On the wire they take the CryptoAPI key blob forms of section 4's example: SymKey is
/// a PLAINTEXTKEYBLOB (`08 02 0000`, ALG_ID 0x6603, key length, key), and SignKey is taken
/// to be the matching PUBLICKEYBLOB of the RSA key (`06 02 0000`, CALG_RSA_SIGN 0x2400,
/// "RSA1", bit length, public exponent, modulus little-endian).
public struct WDSServerKeys: Sendable {
    public let hashKey: [UInt8]
    public let signingKey: _RSA.Signing.PrivateKey

    /// The folder under the data directory.
    public static func directory(_ dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent("wds")
    }

    /// Reads the keys, or makes and stores the ones that are missing.
    public static func loadOrCreate(dataDirectory: String) throws -> WDSServerKeys {
        let directory = directory(dataDirectory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let hashPath = (directory as NSString).appendingPathComponent("hash-key")
        let signPath = (directory as NSString).appendingPathComponent("sign-key.pem")
        let hashKey: [UInt8]
        if let data = FileManager.default.contents(atPath: hashPath), data.count == hashKeyLength {
            hashKey = Array(data)
        } else {
            hashKey = Array(SymmetricKey(size: SymmetricKeySize(bitCount: hashKeyLength * 8)).withUnsafeBytes { Data($0) })
            try write(Data(hashKey), to: hashPath)
        }
        let signingKey: _RSA.Signing.PrivateKey
        if let data = FileManager.default.contents(atPath: signPath), let pem = String(data: data, encoding: .utf8),
           let key = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) {
            signingKey = key
        } else {
            signingKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            try write(Data(signingKey.pemRepresentation.utf8), to: signPath)
        }
        return WDSServerKeys(hashKey: hashKey, signingKey: signingKey)
    }

    static let hashKeyLength = 24

    private static func write(_ data: Data, to path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }

    /// The SymKey variable: PLAINTEXTKEYBLOB around the HashKey, as in section 4.
    public var symKeyBlob: [UInt8] {
        [0x08, 0x02, 0x00, 0x00] + littleEndian32(0x0000_6603) + littleEndian32(UInt32(hashKey.count)) + hashKey
    }

    /// The SignKey variable: the public RSA key as a PUBLICKEYBLOB.
    public func signKeyBlob() throws -> [UInt8] {
        let primitives = try signingKey.publicKey.getKeyPrimitives()
        let modulus = Array(primitives.modulus.drop { $0 == 0 })
        let exponent = primitives.publicExponent.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return [0x06, 0x02, 0x00, 0x00] + littleEndian32(0x0000_2400)
            + Array("RSA1".utf8) + littleEndian32(UInt32(modulus.count * 8)) + littleEndian32(exponent)
            + modulus.reversed()
    }

    /// The keys as ``ServerConfiguration/Keys`` for the core.
    public func configurationKeys() throws -> ServerConfiguration.Keys {
        ServerConfiguration.Keys(signKey: try signKeyBlob(), hashKey: symKeyBlob)
    }
}

private func littleEndian32(_ value: UInt32) -> [UInt8] {
    [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 24)]
}
