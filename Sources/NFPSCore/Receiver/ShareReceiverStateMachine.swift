import WinteropWire

/// The share receiver of MS-NFPS 3.3 (figure 4, `media/image4.png`), with the client's
/// socket set-up race of 3.1.7.1, sans-IO. Time enters as `now` (any clock's instant);
/// timers are actions (`.scheduleRetry`, `.scheduleSecondWave`, `.scheduleSetupDeadline`)
/// whose firing the shell reports back.
///
/// SetupSocket → (socket successfully set up) → ReplyHeaderAndReceivingIV → (IV received)
/// → ReceivingPackage → (socket gracefully closed) → end.
public struct ShareReceiverStateMachine<Instant: InstantProtocol<Duration>>: Sendable where Instant: Sendable {
    /// One connect attempt; a retry or a second wave is a new attempt.
    public typealias AttemptID = Int

    /// One remote address to connect to, with its connection type (3.1.7.1).
    public struct Target: Sendable, Hashable {
        /// The shell's index of the address.
        public var index: Int
        public var connectionType: ConnectionType
        /// The address is all zeros: "MUST NOT attempt a specific connect" (3.1.7.1).
        public var isAllZeros: Bool
        public init(index: Int, connectionType: ConnectionType, isAllZeros: Bool = false) {
            self.index = index
            self.connectionType = connectionType
            self.isAllZeros = isAllZeros
        }
    }

    public struct Configuration: Sendable, Hashable {
        public var sessionID: UInt64
        public var targets: [Target]
        /// The user declined: every Socket Connect header carries the Abort flag (2.2.1).
        public var decline: Bool
        /// A failed connect "SHOULD be retried after a 10-millisecond delay" (3.1.7.1).
        public var retryDelay: Duration
        /// "If a full handshake is incomplete after 4 seconds, a second, parallel set of
        /// socket connects … can be started" (3.1.7.1).
        public var secondWaveDelay: Duration
        /// How long the whole set-up may take before the receiver gives up (winterop's choice).
        public var setupTimeout: Duration

        public init(
            sessionID: UInt64, targets: [Target], decline: Bool = false,
            retryDelay: Duration = .milliseconds(10), secondWaveDelay: Duration = .seconds(4),
            setupTimeout: Duration = .seconds(30)
        ) {
            self.sessionID = sessionID
            self.targets = targets
            self.decline = decline
            self.retryDelay = retryDelay
            self.secondWaveDelay = secondWaveDelay
            self.setupTimeout = setupTimeout
        }
    }

    /// An attempt during SetupSocket.
    public enum Attempt: Sendable, Hashable {
        case connecting(Target)
        /// Connected; its Socket Connect header was sent and the echo is awaited (3.1.7.1).
        case awaitingEcho(Target, sent: SocketConnectHeader)
    }

    public struct Setup: Sendable, Hashable {
        public var attempts: [AttemptID: Attempt] = [:]
        /// Attempts whose 10 ms retry is scheduled, with their target.
        public var retries: [AttemptID: Target] = [:]
        public var secondWaveStarted = false
    }

    /// The states of figure 4, each with what is valid in it.
    public enum State: Sendable, Hashable {
        /// Before the TapAndSendFiles activation (3.3.7.1).
        case initial
        case setupSocket(Setup)
        /// Socket set up; waiting for the Share header, then sending the Reply and reading the IV (3.3.7.2).
        case replyHeaderAndReceivingIV(socket: AttemptID, shareHeader: ShareHeader?)
        case receivingPackage(socket: AttemptID, shareHeader: ShareHeader)
        /// The package was received and the socket closed gracefully (3.3.7.4): the end of figure 4.
        case completed
        /// The receiver declined with the Abort flag, and the sender echoed it.
        case declined
        /// "The ShareReceiver object MUST be abandoned" (3.3.7.3, 3.3.7.4).
        case abandoned(String)

        public var name: String {
            switch self {
            case .initial: return "Initial"
            case .setupSocket: return "SetupSocket"
            case .replyHeaderAndReceivingIV: return "ReplyHeaderAndReceivingIV"
            case .receivingPackage: return "ReceivingPackage"
            case .completed: return "Completed"
            case .declined: return "Declined"
            case .abandoned: return "Abandoned"
            }
        }
    }

