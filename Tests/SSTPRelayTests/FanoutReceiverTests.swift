import NIOCore
import SSTPCore
import Testing
@testable import SSTPRelay
@testable import SSTPRelayCore

/// Multi-drop fanout (3.3.5.6, 3.3.4.1.2, 3.3.5.12.1): the ResponseId rules, per-entry
/// availability and the aggregate, faults in the 1.5 and 1.6 forms.
@Suite struct FanoutReceiverTests {
    typealias Receiver = SSTPRelay.FanoutReceiver
    static let local = ["dpp://relay"]

    static func open(_ entries: [SSTP.FanoutOpen.Entry], resource: String = "app") -> SSTP.FanoutOpen {
        SSTP.FanoutOpen(sessionId: 4, resourceURL: resource, entries: entries)
    }

    static func response(_ open: SSTP.FanoutOpen, multidrop: Bool = true, singleHop: Bool = false, valid: Bool = true) -> SSTP.OpenResponse.ResponseId {
        Receiver.responseId(for: open, localDeviceURLs: local, multidropSupported: multidrop, singleHopSupported: singleHop) { _ in valid }
    }

    static let a = SSTP.FanoutOpen.Entry(identityURL: "id://a", deviceURL: "dpp://a")
    static let b = SSTP.FanoutOpen.Entry(identityURL: "id://b", deviceURL: "dpp://b", relayURL: "dpp://relay")
    static let remote = SSTP.FanoutOpen.Entry(identityURL: "id://c", deviceURL: "dpp://c", relayURL: "dpp://elsewhere")

