import NIOCore
import TCCCore
import Testing
import WinteropWire

/// Every arrow of figure 2 (client message processing), with an injected clock.
@Suite struct ClientStateMachineTests {
    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
    static let wall = UnpairedGoldenTests.timestamp
    static let keys = UnpairedGoldenTests.keys!

    static func frame(_ message: TCCMessage) -> TCCFrame {
        // Messages built here always encode and decode.
        (try? TCCFrame.decode(message.encoded())) ?? TCCFrame(id: 0, payload: ByteBuffer())
    }

    static func waiting(keys: UnpairedKeys? = nil) -> ClientStateMachine {
        var machine = ClientStateMachine(configuration: .init(keys: keys, messageTimeout: .seconds(60)))
        _ = machine.channelEstablished(now: t0, wallClock: wall)
        return machine
    }

    @Test func channelUpSendsTheRevision2RequestAndStartsMessageTimer() {
        var machine = ClientStateMachine(configuration: .init())
        let actions = machine.channelEstablished(now: Self.t0, wallClock: Self.wall)
        #expect(actions == [.send(.bringUpStartRequest(BringUpStartRequest())), .startMessageTimer(Self.t0 + .seconds(60))])
        #expect(machine.state == .waiting(timestamp: nil, timerDeadline: Self.t0 + .seconds(60)))
        // Only once.
        #expect(machine.channelEstablished(now: Self.t0, wallClock: Self.wall).isEmpty)
    }

    @Test func withKeysTheRequestCarriesTimestampAndHMAC() throws {
        var machine = ClientStateMachine(configuration: .init(keys: Self.keys))
        let actions = machine.channelEstablished(now: Self.t0, wallClock: Self.wall)
        guard case .send(let message) = actions.first else { Issue.record("no request"); return }
        #expect(try message.encoded() == UnpairedGoldenTests.request)
    }

    @Test func successResponseReportsAndCloses() {
        var machine = Self.waiting()
        let settings = UnpairedGoldenTests.settings
        #expect(machine.messageReceived(Self.frame(.bringUpSuccessResponse(settings)), now: Self.t0) == [.report(.settings(settings, unpaired: false)), .close])
        #expect(machine.state == .done(.settings(settings, unpaired: false)))
    }

    @Test func unpairedResponseIsVerifiedAndDecrypted() throws {
        var machine = Self.waiting(keys: Self.keys)
        let frame = try TCCFrame.decode(UnpairedGoldenTests.unpaired)
        #expect(machine.messageReceived(frame, now: Self.t0) == [.report(.settings(UnpairedGoldenTests.settings, unpaired: true)), .close])
    }

    @Test func unpairedResponseWithBadHMACIsASecurityFailure() throws {
        var machine = Self.waiting(keys: Self.keys)
        var bytes = UnpairedGoldenTests.unpaired
        bytes[10] ^= 1
        let actions = machine.messageReceived(try TCCFrame.decode(bytes), now: Self.t0)
        guard case .report(.securityFailure(let text)) = actions.first else { Issue.record("\(actions)"); return }
        #expect(text.contains("3.1.5.2"))
        #expect(actions.last == .close)
    }

    @Test func unpairedResponseWithoutKeysIsASecurityFailure() throws {
        var machine = Self.waiting()
        let actions = machine.messageReceived(try TCCFrame.decode(UnpairedGoldenTests.unpaired), now: Self.t0)
        guard case .report(.securityFailure(let text)) = actions.first else { Issue.record("\(actions)"); return }
        #expect(text.contains("--keys"))
    }

    @Test func failureResponseReportsAndCloses() throws {
        var machine = Self.waiting()
        let failure = try #require(BringUpFailureResponse(statusCode: .roamingNotAllowed, errorString: "roaming"))
        #expect(machine.messageReceived(Self.frame(.bringUpFailureResponse(failure)), now: Self.t0) == [.report(.failure(failure)), .close])
    }

    @Test func requestOrProtocolErrorFromTheServerIsAProtocolFailure() {
        var machine = Self.waiting()
        #expect(machine.messageReceived(Self.frame(.bringUpStartRequest(.init())), now: Self.t0) == [.report(.protocolFailure(.bringUpStartRequest, nil)), .close])
        machine = Self.waiting()
        let error = ProtocolErrorResponse(messageType: 1)
        #expect(machine.messageReceived(Self.frame(.protocolErrorResponse(error)), now: Self.t0) == [.report(.protocolFailure(.protocolErrorResponse, error)), .close])
    }

