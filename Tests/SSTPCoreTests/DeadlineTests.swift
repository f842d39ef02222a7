import NIOCore
import SSTPCore
import Testing

/// The idle timers (<11>) and the connect timeout, decided in the core from an injected
/// `now`: no clock, no sleeps.
@Suite struct DeadlineTests {
    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

    static func at(_ seconds: Int64) -> NIODeadline { t0 + .seconds(seconds) }

    /// Two machines whose transports came up at t0, then connected at t0.
    static func established(_ change: (inout SSTP.ConnectionConfiguration) -> Void = { _ in }) throws -> (SSTP.ConnectionStateMachine, SSTP.ConnectionStateMachine) {
        var a = SSTP.ConnectionStateMachine(configuration: Harness.configuration(Harness.deviceA, change), initiatedConnection: true)
        var b = SSTP.ConnectionStateMachine(configuration: Harness.configuration(Harness.deviceB, change), initiatedConnection: false)
        _ = a.transportActive(now: t0)
        _ = b.transportActive(now: t0)
        let response = try Harness.deliver(try a.connect(targetDeviceURL: Harness.deviceB), to: &b)
        _ = try Harness.deliver(response, to: &a)
        #expect(a.isEstablished && b.isEstablished)
        return (a, b)
    }

    @Test func outboundIdleSendsANoopCarryingTheAcknowledgmentCount() throws {
        var (a, b) = try Self.established { $0.timers.inboundIdle = nil }
        // Before the Outbound Idle Timer (600 s): nothing, and the same deadline again.
        let early = a.hitDeadline(now: Self.at(599))
        #expect(early.actions.isEmpty)
        #expect(early.next == Self.at(600))
        let due = a.hitDeadline(now: Self.at(600))
        #expect(Harness.commands(due.actions) == [.noop(SSTP.Noop(messageCount: 0))])
        #expect(due.next == Self.at(1200))
        // B completed one message: its idle Noop acknowledges it (3.1.4.2.1).
        let id = try Harness.openSession(&a, &b)
        _ = try Harness.sendMessage(&a, &b, session: id, "x", reference: 1)
        _ = try b.resourceHandlerCompleted(sequence: 1)
        let noop = b.hitDeadline(now: Self.at(600))
        #expect(Harness.commands(noop.actions).contains(.noop(SSTP.Noop(messageCount: 1))))
    }

    @Test func trafficPostponesTheInboundIdleTimer() throws {
        var (_, b) = try Self.established { $0.timers.outboundIdle = nil }
        b.bytesReceived(now: Self.at(500))
        let postponed = b.hitDeadline(now: Self.at(600))
        #expect(postponed.actions.isEmpty)
        #expect(postponed.next == Self.at(1100))
        let due = b.hitDeadline(now: Self.at(1100))
        #expect(Harness.commands(due.actions) == [.noop(SSTP.Noop(messageCount: 0))])
        #expect(due.next == Self.at(1700))
    }

    @Test func aConnectionWithoutConnectIsClosedAtTheConnectTimeout() {
        var b = SSTP.ConnectionStateMachine(configuration: Harness.configuration(Harness.deviceB), initiatedConnection: false)
        #expect(b.transportActive(now: Self.t0) == Self.at(30))
        let early = b.hitDeadline(now: Self.at(29))
        #expect(early.actions.isEmpty && early.next == Self.at(30))
        let due = b.hitDeadline(now: Self.at(30))
        #expect(Harness.connectClose(due.actions)?.reason == .responseTimeout)
        #expect(due.actions.contains { if case .connectionEnded(.closedLocally(.responseTimeout, _), _) = $0 { true } else { false } })
        // Closed: no timer any more, and nothing more happens.
        #expect(due.next == nil)
        #expect(b.hitDeadline(now: Self.at(31)) == .init(actions: [], next: nil))
    }

    @Test func theConnectTimeoutIsConfigurableAndDoesNotTouchEstablishedConnections() throws {
        var (a, _) = try Self.established { $0.timers.connectTimeout = .seconds(5) }
        let later = a.hitDeadline(now: Self.at(5))
        #expect(later.actions.isEmpty)
        #expect(later.next == Self.at(600))
        var silent = SSTP.ConnectionStateMachine(configuration: Harness.configuration(Harness.deviceB) { $0.timers.connectTimeout = .seconds(5) }, initiatedConnection: false)
        #expect(silent.transportActive(now: Self.t0) == Self.at(5))
    }

    @Test func outputBlockedPastTheStallLimitClosesWithResponseTimeout() throws {
        var (_, b) = try Self.established { $0.timers.outputStall = .seconds(30) }
        #expect(b.outputBlocked(now: Self.at(10)) == Self.at(40))
        // Blocked again while blocked: the clock keeps its start.
        #expect(b.outputBlocked(now: Self.at(20)) == Self.at(40))
        #expect(b.hitDeadline(now: Self.at(39)).actions.isEmpty)
        let due = b.hitDeadline(now: Self.at(40))
        #expect(Harness.connectClose(due.actions)?.reason == .responseTimeout)
        #expect(due.next == nil)
        // Unblocked in time: no close.
        var (_, c) = try Self.established { $0.timers.outputStall = .seconds(30) }
        _ = c.outputBlocked(now: Self.at(10))
        #expect(c.outputUnblocked(now: Self.at(35)) == Self.at(600))
        #expect(c.hitDeadline(now: Self.at(45)).actions.isEmpty)
    }

    @Test func aLateCallNeverSchedulesInThePast() throws {
        // Called far past every deadline, on every kind of state: the next deadline is ahead.
        var (a, _) = try Self.established()
        var now = Self.t0
        for step: Int64 in [10_000, 1, 0, 3_600, 599, 601] {
            now = now + .seconds(step)
            let outcome = a.hitDeadline(now: now)
            if let next = outcome.next { #expect(next > now) }
        }
        var silent = SSTP.ConnectionStateMachine(configuration: Harness.configuration(Harness.deviceB), initiatedConnection: false)
        _ = silent.transportActive(now: Self.t0)
        let late = silent.hitDeadline(now: Self.at(100_000))
        #expect(Harness.connectClose(late.actions) != nil && late.next == nil)
    }

    @Test func noTimerBeforeTheTransportIsActive() {
        var machine = SSTP.ConnectionStateMachine(configuration: Harness.configuration(Harness.deviceB), initiatedConnection: false)
        #expect(machine.hitDeadline(now: Self.t0) == .init(actions: [], next: nil))
    }

    @Test func aLinkThatStaysSilentAfterTheIdleNoopIsClosedWithIdle() throws {
        var (_, b) = try Self.established { $0.timers.outboundIdle = nil }
        let probe = b.hitDeadline(now: Self.at(600))
        #expect(Harness.commands(probe.actions) == [.noop(SSTP.Noop(messageCount: 0))])
        // Something came back: the link lives, the next period probes again.
        b.bytesReceived(now: Self.at(700))
        let again = b.hitDeadline(now: Self.at(1300))
        #expect(Harness.commands(again.actions) == [.noop(SSTP.Noop(messageCount: 0))])
        // Silence for another whole period after that probe: ConnectClose Idle.
        let dead = b.hitDeadline(now: Self.at(1900))
        #expect(Harness.connectClose(dead.actions)?.reason == .idle)
        #expect(dead.next == nil && !b.isEstablished)
    }
}