    @Test func noEntriesIsOk() { #expect(Self.response(Self.open([])) == .ok) }
    @Test func localEntryWithoutMultidropIsNoFanoutEntries() { #expect(Self.response(Self.open([Self.a]), multidrop: false) == .noFanoutEntries) }
    @Test func localRelayURLCountsAsLocal() { #expect(Self.response(Self.open([Self.b]), multidrop: false) == .noFanoutEntries) }
    @Test func remoteEntryWithoutSingleHopIsFanoutNotSupported() { #expect(Self.response(Self.open([Self.a, Self.remote])) == .fanoutNotSupported) }
    @Test func wanDPPIsNoResource() { #expect(Self.response(Self.open([Self.a], resource: "grooveWanDPP")) == .noResource) }
    @Test func invalidEntryIsUnknown() { #expect(Self.response(Self.open([Self.a]), valid: false) == .unknown) }
    @Test func otherwiseOkStopSending() { #expect(Self.response(Self.open([Self.a, Self.b])) == .okStopSending) }

    @Test func aggregateReadyOnlyWhenEveryEntryIsReady() {
        var r = Receiver(open: Self.open([Self.a, Self.b]), version: .v1_6)
        #expect(r.state == .suspended)
        #expect(r.availabilityChanged(index: 0, ready: true) == [])
        #expect(r.availabilityChanged(index: 1, ready: true) == [.openResponse(.startSending)])
        #expect(r.state == .ready)
        #expect(r.availabilityChanged(index: 0, ready: false) == [.openResponse(.stopSending)])
        #expect(r.state == .blocked)
        #expect(r.availabilityChanged(index: 1, ready: false) == [])
        #expect(r.availabilityChanged(index: 0, ready: true) == [])
        #expect(r.availabilityChanged(index: 1, ready: true) == [.openResponse(.startSending)])
    }

    @Test func faultIn16IsOneSessionStatusWithIndexes() {
        var r = Receiver(open: Self.open([Self.a, Self.b, Self.a]), version: .v1_6)
        let actions = r.faulted(indexes: [0, 2], status: .lockedOut)
        // 2.2.8.1: with FanoutDeviceIndexes both URLs are empty (the command must encode).
        let status = SSTP.SessionStatus(sessionId: 4, statusId: .lockedOut, deviceURL: "", identityURL: "", fanoutDeviceIndexes: [0, 2])
        #expect(actions == [.sessionStatus(status)])
        #expect(status.validate(version: .v1_6) == nil)
        #expect(r.availableEntries == [Self.b])
        // The fault left only notReady entries: still suspended, no OpenResponse.
        #expect(r.availabilityChanged(index: 1, ready: true) == [.openResponse(.startSending)])
    }

    @Test func faultIn15IsOneSessionStatusPerEntryWithItsURLs() {
        var r = Receiver(open: Self.open([Self.a, Self.b]), version: .v1_5)
        #expect(r.faulted(indexes: [0], status: .quotaWouldBeExceeded) == [
            .sessionStatus(SSTP.SessionStatus(sessionId: 4, statusId: .quotaWouldBeExceeded, deviceURL: "dpp://a", identityURL: "id://a")),
        ])
    }

    @Test func lastEntryFaultedClosesWithEmptySession() {
        var r = Receiver(open: Self.open([Self.a]), version: .v1_6)
        #expect(r.faulted(indexes: [0], status: .lockedOut).last == .closeEmptySession)
        #expect(r.faulted(indexes: [0], status: .lockedOut) == [])
    }

    @Test func faultOfTheOnlyNotReadyEntryMakesTheAggregateReady() {
        var r = Receiver(open: Self.open([Self.a, Self.b]), version: .v1_6)
        _ = r.availabilityChanged(index: 0, ready: true)
        let actions = r.faulted(indexes: [1], status: .lockedOut)
        #expect(actions.last == .openResponse(.startSending))
    }

    // MARK: In the relay core

    static func relay(lockedOut: Set<String> = []) -> SSTPRelay.RelayStateMachine {
        var m = SSTPRelay.RelayStateMachine(configuration: .init(identities: ["id://b": ["dpp://b1", "dpp://b2"]], lockedOutDevices: lockedOut))
        m.localDeviceURLs = local
        m.transportActive(1)
        _ = m.connectionEstablished(1, sourceDeviceURLs: ["dpp://sender"])
        return m
    }

    @Test func acceptedFanoutStartsSendingAndStoresACopyPerRecipient() {
        var m = Self.relay()
        let open = SSTP.FanoutOpen(sessionId: 4, resourceURL: "app", entries: [Self.a, SSTP.FanoutOpen.Entry(identityURL: "id://b")])
        let actions = m.fanoutOpenReceived(1, open, version: .v1_6, sessionExists: false)
        #expect(actions.first == .acceptFanoutSession(1, sessionId: 4, SSTP.AddressingEntry(resourceURL: "app", identityURL: "id://a")))
        #expect(actions.last == .fanout(1, sessionId: 4, .openResponse(.startSending)))
        let stored = m.fanoutMessageReceived(.init(connection: 1, sequence: 1), sessionId: 4, message: SSTP.Message(sessionId: 4), payload: [9], now: .uptimeNanoseconds(0))
        guard case .store(let copies, _) = stored.first else { Issue.record("no store: \(stored)"); return }
        #expect(Set(copies.map(\.recipient.deviceURL)) == ["dpp://a", "dpp://b1", "dpp://b2"])
    }

    @Test func lockedOutEntryIsReportedAndLeftOut() {
        var m = Self.relay(lockedOut: ["dpp://a"])
        let open = SSTP.FanoutOpen(sessionId: 4, resourceURL: "app", entries: [Self.a, SSTP.FanoutOpen.Entry(identityURL: "id://b")])
        let actions = m.fanoutOpenReceived(1, open, version: .v1_6, sessionExists: false)
        #expect(actions.contains(.fanout(1, sessionId: 4, .sessionStatus(SSTP.SessionStatus(sessionId: 4, statusId: .lockedOut, deviceURL: "", identityURL: "", fanoutDeviceIndexes: [0])))))
        let stored = m.fanoutMessageReceived(.init(connection: 1, sequence: 1), sessionId: 4, message: SSTP.Message(sessionId: 4), payload: [9], now: .uptimeNanoseconds(0))
        guard case .store(let copies, _) = stored.first else { Issue.record("no store"); return }
        #expect(!copies.contains { $0.recipient.deviceURL == "dpp://a" })
    }

    @Test func fanoutOpenOnAnExistingSessionClosesTheConnection() {
        var m = Self.relay()
        let actions = m.fanoutOpenReceived(1, Self.open([Self.a]), version: .v1_6, sessionExists: true)
        guard case .closeConnection(1, .tooManyUnknownSessionCmds, _) = actions.first else { Issue.record("\(actions)"); return }
    }

    @Test func unregisteredIdentityEntryIsUnknown() {
        var m = Self.relay()
        let actions = m.fanoutOpenReceived(1, Self.open([SSTP.FanoutOpen.Entry(identityURL: "id://nobody")]), version: .v1_6, sessionExists: false)
        #expect(actions == [.reply(1, .openResponse(SSTP.OpenResponse(sessionId: 4, responseId: .unknown)))])
    }
}
