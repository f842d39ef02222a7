import CWinteropOpenSSL

/// A certificate with its private key, for the DTLS server (and optionally the client).
/// MS-MICE peers do not verify it (the shipping sink uses a self-signed one); its
/// fingerprint is only for logs.
///
/// A value type around an immutable, reference-counted OpenSSL X509 + EVP_PKEY pair,
/// safe to share between endpoints and threads.
public struct DTLSCertificate: Sendable {
    /// Owns the C handle; OpenSSL's objects are only read after creation.
    final class Handle: @unchecked Sendable {
        let pointer: OpaquePointer
        init(_ pointer: OpaquePointer) { self.pointer = pointer }
        deinit { wo_certificate_free(pointer) }
    }

    let handle: Handle
    /// SHA-256 of the DER certificate, as colon-separated upper-case hex pairs.
    public let sha256Fingerprint: String

    private init(_ pointer: OpaquePointer) {
        handle = Handle(pointer)
        var digest = [UInt8](repeating: 0, count: 32)
        let ok = digest.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { wo_certificate_sha256(pointer, $0) } ?? 0
        }
        sha256Fingerprint = ok == 1 ? Self.colonHex(digest) : "(unavailable)"
    }

    /// Generates an EC P-256 key and a self-signed X.509 v3 certificate, subject and
    /// issuer `CN=commonName`, valid from now for 365 days.
    public static func selfSigned(commonName: String) throws(DTLSError) -> DTLSCertificate {
        guard !commonName.isEmpty, commonName.utf8.count <= 64, !commonName.utf8.contains(0) else {
            throw DTLSError(.certificate, "the common name must be 1 to 64 bytes of UTF-8 without NUL (X.520 ub-common-name)")
        }
        let (pointer, message) = ShimErrorBuffer.with { error, capacity in
            commonName.withCString { wo_certificate_self_signed($0, error, capacity) }
        }
        guard let pointer else { throw DTLSError(.certificate, message) }
        return DTLSCertificate(pointer)
    }

    /// Loads a PEM certificate and its unencrypted PEM private key (any key type OpenSSL
    /// supports), checking that they belong together.
    public init(certificatePEMFile: String, privateKeyPEMFile: String) throws(DTLSError) {
        let (pointer, message) = ShimErrorBuffer.with { error, capacity in
            certificatePEMFile.withCString { certificatePath in
                privateKeyPEMFile.withCString { keyPath in
                    wo_certificate_load_pem(certificatePath, keyPath, error, capacity)
                }
            }
        }
        guard let pointer else { throw DTLSError(.certificate, message) }
        self.init(pointer)
    }

    /// The certificate (without its key) in PEM form.
    public var pem: String {
        let length = wo_certificate_pem(handle.pointer, nil, 0)
        guard length > 0 else { return "" }
        let bytes = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            let base = UnsafeMutableRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
            count = wo_certificate_pem(handle.pointer, base, length) == length ? length : 0
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func colonHex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 3)
        for (index, byte) in bytes.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ":")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
