import NIOCore
import SSTPCore
import Testing
import WinteropTransport
@testable import SSTPRelay
@testable import SSTPRelayCore

/// The relay's limits, each a transition with an injected clock: the per-identity quota
/// (2.2.8.1, 2.2.9.1, 3.1.4.5, 3.3.4.1.2), NumberOfConcurrentDeviceConnections (3.1.1.1,
/// 3.1.5.1), and the TTL timers freeing quota (3.3.2, 3.3.6).
@Suite struct RelayLimitsTests {
    typealias Machine = SSTPRelay.RelayStateMachine
    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
    static let alice = "grooveIdentity://alice", phone = "dpp://phone"
    static let entry = SSTP.AddressingEntry(resourceURL: "app", identityURL: alice, deviceURL: phone)

    static func relay(_ quota: SSTPRelay.IdentityQuota, recovered: [SSTPRelay.StoredMessage] = []) -> Machine {
        var m = Machine(configuration: .init(quota: quota), recovered: recovered)
        m.transportActive(1)
        _ = m.connectionEstablished(1, sourceDeviceURLs: ["dpp://sender"])
        return m
    }

    /// One sequence on session 7 of connection 1, committed when it is stored.
    static func deposit(_ m: inout Machine, _ sequence: UInt64, size: Int = 10, message: SSTP.Message = SSTP.Message(sessionId: 7), now: NIODeadline = t0) -> [SSTPRelay.RelayAction] {
        let d = SSTPRelay.Deposit(connection: 1, sequence: sequence)
        let actions = m.messageReceived(d, entry: entry, message: message, payload: Array(repeating: 1, count: size), now: now)
        guard case .store = actions.first else { return actions }
        return actions + m.depositCommitted(d, now: now)
    }

    static func refused(_ sequence: UInt64) -> [SSTPRelay.RelayAction] {
        [.quotaExceeded(1, identityURL: alice), .acknowledgeNow(1), .closeSession(1, sessionId: 7, .quotaWouldBeExceeded),
         .acknowledgeDeposit(.init(connection: 1, sequence: sequence))]
    }

    // MARK: Quota

    @Test func aSequencePastTheMessageQuotaClosesItsSessionWithQuotaWouldBeExceeded() {
        var m = Self.relay(.init(messages: 2))
        #expect(Self.deposit(&m, 1).contains(.acknowledgeDeposit(.init(connection: 1, sequence: 1))))
        _ = Self.deposit(&m, 2)
        #expect(Self.deposit(&m, 3) == Self.refused(3))
        #expect(m.storedCount == 2)
        #expect(m.usage[Self.alice] == .init(messages: 2, bytes: 20))
    }

    @Test func aSequencePastTheByteQuotaIsRefused() {
        var m = Self.relay(.init(bytes: 100))
        _ = Self.deposit(&m, 1, size: 60)
        #expect(Self.deposit(&m, 2, size: 41) == Self.refused(2))
        #expect(Self.deposit(&m, 3, size: 40).first.map { if case .store = $0 { true } else { false } } == true)
    }

    @Test func theDevicesAcknowledgmentFreesQuota() {
        var m = Self.relay(.init(messages: 1))
        _ = Self.deposit(&m, 1)
        m.transportActive(2)
        _ = m.connectionEstablished(2, sourceDeviceURLs: [Self.phone])
        _ = m.deliverySessionOpened(connection: 2, recipient: SSTPRelay.Recipient(resourceURL: "app", identityURL: Self.alice, deviceURL: Self.phone), sessionId: 0x8000_0000)
        let delivered = m.deliverySessionStateChanged(connection: 2, sessionId: 0x8000_0000, state: .ready)
        guard case .deliver(_, _, let message)? = delivered.first else { Issue.record("no delivery: \(delivered)"); return }
        #expect(Self.deposit(&m, 2) == Self.refused(2))
        _ = m.messagesAcknowledged(connection: 2, references: [UInt64(message.id)])
        #expect(m.usage[Self.alice] == .init(messages: 0, bytes: 0))
        #expect(Self.deposit(&m, 3).contains(.acknowledgeDeposit(.init(connection: 1, sequence: 3))))
    }

    /// 3.3.6.1: the Offline Device Delivery Data TTL discards the message, and its quota is free.
    @Test func aDiscardedMessageFreesQuota() {
        var m = Self.relay(.init(messages: 1))
        _ = Self.deposit(&m, 1, message: SSTP.Message(sessionId: 7, doNotDeliverIfOffline: true))
        #expect(Self.deposit(&m, 2) == Self.refused(2))
        let fired = m.deliveryTimerFired(now: Self.t0 + .minutes(5))
        #expect(fired.contains { if case .discarded(_, .offlineDeliveryTTL) = $0 { true } else { false } })
        #expect(Self.deposit(&m, 3, now: Self.t0 + .minutes(5)).contains(.acknowledgeDeposit(.init(connection: 1, sequence: 3))))
    }

    @Test func recoveredMessagesCountTowardsTheQuota() {
        let stored = SSTPRelay.StoredMessage(id: 1, recipient: .init(resourceURL: "app", identityURL: Self.alice, deviceURL: Self.phone), message: SSTP.Message(sessionId: 0), payload: [1])
        var m = Self.relay(.init(messages: 1), recovered: [stored])
        #expect(Self.deposit(&m, 1) == Self.refused(1))
    }

