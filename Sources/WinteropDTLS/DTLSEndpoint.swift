import CWinteropOpenSSL

/// One DTLS 1.2 connection tunnelled through MS-MICE's TCP 7250 connection, sans-IO:
/// bytes in, records out, no sockets and no clocks.
///
/// The Source is the client: `start()` returns its ClientHello flight. The Sink is the
/// server: `start()` returns nothing, then each SECURITY_HANDSHAKE's Security Token TLV
/// value goes to ``receiveHandshake(_:)``, and each element of the returned `send` is one
/// record for one SECURITY_HANDSHAKE message. After completion, an encrypted TLVArray is
/// ``seal(_:)``/``open(_:)`` of exactly one application-data record.
///
/// OpenSSL never retransmits a flight here (its timer starts at an hour): the tunnel is
/// TCP, and MS-MICE's 1-second Security Handshake Message Timer is the caller's, which
/// tears the connection down on expiry (3.1.5.5, 3.2.5.5).
///
/// Thread safety: an endpoint is confined to one thread or event loop at a time (it is
/// not `Sendable`); OpenSSL's SSL object and this class's state are not synchronised.
public final class DTLSEndpoint {
    enum State {
        case idle
        case handshaking
        case complete(DTLSSessionInfo)
        case failed(DTLSError)
        case closed
    }

    /// The largest plaintext one record carries (RFC 6347 4.1, RFC 5246 6.2.1: 2^14).
    public static let maximumPlaintextLength = 16384

    public let configuration: DTLSConfiguration
    /// The certificate this endpoint presents (the generated one for a server configured without).
    public let certificate: DTLSCertificate?

    private let connection: OpaquePointer
    private var state: State = .idle
    private let errorBuffer = ShimErrorBuffer()
    private let plaintextBuffer: UnsafeMutablePointer<UInt8>
    private static let plaintextBufferSize = maximumPlaintextLength + 2048

    public init(_ configuration: DTLSConfiguration) throws(DTLSError) {
        let mtu = configuration.maximumTransmissionUnit
        guard mtu >= 256, mtu <= 65_535 else {
            throw DTLSError(.configuration, "maximumTransmissionUnit \(mtu) is outside 256...65535")
        }
        var certificate = configuration.certificate
        if certificate == nil, configuration.role == .server {
            certificate = try DTLSCertificate.selfSigned(commonName: "winterop")
        }
        let (pointer, message): (OpaquePointer?, String) = ShimErrorBuffer.with { error, capacity in
            let certificatePointer = certificate?.handle.pointer
            let isServer: Int32 = configuration.role == .server ? 1 : 0
            return withOptionalCString(configuration.srtpProfiles) { profiles in
                withOptionalCString(configuration.cipherList) { ciphers in
                    wo_dtls_new(isServer, certificatePointer, profiles, ciphers, UInt32(mtu), error, capacity)
                }
            }
        }
        guard let pointer else {
            throw DTLSError(message.contains("certificate") || message.contains("private key") ? .certificate : .configuration, message)
        }
        self.configuration = configuration
        self.certificate = certificate
        self.connection = pointer
        self.plaintextBuffer = .allocate(capacity: Self.plaintextBufferSize)
    }

    deinit {
        wo_dtls_free(connection)
        plaintextBuffer.deallocate()
    }

    /// True once the handshake completed (and until the endpoint fails or closes).
    public var isHandshakeComplete: Bool {
        if case .complete = state { return true }
        return false
    }

    /// True once OpenSSL failed fatally (a failed handshake, or a bad record under a CBC
    /// cipher); every later call throws the error that caused it.
    public var hasFailed: Bool {
        if case .failed = state { return true }
        return false
    }

    /// What the handshake negotiated, once complete.
    public var sessionInfo: DTLSSessionInfo? {
        if case .complete(let info) = state { return info }
        return nil
    }

    /// Seconds until OpenSSL would retransmit the last flight, or nil when no flight timer
    /// runs. Always far beyond MS-MICE's 1-second Security Handshake Message Timer.
    public var retransmissionTimeout: Double? {
        let seconds = wo_dtls_timeout_seconds(connection)
        return seconds < 0 ? nil : seconds
    }

    /// Begins the handshake. A client returns its first flight (the ClientHello); a
    /// server returns `.inProgress(send: [])` and waits for it.
    public func start() throws(DTLSError) -> DTLSHandshakeResult {
        switch state {
        case .idle:
            state = .handshaking
            switch configuration.role {
            case .server: return .inProgress(send: [])
            case .client: return try advance([])
            }
        case .handshaking:
            throw DTLSError(.misuse, "start() called twice: the handshake is already in progress")
        case .complete:
            throw DTLSError(.handshakeAlreadyComplete, "start() called after the DTLS handshake completed")
        case .failed(let error):
            throw error
        case .closed:
            throw DTLSError(.closed, "start() called on a closed DTLS endpoint")
        }
    }

