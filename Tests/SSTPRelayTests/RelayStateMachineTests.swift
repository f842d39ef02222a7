import NIOCore
import SSTPCore
import Testing
@testable import SSTPRelay
@testable import SSTPRelayCore

/// The relay core's rules (1.3.5.2.1, 3.3), each a transition with an injected clock.
@Suite struct RelayStateMachineTests {
    typealias Machine = SSTPRelay.RelayStateMachine
    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
    static let app = "grooveDNA://app"
    static let alice = "grooveIdentity://alice"
    static let phone = "dpp://phone", laptop = "dpp://laptop", sender = "dpp://sender"

    static func entry(device: String = phone, identity: String = alice) -> SSTP.AddressingEntry {
        SSTP.AddressingEntry(resourceURL: app, identityURL: identity, deviceURL: device)
    }

    static func recipient(_ device: String = phone) -> SSTPRelay.Recipient {
        SSTPRelay.Recipient(resourceURL: app, identityURL: alice, deviceURL: device)
    }

    /// Deposits one sequence on connection 1 and commits it; returns the commit's actions.
    @discardableResult
    static func deposit(_ m: inout Machine, _ payload: String, sequence: UInt64, entry: SSTP.AddressingEntry = entry(),
                        message: SSTP.Message = SSTP.Message(sessionId: 7), now: NIODeadline = t0) -> [SSTPRelay.RelayAction] {
        let d = SSTPRelay.Deposit(connection: 1, sequence: sequence)
        let stored = m.messageReceived(d, entry: entry, message: message, payload: Array(payload.utf8), now: now)
        guard case .store = stored.first else { return stored }
        return m.depositCommitted(d, now: now)
    }

    static func senderConnected(_ m: inout Machine) {
        m.transportActive(1)
        _ = m.connectionEstablished(1, sourceDeviceURLs: [sender])
    }

    static func delivered(_ actions: [SSTPRelay.RelayAction]) -> [String] {
        actions.compactMap { if case .deliver(_, _, let m) = $0 { String(decoding: m.payload, as: UTF8.self) } else { nil } }
    }

    // MARK: Addressing

    @Test func deviceEntryAddressesThatDevice() {
        let m = Machine(configuration: .init())
        #expect(m.recipients(of: Self.entry()) == [Self.recipient()])
        #expect(m.openReceived(Self.entry()) == .ready)
    }

    @Test func identityEntryAddressesEveryRegisteredDevice() {
        let m = Machine(configuration: .init(identities: [Self.alice: [Self.phone, Self.laptop]]))
        #expect(m.recipients(of: Self.entry(device: "")) == [Self.recipient(Self.laptop), Self.recipient(Self.phone)])
    }

    @Test func identityNobodyRegisteredIsRefused() {
        let m = Machine(configuration: .init())
        #expect(m.openReceived(Self.entry(device: "")) == .fault(.noReason))
    }

    // MARK: Attached devices

    @Test func lockedOutDeviceIsRejectedAtConnect() {
        let m = Machine(configuration: .init(lockedOutDevices: [Self.phone]))
        #expect(m.admission(sourceDeviceURLs: [Self.phone]).lockedOut)
        #expect(!m.admission(sourceDeviceURLs: [Self.laptop]).lockedOut)
    }

    @Test func acceptedSourceDevicesAreAttached() {
        var m = Machine(configuration: .init())
        m.transportActive(2)
        let actions = m.connectionEstablished(2, sourceDeviceURLs: [Self.phone, Self.laptop])
        #expect(actions == [.deviceAttached(2, deviceURL: Self.phone), .deviceAttached(2, deviceURL: Self.laptop)])
    }

    // MARK: Store and forward

    @Test func depositIsAcknowledgedOnlyAfterItsCommit() {
        var m = Machine(configuration: .init())
        Self.senderConnected(&m)
        let d = SSTPRelay.Deposit(connection: 1, sequence: 1)
        let actions = m.messageReceived(d, entry: Self.entry(), message: SSTP.Message(sessionId: 7), payload: [1, 2], now: Self.t0)
        guard case .store(let copies, d) = actions.first, actions.count == 1 else {
            Issue.record("expected one store action, got \(actions)")
            return
        }
        #expect(copies.map(\.recipient) == [Self.recipient()])
        #expect(copies[0].message.sessionId == 0)
        #expect(m.depositCommitted(d, now: Self.t0).first == .acknowledgeDeposit(d))
        #expect(m.storedCount == 1)
    }

    @Test func offlineRecipientGetsItsMessagesInOrderWhenItAttaches() {
        var m = Machine(configuration: .init())
        Self.senderConnected(&m)
        for (i, text) in ["one", "two", "three"].enumerated() { Self.deposit(&m, text, sequence: UInt64(i + 1)) }
        m.transportActive(2)
        let attach = m.connectionEstablished(2, sourceDeviceURLs: [Self.phone])
        #expect(attach.contains(.openDeliverySession(2, Self.recipient())))
        _ = m.deliverySessionOpened(connection: 2, recipient: Self.recipient(), sessionId: 0x8000_0000)
        let ready = m.deliverySessionStateChanged(connection: 2, sessionId: 0x8000_0000, state: .ready)
        #expect(Self.delivered(ready) == ["one", "two", "three"])
    }

