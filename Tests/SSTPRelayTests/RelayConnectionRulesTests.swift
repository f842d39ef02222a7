import NIOCore
import SSTPCore
import Testing

/// The relay-server rules of the connection state machine itself (3.3.5.14–3.3.5.18).
@Suite struct RelayConnectionRulesTests {
    static let relayURL = "dpp://relay"

    static func relay(established: Bool = true) -> SSTP.ConnectionStateMachine {
        var m = SSTP.ConnectionStateMachine(
            configuration: SSTP.ConnectionConfiguration(localDeviceURLs: [relayURL], role: .relayServer), initiatedConnection: false
        )
        _ = m.transportActive(now: .uptimeNanoseconds(0))
        if established {
            let connect = SSTP.Connect(minorVersion: SSTP.Version.v1_6.minor, targetDeviceURL: relayURL, sourceDeviceURLs: ["dpp://phone"], peerProductVersion: "test 1")
            _ = m.commandReceived(.connect(connect))
        }
        return m
    }

    static func connectCloseReason(_ actions: [SSTP.ConnectionAction]) -> SSTP.ConnectClose.Reason? {
        for case .sendConnectCloseAndTerminate(let close) in actions { return close.reason }
        return nil
    }

    @Test func attachBeforeEstablishedIsTooManyUnknownSessionCmds() {
        var m = Self.relay(established: false)
        let attach = SSTP.Attach(eventId: 1, resourceURL: "", accountURL: "a", authenticationToken: [])
        #expect(Self.connectCloseReason(m.commandReceived(.attach(attach))) == .tooManyUnknownSessionCmds)
    }

    @Test func attachAuthenticateBeforeEstablishedIsTooManyUnknownSessionCmds() {
        var m = Self.relay(established: false)
        #expect(Self.connectCloseReason(m.commandReceived(.attachAuthenticate(SSTP.AttachAuthenticate(eventId: 1, authenticationToken: [])))) == .tooManyUnknownSessionCmds)
    }

    @Test func attachOnAnEstablishedRelayGoesToTheRelay() {
        var m = Self.relay()
        #expect(m.isEstablished)
        let attach = SSTP.Attach(eventId: 1, resourceURL: "", accountURL: "a", authenticationToken: [])
        #expect(m.commandReceived(.attach(attach)) == [.commandForHigherLayer(.attach(attach))])
    }

    @Test func attachResponseToARelayIsAProtocolError() {
        var m = Self.relay()
        #expect(Self.connectCloseReason(m.commandReceived(.attachResponse(SSTP.AttachResponse(eventId: 1, responseId: .ok, authenticationToken: [])))) == .protocolError)
    }

    @Test func registerResponseToARelayIsAProtocolError() {
        var m = Self.relay()
        #expect(Self.connectCloseReason(m.commandReceived(.registerResponse(SSTP.RegisterResponse(eventId: 1, registrationToken: [])))) == .protocolError)
    }

    @Test func closeOfAnUnknownSessionReachesTheRelay() {
        var m = Self.relay()
        let close = SSTP.Close(sessionId: 3, reason: .noReason)
        #expect(m.commandReceived(.close(close)) == [.commandForHigherLayer(.close(close))])
    }

    @Test func relayRepliesOnlyWhenEstablishedAndOnlyRelayReplies() throws {
        var m = Self.relay()
        let reply = SSTP.Command.registerResponse(SSTP.RegisterResponse(eventId: 1, registrationToken: []))
        #expect(try m.sendRelayReply(reply) == [.send(reply)])
        #expect(throws: SSTP.UsageError.self) { try m.sendRelayReply(.noop(SSTP.Noop(messageCount: 0))) }
        var n = Self.relay(established: false)
        #expect(throws: SSTP.UsageError.self) { try n.sendRelayReply(reply) }
    }
}
