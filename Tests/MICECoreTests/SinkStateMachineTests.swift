import MICECore
import Testing
import WinteropWire

/// Every arrow of figure 4 and every sink timer (3.1.2, 3.1.6).
@Suite struct SinkStateMachineTests {
    static let sinkIP: [UInt8] = [127, 0, 0, 1]
    static let sourceIP: [UInt8] = [127, 0, 0, 2]
    static let sid = SourceID([UInt8](repeating: 7, count: 16))!
    static let pin = "24681357"

    /// Figure 4's arrows as MS-MICE draws them, where a source may skip pairing
    /// (`allowUnpaired`); ``PairingTests`` covers the default that refuses it.
    static func machine(encryption: Bool = true, pin: String? = pin, maxWrong: Int = 3, allowUnpaired: Bool = true) -> SinkStateMachine {
        var m = SinkStateMachine(
            configuration: .init(streamEncryptionSupported: encryption, pin: pin, friendlyName: "Sink", maximumWrongPINs: maxWrong, allowUnpaired: allowUnpaired),
            sinkAddress: sinkIP, sourceAddress: sourceIP
        )
        _ = m.connectionEstablished()
        return m
    }

    static let sessionRequestPIN = MICEMessage.sessionRequest(.init(securityOptions: [.useDTLSStreamEncryption, .sinkDisplaysPIN], friendlyName: "Src", sourceID: sid))
    static let sessionRequestDTLS = MICEMessage.sessionRequest(.init(securityOptions: [.useDTLSStreamEncryption], friendlyName: "Src", sourceID: sid))
    static let sessionRequestPlain = MICEMessage.sessionRequest(.init(securityOptions: [], friendlyName: "Src", sourceID: sid))
    static let handshake = MICEMessage.securityHandshake(.init(securityToken: [0x16, 1, 2], sourceID: sid))
    static let sourceReady = MICEMessage.sourceReady(.init(friendlyName: nil, rtspPort: 7236, sourceID: sid))
    static func challenge(_ pin: String, ip: [UInt8] = sourceIP) -> MICEMessage {
        .pinChallenge(.init(pinChallenge: PINHash.compute(pin: pin, senderAddress: ip), sourceID: sid))
    }

    static func closeReason(_ actions: [SinkStateMachine.Action]) -> SinkCloseReason? {
        for case .close(let reason) in actions { return reason }
        return nil
    }

    @Test func connectionStartsTheSessionTimer() {
        var m = SinkStateMachine(configuration: .init(streamEncryptionSupported: true, pin: nil, friendlyName: "S"), sinkAddress: [], sourceAddress: [])
        #expect(m.connectionEstablished() == [.startSessionEstablishmentTimer(.seconds(30))])
        #expect(m.state == .socketConnected)
    }

    @Test func socketConnectedToSourceReadyToProjection() {
        var m = Self.machine()
        let actions = m.messageReceived(Self.sourceReady)
        #expect(actions.contains(.connectRTSP(port: 7236)))
        #expect(m.state.name == "Source Ready")
        #expect(m.rtspConnected() == [.cancelSessionEstablishmentTimer, .report(.rtspConnected)])
        #expect(m.state.name == "Projection")
        // The session timer no longer tears down a projection.
        #expect(m.sessionEstablishmentTimerFired().isEmpty)
    }

    @Test func sessionRequestedToSourceReady() {
        var m = Self.machine(encryption: false)
        _ = m.messageReceived(Self.sessionRequestPIN)
        #expect(m.state.name == "Session Requested")
        #expect(m.messageReceived(Self.sourceReady).contains(.connectRTSP(port: 7236)))
        #expect(!m.tlvArraysEncrypted)
    }

    @Test func sessionRequestWithDTLSWaitsForHandshake() {
        var m = Self.machine(pin: nil)
        let actions = m.messageReceived(Self.sessionRequestDTLS)
        #expect(m.state.name == "Waiting for Security Handshake")
        #expect(!actions.contains { if case .displayPIN = $0 { return true }; return false })
        // SOURCE_READY before the handshake is unexpected.
        #expect(Self.closeReason(m.messageReceived(Self.sourceReady))?.code == "unexpected_message")
    }