    @Test func storedMessageIsRemovedOnlyByTheDevicesMessageCount() {
        var m = Machine(configuration: .init())
        Self.senderConnected(&m)
        Self.deposit(&m, "a", sequence: 1)
        Self.deposit(&m, "b", sequence: 2)
        m.transportActive(2)
        _ = m.connectionEstablished(2, sourceDeviceURLs: [Self.phone])
        _ = m.deliverySessionOpened(connection: 2, recipient: Self.recipient(), sessionId: 9)
        let sent = m.deliverySessionStateChanged(connection: 2, sessionId: 9, state: .ready)
        let ids = sent.compactMap { if case .deliver(_, _, let s) = $0 { s.id } else { nil } }
        #expect(m.storedCount == 2)
        #expect(m.messagesAcknowledged(connection: 2, references: [UInt64(ids[0])]) == [.remove([ids[0]])])
        #expect(m.storedCount == 1)
        // A MessageCount from another connection does not remove it.
        #expect(m.messagesAcknowledged(connection: 3, references: [UInt64(ids[1])]) == [])
    }

    @Test func unacknowledgedDeliveriesReturnAheadOfLaterDepositsWhenTheConnectionEnds() {
        var m = Machine(configuration: .init())
        Self.senderConnected(&m)
        Self.deposit(&m, "a", sequence: 1)
        m.transportActive(2)
        _ = m.connectionEstablished(2, sourceDeviceURLs: [Self.phone])
        _ = m.deliverySessionOpened(connection: 2, recipient: Self.recipient(), sessionId: 9)
        #expect(Self.delivered(m.deliverySessionStateChanged(connection: 2, sessionId: 9, state: .ready)) == ["a"])
        #expect(m.connectionEnded(2) == [])
        Self.deposit(&m, "b", sequence: 2)
        m.transportActive(3)
        _ = m.connectionEstablished(3, sourceDeviceURLs: [Self.phone])
        _ = m.deliverySessionOpened(connection: 3, recipient: Self.recipient(), sessionId: 4)
        #expect(Self.delivered(m.deliverySessionStateChanged(connection: 3, sessionId: 4, state: .ready)) == ["a", "b"])
    }

    @Test func depositWhileTheRecipientIsReadyIsDeliveredAfterItsCommit() {
        var m = Machine(configuration: .init())
        Self.senderConnected(&m)
        m.transportActive(2)
        _ = m.connectionEstablished(2, sourceDeviceURLs: [Self.phone])
        #expect(Self.deposit(&m, "first", sequence: 1).contains(.openDeliverySession(2, Self.recipient())))
        _ = m.deliverySessionOpened(connection: 2, recipient: Self.recipient(), sessionId: 9)
        #expect(Self.delivered(m.deliverySessionStateChanged(connection: 2, sessionId: 9, state: .ready)) == ["first"])
        #expect(Self.delivered(Self.deposit(&m, "second", sequence: 2)) == ["second"])
    }

    @Test func blockedDeliverySessionHoldsMessagesUntilStartSending() {
        var m = Machine(configuration: .init())
        Self.senderConnected(&m)
        m.transportActive(2)
        _ = m.connectionEstablished(2, sourceDeviceURLs: [Self.phone])
        Self.deposit(&m, "x", sequence: 1)
        _ = m.deliverySessionOpened(connection: 2, recipient: Self.recipient(), sessionId: 9)
        _ = m.deliverySessionStateChanged(connection: 2, sessionId: 9, state: .ready)
        _ = m.deliverySessionStateChanged(connection: 2, sessionId: 9, state: .blocked)
        #expect(Self.delivered(Self.deposit(&m, "y", sequence: 2)) == [])
        #expect(Self.delivered(m.deliverySessionStateChanged(connection: 2, sessionId: 9, state: .ready)) == ["y"])
    }

    @Test func identityTargetedDepositIsStoredForEveryRegisteredDevice() {
        var m = Machine(configuration: .init(identities: [Self.alice: [Self.phone, Self.laptop]]))
        Self.senderConnected(&m)
        let d = SSTPRelay.Deposit(connection: 1, sequence: 1)
        let actions = m.messageReceived(d, entry: Self.entry(device: ""), message: SSTP.Message(sessionId: 1), payload: [0], now: Self.t0)
        guard case .store(let copies, _) = actions.first else {
            Issue.record("no store action")
            return
        }
        #expect(Set(copies.map(\.recipient.deviceURL)) == [Self.phone, Self.laptop])
        #expect(Set(copies.map(\.id)).count == 2)
    }