    @Test func unrecognizedMessageIsAnsweredAndWaitingContinues() {
        var machine = Self.waiting()
        let later = Self.t0 + .seconds(10)
        let actions = machine.messageReceived(TCCFrame(id: 0x77, payload: ByteBuffer(bytes: [1, 2])), now: later)
        #expect(actions == [.startMessageTimer(later + .seconds(60)), .send(.protocolErrorResponse(.init(messageType: 0x77)))])
        #expect(machine.state == .waiting(timestamp: nil, timerDeadline: later + .seconds(60)))
        // MessageId 0 is outside the range too.
        #expect(machine.messageReceived(TCCFrame(id: 0, payload: ByteBuffer()), now: later).last == .send(.protocolErrorResponse(.init(messageType: 0))))
    }

    @Test func unparsableMessageIsAProtocolError() {
        var machine = Self.waiting()
        let actions = machine.messageReceived(TCCFrame(id: 3, payload: ByteBuffer(bytes: [1, 0, 1, 0])), now: Self.t0)
        guard case .report(.protocolError(let error)) = actions.first else { Issue.record("\(actions)"); return }
        #expect(error.section == "2.2.3.4")
        #expect(actions.last == .close)
        machine = Self.waiting()
        let framing = WireError(spec: "MS-TCC", section: "2.2.2.2", "x")
        #expect(machine.messageMalformed(framing) == [.report(.protocolError(framing)), .close])
    }

    @Test func messageTimerExpiresAfterItsDeadlineOnly() {
        var machine = Self.waiting()
        #expect(machine.messageTimerFired(now: Self.t0 + .seconds(59)).isEmpty)
        #expect(machine.messageTimerFired(now: Self.t0 + .seconds(60)) == [.report(.timedOut), .close])
        #expect(machine.state == .done(.timedOut))
    }

    @Test func everyMessageRestartsTheMessageTimer() {
        var machine = Self.waiting()
        _ = machine.messageReceived(TCCFrame(id: 9, payload: ByteBuffer()), now: Self.t0 + .seconds(50))
        // The timer armed at t0 fires late: stale, ignored.
        #expect(machine.messageTimerFired(now: Self.t0 + .seconds(60)).isEmpty)
        #expect(machine.messageTimerFired(now: Self.t0 + .seconds(110)) == [.report(.timedOut), .close])
    }

    @Test func cancellationAndDisconnect() {
        var machine = Self.waiting()
        #expect(machine.cancel() == [.report(.cancelled), .close])
        machine = Self.waiting()
        #expect(machine.transportDisconnected() == [.report(.transportFailure)])
        #expect(machine.state == .done(.transportFailure))
    }

    @Test func nothingHappensOnceDone() {
        var machine = Self.waiting()
        _ = machine.cancel()
        #expect(machine.messageReceived(Self.frame(.bringUpSuccessResponse(UnpairedGoldenTests.settings)), now: Self.t0).isEmpty)
        #expect(machine.messageTimerFired(now: Self.t0 + .seconds(600)).isEmpty)
        #expect(machine.transportDisconnected().isEmpty)
        #expect(machine.cancel().isEmpty)
        #expect(machine.messageMalformed(WireError(spec: "MS-TCC", section: "2.2", "x")).isEmpty)
    }

    @Test func messagesBeforeTheChannelIsUpAreIgnored() {
        var machine = ClientStateMachine(configuration: .init())
        #expect(machine.messageReceived(TCCFrame(id: 9, payload: ByteBuffer()), now: Self.t0).isEmpty)
        #expect(machine.transportDisconnected() == [.report(.transportFailure)])
    }
}

extension ClientStateMachineTests {
    @Test func secureChannelFailureEndsTheRequest() {
        var machine = Self.waiting()
        #expect(machine.channelSecurityFailed("bad key") == [.report(.securityFailure("bad key")), .close])
        #expect(machine.channelSecurityFailed("again").isEmpty)
    }
}