    /// Feeds one tunnelled handshake payload (one or more whole records, as one datagram)
    /// and returns the records to send. The records go to OpenSSL one at a time. A server
    /// that was not started starts implicitly.
    ///
    /// Throws `.handshakeAlreadyComplete` when the handshake is complete (MS-MICE 3.1.5.5:
    /// the sink ignores the message and tears down), `.malformedRecord` for bytes that are
    /// not whole DTLS records (the endpoint stays usable: nothing reached OpenSSL),
    /// `.handshakeNotComplete` for application data before completion, `.handshakeAlreadyComplete`
    /// also when records follow the handshake's final message in the same payload, and
    /// `.handshakeFailed` when OpenSSL rejects the handshake (the endpoint is then unusable).
    public func receiveHandshake(_ payload: [UInt8]) throws(DTLSError) -> DTLSHandshakeResult {
        switch state {
        case .idle:
            guard configuration.role == .server else {
                throw DTLSError(.misuse, "a DTLS client must call start() before receiving handshake records")
            }
            state = .handshaking
        case .handshaking:
            break
        case .complete:
            throw DTLSError(.handshakeAlreadyComplete, "handshake payload received after the DTLS handshake completed (MS-MICE 3.1.5.5: ignore it and tear down the connection)")
        case .failed(let error):
            throw error
        case .closed:
            throw DTLSError(.closed, "handshake payload received on a closed DTLS endpoint")
        }
        let records = try DTLSRecordSplitter.split(payload)
        if let record = records.first(where: { $0.header.contentType == .applicationData }) {
            throw DTLSError(.handshakeNotComplete, "application data record (epoch \(record.header.epoch)) received before the DTLS handshake completed")
        }
        return try advance(records.map(\.bytes))
    }

