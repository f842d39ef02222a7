/// How a ``DTLSEndpoint`` negotiates: DTLS 1.2 only, no peer verification (as the
/// shipping sinks do), optionally offering `use_srtp` (RFC 5764).
public struct DTLSConfiguration: Sendable {
    /// The profile list a shipping MS-MICE sink offers.
    public static let defaultSRTPProfiles = "SRTP_AES128_CM_SHA1_80"
    /// The default link MTU: OpenSSL fragments handshake messages to fit it.
    public static let defaultMaximumTransmissionUnit = 1400

    public var role: DTLSRole
    /// The local certificate. A server without one generates a self-signed certificate
    /// (CN "winterop") when the endpoint is created; a client without one sends none.
    public var certificate: DTLSCertificate?
    /// Colon-separated `use_srtp` profile names offered (client) or accepted (server);
    /// `nil` leaves the extension out.
    public var srtpProfiles: String?
    /// The MTU OpenSSL fragments handshake messages for (at least 256). Each record of a
    /// flight then travels in its own SECURITY_HANDSHAKE message (MS-MICE 2.2.3).
    public var maximumTransmissionUnit: Int
    /// An OpenSSL cipher list (`SSL_CTX_set_cipher_list`), e.g. "ECDHE-ECDSA-AES128-SHA";
    /// nil keeps OpenSSL's default.
    public var cipherList: String?

    public init(
        role: DTLSRole,
        certificate: DTLSCertificate? = nil,
        srtpProfiles: String? = DTLSConfiguration.defaultSRTPProfiles,
        maximumTransmissionUnit: Int = DTLSConfiguration.defaultMaximumTransmissionUnit,
        cipherList: String? = nil
    ) {
        self.role = role
        self.certificate = certificate
        self.srtpProfiles = srtpProfiles
        self.maximumTransmissionUnit = maximumTransmissionUnit
        self.cipherList = cipherList
    }
}

/// What the handshake negotiated.
public struct DTLSSessionInfo: Sendable, Equatable {
    /// OpenSSL's protocol name, "DTLSv1.2".
    public var protocolVersion: String
    /// OpenSSL's cipher suite name, e.g. "ECDHE-ECDSA-AES256-GCM-SHA384".
    public var cipher: String
    /// The `use_srtp` profile both sides agreed on, e.g. "SRTP_AES128_CM_SHA1_80".
    public var srtpProfile: String?
    /// SHA-256 of the peer's certificate, colon-separated hex (for logs; nobody verifies
    /// it), or nil when the peer sent none (a client, usually).
    public var peerCertificateSHA256: String?

    public init(protocolVersion: String, cipher: String, srtpProfile: String?, peerCertificateSHA256: String? = nil) {
        self.protocolVersion = protocolVersion
        self.cipher = cipher
        self.srtpProfile = srtpProfile
        self.peerCertificateSHA256 = peerCertificateSHA256
    }
}

/// What a handshake step produced. Each element of `send` is exactly one DTLS record,
/// to be carried in its own SECURITY_HANDSHAKE message (MS-MICE 2.2.3, Security Token TLV).
public enum DTLSHandshakeResult: Sendable, Equatable {
    case inProgress(send: [[UInt8]])
    case complete(send: [[UInt8]], info: DTLSSessionInfo)

    /// The records to send, whichever the case.
    public var send: [[UInt8]] {
        switch self {
        case .inProgress(let send), .complete(let send, _): send
        }
    }

    public var isComplete: Bool {
        if case .complete = self { return true }
        return false
    }
}