    @Test func sessionRequestWithPINDisplaysAndExtendsTimer() {
        var m = Self.machine()
        let actions = m.messageReceived(Self.sessionRequestPIN)
        #expect(actions.contains(.displayPIN(Self.pin)))
        #expect(actions.contains(.startSessionEstablishmentTimer(.seconds(120))))
        #expect(m.state.name == "Waiting for Security Handshake")
    }

    @Test func sessionRequestMustBeFirst() {
        var m = Self.machine()
        _ = m.messageReceived(Self.sessionRequestPlain)
        #expect(Self.closeReason(m.messageReceived(Self.sessionRequestPlain))?.code == "unexpected_message")
    }

    @Test func fullPINFlow() {
        var m = Self.machine()
        _ = m.messageReceived(Self.sessionRequestPIN)
        #expect(m.messageReceived(Self.handshake) == [.cancelSecurityHandshakeTimer, .feedDTLS([0x16, 1, 2])])
        #expect(m.state.name == "DTLS Handshake")
        let flight = m.dtlsHandshakeProgressed(records: [[1], [2]], complete: false)
        #expect(flight.count == 3 && flight.last == .startSecurityHandshakeTimer(.seconds(1)))
        // DTLS Handshake → DTLS Handshake (additional message).
        #expect(m.messageReceived(Self.handshake).contains(.feedDTLS([0x16, 1, 2])))
        let done = m.dtlsHandshakeProgressed(records: [[3]], complete: true)
        #expect(done.contains(.cancelSecurityHandshakeTimer) && done.contains(.report(.dtlsComplete)))
        #expect(m.state.name == "Waiting For PIN")
        #expect(m.tlvArraysEncrypted)
        // SOURCE_READY cannot skip the PIN.
        var skipping = m
        #expect(Self.closeReason(skipping.messageReceived(Self.sourceReady))?.code == "unexpected_message")
        // Correct PIN: 0x00 with the sink's own hash.
        let answer = m.messageReceived(Self.challenge(Self.pin))
        let expected = PINResponseMessage(pinChallenge: PINHash.compute(pin: Self.pin, senderAddress: Self.sinkIP), reason: .pinAccepted, sourceID: Self.sid)
        #expect(answer.contains(.send(.pinResponse(expected), encrypted: true)))
        #expect(m.state.name == "PIN Challenge")
        #expect(m.messageReceived(Self.sourceReady).contains(.connectRTSP(port: 7236)))
    }

    @Test func pinHashedWithTheSinkIPIsWrong() {
        var m = Self.machine()
        _ = m.messageReceived(Self.sessionRequestPIN)
        _ = m.messageReceived(Self.handshake)
        _ = m.dtlsHandshakeProgressed(records: [], complete: true)
        let answer = m.messageReceived(Self.challenge(Self.pin, ip: Self.sinkIP))
        #expect(answer.contains(.send(.pinResponse(.init(pinChallenge: nil, reason: .wrongPIN, sourceID: Self.sid)), encrypted: true)))
    }

    @Test func threeWrongPINsTearDown() {
        var m = Self.machine()
        _ = m.messageReceived(Self.sessionRequestPIN)
        _ = m.messageReceived(Self.handshake)
        _ = m.dtlsHandshakeProgressed(records: [], complete: true)
        for attempt in 1...2 {
            let a = m.messageReceived(Self.challenge("00000000"))
            #expect(a.contains(.report(.pinResult(accepted: false, wrongAttempts: attempt))))
            #expect(Self.closeReason(a) == nil)
        }
        let third = m.messageReceived(Self.challenge("00000000"))
        #expect(Self.closeReason(third) == .tooManyWrongPINs(3))
        #expect(m.isClosed)
    }

    @Test func unexpectedPINChallengeAnswersInvalidMessageAndTearsDown() {
        var m = Self.machine()
        let a = m.messageReceived(Self.challenge(Self.pin))
        #expect(a.first == .send(.pinResponse(.init(pinChallenge: nil, reason: .invalidMessage, sourceID: Self.sid)), encrypted: false))
        #expect(Self.closeReason(a) == .unexpectedPINChallenge)
    }

