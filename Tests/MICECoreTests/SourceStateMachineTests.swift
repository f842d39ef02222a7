import MICECore
import Testing
import WinteropWire

/// Every branch of figure 5 and every source timer (3.2.2, 3.2.6).
@Suite struct SourceStateMachineTests {
    static let sourceIP: [UInt8] = [127, 0, 0, 2]
    static let sinkIP: [UInt8] = [127, 0, 0, 1]
    static let sid = SourceID([UInt8](repeating: 5, count: 16))!
    static let full = MICECapability(streamEncryption: true, pin: true)

    static func machine(encryption: Bool, pin: Bool, presetPIN: String? = nil) -> SourceStateMachine {
        SourceStateMachine(
            configuration: .init(sinkCapability: full, useStreamEncryption: encryption, usePINEntry: pin, friendlyName: "Src", sourceID: sid, rtspPort: 7236),
            pin: presetPIN
        )
    }

    static func connected(_ m: inout SourceStateMachine) -> [SourceStateMachine.Action] {
        _ = m.hostNameResolved()
        return m.connectionEstablished(sourceAddress: sourceIP, sinkAddress: sinkIP)
    }

    static func closeReason(_ actions: [SourceStateMachine.Action]) -> SourceCloseReason? {
        for case .close(let reason) in actions { return reason }
        return nil
    }

    static func sent(_ actions: [SourceStateMachine.Action]) -> [MICEMessage] {
        actions.compactMap { if case .send(let m, _) = $0 { return m }; return nil }
    }

    @Test func selection() {
        let none = MICECapability(streamEncryption: false, pin: false)
        #expect(SourceStateMachine.Configuration.select(sink: Self.full, encryption: .auto, wantPIN: true)! == (true, true))
        #expect(SourceStateMachine.Configuration.select(sink: Self.full, encryption: .auto, wantPIN: false)! == (true, false))
        #expect(SourceStateMachine.Configuration.select(sink: none, encryption: .auto, wantPIN: true)! == (false, false))
        #expect(SourceStateMachine.Configuration.select(sink: none, encryption: .on, wantPIN: false) == nil)
        #expect(SourceStateMachine.Configuration.select(sink: Self.full, encryption: .off, wantPIN: true) == nil)
        #expect(SourceStateMachine.Configuration.select(sink: Self.full, encryption: .off, wantPIN: false)! == (false, false))
    }

    @Test func discoveryResolvesUnderTheTimer() {
        var m = Self.machine(encryption: false, pin: false)
        #expect(m.hostNameResolutionStarted() == [.startDiscoveryTimer(.milliseconds(1500)), .resolveHostName])
        #expect(m.hostNameResolved() == [.cancelDiscoveryTimer, .startControlChannelTimer(.seconds(5)), .connect])
        var t = Self.machine(encryption: false, pin: false)
        _ = t.hostNameResolutionStarted()
        #expect(Self.closeReason(t.discoveryTimerFired()) == .discoveryTimeout)
        var f = Self.machine(encryption: false, pin: false)
        _ = f.hostNameResolutionStarted()
        #expect(Self.closeReason(f.hostNameResolutionFailed("NXDOMAIN"))?.code == "resolution_failed")
        var c = Self.machine(encryption: false, pin: false)
        _ = c.hostNameResolved()
        #expect(Self.closeReason(c.connectionFailed("refused"))?.code == "connection_failed")
    }

    @Test func noEncryptionSendsSourceReadyFirst() {
        var m = Self.machine(encryption: false, pin: false)
        let sent = Self.sent(Self.connected(&m))
        #expect(sent == [.sourceReady(.init(friendlyName: "Src", rtspPort: 7236, sourceID: Self.sid))])
        #expect(m.rtspConnectionAccepted() == [.cancelControlChannelTimer, .report(.rtspConnected)])
        #expect(m.state.name == "Projection")
        #expect(m.controlChannelTimerFired().isEmpty)
    }

    @Test func encryptionWithoutPIN() {
        var m = Self.machine(encryption: true, pin: false)
        let first = Self.connected(&m)
        #expect(Self.sent(first).isEmpty && first.contains(.startDTLS))
        let flight = m.dtlsHandshakeProgressed(records: [[1]], complete: false)
        #expect(flight == [.send(.securityHandshake(.init(securityToken: [1], sourceID: Self.sid)), encrypted: false), .startSecurityHandshakeTimer(.seconds(1))])
        #expect(m.messageReceived(.securityHandshake(.init(securityToken: [2], sourceID: nil))) == [.cancelSecurityHandshakeTimer, .feedDTLS([2])])
        let done = m.dtlsHandshakeProgressed(records: [], complete: true)
        // No SESSION_REQUEST: SOURCE_READY in clear.
        #expect(!m.tlvArraysEncrypted)
        #expect(Self.sent(done) == [.sourceReady(.init(friendlyName: "Src", rtspPort: 7236, sourceID: Self.sid))])
        #expect(done.contains(.send(.sourceReady(.init(friendlyName: "Src", rtspPort: 7236, sourceID: Self.sid)), encrypted: false)))
    }

