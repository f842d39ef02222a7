import Testing
@testable import WinteropDTLS

@Suite struct HandshakeTests {
    @Test func inMemoryHandshakeSplitsIntoSingleRecords() throws {
        var pair = try EndpointPair()
        try pair.handshake()
        #expect(pair.client.isHandshakeComplete && pair.server.isHandshakeComplete)
        // The first client record is the ClientHello; the server's flight follows.
        let first = try DTLSRecordSplitter.split(try #require(pair.clientRecords.first))
        #expect(first.first?.header.contentType == .handshake)
        #expect(first.first?.header.epoch == 0)
        #expect(pair.serverRecords.count >= 3)
        // Both sides end with change_cipher_spec followed by an epoch-1 Finished.
        for records in [pair.clientRecords, pair.serverRecords] {
            let headers = try records.map { try #require(DTLSRecordSplitter.split($0).first).header }
            let ccs = try #require(headers.firstIndex { $0.contentType == .changeCipherSpec })
            #expect(headers[(ccs + 1)...].allSatisfy { $0.epoch == 1 })
            #expect(headers[..<ccs].allSatisfy { $0.epoch == 0 })
        }
    }

    @Test func negotiatedInfo() throws {
        var pair = try EndpointPair()
        try pair.handshake()
        let client = try #require(pair.client.sessionInfo)
        let server = try #require(pair.server.sessionInfo)
        #expect(client.protocolVersion == server.protocolVersion && client.cipher == server.cipher && client.srtpProfile == server.srtpProfile)
        #expect(client.peerCertificateSHA256 == TestCertificates.shared.sha256Fingerprint)
        #expect(server.peerCertificateSHA256 == nil)
        #expect(client.protocolVersion == "DTLSv1.2")
        #expect(client.cipher.hasPrefix("ECDHE-ECDSA-"), "cipher \(client.cipher)")
        #expect(client.srtpProfile == "SRTP_AES128_CM_SHA1_80")
    }

    @Test func withoutSRTPNoProfileIsNegotiated() throws {
        var pair = try EndpointPair(
            client: DTLSConfiguration(role: .client, srtpProfiles: nil),
            server: DTLSConfiguration(role: .server, certificate: TestCertificates.shared)
        )
        try pair.handshake()
        #expect(pair.client.sessionInfo?.srtpProfile == nil)
        #expect(pair.server.sessionInfo?.srtpProfile == nil)
    }

    @Test func serverWithoutCertificateGeneratesOne() throws {
        var pair = try EndpointPair(server: DTLSConfiguration(role: .server))
        let certificate = try #require(pair.server.certificate)
        #expect(certificate.sha256Fingerprint.count == 32 * 3 - 1)
        try pair.handshake()
        #expect(pair.server.isHandshakeComplete)
    }

    @Test func smallMTUFragmentsButCompletes() throws {
        var pair = try EndpointPair(
            client: DTLSConfiguration(role: .client, maximumTransmissionUnit: 256),
            server: DTLSConfiguration(role: .server, certificate: TestCertificates.shared, maximumTransmissionUnit: 256)
        )
        try pair.handshake()
        #expect(pair.serverRecords.allSatisfy { $0.count <= 256 })
        #expect(pair.client.isHandshakeComplete)
    }

    @Test func bareOpenSSLHandshakeCompletes() throws {
        try bareOpenSSLDTLSHandshake(certificate: TestCertificates.shared)
        try bareOpenSSLDTLSHandshake()
    }

    // MARK: no retransmission over the TCP tunnel

    @Test func retransmissionTimerIsHuge() throws {
        #expect(dtlsInitialRetransmissionTimerMicroseconds >= 3_600_000_000)
        let client = try DTLSEndpoint(DTLSConfiguration(role: .client))
        #expect(client.retransmissionTimeout == nil)
        _ = try client.start()
        let remaining = try #require(client.retransmissionTimeout)
        #expect(remaining > 3000, "OpenSSL would retransmit the ClientHello after \(remaining) s")
    }

    /// OpenSSL resends a flight when it reads after its timer expired (1 s by default).
    /// After a 1.2 s pause on both sides, each must send only its next flight.
    @Test func noRetransmissionAfterOneSecond() async throws {
        let client = try DTLSEndpoint(DTLSConfiguration(role: .client))
        let server = try DTLSEndpoint(DTLSConfiguration(role: .server, certificate: TestCertificates.shared))
        let hello = try client.start().send
        var flight4: [[UInt8]] = []
        for record in hello { flight4 += try server.receiveHandshake(record).send }
        try await Task.sleep(for: .milliseconds(1200))
        var flight5: [[UInt8]] = []
        for record in flight4 { flight5 += try client.receiveHandshake(record).send }
        // The client's flight 5 starts with its key exchange, never a second ClientHello.
        for record in flight5 {
            let header = try #require(DTLSRecordSplitter.split(record).first).header
            if header.contentType == .handshake, header.epoch == 0 {
                #expect(record[DTLSRecordHeader.size] == 16, "client sent handshake message type \(record[DTLSRecordHeader.size]) instead of ClientKeyExchange")
            }
        }
        var flight6: [[UInt8]] = []
        for (index, record) in flight5.enumerated() {
            let result = try server.receiveHandshake(record)
            if index < flight5.count - 1 {
                #expect(result.send.isEmpty, "the server re-sent \(result.send.count) records after a pause")
            }
            flight6 += result.send
        }
        #expect(server.isHandshakeComplete)
        let headers = try flight6.map { try #require(DTLSRecordSplitter.split($0).first).header }
        #expect(headers.map(\.contentType) == [.changeCipherSpec, .handshake])
        for record in flight6 { _ = try client.receiveHandshake(record) }
        #expect(client.isHandshakeComplete)
    }

    // MARK: misuse and order

    @Test func handshakeAfterCompletionIsRejected() throws {
        var pair = try EndpointPair()
        try pair.handshake()
        // A repeated flight after completion: MS-MICE 3.1.5.5 tears down.
        let repeated = try #require(pair.clientRecords.first)
        let error = #expect(throws: DTLSError.self) { try pair.server.receiveHandshake(repeated) }
        #expect(error?.kind == .handshakeAlreadyComplete)
        #expect(throws: DTLSError.self) { try pair.client.start() }
        // A handshake record given to open() is also reported as "already complete".
        let openError = #expect(throws: DTLSError.self) { try pair.client.open(pair.serverRecords[0]) }
        #expect(openError?.kind == .handshakeAlreadyComplete)
        // The endpoints still work.
        #expect(try pair.server.open(pair.client.seal([1, 2, 3])) == [1, 2, 3])
    }

    @Test func clientMustStartFirst() throws {
        let client = try DTLSEndpoint(DTLSConfiguration(role: .client))
        let error = #expect(throws: DTLSError.self) { try client.receiveHandshake(recordBytes(type: 22, fragment: [0])) }
        #expect(error?.kind == .misuse)
        _ = try client.start()
        #expect(throws: DTLSError.self) { try client.start() }
    }

    @Test func applicationDataBeforeCompletionIsRejected() throws {
        let client = try DTLSEndpoint(DTLSConfiguration(role: .client))
        let server = try DTLSEndpoint(DTLSConfiguration(role: .server, certificate: TestCertificates.shared))
        let hello = try client.start().send
        let early = recordBytes(type: 23, epoch: 1, sequence: 1, fragment: Array(repeating: 7, count: 40))
        let error = #expect(throws: DTLSError.self) { try server.receiveHandshake(early) }
        #expect(error?.kind == .handshakeNotComplete)
        #expect((#expect(throws: DTLSError.self) { try server.open(early) })?.kind == .handshakeNotComplete)
        #expect((#expect(throws: DTLSError.self) { try server.seal([1]) })?.kind == .handshakeNotComplete)
        // Rejected input did not disturb the handshake.
        try completeHandshake(client: client, server: server, clientFlight: hello)
        #expect(client.isHandshakeComplete && server.isHandshakeComplete)
    }

    /// A peer may pack a whole flight into one SECURITY_HANDSHAKE, as one datagram would.
    @Test func wholeFlightsInOnePayload() throws {
        let client = try DTLSEndpoint(DTLSConfiguration(role: .client))
        let server = try DTLSEndpoint(DTLSConfiguration(role: .server, certificate: TestCertificates.shared))
        var toServer = try client.start().send.flatMap { $0 }
        var rounds = 0
        while !(client.isHandshakeComplete && server.isHandshakeComplete) {
            rounds += 1
            try #require(rounds < 6)
            let toClient = try server.receiveHandshake(toServer).send
            #expect(toClient.count >= 1)
            toServer = try client.receiveHandshake(toClient.flatMap { $0 }).send.flatMap { $0 }
        }
        #expect(try server.open(client.seal([1, 2, 3])) == [1, 2, 3])
    }

    @Test func recordsAfterTheFinalMessageInOnePayloadAreRejected() throws {
        // Run the handshake by hand up to the server's last flight.
        let client = try DTLSEndpoint(DTLSConfiguration(role: .client))
        let server = try DTLSEndpoint(DTLSConfiguration(role: .server, certificate: TestCertificates.shared))
        var flight4: [[UInt8]] = []
        for record in try client.start().send { flight4 += try server.receiveHandshake(record).send }
        var flight5: [[UInt8]] = []
        for record in flight4 { flight5 += try client.receiveHandshake(record).send }
        var flight6: [[UInt8]] = []
        for record in flight5 { flight6 += try server.receiveHandshake(record).send }
        #expect(server.isHandshakeComplete)
        let finished = try #require(flight6.last)
        let error = #expect(throws: DTLSError.self) { try client.receiveHandshake(flight6.flatMap { $0 } + finished) }
        #expect(error?.kind == .handshakeAlreadyComplete)
        #expect(client.isHandshakeComplete)
    }

    @Test func serverStartsImplicitly() throws {
        let client = try DTLSEndpoint(DTLSConfiguration(role: .client))
        let server = try DTLSEndpoint(DTLSConfiguration(role: .server, certificate: TestCertificates.shared))
        let hello = try client.start().send
        var reply: [[UInt8]] = []
        for record in hello { reply += try server.receiveHandshake(record).send }
        #expect(!reply.isEmpty)
    }
}