    /// What the shell must do, in order.
    public enum Action: Sendable, Hashable {
        case connect(AttemptID, Target)
        case sendSocketConnectHeader(AttemptID, SocketConnectHeader)
        /// Close this attempt's socket, or stop its connect (3.1.7.1: abandoned).
        case close(AttemptID)
        case scheduleRetry(AttemptID, at: Instant)
        case scheduleSecondWave(at: Instant)
        case scheduleSetupDeadline(at: Instant)
        /// The session socket is set up on this attempt (3.1.7.1): report it.
        case socketSetUp(AttemptID, ConnectionType)
        /// The Share header arrived: report the estimate (3.3.7.2).
        case reportShareHeader(ShareHeader)
        case sendReplyHeader(AttemptID, ReplyHeader)
        /// The IV arrived: derive the SymmetricKey and decrypt from here on (3.3.7.2, 3.3.5).
        case startDecrypting(iv: [UInt8])
        /// Graceful close in ReceivingPackage: decrypt the footer, keep its Remainder,
        /// hand the package over (3.3.7.4).
        case finishPackage
        /// The sender echoed the declining header: close everything.
        case declined
        /// Abandon the ShareReceiver: close everything, keep nothing (3.3.7.3).
        case abandon(String)
    }

    public private(set) var state: State = .initial
    public let configuration: Configuration
    private var nextAttempt: AttemptID = 0

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// The Socket Connect header for `target` (3.1.7.1: ConnectionType matches the attempt).
    public func socketConnectHeader(for target: Target) -> SocketConnectHeader {
        SocketConnectHeader(sessionID: configuration.sessionID, connectionType: target.connectionType, abort: configuration.decline)
    }

    /// 3.3.7.1 TapAndSendFiles activation: State = SetupSocket and, as 3.1.7.1 says for
    /// the client role, "a parallel set of socket connects", none to an all-zero address.
    public mutating func tapAndSendFilesActivated(now: Instant) -> [Action] {
        switch state {
        case .initial:
            var setup = Setup()
            var actions = wave(&setup)
            guard !setup.attempts.isEmpty else {
                state = .abandoned("no address to connect to (all-zero addresses are skipped)")
                return [.abandon("no address to connect to (all-zero addresses are skipped)")]
            }
            state = .setupSocket(setup)
            actions.append(.scheduleSecondWave(at: now.advanced(by: configuration.secondWaveDelay)))
            actions.append(.scheduleSetupDeadline(at: now.advanced(by: configuration.setupTimeout)))
            return actions
        case .setupSocket, .replyHeaderAndReceivingIV, .receivingPackage, .completed, .declined, .abandoned:
            return []
        }
    }

    /// A connect succeeded: send the Socket Connect header on it (3.1.7.1).
    public mutating func connectSucceeded(_ attempt: AttemptID) -> [Action] {
        switch state {
        case .setupSocket(var setup):
            guard case .connecting(let target)? = setup.attempts[attempt] else { return [.close(attempt)] }
            let header = socketConnectHeader(for: target)
            setup.attempts[attempt] = .awaitingEcho(target, sent: header)
            state = .setupSocket(setup)
            return [.sendSocketConnectHeader(attempt, header)]
        case .initial, .replyHeaderAndReceivingIV, .receivingPackage, .completed, .declined, .abandoned:
            // "All the other parallel connection attempts MUST be stopped and abandoned."
            return [.close(attempt)]
        }
    }

    /// A connect failed, or a connected attempt closed before its echo: "it SHOULD be
    /// retried after a 10-millisecond delay, unless the Session socket is already
    /// successfully set up" (3.1.7.1).
    public mutating func connectFailed(_ attempt: AttemptID, now: Instant) -> [Action] {
        switch state {
        case .setupSocket(var setup):
            guard let target = setup.attempts.removeValue(forKey: attempt).map(Self.target(of:)) else { return [] }
            let retry = newAttempt()
            setup.retries[retry] = target
            state = .setupSocket(setup)
            return [.close(attempt), .scheduleRetry(retry, at: now.advanced(by: configuration.retryDelay))]
        case .replyHeaderAndReceivingIV(let socket, _) where socket == attempt,
             .receivingPackage(let socket, _) where socket == attempt:
            return socketClosedByFault(attempt)
        case .initial, .replyHeaderAndReceivingIV, .receivingPackage, .completed, .declined, .abandoned:
            return []
        }
    }