    @Test func recoveredMessagesKeepTheirOrderAndIdsContinue() {
        let stored = (1...3).map {
            SSTPRelay.StoredMessage(id: Int64($0), recipient: Self.recipient(), message: SSTP.Message(sessionId: 0), payload: [UInt8($0)])
        }
        var m = Machine(configuration: .init(), recovered: stored.reversed())
        #expect(m.pending[Self.recipient()]?.map(\.id) == [1, 2, 3])
        Self.senderConnected(&m)
        let actions = m.messageReceived(.init(connection: 1, sequence: 1), entry: Self.entry(), message: SSTP.Message(sessionId: 1), payload: [], now: Self.t0)
        guard case .store(let copies, _) = actions.first else { Issue.record("no store"); return }
        #expect(copies.map(\.id) == [4])
    }

    // MARK: TTL timers (3.3.2, 3.3.5.12, 3.3.6)

    @Test func doNotDeliverIfOfflineIsDiscardedAfterFiveMinutes() {
        var m = Machine(configuration: .init())
        Self.senderConnected(&m)
        let actions = Self.deposit(&m, "d", sequence: 1, message: SSTP.Message(sessionId: 1, doNotDeliverIfOffline: true))
        #expect(actions.contains(.scheduleTimer(Self.t0 + .minutes(5))))
        #expect(m.deliveryTimerFired(now: Self.t0 + .minutes(5) - .nanoseconds(1)).filter { if case .discarded = $0 { true } else { false } }.isEmpty)
        let fired = m.deliveryTimerFired(now: Self.t0 + .minutes(5))
        #expect(fired.first.map { if case .remove = $0 { true } else { false } } == true)
        #expect(fired.contains { if case .discarded(_, .offlineDeliveryTTL) = $0 { true } else { false } })
        #expect(m.storedCount == 0)
    }

    @Test func ephemeralIsDiscardedAfterItsTTL() {
        var m = Machine(configuration: .init())
        Self.senderConnected(&m)
        let message = SSTP.Message(sessionId: 1, ephemeral: .init(ttl: 30))
        #expect(Self.deposit(&m, "e", sequence: 1, message: message).contains(.scheduleTimer(Self.t0 + .seconds(30))))
        #expect(m.deliveryTimerFired(now: Self.t0 + .seconds(30)).contains { if case .discarded(_, .ephemeralTTL) = $0 { true } else { false } })
    }

    @Test func ephemeralTTLZeroIsInfinite() {
        var m = Machine(configuration: .init())
        Self.senderConnected(&m)
        let actions = Self.deposit(&m, "e", sequence: 1, message: SSTP.Message(sessionId: 1, ephemeral: .init(ttl: 0)))
        #expect(!actions.contains { if case .scheduleTimer = $0 { true } else { false } })
    }

    @Test func messageDeliveredBeforeItsTTLIsNotDiscarded() {
        var m = Machine(configuration: .init())
        Self.senderConnected(&m)
        Self.deposit(&m, "d", sequence: 1, message: SSTP.Message(sessionId: 1, doNotDeliverIfOffline: true))
        m.transportActive(2)
        _ = m.connectionEstablished(2, sourceDeviceURLs: [Self.phone])
        _ = m.deliverySessionOpened(connection: 2, recipient: Self.recipient(), sessionId: 9)
        #expect(Self.delivered(m.deliverySessionStateChanged(connection: 2, sessionId: 9, state: .ready)) == ["d"])
        #expect(m.deliveryTimerFired(now: Self.t0 + .minutes(6)).isEmpty || m.storedCount == 1)
        #expect(m.storedCount == 1)
    }

    @Test func aDeviceOnTwoConnectionsIsServedOnTheOldestThenTheOther() {
        var m = Machine(configuration: .init())
        Self.senderConnected(&m)
        m.transportActive(2)
        _ = m.connectionEstablished(2, sourceDeviceURLs: [Self.phone])
        m.transportActive(3)
        _ = m.connectionEstablished(3, sourceDeviceURLs: [Self.phone])
        #expect(Self.deposit(&m, "a", sequence: 1).contains(.openDeliverySession(2, Self.recipient())))
        #expect(m.connectionEnded(2).contains(.openDeliverySession(3, Self.recipient())))
    }

    @Test func deliveryWindowHoldsTheRestUntilAcknowledgments() {
        var m = Machine(configuration: .init())
        m.deliveryWindow = 2
        Self.senderConnected(&m)
        for (i, text) in ["1", "2", "3", "4", "5"].enumerated() { Self.deposit(&m, text, sequence: UInt64(i + 1)) }
        m.transportActive(2)
        _ = m.connectionEstablished(2, sourceDeviceURLs: [Self.phone])
        _ = m.deliverySessionOpened(connection: 2, recipient: Self.recipient(), sessionId: 9)
        let first = m.deliverySessionStateChanged(connection: 2, sessionId: 9, state: .ready)
        #expect(Self.delivered(first) == ["1", "2"])
        let ids = first.compactMap { if case .deliver(_, _, let s) = $0 { UInt64(s.id) } else { nil } }
        #expect(Self.delivered(m.messagesAcknowledged(connection: 2, references: [ids[0]])) == ["3"])
        #expect(Self.delivered(m.messagesAcknowledged(connection: 2, references: [ids[1]])) == ["4"])
    }
}
