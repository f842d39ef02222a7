import Foundation
import Testing
@testable import WinteropDTLS

@Suite struct CertificateTests {
    @Test func selfSignedCertificate() throws {
        let certificate = try DTLSCertificate.selfSigned(commonName: "Living Room Sink")
        #expect(certificate.sha256Fingerprint.split(separator: ":").count == 32)
        #expect(certificate.pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
        let other = try DTLSCertificate.selfSigned(commonName: "Living Room Sink")
        #expect(other.sha256Fingerprint != certificate.sha256Fingerprint)
        #expect((#expect(throws: DTLSError.self) { try DTLSCertificate.selfSigned(commonName: "") })?.kind == .certificate)
    }

    @Test(.enabled(if: OpenSSLCLI.isAvailable, "needs the openssl command-line tool (apt-get install openssl)"))
    func selfSignedCertificateAsOpenSSLSeesIt() throws {
        let directory = try TemporaryDirectory()
        let certificate = try DTLSCertificate.selfSigned(commonName: "Living Room Sink")
        try certificate.pem.write(toFile: directory.path("generated.pem"), atomically: true, encoding: .utf8)
        let text = try OpenSSLCLI.run(["x509", "-in", "generated.pem", "-noout", "-subject", "-issuer", "-dates", "-fingerprint", "-sha256", "-text"], in: directory.url)
        #expect(text.contains("subject=CN = Living Room Sink"))
        #expect(text.contains("issuer=CN = Living Room Sink"))
        #expect(text.contains("prime256v1") || text.contains("P-256"))
        #expect(text.contains("ecdsa-with-SHA256"))
        #expect(text.contains("Fingerprint=\(certificate.sha256Fingerprint)"))
        // Valid from now for a year.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "MMM d HH:mm:ss yyyy zzz"
        func date(after prefix: String) -> Date? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
            let value = line.dropFirst(prefix.count).split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            return formatter.date(from: value)
        }
        let notBefore = try #require(date(after: "notBefore="))
        let notAfter = try #require(date(after: "notAfter="))
        #expect(abs(notBefore.timeIntervalSinceNow) < 300)
        #expect(abs(notAfter.timeIntervalSince(notBefore) - 365 * 86_400) < 5)
    }

    @Test(.enabled(if: OpenSSLCLI.isAvailable, "needs the openssl command-line tool (apt-get install openssl)"))
    func loadsPEMFilesAndHandshakes() throws {
        let directory = try TemporaryDirectory()
        try OpenSSLCLI.run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                            "-keyout", "ec-key.pem", "-out", "ec-cert.pem", "-days", "2", "-subj", "/CN=pem sink"], in: directory.url)
        try OpenSSLCLI.run(["req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", "rsa-key.pem", "-out", "rsa-cert.pem", "-days", "2", "-subj", "/CN=rsa sink"], in: directory.url)
        for (name, cipherPrefix) in [("ec", "ECDHE-ECDSA-"), ("rsa", "ECDHE-RSA-")] {
            let certificate = try DTLSCertificate(certificatePEMFile: directory.path("\(name)-cert.pem"), privateKeyPEMFile: directory.path("\(name)-key.pem"))
            let fingerprint = try OpenSSLCLI.run(["x509", "-in", "\(name)-cert.pem", "-noout", "-fingerprint", "-sha256"], in: directory.url)
            #expect(fingerprint.contains(certificate.sha256Fingerprint))
            var pair = try EndpointPair(server: DTLSConfiguration(role: .server, certificate: certificate))
            try pair.handshake()
            #expect(pair.client.sessionInfo?.cipher.hasPrefix(cipherPrefix) == true, "\(String(describing: pair.client.sessionInfo))")
            #expect(try pair.client.open(pair.server.seal([42])) == [42])
        }
        // Failures say which file is wrong.
        let mismatch = #expect(throws: DTLSError.self) {
            try DTLSCertificate(certificatePEMFile: directory.path("ec-cert.pem"), privateKeyPEMFile: directory.path("rsa-key.pem"))
        }
        #expect(mismatch?.kind == .certificate)
        #expect(mismatch?.message.contains("does not match") == true)
        let missing = #expect(throws: DTLSError.self) {
            try DTLSCertificate(certificatePEMFile: directory.path("nope.pem"), privateKeyPEMFile: directory.path("ec-key.pem"))
        }
        #expect(missing?.message.contains("nope.pem") == true)
        try "not a certificate".write(toFile: directory.path("garbage.pem"), atomically: true, encoding: .utf8)
        let garbage = #expect(throws: DTLSError.self) {
            try DTLSCertificate(certificatePEMFile: directory.path("garbage.pem"), privateKeyPEMFile: directory.path("ec-key.pem"))
        }
        #expect(garbage?.message.contains("no PEM certificate") == true)
        // An encrypted key is refused without prompting on the terminal.
        try OpenSSLCLI.run(["pkey", "-in", "ec-key.pem", "-out", "encrypted-key.pem", "-aes256", "-passout", "pass:secret"], in: directory.url)
        let encrypted = #expect(throws: DTLSError.self) {
            try DTLSCertificate(certificatePEMFile: directory.path("ec-cert.pem"), privateKeyPEMFile: directory.path("encrypted-key.pem"))
        }
        #expect(encrypted?.message.contains("unencrypted") == true)
    }
}
