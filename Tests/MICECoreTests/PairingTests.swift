import MICECore
import Testing
import WinteropWire

/// A sink that shows a PIN projects only paired sources (our default; MS-MICE 3.1.5.3
/// permits the rest, `allowUnpaired` restores that): every path that skips the PIN
/// tears down without a connect-back.
@Suite struct PairingTests {
    typealias T = SinkStateMachineTests

    static func paired() -> SinkStateMachine { T.machine(allowUnpaired: false) }

    static func connectsBack(_ actions: [SinkStateMachine.Action]) -> Bool {
        actions.contains { if case .connectRTSP = $0 { true } else { false } }
    }

    @Test func sourceReadyFirstIsRefused() {
        var m = Self.paired()
        let actions = m.messageReceived(T.sourceReady)
        #expect(!Self.connectsBack(actions))
        #expect(T.closeReason(actions) == .unpairedSource)
    }

    @Test func sessionRequestWithoutOptionsThenSourceReadyIsRefused() {
        var m = Self.paired()
        _ = m.messageReceived(T.sessionRequestPlain)
        let actions = m.messageReceived(T.sourceReady)
        #expect(!Self.connectsBack(actions))
        #expect(T.closeReason(actions) == .unpairedSource)
    }

    @Test func dtlsOnlySessionThenSourceReadyIsRefused() {
        var m = Self.paired()
        _ = m.messageReceived(T.sessionRequestDTLS)
        _ = m.messageReceived(T.handshake)
        _ = m.dtlsHandshakeProgressed(records: [[1]], complete: true)
        #expect(m.state.name == "DTLS Handshake Complete")
        let actions = m.messageReceived(T.sourceReady)
        #expect(!Self.connectsBack(actions))
        #expect(T.closeReason(actions) == .unpairedSource)
    }

    @Test func dtlsWithoutSessionRequestThenSourceReadyIsRefused() {
        var m = Self.paired()
        _ = m.messageReceived(T.handshake)
        _ = m.dtlsHandshakeProgressed(records: [[1]], complete: true)
        let actions = m.messageReceived(T.sourceReady)
        #expect(!Self.connectsBack(actions))
        #expect(T.closeReason(actions) == .unpairedSource)
    }

    @Test func theRightPINStillProjects() {
        var m = Self.paired()
        _ = m.messageReceived(T.sessionRequestPIN)
        _ = m.messageReceived(T.handshake)
        _ = m.dtlsHandshakeProgressed(records: [[1]], complete: true)
        let answer = m.messageReceived(T.challenge(T.pin))
        #expect(answer.contains(.report(.pinResult(accepted: true, wrongAttempts: 0))))
        #expect(Self.connectsBack(m.messageReceived(T.sourceReady)))
    }

    @Test func withoutPINSupportNoPairingIsNeeded() {
        var m = T.machine(pin: nil, allowUnpaired: false)
        #expect(Self.connectsBack(m.messageReceived(T.sourceReady)))
    }

    /// 2.2.7.6: the hash is 32 bytes; the right hash followed by 256 zero bytes is wrong
    /// (a length difference of 256 once truncated to a byte and compared equal).
    @Test func aPINHashWithTrailingBytesIsWrong() {
        var m = Self.paired()
        _ = m.messageReceived(T.sessionRequestPIN)
        _ = m.messageReceived(T.handshake)
        _ = m.dtlsHandshakeProgressed(records: [[1]], complete: true)
        let padded = PINHash.compute(pin: T.pin, senderAddress: T.sourceIP) + [UInt8](repeating: 0, count: 256)
        let answer = m.messageReceived(.pinChallenge(.init(pinChallenge: padded, sourceID: T.sid)))
        #expect(answer.contains(.report(.pinResult(accepted: false, wrongAttempts: 1))))
        #expect(!PINHash.constantTimeEqual(PINHash.compute(pin: T.pin, senderAddress: T.sourceIP), padded))
    }
}
