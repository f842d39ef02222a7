import NFPSCore
import Testing
import WinteropWire

/// Every arrow of figure 4 (`media/image4.png`) and the client rules of 3.1.7.1,
/// with an injected clock.
@Suite struct ShareReceiverStateMachineTests {
    typealias Machine = ShareReceiverStateMachine<ContinuousClock.Instant>
    static let t0 = ContinuousClock.Instant.now
    static let id: UInt64 = 0xA1A2_A3A4_A5A6_A7A8
    static let targets = [
        Machine.Target(index: 0, connectionType: .linkLocal),
        Machine.Target(index: 1, connectionType: .bluetooth),
        Machine.Target(index: 2, connectionType: .global, isAllZeros: true),
    ]

    static func machine(decline: Bool = false) -> Machine {
        Machine(configuration: .init(sessionID: id, targets: targets, decline: decline))
    }

    static func header(_ type: ConnectionType, abort: Bool = false) -> SocketConnectHeader {
        SocketConnectHeader(sessionID: id, connectionType: type, abort: abort)
    }

    /// 3.3.7.1 → SetupSocket; 3.1.7.1 parallel connects, none to an all-zero address;
    /// the 4 s second-wave timer.
    @Test func activationStartsParallelConnects() {
        var machine = Self.machine()
        let actions = machine.tapAndSendFilesActivated(now: Self.t0)
        #expect(actions == [
            .connect(0, Self.targets[0]), .connect(1, Self.targets[1]),
            .scheduleSecondWave(at: Self.t0 + .seconds(4)),
            .scheduleSetupDeadline(at: Self.t0 + .seconds(30)),
        ])
        #expect(machine.state.name == "SetupSocket")
    }

    @Test func onlyAllZeroAddressesAbandons() {
        var machine = Machine(configuration: .init(sessionID: 1, targets: [.init(index: 0, connectionType: .global, isAllZeros: true)]))
        #expect(machine.tapAndSendFilesActivated(now: Self.t0).last == .abandon("no address to connect to (all-zero addresses are skipped)"))
    }

    /// "When a socket successfully connects, the Share Receiver MUST send an appropriate
    /// Socket Connect header … The ConnectionType field MUST match."
    @Test func connectedSendsHeader() {
        var machine = Self.machine()
        _ = machine.tapAndSendFilesActivated(now: Self.t0)
        #expect(machine.connectSucceeded(1) == [.sendSocketConnectHeader(1, Self.header(.bluetooth))])
        #expect(machine.connectSucceeded(0) == [.sendSocketConnectHeader(0, Self.header(.linkLocal))])
    }

    /// "If a connect attempt fails, it SHOULD be retried after a 10-millisecond delay."
    @Test func failedConnectRetriesAfter10ms() {
        var machine = Self.machine()
        _ = machine.tapAndSendFilesActivated(now: Self.t0)
        let now = Self.t0 + .milliseconds(3)
        #expect(machine.connectFailed(0, now: now) == [.close(0), .scheduleRetry(2, at: now + .milliseconds(10))])
        #expect(machine.retryTimerFired(2) == [.connect(2, Self.targets[0])])
        #expect(machine.retryTimerFired(2).isEmpty)
    }

    /// "… unless the Session socket is already successfully set up."
    @Test func noRetryOnceSetUp() {
        var machine = Self.machine()
        _ = machine.tapAndSendFilesActivated(now: Self.t0)
        _ = machine.connectSucceeded(1)
        _ = machine.socketConnectHeaderReceived(1, Self.header(.bluetooth), now: Self.t0)
        #expect(machine.connectFailed(0, now: Self.t0).isEmpty)
        #expect(machine.connectSucceeded(0) == [.close(0)])
    }

    /// An echo that is not identical: close, the attempt failed (and is retried).
    @Test func differingEchoFails() {
        var machine = Self.machine()
        _ = machine.tapAndSendFilesActivated(now: Self.t0)
        _ = machine.connectSucceeded(0)
        var echo = Self.header(.linkLocal)
        echo.reserved1 = 1
        #expect(machine.socketConnectHeaderReceived(0, echo, now: Self.t0) == [.close(0), .scheduleRetry(2, at: Self.t0 + .milliseconds(10))])
        #expect(machine.state.name == "SetupSocket")
    }

    /// An identical echo: set up, the other attempts abandoned → ReplyHeaderAndReceivingIV.
    @Test func identicalEchoSetsUpSocket() {
        var machine = Self.machine()
        _ = machine.tapAndSendFilesActivated(now: Self.t0)
        _ = machine.connectSucceeded(0)
        _ = machine.connectSucceeded(1)
        #expect(machine.socketConnectHeaderReceived(1, Self.header(.bluetooth), now: Self.t0) == [.close(0), .socketSetUp(1, .bluetooth)])
        #expect(machine.state == .replyHeaderAndReceivingIV(socket: 1, shareHeader: nil))
        #expect(machine.socketConnectHeaderReceived(0, Self.header(.linkLocal), now: Self.t0) == [.close(0)])
    }

    /// Decline: the Abort flag goes out; its echo ends the session (4.2.2).
    @Test func declineSetsAbortFlag() {
        var machine = Self.machine(decline: true)
        _ = machine.tapAndSendFilesActivated(now: Self.t0)
        #expect(machine.connectSucceeded(0) == [.sendSocketConnectHeader(0, Self.header(.linkLocal, abort: true))])
        #expect(machine.socketConnectHeaderReceived(0, Self.header(.linkLocal, abort: true), now: Self.t0) == [.close(1), .close(0), .declined])
        #expect(machine.state == .declined)
    }

    /// "If a full handshake is incomplete after 4 seconds, a second, parallel set of socket connects."
    @Test func secondWave() {
        var machine = Self.machine()
        _ = machine.tapAndSendFilesActivated(now: Self.t0)
        #expect(machine.secondWaveTimerFired() == [.connect(2, Self.targets[0]), .connect(3, Self.targets[1])])
        #expect(machine.secondWaveTimerFired().isEmpty)
        _ = machine.connectSucceeded(3)
        _ = machine.socketConnectHeaderReceived(3, Self.header(.bluetooth), now: Self.t0)
        var done = machine
        #expect(done.secondWaveTimerFired().isEmpty)
    }

    @Test func setupDeadline() {
        var machine = Self.machine()
        _ = machine.tapAndSendFilesActivated(now: Self.t0)
        let actions = machine.setupDeadlineFired()
        #expect(actions == [.close(0), .close(1), .abandon("no share sender answered within 30.0 seconds")])
    }

    /// 3.3.7.2: Share header (any HeaderSize ≥ 10) → Reply with HeaderSize 2; IV → ReceivingPackage;
    /// 3.3.7.4 graceful close → the package.
    @Test func setUpToReceivingPackageToEnd() {
        var machine = Self.machine()
        _ = machine.tapAndSendFilesActivated(now: Self.t0)
        _ = machine.connectSucceeded(0)
        _ = machine.socketConnectHeaderReceived(0, Self.header(.linkLocal), now: Self.t0)
        let share = ShareHeader(totalContentSizeEstimate: 500, headerSize: 12)
        #expect(machine.shareHeaderReceived(0, share) == [.reportShareHeader(share), .sendReplyHeader(0, ReplyHeader())])
        #expect(machine.state == .replyHeaderAndReceivingIV(socket: 0, shareHeader: share))
        let iv = [UInt8](repeating: 7, count: 16)
        #expect(machine.ivReceived(0, iv) == [.startDecrypting(iv: iv)])
        #expect(machine.state == .receivingPackage(socket: 0, shareHeader: share))
        #expect(machine.socketGracefullyClosed(0, now: Self.t0) == [.finishPackage])
        #expect(machine.state == .completed)
    }

    /// 3.3.7.4: a graceful close outside ReceivingPackage abandons.
    @Test func gracefulCloseBeforePackageAbandons() {
        var machine = Self.machine()
        _ = machine.tapAndSendFilesActivated(now: Self.t0)
        _ = machine.connectSucceeded(0)
        _ = machine.socketConnectHeaderReceived(0, Self.header(.linkLocal), now: Self.t0)
        guard case .abandon? = machine.socketGracefullyClosed(0, now: Self.t0).last else { Issue.record("not abandoned"); return }
        guard case .abandoned = machine.state else { Issue.record("state \(machine.state)"); return }
    }

    /// 3.3.7.3: a fault in ReceivingPackage abandons.
    @Test func faultAbandons() {
        var machine = Self.machine()
        _ = machine.tapAndSendFilesActivated(now: Self.t0)
        _ = machine.connectSucceeded(0)
        _ = machine.socketConnectHeaderReceived(0, Self.header(.linkLocal), now: Self.t0)
        _ = machine.shareHeaderReceived(0, ShareHeader(totalContentSizeEstimate: 0))
        _ = machine.ivReceived(0, [UInt8](repeating: 0, count: 16))
        guard case .abandon? = machine.socketClosedByFault(0).last else { Issue.record("not abandoned"); return }
        #expect(machine.state.name == "Abandoned")
    }

    /// 3.3.7.3 with the shell's cause (a silent sender): the reason says what happened.
    @Test func faultWithCauseNamesIt() {
        var machine = Self.machine()
        _ = machine.tapAndSendFilesActivated(now: Self.t0)
        _ = machine.connectSucceeded(0)
        _ = machine.socketConnectHeaderReceived(0, Self.header(.linkLocal), now: Self.t0)
        _ = machine.shareHeaderReceived(0, ShareHeader(totalContentSizeEstimate: 0))
        _ = machine.ivReceived(0, [UInt8](repeating: 0, count: 16))
        guard case .abandon(let reason)? = machine.socketClosedByFault(0, cause: "the share sender sent nothing for 2 s").last else {
            Issue.record("not abandoned"); return
        }
        #expect(reason == "the share sender sent nothing for 2 s (in ReceivingPackage)")
        #expect(machine.state.name == "Abandoned")
        // Another socket's fault, after the session is over, changes nothing.
        #expect(machine.socketClosedByFault(1, cause: "late").isEmpty)
    }

    /// Before the echo, a closed socket is a failed attempt; out-of-turn messages abandon.
    @Test func closeDuringSetupAndOutOfTurn() {
        var machine = Self.machine()
        _ = machine.tapAndSendFilesActivated(now: Self.t0)
        _ = machine.connectSucceeded(0)
        #expect(machine.socketGracefullyClosed(0, now: Self.t0) == [.close(0), .scheduleRetry(2, at: Self.t0 + .milliseconds(10))])
        _ = machine.connectSucceeded(1)
        _ = machine.socketConnectHeaderReceived(1, Self.header(.bluetooth), now: Self.t0)
        guard case .abandon? = machine.ivReceived(1, [UInt8](repeating: 0, count: 16)).last else { Issue.record("IV before Share header accepted"); return }
    }

    @Test func packageFailedAbandons() {
        var machine = Self.machine()
        _ = machine.tapAndSendFilesActivated(now: Self.t0)
        #expect(machine.packageFailed("disk full") == [.abandon("disk full")])
    }
}
