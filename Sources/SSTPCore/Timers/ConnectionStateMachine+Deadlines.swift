import NIOCore

extension SSTP.ConnectionStateMachine {
    /// When the transport last carried a command each way, and when it came up: what the
    /// Outbound and Inbound Idle Timers (<11>) and the connect timeout are measured from.
    /// Times come from the shell (`now`); the machine never reads a clock.
    public struct Liveness: Sendable, Hashable {
        /// The transport connected ('transport layer connected' entered).
        public var opened: NIODeadline
        /// A command was last received.
        public var lastReceived: NIODeadline
        /// A command was last sent.
        public var lastSent: NIODeadline
        /// An Inbound Idle Timer Noop went out and nothing has come in since.
        public var unansweredProbe = false
        /// Unsent output went above the shell's high-water mark then, and has stayed there.
        public var outputBlockedSince: NIODeadline?
    }

    /// What ``hitDeadline(now:)`` decided: the actions to carry out now, and when to call
    /// it again (nil: no timer runs any more). `next` is always later than `now`.
    public struct DeadlineOutcome: Sendable, Hashable {
        public var actions: [Action]
        public var next: NIODeadline?

        public init(actions: [Action], next: NIODeadline?) {
            self.actions = actions
            self.next = next
        }
    }

    /// The transport came up at `now`: the idle and connect deadlines start counting.
    /// Returns the first deadline to schedule.
    public mutating func transportActive(now: NIODeadline) -> NIODeadline? {
        liveness = Liveness(opened: now, lastReceived: now, lastSent: now)
        return nextDeadline(after: now)
    }

    /// A command (or part of one) arrived at `now` (resets the Inbound Idle Timer).
    public mutating func bytesReceived(now: NIODeadline) {
        liveness?.lastReceived = now
        liveness?.unansweredProbe = false
    }

    /// A command was written at `now` (resets the Outbound Idle Timer).
    public mutating func bytesSent(now: NIODeadline) {
        liveness?.lastSent = now
    }

    /// The shell's unsent output passed its high-water mark at `now` (the peer is not
    /// reading): the output stall clock starts. Returns the deadline to schedule.
    public mutating func outputBlocked(now: NIODeadline) -> NIODeadline? {
        if liveness?.outputBlockedSince == nil { liveness?.outputBlockedSince = now }
        return nextDeadline(after: now)
    }

    /// The unsent output fell back below the low-water mark at `now`: the stall clock stops.
    public mutating func outputUnblocked(now: NIODeadline) -> NIODeadline? {
        liveness?.outputBlockedSince = nil
        return nextDeadline(after: now)
    }

    /// The deadline the shell scheduled has come (`now` may be later than asked). Decides,
    /// in this order:
    /// - a connection not 'established' within ``SSTP/TimerConfiguration/connectTimeout``
    ///   of the transport coming up is closed with ConnectClose ResponseTimeout;
    /// - on an established connection, no command sent for the Outbound Idle Timer, or none
    ///   received for the Inbound Idle Timer (<11>), sends a Noop (3.1.4.8), which restarts
    ///   both clocks it affects;
    /// - a second Inbound Idle Timer period with nothing received after that Noop ends the
    ///   connection with ConnectClose Idle: the link is dead (a live peer's own idle
    ///   timer would have sent something);
    /// - in any open state, output blocked for ``SSTP/TimerConfiguration/outputStall``
    ///   closes the connection with ConnectClose ResponseTimeout (2.2.4.1: "not received an
    ///   expected response", here the peer's reading of what it was sent).
    public mutating func hitDeadline(now: NIODeadline) -> DeadlineOutcome {
        guard let liveness else { return DeadlineOutcome(actions: [], next: nil) }
        let timers = configuration.timers
        var actions: [Action] = []
        if let limit = timers.outputStall, let since = liveness.outputBlockedSince, now >= since + TimeAmount(limit), isOpen {
            actions = closeConnection(.responseTimeout, violation: "the peer read nothing of what it was sent for \(limit)")
            return DeadlineOutcome(actions: actions, next: nextDeadline(after: now))
        }
        switch state {
        case .transportLayerConnected, .connecting:
            if let limit = timers.connectTimeout, now >= liveness.opened + TimeAmount(limit) {
                actions = closeConnection(.responseTimeout, violation: "the connection did not complete Connect within \(limit)")
            }
        case .established:
            let outboundIdle = timers.outboundIdle.map { now >= liveness.lastSent + TimeAmount($0) } ?? false
            let inboundIdle = timers.inboundIdle.map { now >= liveness.lastReceived + TimeAmount($0) } ?? false
            if inboundIdle && liveness.unansweredProbe {
                actions = closeConnection(.idle, violation: "nothing received for two Inbound Idle Timer periods")
            } else if outboundIdle || inboundIdle {
                actions = (try? sendNoop()) ?? []
                // The Noop is a command sent; an idle inbound side is given a fresh period
                // (the peer's answer, if any, resets it again).
                self.liveness?.lastSent = now
                if inboundIdle {
                    self.liveness?.lastReceived = now
                    self.liveness?.unansweredProbe = true
                }
            }
        case .aborting, .closed:
            break
        case .modifying:
            preconditionFailure("hitDeadline while the state machine is modifying its state")
        }
        return DeadlineOutcome(actions: actions, next: nextDeadline(after: now))
    }

    private var isOpen: Bool {
        switch state {
        case .transportLayerConnected, .connecting, .established: true
        case .aborting, .closed, .modifying: false
        }
    }

    /// The earliest deadline still ahead, never at or before `now`: a deadline that is due
    /// (the shell called late) is pushed to the smallest step after `now`, so a timer can
    /// never be re-armed in the past and spin.
    public func nextDeadline(after now: NIODeadline) -> NIODeadline? {
        guard let liveness else { return nil }
        let timers = configuration.timers
        var deadlines: [NIODeadline] = []
        switch state {
        case .transportLayerConnected, .connecting:
            if let limit = timers.connectTimeout { deadlines.append(liveness.opened + TimeAmount(limit)) }
        case .established:
            if let outbound = timers.outboundIdle { deadlines.append(liveness.lastSent + TimeAmount(outbound)) }
            if let inbound = timers.inboundIdle { deadlines.append(liveness.lastReceived + TimeAmount(inbound)) }
        case .aborting, .closed, .modifying:
            return nil
        }
        if let limit = timers.outputStall, let since = liveness.outputBlockedSince { deadlines.append(since + TimeAmount(limit)) }
        guard let earliest = deadlines.min() else { return nil }
        return max(earliest, now + .nanoseconds(1))
    }
}