    /// Encrypts `plaintext` (1...16384 bytes, e.g. a TLVArray) into exactly one DTLS
    /// application-data record.
    public func seal(_ plaintext: [UInt8]) throws(DTLSError) -> [UInt8] {
        try requireComplete("seal")
        guard !plaintext.isEmpty, plaintext.count <= Self.maximumPlaintextLength else {
            throw DTLSError(.invalidPlaintextSize, "cannot seal \(plaintext.count) bytes: one DTLS record carries 1 to 16384 bytes of application data (OpenSSL writes no record for 0)")
        }
        let status: Int32 = plaintext.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return -1 }
            return wo_dtls_write(connection, base, buffer.count, errorBuffer.pointer, ShimErrorBuffer.capacity)
        }
        guard status == 1 else {
            _ = takeOutput()
            return try fail(DTLSError(.handshakeFailed, errorBuffer.message))
        }
        let output = takeOutput()
        let records = try DTLSRecordSplitter.split(output)
        guard records.count == 1, records.first?.header.contentType == .applicationData else {
            throw DTLSError(.misuse, "OpenSSL wrote \(records.count) records for one plaintext (expected one application_data record)")
        }
        return output
    }

    /// Decrypts exactly one DTLS application-data record. Throws `.recordRejected` when
    /// it does not authenticate or is a replay; the endpoint stays usable, except under a
    /// CBC cipher with encrypt-then-MAC, where OpenSSL 3.0 fails fatally on a bad MAC
    /// (``hasFailed`` tells; AEAD ciphers, OpenSSL's default choice, just drop it), `.closed`
    /// for the peer's close_notify, `.handshakeAlreadyComplete` for a handshake or
    /// change_cipher_spec record (a repeated flight: MS-MICE 3.1.5.5 tears down).
    public func open(_ record: [UInt8]) throws(DTLSError) -> [UInt8] {
        try requireComplete("open")
        let records = try DTLSRecordSplitter.split(record)
        guard records.count == 1, let header = records.first?.header else {
            throw DTLSError(.malformedRecord, "expected exactly one DTLS record, found \(records.count)")
        }
        switch header.contentType {
        case .handshake, .changeCipherSpec:
            throw DTLSError(.handshakeAlreadyComplete, "DTLS \(header.contentType) record received after the handshake completed (MS-MICE 3.1.5.5: tear down the connection)")
        case .alert, .applicationData:
            break
        }
        let minimum = wo_dtls_minimum_protected_length(connection)
        guard header.length >= minimum else {
            throw DTLSError(.recordRejected, "DTLS \(header.contentType) record of \(header.length) bytes is shorter than the \(minimum) bytes of nonce and tag its cipher needs")
        }
        var length = 0
        let status: Int32 = record.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            return wo_dtls_read(connection, base, buffer.count, plaintextBuffer, Self.plaintextBufferSize, &length, errorBuffer.pointer, ShimErrorBuffer.capacity)
        }
        _ = wo_dtls_discard_input(connection)
        switch status {
        case 1:
            guard header.contentType == .applicationData, length <= Self.plaintextBufferSize else {
                throw DTLSError(.recordRejected, "OpenSSL returned application data for a \(header.contentType) record")
            }
            return Array(UnsafeBufferPointer(start: plaintextBuffer, count: length))
        case 0:
            if header.contentType == .alert {
                throw DTLSError(.recordRejected, "DTLS alert record (epoch \(header.epoch), sequence \(header.sequenceNumber)) was discarded or carried only a warning")
            }
            throw DTLSError(.recordRejected, "DTLS application_data record (epoch \(header.epoch), sequence \(header.sequenceNumber), \(header.length) bytes) was discarded: it does not authenticate (tampered or wrong keys) or it is a replay")
        case 2:
            _ = takeOutput()
            state = .closed
            throw DTLSError(.closed, "the peer closed the DTLS connection (close_notify)")
        default:
            _ = takeOutput()
            let message = errorBuffer.message
            if message.contains("bad record mac") {
                // OpenSSL 3.0 answers a bad MAC under a CBC encrypt-then-MAC cipher with a
                // fatal alert instead of DTLS's silent discard (AEAD ciphers just drop it).
                return try fail(DTLSError(.recordRejected, "DTLS \(header.contentType) record does not authenticate, and under a CBC encrypt-then-MAC cipher OpenSSL treats that as fatal: the connection is unusable (\(message))"))
            }
            return try fail(DTLSError(.handshakeFailed, message))
        }
    }

    /// Closes the connection: returns the close_notify alert record to send (nil when the
    /// handshake never completed, the endpoint failed, or it was already closed). Every
    /// later call throws `.closed`.
    public func close() -> [UInt8]? {
        guard case .complete = state else {
            if case .failed = state {} else { state = .closed }
            return nil
        }
        state = .closed
        _ = takeOutput()
        guard wo_dtls_shutdown(connection, errorBuffer.pointer, ShimErrorBuffer.capacity) == 1,
              let record = try? DTLSRecordSplitter.split(takeOutput()).first
        else { return nil }
        return Array(record.bytes)
    }

    // MARK: internals

    private func requireComplete(_ operation: String) throws(DTLSError) {
        switch state {
        case .complete:
            return
        case .idle, .handshaking:
            throw DTLSError(.handshakeNotComplete, "\(operation) called before the DTLS handshake completed")
        case .failed(let error):
            throw error
        case .closed:
            throw DTLSError(.closed, "\(operation) called on a closed DTLS endpoint")
        }
    }

    private func fail<T>(_ error: DTLSError) throws(DTLSError) -> T {
        state = .failed(error)
        throw error
    }

    /// Feeds the payload's records to OpenSSL one at a time (each record is a datagram of
    /// its own, so a payload larger than OpenSSL's read buffer is never cut mid-record),
    /// stepping the handshake after each, and splits what it wrote into records.
    /// `records` empty: one step without input (the client's first flight).
    private func advance(_ records: [ArraySlice<UInt8>]) throws(DTLSError) -> DTLSHandshakeResult {
        var status: Int32 = 0
        let inputs = records.isEmpty ? [ArraySlice<UInt8>()] : records
        for (index, input) in inputs.enumerated() {
            status = input.withUnsafeBufferPointer { buffer in
                wo_dtls_handshake(connection, buffer.baseAddress, buffer.count, errorBuffer.pointer, ShimErrorBuffer.capacity)
            }
            _ = wo_dtls_discard_input(connection)
            if status < 0 {
                _ = takeOutput()
                return try fail(DTLSError(.handshakeFailed, errorBuffer.message))
            }
            if status == 1, index < inputs.count - 1 {
                _ = takeOutput()
                state = .complete(negotiatedInfo())
                throw DTLSError(.handshakeAlreadyComplete, "\(inputs.count - 1 - index) DTLS record(s) followed the handshake's final message in the same payload (MS-MICE 3.1.5.5: tear down the connection)")
            }
        }
        let output = takeOutput()
        let send: [[UInt8]]
        if output.isEmpty {
            send = []
        } else {
            do {
                send = try DTLSRecordSplitter.split(output).map { Array($0.bytes) }
            } catch {
                return try fail(DTLSError(.handshakeFailed, "OpenSSL wrote bytes that are not whole DTLS records: \(error.message)"))
            }
        }
        guard status == 1 else { return .inProgress(send: send) }
        let info = negotiatedInfo()
        state = .complete(info)
        return .complete(send: send, info: info)
    }

    private func negotiatedInfo() -> DTLSSessionInfo {
        DTLSSessionInfo(
            protocolVersion: String(cString: wo_dtls_version(connection)),
            cipher: String(cString: wo_dtls_cipher(connection)),
            srtpProfile: wo_dtls_srtp_profile(connection).map { String(cString: $0) },
            peerCertificateSHA256: peerCertificateSHA256()
        )
    }

    private func peerCertificateSHA256() -> String? {
        var digest = [UInt8](repeating: 0, count: 32)
        let found = digest.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { wo_dtls_peer_sha256(connection, $0) } ?? 0
        }
        return found == 1 ? DTLSCertificate.colonHex(digest) : nil
    }

    /// Everything in the write BIO.
    private func takeOutput() -> [UInt8] {
        let pending = wo_dtls_pending_output(connection)
        guard pending > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: pending) { buffer, count in
            count = buffer.baseAddress.map { wo_dtls_take_output(connection, $0, pending) } ?? 0
        }
    }
}

/// Calls `body` with a C string for `text`, or NULL.
func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}