    /// The 10 ms retry timer of `attempt` fired: connect again.
    public mutating func retryTimerFired(_ attempt: AttemptID) -> [Action] {
        switch state {
        case .setupSocket(var setup):
            guard let target = setup.retries.removeValue(forKey: attempt) else { return [] }
            setup.attempts[attempt] = .connecting(target)
            state = .setupSocket(setup)
            return [.connect(attempt, target)]
        case .initial, .replyHeaderAndReceivingIV, .receivingPackage, .completed, .declined, .abandoned:
            return []
        }
    }

    /// The 4-second timer fired with no full handshake: start the second parallel set (3.1.7.1).
    public mutating func secondWaveTimerFired() -> [Action] {
        switch state {
        case .setupSocket(var setup) where !setup.secondWaveStarted:
            setup.secondWaveStarted = true
            let actions = wave(&setup)
            state = .setupSocket(setup)
            return actions
        case .initial, .setupSocket, .replyHeaderAndReceivingIV, .receivingPackage, .completed, .declined, .abandoned:
            return []
        }
    }

    /// No socket was set up in time: give up.
    public mutating func setupDeadlineFired() -> [Action] {
        switch state {
        case .setupSocket(let setup):
            return abandon(closing: Array(setup.attempts.keys), "no share sender answered within \(configuration.setupTimeout)")
        case .initial, .replyHeaderAndReceivingIV, .receivingPackage, .completed, .declined, .abandoned:
            return []
        }
    }

    /// The sender's Socket Connect header arrived on `attempt` (3.1.7.1).
    public mutating func socketConnectHeaderReceived(_ attempt: AttemptID, _ header: SocketConnectHeader, now: Instant) -> [Action] {
        switch state {
        case .setupSocket(var setup):
            guard case .awaitingEcho(_, let sent)? = setup.attempts[attempt] else { return [.close(attempt)] }
            // "If the received Socket Connect header is not identical to the one the Share
            // Receiver just sent, the socket MUST be closed and the connection attempt is
            // considered to have failed."
            guard header == sent else { return connectFailed(attempt, now: now) }
            setup.attempts.removeValue(forKey: attempt)
            // "All the other parallel connection attempts MUST be stopped and abandoned."
            let others = setup.attempts.keys.sorted().map(Action.close)
            if configuration.decline {
                // The Abort flag was echoed: the sender terminates; so does this side (4.2.2).
                state = .declined
                return others + [.close(attempt), .declined]
            }
            // 3.3.7.2: socket set up → ReplyHeaderAndReceivingIV; read the Share header.
            state = .replyHeaderAndReceivingIV(socket: attempt, shareHeader: nil)
            return others + [.socketSetUp(attempt, sent.connectionType)]
        case .replyHeaderAndReceivingIV, .receivingPackage, .completed, .declined, .abandoned, .initial:
            return [.close(attempt)]
        }
    }

    /// 3.3.7.2: the Share header was read: reply with HeaderSize 2, then read the IV.
    public mutating func shareHeaderReceived(_ attempt: AttemptID, _ header: ShareHeader) -> [Action] {
        switch state {
        case .replyHeaderAndReceivingIV(let socket, nil) where socket == attempt:
            state = .replyHeaderAndReceivingIV(socket: socket, shareHeader: header)
            return [.reportShareHeader(header), .sendReplyHeader(socket, ReplyHeader())]
        case .initial, .setupSocket, .replyHeaderAndReceivingIV, .receivingPackage, .completed, .declined, .abandoned:
            return outOfTurn(attempt, "a Share header")
        }
    }

    /// 3.3.7.2: "The next 16 bytes received MUST be set as the Share Receiver's IV" →
    /// ReceivingPackage.
    public mutating func ivReceived(_ attempt: AttemptID, _ iv: [UInt8]) -> [Action] {
        switch state {
        case .replyHeaderAndReceivingIV(let socket, let header?) where socket == attempt && iv.count == NFPS.ivSize:
            state = .receivingPackage(socket: socket, shareHeader: header)
            return [.startDecrypting(iv: iv)]
        case .initial, .setupSocket, .replyHeaderAndReceivingIV, .receivingPackage, .completed, .declined, .abandoned:
            return outOfTurn(attempt, "an IV")
        }
    }

