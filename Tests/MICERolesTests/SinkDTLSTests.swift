import MICECore
import MICERoles
import NIOCore
import NIOPosix
import Testing
import WinteropTransport
import WinteropWire

/// The sink's DTLS tunnel against raw clients: the Security Handshake Message Timer
/// and bad Security Tokens tear the connection down (3.1.5.5, 3.1.6).
@Suite(.serialized) struct SinkDTLSTests {
    /// A sink with a PIN and DTLS. Tests of the Security Handshake Message Timer keep the
    /// spec's 1 s (3.1.2); tests that complete a handshake allow a loaded machine more.
    static func secureSink(
        _ events: EventCollector, handshakeTimeout: Duration = .seconds(1)
    ) async throws -> (MICESinkServer, SocketAddress) {
        let server = MICESinkServer(
            configuration: MICESinkConfiguration(
                listen: HostPort(host: "127.0.0.1", port: 0), friendlyName: "Test Sink", pinMode: .fixed("12345678"),
                securityHandshakeTimeout: handshakeTimeout,
                dtls: try OpenSSLDTLSFactory.selfSigned(commonName: "test")
            ),
            events: events.log, eventLoopGroup: MultiThreadedEventLoopGroup.singleton
        )
        return (server, try await server.bind())
    }

    @Test func silenceAfterTheSinksFlightTripsTheOneSecondTimer() async throws {
        let events = EventCollector("sink")
        let (server, address) = try await Self.secureSink(events)
        let client = try OpenSSLDTLSFactory(certificate: nil).makeClient()
        let hello = try client.start().records
        let connection = try await RawConnection.connect(to: address)
        let clock = ContinuousClock()
        let start = clock.now
        for record in hello {
            try await connection.send(try MICEMessage.securityHandshake(.init(securityToken: record, sourceID: nil)).encoded())
        }
        let received = try await connection.readUntilClosed(timeout: .seconds(20))
        let elapsed = clock.now - start
        // The sink answered with its flight (ServerHello …), then gave up after about a second.
        var buffer = ByteBuffer(bytes: received)
        var answers = 0
        while let frame = try MICEFrame.read(from: &buffer) {
            #expect(frame.messageType == .securityHandshake)
            answers += 1
        }
        #expect(answers >= 1)
        #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(20), "\(elapsed)")
        #expect(events.first("closed")?.contains("security_handshake_timeout") == true)
        await server.shutdown()
    }

    @Test func aTokenThatIsNotDTLSTearsDown() async throws {
        let events = EventCollector("sink")
        let (server, address) = try await Self.secureSink(events)
        let connection = try await RawConnection.connect(to: address)
        // Content type 0x63 is no DTLS record.
        try await connection.send(try MICEMessage.securityHandshake(.init(securityToken: [0x63, 0xFE, 0xFD] + [UInt8](repeating: 0, count: 10), sourceID: nil)).encoded())
        _ = try await connection.readUntilClosed()
        #expect(events.first("closed")?.contains("dtls_failure") == true)
        await server.shutdown()
    }

    /// A peer that reads OpenSSL's output in chunks splits records across two
    /// SECURITY_HANDSHAKE messages: the sink joins them and the handshake completes.
    @Test func recordsSplitAcrossMessagesAreReassembled() async throws {
        let events = EventCollector("sink")
        let (server, address) = try await Self.secureSink(events, handshakeTimeout: .seconds(20))
        let client = try OpenSSLDTLSFactory(certificate: nil).makeClient()
        let connection = try await RawConnection.connect(to: address)
        func sendSplit(_ records: [[UInt8]]) async throws {
            for record in records {
                let cut = max(1, record.count / 2)
                for part in [Array(record[..<cut]), Array(record[cut...])] where !part.isEmpty {
                    try await connection.send(try MICEMessage.securityHandshake(.init(securityToken: part, sourceID: nil)).encoded())
                }
            }
        }
        try await sendSplit(try client.start().records)
        var consumed = 0
        var complete = false
        for _ in 0..<10 where !complete {
            for frame in try await connection.nextFrames(after: &consumed) {
                guard case .securityHandshake(let handshake) = try MICEMessage.decode(frame) else { continue }
                let step = try client.receiveHandshake(handshake.securityToken)
                try await sendSplit(step.records)
                if step.completion != nil { complete = true }
            }
        }
        #expect(complete)
        #expect(await events.wait(for: "dtls_complete") != nil, "\(events.all)")
        await connection.close()
        await server.shutdown()
    }

    /// The start of a record whose rest never comes is held for the Security Handshake
    /// Message Timer, then torn down.
    @Test func anUnfinishedRecordTimesOut() async throws {
        let events = EventCollector("sink")
        let (server, address) = try await Self.secureSink(events)
        let connection = try await RawConnection.connect(to: address)
        try await connection.send(try MICEMessage.securityHandshake(.init(securityToken: [0x16, 0xFE, 0xFD, 0x00, 0x01], sourceID: nil)).encoded())
        _ = try await connection.readUntilClosed()
        #expect(events.first("closed")?.contains("security_handshake_timeout") == true)
        await server.shutdown()
    }

    @Test func aPINChallengeInClearBeforeTheHandshakeIsAnsweredInvalid() async throws {
        let events = EventCollector("sink")
        let (server, address) = try await Self.secureSink(events)
        let connection = try await RawConnection.connect(to: address)
        let challenge = PINChallengeMessage(pinChallenge: PINHash.compute(pin: "12345678", senderAddress: [127, 0, 0, 1]), sourceID: .zero)
        try await connection.send(try MICEMessage.pinChallenge(challenge).encoded())
        let received = try await connection.readUntilClosed()
        let answer = try MICEMessage.decode(bytes: received)
        #expect(answer == .pinResponse(.init(pinChallenge: nil, reason: .invalidMessage, sourceID: .zero)))
        #expect(events.first("closed")?.contains("unexpected_pin_challenge") == true)
        await server.shutdown()
    }
}
