import MICECore
import PropertyBased
import Testing

/// Random event sequences against the sink: it never connects back to a source that
/// was shown a PIN before that source proved it, and once closed it does nothing more.
@Suite struct SinkPropertyTests {
    static let sid = SourceID([UInt8](repeating: 1, count: 16))!
    static let sourceIP: [UInt8] = [10, 0, 0, 2]

    static func event(_ index: Int, _ m: inout SinkStateMachine) -> [SinkStateMachine.Action] {
        switch index {
        case 0: return m.messageReceived(.sessionRequest(.init(securityOptions: [.useDTLSStreamEncryption, .sinkDisplaysPIN], friendlyName: "S", sourceID: sid)))
        case 1: return m.messageReceived(.sessionRequest(.init(securityOptions: [], friendlyName: "S", sourceID: sid)))
        case 2: return m.messageReceived(.securityHandshake(.init(securityToken: [1], sourceID: nil)))
        case 3: return m.dtlsHandshakeProgressed(records: [[2]], complete: false)
        case 4: return m.dtlsHandshakeProgressed(records: [], complete: true)
        case 5: return m.messageReceived(.pinChallenge(.init(pinChallenge: PINHash.compute(pin: "11112222", senderAddress: sourceIP), sourceID: sid)))
        case 6: return m.messageReceived(.pinChallenge(.init(pinChallenge: PINHash.compute(pin: "99998888", senderAddress: sourceIP), sourceID: sid)))
        case 7: return m.messageReceived(.sourceReady(.init(friendlyName: nil, rtspPort: 7236, sourceID: sid)))
        case 8: return m.rtspConnected()
        case 9: return m.rtspConnectionFailed("x")
        case 10: return m.sessionEstablishmentTimerFired()
        case 11: return m.securityHandshakeTimerFired()
        case 12: return m.messageReceived(.stopProjection(.init(friendlyName: nil, sourceID: sid)))
        case 13: return m.messageReceived(.pinResponse(.init(pinChallenge: nil, reason: .wrongPIN, sourceID: nil)))
        default: return m.disconnectRequested()
        }
    }

    @Test func noConnectBackWithoutTheRightPIN() async {
        await propertyCheck(input: Gen.int(in: 0...14).array(of: 0...25)) { indices in
            var m = SinkStateMachine(
                configuration: .init(streamEncryptionSupported: true, pin: "11112222", friendlyName: "K"),
                sinkAddress: [10, 0, 0, 1], sourceAddress: Self.sourceIP
            )
            _ = m.connectionEstablished()
            var pinShown = false
            var pinProven = false
            var closed = false
            for index in indices {
                let actions = Self.event(index, &m)
                if closed {
                    #expect(actions.isEmpty, "a closed connection acted on event \(index)")
                }
                for action in actions {
                    switch action {
                    case .displayPIN: pinShown = true
                    case .report(.pinResult(accepted: true, _)): pinProven = true
                    case .connectRTSP:
                        #expect(!pinShown || pinProven, "connected back without the PIN after \(indices)")
                    case .close: closed = true
                    default: break
                    }
                }
            }
        }
    }
}