    /// 3.3.7.4 Socket gracefully closed: in ReceivingPackage the data is decrypted and
    /// provided; in any other state the ShareReceiver is abandoned.
    public mutating func socketGracefullyClosed(_ attempt: AttemptID, now: Instant) -> [Action] {
        switch state {
        case .receivingPackage(let socket, _) where socket == attempt:
            state = .completed
            return [.finishPackage]
        case .replyHeaderAndReceivingIV(let socket, _) where socket == attempt:
            return abandon(closing: [], "the share sender closed the connection before the package (in \(state.name))")
        case .setupSocket:
            // Before the echo a close is a failed attempt (3.1.7.1).
            return connectFailed(attempt, now: now)
        case .initial, .replyHeaderAndReceivingIV, .receivingPackage, .completed, .declined, .abandoned:
            return []
        }
    }

    /// 3.3.7.3 Socket closed due to fault: "The ShareReceiver object MUST be abandoned."
    /// `cause` is what the shell saw (a stall, a reset); the abandon reason names it.
    public mutating func socketClosedByFault(_ attempt: AttemptID, cause: String? = nil) -> [Action] {
        switch state {
        case .replyHeaderAndReceivingIV(let socket, _) where socket == attempt,
             .receivingPackage(let socket, _) where socket == attempt:
            return abandon(closing: [], "\(cause ?? "the connection to the share sender failed") (in \(state.name))")
        case .initial, .setupSocket, .replyHeaderAndReceivingIV, .receivingPackage, .completed, .declined, .abandoned:
            return []
        }
    }

    /// Bytes on `attempt` broke a rule of 2.2: a set-up attempt fails; the session socket abandons.
    public mutating func malformedInput(_ attempt: AttemptID, _ error: WireError, now: Instant) -> [Action] {
        switch state {
        case .setupSocket:
            return connectFailed(attempt, now: now)
        case .replyHeaderAndReceivingIV(let socket, _) where socket == attempt,
             .receivingPackage(let socket, _) where socket == attempt:
            return abandon(closing: [attempt], "malformed input from the share sender: \(error)")
        case .initial, .replyHeaderAndReceivingIV, .receivingPackage, .completed, .declined, .abandoned:
            return [.close(attempt)]
        }
    }

    /// The package could not be decrypted or stored (footer invalid, disk full): abandon.
    public mutating func packageFailed(_ reason: String) -> [Action] {
        switch state {
        case .declined, .abandoned: return []
        case .initial, .setupSocket, .replyHeaderAndReceivingIV, .receivingPackage, .completed:
            return abandon(closing: [], reason)
        }
    }

    // MARK: Helpers

    private mutating func newAttempt() -> AttemptID {
        defer { nextAttempt += 1 }
        return nextAttempt
    }

    /// One connect per target whose address is not all zeros (3.1.7.1).
    private mutating func wave(_ setup: inout Setup) -> [Action] {
        var actions: [Action] = []
        for target in configuration.targets where !target.isAllZeros {
            let attempt = newAttempt()
            setup.attempts[attempt] = .connecting(target)
            actions.append(.connect(attempt, target))
        }
        return actions
    }

    private static func target(of attempt: Attempt) -> Target {
        switch attempt {
        case .connecting(let target), .awaitingEcho(let target, _): return target
        }
    }

    private mutating func outOfTurn(_ attempt: AttemptID, _ what: String) -> [Action] {
        switch state {
        case .replyHeaderAndReceivingIV(let socket, _) where socket == attempt,
             .receivingPackage(let socket, _) where socket == attempt:
            return abandon(closing: [attempt], "the share sender sent \(what) out of turn (in \(state.name))")
        default:
            return [.close(attempt)]
        }
    }

    private mutating func abandon(closing attempts: [AttemptID], _ reason: String) -> [Action] {
        state = .abandoned(reason)
        return attempts.sorted().map(Action.close) + [.abandon(reason)]
    }
}