    @Test func securityHandshakeDirectlyFromSocketConnected() {
        var m = Self.machine()
        _ = m.messageReceived(Self.handshake)
        #expect(m.state.name == "DTLS Handshake")
        _ = m.dtlsHandshakeProgressed(records: [[9]], complete: true)
        #expect(m.state.name == "DTLS Handshake Complete")
        // No SESSION_REQUEST: TLVArrays stay in clear.
        #expect(!m.tlvArraysEncrypted)
        // A peer that finished its handshake tears down on another SECURITY_HANDSHAKE (3.1.5.5).
        var again = m
        #expect(Self.closeReason(again.messageReceived(Self.handshake))?.code == "unexpected_message")
        #expect(m.messageReceived(Self.sourceReady).contains(.connectRTSP(port: 7236)))
    }

    @Test func securityHandshakeRefusedWithoutEncryption() {
        var m = Self.machine(encryption: false)
        #expect(Self.closeReason(m.messageReceived(Self.handshake))?.code == "unexpected_message")
    }

    @Test func timers() {
        var m = Self.machine()
        #expect(Self.closeReason(m.sessionEstablishmentTimerFired()) == .sessionEstablishmentTimeout)
        var h = Self.machine()
        _ = h.messageReceived(Self.handshake)
        _ = h.dtlsHandshakeProgressed(records: [[1]], complete: false)
        #expect(Self.closeReason(h.securityHandshakeTimerFired()) == .securityHandshakeTimeout)
        var idle = Self.machine()
        #expect(idle.securityHandshakeTimerFired().isEmpty)
    }

    @Test func rtspFailureTearsDown() {
        var m = Self.machine()
        _ = m.messageReceived(Self.sourceReady)
        #expect(Self.closeReason(m.rtspConnectionFailed("refused"))?.code == "rtsp_connection_failed")
    }

    @Test func stopProjectionEndsTheSession() {
        var m = Self.machine()
        _ = m.messageReceived(Self.sourceReady)
        _ = m.rtspConnected()
        let stop = StopProjectionMessage(friendlyName: "Src", sourceID: Self.sid)
        let a = m.messageReceived(.stopProjection(stop))
        #expect(a.first == .report(.stopProjection(stop)))
        #expect(Self.closeReason(a) == .stopProjectionReceived)
    }

    @Test func localDisconnectSendsStopProjection() {
        var m = Self.machine()
        _ = m.messageReceived(Self.sessionRequestPIN)
        _ = m.messageReceived(Self.handshake)
        _ = m.dtlsHandshakeProgressed(records: [], complete: true)
        let a = m.disconnectRequested()
        #expect(a.first == .send(.stopProjection(.init(friendlyName: "Sink", sourceID: Self.sid)), encrypted: true))
        #expect(Self.closeReason(a) == .localDisconnect)
        #expect(m.disconnectRequested().isEmpty)
    }

    @Test func unexpectedAndMalformedMessages() {
        var m = Self.machine()
        #expect(Self.closeReason(m.messageReceived(.pinResponse(.init(pinChallenge: nil, reason: .wrongPIN, sourceID: nil))))?.code == "unexpected_message")
        var n = Self.machine()
        let error = MICE.section("2.2").error("bad")
        #expect(Self.closeReason(n.malformedMessageReceived(error)) == .malformedMessage(error))
        #expect(n.messageReceived(Self.sourceReady).isEmpty)
    }

    @Test func pinOffMeansNoPINEvenWhenAsked() {
        var m = Self.machine(pin: nil)
        let a = m.messageReceived(Self.sessionRequestPIN)
        #expect(!a.contains { if case .displayPIN = $0 { return true }; return false })
        _ = m.messageReceived(Self.handshake)
        _ = m.dtlsHandshakeProgressed(records: [], complete: true)
        #expect(m.state.name == "DTLS Handshake Complete")
        #expect(m.tlvArraysEncrypted)
    }
}
