import MICECore
import WinteropDTLS

/// The MS-MICE shells' DTLS engine: ``WinteropDTLS/DTLSEndpoint`` on Debian's OpenSSL.
/// The sink is the DTLS server with one certificate for all connections (made at
/// start, self-signed, or loaded from PEM); the source is the client and sends none.
public struct OpenSSLDTLSFactory: MICEDTLSFactory {
    public let certificate: DTLSCertificate?

    public init(certificate: DTLSCertificate?) {
        self.certificate = certificate
    }

    /// A factory with a new self-signed certificate.
    public static func selfSigned(commonName: String) throws -> OpenSSLDTLSFactory {
        OpenSSLDTLSFactory(certificate: try DTLSCertificate.selfSigned(commonName: commonName))
    }

    /// A factory with the certificate and key in these PEM files.
    public static func fromPEM(certificate: String, key: String) throws -> OpenSSLDTLSFactory {
        OpenSSLDTLSFactory(certificate: try DTLSCertificate(certificatePEMFile: certificate, privateKeyPEMFile: key))
    }

    public func makeServer() throws -> any MICEDTLSSession {
        OpenSSLDTLSSession(try DTLSEndpoint(DTLSConfiguration(role: .server, certificate: certificate)))
    }

    public func makeClient() throws -> any MICEDTLSSession {
        OpenSSLDTLSSession(try DTLSEndpoint(DTLSConfiguration(role: .client)))
    }
}

/// Adapts one ``DTLSEndpoint`` to ``MICEDTLSSession``. Security Tokens pass through a
/// ``DTLSRecordReassembler``: a record split across two SECURITY_HANDSHAKE messages is
/// fed once whole; two records in one message still go together.
final class OpenSSLDTLSSession: MICEDTLSSession {
    private let endpoint: DTLSEndpoint
    private var reassembler = DTLSRecordReassembler()

    init(_ endpoint: DTLSEndpoint) {
        self.endpoint = endpoint
    }

    private static func step(_ result: DTLSHandshakeResult) -> MICEDTLSStep {
        switch result {
        case .inProgress(let send):
            return MICEDTLSStep(records: send, completion: nil)
        case .complete(let send, let info):
            return MICEDTLSStep(records: send, completion: MICEDTLSCompletion(
                protocolVersion: info.protocolVersion, cipher: info.cipher, srtpProfile: info.srtpProfile
            ))
        }
    }

    func start() throws -> MICEDTLSStep { Self.step(try endpoint.start()) }
    func receiveHandshake(_ token: [UInt8]) throws -> MICEDTLSStep {
        guard let records = try reassembler.append(token) else {
            return MICEDTLSStep(records: [], completion: nil)  // the rest of a record is still to come
        }
        return Self.step(try endpoint.receiveHandshake(records))
    }
    func seal(_ plaintext: [UInt8]) throws -> [UInt8] { try endpoint.seal(plaintext) }
    func open(_ record: [UInt8]) throws -> [UInt8] { try endpoint.open(record) }
}
