import NFPSCore
import Testing
import WinteropWire

/// Every arrow of figure 3 (`media/image3.png`) and the server rules of 3.1.7.2.
@Suite struct ShareSenderStateMachineTests {
    typealias Machine = ShareSenderStateMachine
    static let session = Machine.Session(sessionID: 0x1122_3344_5566_7788)
    static let header = SocketConnectHeader(sessionID: 0x1122_3344_5566_7788, connectionType: .global)

    static func settingUp() -> Machine {
        var machine = Machine(totalContentSizeEstimate: 500)
        _ = machine.sessionProvided(session)
        return machine
    }

    /// Initialization (3.2.3) and 3.2.7.1: WaitingForSession → SetupSocket.
    @Test func sessionProvided() {
        var machine = Machine(totalContentSizeEstimate: 500)
        #expect(machine.state == .waitingForSession)
        #expect(machine.sessionProvided(Self.session).isEmpty)
        #expect(machine.state == .setupSocket(Self.session))
        // Only in WaitingForSession.
        #expect(machine.sessionProvided(Machine.Session(sessionID: 9)).isEmpty)
        #expect(machine.state == .setupSocket(Self.session))
    }

    /// 3.1.7.2 / 3.2.7.2: SetupSocket → SendingBody on the first valid header: echo it,
    /// then the Share header with HeaderSize 10 and the estimate.
    @Test func socketSuccessfullySetUp() {
        var machine = Self.settingUp()
        let actions = machine.socketConnectHeaderReceived(3, Self.header)
        #expect(actions == [
            .sendSocketConnectHeader(3, Self.header),
            .socketSetUp(3, .global),
            .sendShareHeader(3, ShareHeader(totalContentSizeEstimate: 500)),
        ])
        #expect(machine.state == .sendingBody(Self.session, socket: 3, .waitingForReplyHeader))
    }

    /// "If the Session object cannot be found … MUST close the socket."
    @Test func unknownSessionIsClosed() {
        var machine = Self.settingUp()
        var other = Self.header
        other.sessionID = 42
        #expect(machine.socketConnectHeaderReceived(1, other) == [.closeSocket(1)])
        #expect(machine.state == .setupSocket(Self.session))
        var early = Machine(totalContentSizeEstimate: 0)
        #expect(early.socketConnectHeaderReceived(1, Self.header) == [.closeSocket(1)])
    }

    /// "… or if the Session already has a socket successfully set up, … MUST close the socket."
    @Test func secondSocketIsClosed() {
        var machine = Self.settingUp()
        _ = machine.socketConnectHeaderReceived(1, Self.header)
        var bluetooth = Self.header
        bluetooth.connectionType = .bluetooth
        #expect(machine.socketConnectHeaderReceived(2, bluetooth) == [.closeSocket(2)])
        #expect(machine.state == .sendingBody(Self.session, socket: 1, .waitingForReplyHeader))
    }

    /// "If the A (Abort) flag is set … Terminated … gracefully close all sockets."
    @Test func abortTerminates() {
        var machine = Self.settingUp()
        var abort = Self.header
        abort.abort = true
        #expect(machine.socketConnectHeaderReceived(1, abort) == [.sendSocketConnectHeader(1, abort), .closeAllSockets, .terminate(.declined)])
        #expect(machine.state == .terminated(.declined))
        #expect(machine.socketConnectHeaderReceived(2, Self.header) == [.closeSocket(2)])
    }

    /// 3.2.7.2: Reply header → IV and package; all blocks sent → SendingFooter; footer
    /// sent → graceful close, the end.
    @Test func sendingBodyToSendingFooterToEnd() {
        var machine = Self.settingUp()
        _ = machine.socketConnectHeaderReceived(1, Self.header)
        #expect(machine.replyHeaderReceived(1, ReplyHeader(headerSize: 7)) == [.sendIVAndPackage(1)])
        #expect(machine.state == .sendingBody(Self.session, socket: 1, .sendingPackage))
        #expect(machine.packageBlocksSent() == [.sendFooter(1)])
        #expect(machine.state == .sendingFooter(Self.session, socket: 1))
        #expect(machine.footerSent() == [.closeGracefully(1), .closeAllSockets, .terminate(.sent)])
        #expect(machine.state == .finished)
    }

    /// A Reply header out of turn (twice, or on another socket).
    @Test func replyOutOfTurn() {
        var machine = Self.settingUp()
        #expect(machine.replyHeaderReceived(1, ReplyHeader()) == [.closeSocket(1)])
        _ = machine.socketConnectHeaderReceived(1, Self.header)
        #expect(machine.replyHeaderReceived(2, ReplyHeader()) == [.closeSocket(2)])
        _ = machine.replyHeaderReceived(1, ReplyHeader())
        let again = machine.replyHeaderReceived(1, ReplyHeader())
        #expect(again.last == .terminate(.failed("the share receiver sent a Reply header out of turn (in SendingBody)")))
    }

    /// The chosen socket closing early fails the session; other sockets do not matter.
    @Test func chosenSocketClosed() {
        var machine = Self.settingUp()
        _ = machine.socketConnectHeaderReceived(1, Self.header)
        #expect(machine.socketClosed(2).isEmpty)
        let actions = machine.socketClosed(1)
        #expect(actions.first == .closeAllSockets)
        guard case .terminated(.failed) = machine.state else { Issue.record("not failed: \(machine.state)"); return }
    }

    /// The chosen socket closed due to fault (the shell's stall limit): the share fails
    /// with the cause, in SendingBody or SendingFooter; another socket's fault only closes it.
    @Test func chosenSocketClosedByFault() {
        var machine = Self.settingUp()
        #expect(machine.socketClosedByFault(2, cause: "stalled") == [.closeSocket(2)])
        _ = machine.socketConnectHeaderReceived(1, Self.header)
        _ = machine.replyHeaderReceived(1, ReplyHeader())
        #expect(machine.socketClosedByFault(2, cause: "stalled") == [.closeSocket(2)])
        #expect(machine.state == .sendingBody(Self.session, socket: 1, .sendingPackage))
        #expect(machine.socketClosedByFault(1, cause: "stalled") == [.closeAllSockets, .terminate(.failed("stalled (in SendingBody)"))])
        #expect(machine.state == .terminated(.failed("stalled (in SendingBody)")))
        // Over: nothing more to do.
        #expect(machine.socketClosedByFault(1, cause: "again") == [.closeSocket(1)])

        var footer = Self.settingUp()
        _ = footer.socketConnectHeaderReceived(1, Self.header)
        _ = footer.replyHeaderReceived(1, ReplyHeader())
        _ = footer.packageBlocksSent()
        #expect(footer.socketClosedByFault(1, cause: "stalled").last == .terminate(.failed("stalled (in SendingFooter)")))
    }

    @Test func malformedInput() {
        var machine = Self.settingUp()
        let error = WireError(spec: "MS-NFPS", section: "2.2.1", "bad")
        #expect(machine.malformedInput(4, error) == [.closeSocket(4)])
        _ = machine.socketConnectHeaderReceived(1, Self.header)
        #expect(machine.malformedInput(1, error).first == .closeAllSockets)
    }
}