    /// The refusal waits for the sequences received before it: they are acknowledged first
    /// (Noop), then the session closes, then the refused entry completes (3.1.4.2.1, 3.1.5.19).
    @Test func aRefusalWaitsUntilEarlierSequencesAreAcknowledged() {
        var m = Self.relay(.init(messages: 1))
        let first = SSTPRelay.Deposit(connection: 1, sequence: 1)
        let stored = m.messageReceived(first, entry: Self.entry, message: SSTP.Message(sessionId: 7), payload: [1], now: Self.t0)
        #expect(stored.first.map { if case .store = $0 { true } else { false } } == true)
        // The second arrives while the first is still being committed: refused, held.
        let second = m.messageReceived(.init(connection: 1, sequence: 2), entry: Self.entry, message: SSTP.Message(sessionId: 7), payload: [2], now: Self.t0)
        #expect(second == [.quotaExceeded(1, identityURL: Self.alice)])
        let committed = m.depositCommitted(first, now: Self.t0)
        #expect(committed == [.acknowledgeDeposit(first), .acknowledgeNow(1), .closeSession(1, sessionId: 7, .quotaWouldBeExceeded),
                              .acknowledgeDeposit(.init(connection: 1, sequence: 2))])
    }

    /// 3.3.4.1.2: on a fanout session the entry over quota faults with SessionStatus
    /// QuotaWouldBeExceeded naming it; the other entry gets its copy.
    @Test func aFanoutEntryOverQuotaFaultsAndTheOthersGoOn() {
        var m = Self.relay(.init(messages: 1))
        _ = Self.deposit(&m, 1)
        let bob = SSTP.FanoutOpen.Entry(identityURL: "grooveIdentity://bob", deviceURL: "dpp://bob")
        let open = SSTP.FanoutOpen(sessionId: 9, resourceURL: "app", entries: [SSTP.FanoutOpen.Entry(identityURL: Self.alice, deviceURL: Self.phone), bob])
        _ = m.fanoutOpenReceived(1, open, version: .v1_5, sessionExists: false)
        let actions = m.fanoutMessageReceived(.init(connection: 1, sequence: 2), sessionId: 9, message: SSTP.Message(sessionId: 9), payload: [2], now: Self.t0)
        #expect(actions.contains(.fanout(1, sessionId: 9, .sessionStatus(SSTP.SessionStatus(sessionId: 9, statusId: .quotaWouldBeExceeded, deviceURL: Self.phone, identityURL: Self.alice)))))
        guard case .store(let copies, _)? = actions.first(where: { if case .store = $0 { true } else { false } }) else { Issue.record("\(actions)"); return }
        #expect(copies.map(\.recipient.deviceURL) == ["dpp://bob"])
    }

    // MARK: NumberOfConcurrentDeviceConnections (3.1.5.1)

    @Test func aConnectBeyondNumberOfConcurrentDeviceConnectionsIsOkThenCrossedConnections() {
        var m = Self.relay(.init())
        m.transportActive(2)
        _ = m.connectionEstablished(2, sourceDeviceURLs: [Self.phone])
        let admission = m.admission(sourceDeviceURLs: [Self.phone, "dpp://other"])
        #expect(admission.existingConnectionsFromSource == 1)

        var configuration = SSTP.ConnectionConfiguration(localDeviceURLs: ["dpp://relay"], role: .relayServer)
        configuration.numberOfConcurrentDeviceConnections = 1
        var connection = SSTP.ConnectionStateMachine(configuration: configuration, initiatedConnection: false)
        _ = connection.transportActive(now: Self.t0)
        let connect = SSTP.Connect(minorVersion: SSTP.Version.v1_6.minor, targetDeviceURL: "dpp://relay", sourceDeviceURLs: [Self.phone], peerProductVersion: "test 1")
        let actions = connection.commandReceived(.connect(connect), admission: admission)
        #expect(actions.contains { if case .send(.connectResponse(let r)) = $0 { r.responseId == .ok } else { false } })
        #expect(actions.contains { if case .sendConnectCloseAndTerminate(let close) = $0 { close.reason == .crossedConnections } else { false } })
        // The first connection of a device is admitted.
        #expect(m.admission(sourceDeviceURLs: ["dpp://new"]).existingConnectionsFromSource == 0)
    }

    // MARK: Relay-to-relay timers (<11>)

    @Test func relayToRelayConnectionsUseTheGrooveServer2010Timers() throws {
        let configuration = try SSTPRelayConfiguration(
            listen: "127.0.0.1:0", relayURL: "dpp://relay1", store: "sqlite:/tmp/unused.sqlite", peers: ["dpp://relay2=127.0.0.1:2493"]
        )
        let timers = configuration.peerConnection.timers
        #expect(timers.connectionEstablishment == .seconds(180))
        #expect(timers.sessionEstablishment == .seconds(180))
        #expect(timers.outboundIdle == .seconds(240))
        #expect(configuration.peers["dpp://relay2"] == HostPort(host: "127.0.0.1", port: 2493))
        #expect(configuration.connection.singleHopSupported)
    }

    @Test func badPeerAndLimitOptionsAreUsageErrorsNamingTheOption() {
        for (arguments, option) in [(["dpp://relay2"], "--peer"), (["dpp://relay1=127.0.0.1:1"], "--peer")] {
            #expect(throws: RoleFailure.self) { try SSTPRelayConfiguration(listen: "127.0.0.1:0", relayURL: "dpp://relay1", store: "sqlite:/tmp/x", peers: arguments) }
            do {
                _ = try SSTPRelayConfiguration(listen: "127.0.0.1:0", relayURL: "dpp://relay1", store: "sqlite:/tmp/x", peers: arguments)
            } catch {
                #expect("\(error)".contains(option))
            }
        }
        #expect(throws: RoleFailure.self) { try SSTPRelayConfiguration(listen: "127.0.0.1:0", relayURL: "dpp://r", store: "sqlite:/tmp/x", quotaMessages: 0) }
    }
}
