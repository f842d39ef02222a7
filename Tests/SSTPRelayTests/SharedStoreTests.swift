import NIOCore
import SSTPCore
import Testing
@testable import SSTPRelayCore

/// The core with a shared store (several relay processes on one PostgreSQL database): it
/// holds only what it claimed for devices attached to it.
@Suite struct SharedStoreTests {
    typealias Machine = SSTPRelay.RelayStateMachine
    typealias T = RelayStateMachineTests
    static func shared() -> Machine { Machine(configuration: .init(sharedStore: true)) }

    static func stored(_ id: Int64, _ payload: String, device: String = T.phone) -> SSTPRelay.StoredMessage {
        SSTPRelay.StoredMessage(id: id, recipient: T.recipient(device), message: SSTP.Message(sessionId: 0), payload: Array(payload.utf8))
    }

    /// The phone attached on connection 2 with its delivery session ready (session 5).
    static func phoneReady(_ m: inout Machine) -> [SSTPRelay.RelayAction] {
        m.transportActive(2)
        let attached = m.connectionEstablished(2, sourceDeviceURLs: [T.phone])
        _ = m.messagesClaimed([stored(10, "a")], now: T.t0)
        _ = m.deliverySessionOpened(connection: 2, recipient: T.recipient(), sessionId: 5)
        _ = m.deliverySessionStateChanged(connection: 2, sessionId: 5, state: .ready)
        return attached
    }

    @Test func aCommittedDepositIsLeftToTheStoreNotHeld() {
        var m = Self.shared()
        T.senderConnected(&m)
        let actions = T.deposit(&m, "x", sequence: 1)
        #expect(actions == [.acknowledgeDeposit(.init(connection: 1, sequence: 1))])
        #expect(m.storedCount == 0)
        #expect(m.usage[T.alice] == .init())
    }

    @Test func attachingClaimsForTheDevices() {
        var m = Self.shared()
        m.transportActive(2)
        let actions = m.connectionEstablished(2, sourceDeviceURLs: [T.phone])
        #expect(actions.contains(.claim(deviceURLs: [T.phone])))
        #expect(m.attachedDeviceURLs == [T.phone])
    }

    @Test func claimedMessagesAreDeliveredInIdOrder() {
        var m = Self.shared()
        _ = Self.phoneReady(&m)
        let actions = m.messagesClaimed([Self.stored(12, "c"), Self.stored(11, "b")], now: T.t0)
        #expect(T.delivered(actions) == ["b", "c"])
        // A row claimed twice (an expired lease renewed by a second claim) is held once.
        #expect(T.delivered(m.messagesClaimed([Self.stored(12, "c")], now: T.t0)).isEmpty)
        #expect(m.inFlight.count == 3)
    }

    @Test func aClaimForADeviceThatLeftIsReleased() {
        var m = Self.shared()
        #expect(m.messagesClaimed([Self.stored(3, "x")], now: T.t0) == [.release([3])])
        #expect(m.storedCount == 0)
    }

    @Test func aDetachedDevicesHeldAndUnacknowledgedMessagesAreReleased() {
        var m = Self.shared()
        _ = Self.phoneReady(&m)
        _ = m.messagesAcknowledged(connection: 2, references: [10])
        m.deliveryWindow = 1
        _ = m.messagesClaimed([Self.stored(11, "b"), Self.stored(12, "c")], now: T.t0)
        let actions = m.connectionEnded(2)
        #expect(actions.contains(.release([11, 12])))
        #expect(m.storedCount == 0)
        #expect(m.usage[T.alice] == .init())
    }

    @Test func registrationsOfOtherRelaysAddressIdentityEntries() {
        var m = Self.shared()
        m.registrationsLearned([SSTPRelay.Registration(identityURL: T.alice, deviceURL: T.laptop)])
        #expect(m.recipients(of: T.entry(device: "")) == [T.recipient(T.laptop)])
    }
}