    @Test func pinEntryPromptsAndChallenges() {
        var m = Self.machine(encryption: true, pin: true)
        let first = Self.connected(&m)
        #expect(Self.sent(first) == [.sessionRequest(.init(securityOptions: [.useDTLSStreamEncryption, .sinkDisplaysPIN], friendlyName: "Src", sourceID: Self.sid))])
        #expect(!m.tlvArraysEncrypted)
        let done = m.dtlsHandshakeProgressed(records: [], complete: true)
        #expect(done.contains(.requestPIN) && done.contains(.cancelControlChannelTimer))
        // 3.2.5.5: after a SESSION_REQUEST, TLVArrays are DTLS records once the handshake is done.
        #expect(m.tlvArraysEncrypted)
        #expect(m.state.connection?.sourceAddress == Self.sourceIP && m.state.connection?.sinkAddress == Self.sinkIP)
        #expect(m.state.name == "PIN Entry")
        let challenge = m.pinEntered("12345678")
        let hash = PINHash.compute(pin: "12345678", senderAddress: Self.sourceIP)
        #expect(challenge.contains(.send(.pinChallenge(.init(pinChallenge: hash, sourceID: Self.sid)), encrypted: true)))
        #expect(challenge.contains(.startSecurityHandshakeTimer(.seconds(1))))
        #expect(challenge.first == .startControlChannelTimer(.seconds(5)))
        // Sink's hash uses the sink IP.
        let good = PINResponseMessage(pinChallenge: PINHash.compute(pin: "12345678", senderAddress: Self.sinkIP), reason: .pinAccepted, sourceID: nil)
        let ready = m.messageReceived(.pinResponse(good))
        #expect(ready.contains(.send(.sourceReady(.init(friendlyName: nil, rtspPort: 7236, sourceID: Self.sid)), encrypted: true)))
        #expect(m.state.name == "Source Ready")
    }

    @Test func presetPINChallengesRightAfterTheHandshake() {
        var m = Self.machine(encryption: true, pin: true, presetPIN: "12345678")
        _ = Self.connected(&m)
        let done = m.dtlsHandshakeProgressed(records: [], complete: true)
        #expect(Self.sent(done).count == 1)
        #expect(!done.contains(.requestPIN))
    }

    @Test func pinFailures() {
        func ready() -> SourceStateMachine {
            var m = Self.machine(encryption: true, pin: true, presetPIN: "12345678")
            _ = Self.connected(&m)
            _ = m.dtlsHandshakeProgressed(records: [], complete: true)
            return m
        }
        var wrong = ready()
        #expect(Self.closeReason(wrong.messageReceived(.pinResponse(.init(pinChallenge: nil, reason: .wrongPIN, sourceID: nil)))) == .pinRejected(.wrongPIN))
        var mismatch = ready()
        let sourceHash = PINHash.compute(pin: "12345678", senderAddress: Self.sourceIP)
        #expect(Self.closeReason(mismatch.messageReceived(.pinResponse(.init(pinChallenge: sourceHash, reason: .pinAccepted, sourceID: nil)))) == .pinResponseHashMismatch)
        var timeout = ready()
        #expect(Self.closeReason(timeout.securityHandshakeTimerFired()) == .securityHandshakeTimeout)
    }

    @Test func timersAndUnexpectedMessages() {
        var m = Self.machine(encryption: false, pin: false)
        _ = Self.connected(&m)
        #expect(Self.closeReason(m.controlChannelTimerFired()) == .controlChannelTimeout)
        var h = Self.machine(encryption: true, pin: false)
        _ = Self.connected(&h)
        _ = h.dtlsHandshakeProgressed(records: [[1]], complete: false)
        #expect(Self.closeReason(h.securityHandshakeTimerFired()) == .securityHandshakeTimeout)
        var u = Self.machine(encryption: false, pin: false)
        _ = Self.connected(&u)
        #expect(Self.closeReason(u.messageReceived(.securityHandshake(.init(securityToken: [1], sourceID: nil))))?.code == "unexpected_message")
        var lost = Self.machine(encryption: false, pin: false)
        _ = Self.connected(&lost)
        #expect(Self.closeReason(lost.connectionClosed()) == .connectionLost)
    }

    @Test func stopAndDisconnect() {
        var m = Self.machine(encryption: false, pin: false)
        _ = Self.connected(&m)
        _ = m.rtspConnectionAccepted()
        let a = m.disconnectRequested()
        #expect(Self.sent(a) == [.stopProjection(.init(friendlyName: "Src", sourceID: Self.sid))])
        #expect(Self.closeReason(a) == .localDisconnect)
        #expect(!SourceCloseReason.localDisconnect.isFailure)
        var s = Self.machine(encryption: false, pin: false)
        _ = Self.connected(&s)
        _ = s.rtspConnectionAccepted()
        #expect(Self.closeReason(s.messageReceived(.stopProjection(.init(friendlyName: nil, sourceID: Self.sid)))) == .stopProjectionReceived)
        var c = Self.machine(encryption: false, pin: false)
        _ = Self.connected(&c)
        _ = c.rtspConnectionAccepted()
        #expect(Self.closeReason(c.connectionClosed()) == .sinkClosed)
    }
}
