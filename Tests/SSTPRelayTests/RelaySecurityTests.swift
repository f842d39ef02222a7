import NIOCore
import SSTPCore
import Testing
@testable import SSTPRelay
@testable import SSTPRelayCore

/// AttachSessionIds / RegisterSessionIds and every TooManyUnknownSessionCmds rule of 3.3.5.14–3.3.5.17.
@Suite struct RelaySecurityTests {
    typealias Machine = SSTPRelay.RelayStateMachine
    static let phone = "dpp://phone"

    static func established() -> Machine {
        var m = Machine(configuration: .init())
        m.transportActive(1)
        _ = m.connectionEstablished(1, sourceDeviceURLs: [phone])
        return m
    }

    static func closesTooMany(_ actions: [SSTPRelay.RelayAction]) -> Bool {
        if case .closeConnection(1, .tooManyUnknownSessionCmds, _) = actions.first, actions.count == 1 { return true }
        return false
    }

    static let attach = SSTP.Attach(eventId: 5, resourceURL: "r", accountURL: "grooveAccount://a", authenticationToken: [1])
    static let identityToken = SSTPRelay.OpenPolicy.identityRegisterToken("grooveIdentity://alice")

    @Test func attachBeforeEstablishedClosesTheConnection() {
        var m = Machine(configuration: .init())
        m.transportActive(1)
        #expect(Self.closesTooMany(m.attachReceived(1, Self.attach, sessionExists: false)))
    }

    @Test func attachOnAnExistingSessionIdClosesTheConnection() {
        var m = Self.established()
        #expect(Self.closesTooMany(m.attachReceived(1, Self.attach, sessionExists: true)))
    }

    @Test func secondAttachClosesTheConnection() {
        var m = Self.established()
        #expect(m.attachReceived(1, Self.attach, sessionExists: false) == [
            .reply(1, .attachResponse(SSTP.AttachResponse(eventId: 5, responseId: .ok, authenticationToken: []))),
        ])
        var second = Self.attach
        second.eventId = 6
        #expect(Self.closesTooMany(m.attachReceived(1, second, sessionExists: false)))
    }

    @Test func attachAuthenticateNeedsAnAttachSession() {
        var m = Self.established()
        let authenticate = SSTP.AttachAuthenticate(eventId: 5, authenticationToken: [2])
        #expect(Self.closesTooMany(m.attachAuthenticateReceived(1, authenticate)))
        _ = m.attachReceived(1, Self.attach, sessionExists: false)
        #expect(m.attachAuthenticateReceived(1, authenticate).count == 1)
        #expect(!Self.closesTooMany(m.attachAuthenticateReceived(1, authenticate)))
    }

    @Test func attachAuthenticateBeforeEstablishedClosesTheConnection() {
        var m = Machine(configuration: .init())
        m.transportActive(1)
        #expect(Self.closesTooMany(m.attachAuthenticateReceived(1, SSTP.AttachAuthenticate(eventId: 5, authenticationToken: []))))
    }

    @Test func identityRegisterRegistersTheAttachedDevices() {
        var m = Self.established()
        let actions = m.registerReceived(1, SSTP.Register(eventId: 3, registrationToken: Self.identityToken), sessionExists: false)
        // Answered once the registration is committed.
        #expect(actions == [.storeRegistrations(
            1, [SSTPRelay.Registration(identityURL: "grooveIdentity://alice", deviceURL: Self.phone)],
            reply: .registerResponse(SSTP.RegisterResponse(eventId: 3, registrationToken: Self.identityToken))
        )])
        #expect(m.registrations["grooveIdentity://alice"] == [Self.phone])
        // Registered already: answered at once.
        m.securitySessionClosed(1, eventId: 3)
        #expect(m.registerReceived(1, SSTP.Register(eventId: 3, registrationToken: Self.identityToken), sessionExists: false)
            == [.reply(1, .registerResponse(SSTP.RegisterResponse(eventId: 3, registrationToken: Self.identityToken)))])
    }

    @Test func identityRegisterMayNotReuseARegisterAttachOrSessionId() {
        var m = Self.established()
        let register = SSTP.Register(eventId: 3, registrationToken: Self.identityToken)
        _ = m.registerReceived(1, register, sessionExists: false)
        #expect(Self.closesTooMany(m.registerReceived(1, register, sessionExists: false)))

        var n = Self.established()
        _ = n.attachReceived(1, Self.attach, sessionExists: false)
        #expect(Self.closesTooMany(n.registerReceived(1, SSTP.Register(eventId: 5, registrationToken: Self.identityToken), sessionExists: false)))

        var o = Self.established()
        #expect(Self.closesTooMany(o.registerReceived(1, register, sessionExists: true)))
    }

    @Test func registerSessionIdIsFreedByClose() {
        var m = Self.established()
        let register = SSTP.Register(eventId: 3, registrationToken: Self.identityToken)
        _ = m.registerReceived(1, register, sessionExists: false)
        m.securitySessionClosed(1, eventId: 3)
        #expect(!Self.closesTooMany(m.registerReceived(1, register, sessionExists: false)))
    }

    @Test func otherSecurityMessageBelongsOnAnAttachSession() {
        var m = Self.established()
        let other = SSTP.Register(eventId: 5, registrationToken: [])
        #expect(Self.closesTooMany(m.registerReceived(1, other, sessionExists: false)))
        _ = m.attachReceived(1, Self.attach, sessionExists: false)
        #expect(m.registerReceived(1, other, sessionExists: false) == [.reply(1, .registerResponse(SSTP.RegisterResponse(eventId: 5, registrationToken: [])))])
        #expect(Self.closesTooMany(m.registerReceived(1, other, sessionExists: true)))
    }

    @Test func registerBeforeEstablishedClosesTheConnection() {
        var m = Machine(configuration: .init())
        m.transportActive(1)
        #expect(Self.closesTooMany(m.registerReceived(1, SSTP.Register(eventId: 3, registrationToken: Self.identityToken), sessionExists: false)))
    }

    @Test func recoveredRegistrationsAddressIdentityTargetedDeposits() {
        let m = Machine(configuration: .init(), registrations: [SSTPRelay.Registration(identityURL: "grooveIdentity://alice", deviceURL: Self.phone)])
        #expect(m.recipients(of: SSTP.AddressingEntry(resourceURL: "r", identityURL: "grooveIdentity://alice")).map(\.deviceURL) == [Self.phone])
    }

    @Test func registeredIdentityReceivesIdentityTargetedDeposits() {
        var m = Self.established()
        _ = m.registerReceived(1, SSTP.Register(eventId: 3, registrationToken: Self.identityToken), sessionExists: false)
        #expect(m.openReceived(SSTP.AddressingEntry(resourceURL: "r", identityURL: "grooveIdentity://alice")) == .ready)
    }
}
