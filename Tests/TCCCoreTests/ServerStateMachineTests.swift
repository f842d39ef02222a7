import NIOCore
import TCCCore
import Testing
import WinteropWire

/// Every arrow of figure 3 (server message processing) and every rule of 3.2.5.1, with an
/// injected clock.
@Suite struct ServerStateMachineTests {
    static let t0 = NIODeadline.uptimeNanoseconds(5_000_000_000)
    static let wall = UnpairedGoldenTests.timestamp
    static let keys = UnpairedGoldenTests.keys!
    static let settings = UnpairedGoldenTests.settings
    static let request = ClientStateMachineTests.frame(.bringUpStartRequest(.init()))
    static let authenticatedRequest = (try? TCCFrame.decode(UnpairedGoldenTests.request)) ?? request

    static func idle(keys: UnpairedKeys? = nil, paired: Bool = true, skew: Duration = .seconds(300)) -> ServerStateMachine {
        var machine = ServerStateMachine(configuration: .init(keys: keys, channelPaired: paired, maximumSkew: skew, serverTimeout: .seconds(60)))
        _ = machine.clientConnected(now: t0)
        return machine
    }

    static func starting(keys: UnpairedKeys? = nil, authenticated: Bool = false) -> ServerStateMachine {
        var machine = idle(keys: keys)
        _ = machine.messageReceived(authenticated ? authenticatedRequest : request, now: t0, wallClock: wall)
        return machine
    }

    @Test func clientConnectsIntoIdle() {
        var machine = ServerStateMachine(configuration: .init(serverTimeout: .seconds(60)))
        #expect(machine.clientConnected(now: Self.t0) == [.startServerTimer(Self.t0 + .seconds(60))])
        #expect(machine.state == .idle(timerDeadline: Self.t0 + .seconds(60)))
    }

    @Test func unrecognizedMessageInIdleIsAnswered() {
        var machine = Self.idle()
        let now = Self.t0 + .seconds(1)
        #expect(machine.messageReceived(TCCFrame(id: 200, payload: ByteBuffer()), now: now, wallClock: Self.wall) == [
            .startServerTimer(now + .seconds(60)), .send(.protocolErrorResponse(.init(messageType: 200))), .report(.unrecognizedMessage(messageId: 200)),
        ])
        #expect(machine.state == .idle(timerDeadline: now + .seconds(60)))
    }

    @Test(arguments: [MessageId.bringUpSuccessResponse, .bringUpFailureResponse, .protocolErrorResponse, .bringUpSuccessResponseUnpaired])
    func failureMessagesInIdleEndTheConnection(id: MessageId) throws {
        var machine = Self.idle()
        let messages: [MessageId: TCCMessage] = [
            .bringUpSuccessResponse: .bringUpSuccessResponse(Self.settings),
            .bringUpFailureResponse: .bringUpFailureResponse(try #require(BringUpFailureResponse(statusCode: .unspecifiedError))),
            .protocolErrorResponse: .protocolErrorResponse(.init(messageType: 1)),
            .bringUpSuccessResponseUnpaired: .bringUpSuccessResponseUnpaired(.init(hmac: Array(repeating: 0, count: 32), initializationVector: Array(repeating: 0, count: 16), encryptedResponse: [])),
        ]
        let frame = ClientStateMachineTests.frame(try #require(messages[id]))
        #expect(machine.messageReceived(frame, now: Self.t0, wallClock: Self.wall) == [.close(.protocolFailure(id))])
        #expect(machine.state == .closed(.protocolFailure(id)))
    }

    @Test func unparsableMessageInIdleIsAProtocolError() {
        var machine = Self.idle()
        let actions = machine.messageReceived(TCCFrame(id: 1, payload: ByteBuffer(bytes: [8, 0, 1, 0])), now: Self.t0, wallClock: Self.wall)
        guard case .close(.protocolError(let error)) = actions.first else { Issue.record("\(actions)"); return }
        #expect(error.section == "2.2.2.12")
        var other = Self.idle()
        let framing = WireError(spec: "MS-TCC", section: "2.2.2.2", "x")
        #expect(other.messageMalformed(framing) == [.close(.protocolError(framing))])
    }

    @Test func pairedRequestEntersStarting() {
        var machine = Self.idle()
        let now = Self.t0 + .seconds(2)
        #expect(machine.messageReceived(Self.request, now: now, wallClock: Self.wall) == [
            .startServerTimer(now + .seconds(60)), .report(.requestAccepted(unpaired: false)), .startTethering,
        ])
        #expect(machine.state == .starting(clientTimestamp: nil, timerDeadline: now + .seconds(60)))
    }

    @Test func successfulStartupSendsTheSettingsAndReturnsToIdle() {
        var machine = Self.starting()
        #expect(machine.tetheringStarted(Self.settings, iv: []) == [.send(.bringUpSuccessResponse(Self.settings)), .report(.responded(Self.settings, unpaired: false))])
        #expect(machine.state == .idle(timerDeadline: Self.t0 + .seconds(60)))
    }

    @Test func failureToStartSendsTheFailureAndReturnsToIdle() throws {
        var machine = Self.starting()
        let failure = try #require(BringUpFailureResponse(statusCode: .cellularDataTurnedOff, errorString: "data off"))
        #expect(machine.tetheringFailed(failure) == [.send(.bringUpFailureResponse(failure)), .report(.failed(failure))])
        #expect(machine.state == .idle(timerDeadline: Self.t0 + .seconds(60)))
    }

    @Test func verifiedUnpairedRequestGetsTheSealedResponse() throws {
        var machine = Self.idle(keys: Self.keys)
        #expect(machine.messageReceived(Self.authenticatedRequest, now: Self.t0, wallClock: Self.wall).suffix(2) == [.report(.requestAccepted(unpaired: true)), .startTethering])
        let actions = machine.tetheringStarted(Self.settings, iv: UnpairedGoldenTests.iv)
        guard case .send(let message) = actions.first else { Issue.record("\(actions)"); return }
        #expect(try message.encoded() == UnpairedGoldenTests.unpaired)
    }

    @Test func timestampOutsideTheSkewIsStatus9() {
        var machine = Self.idle(keys: Self.keys, skew: .seconds(300))
        let late = FileTime(Self.wall.value + 301 * 10_000_000)
        let actions = machine.messageReceived(Self.authenticatedRequest, now: Self.t0, wallClock: late)
        guard case .send(.bringUpFailureResponse(let failure)) = actions.dropFirst().first else { Issue.record("\(actions)"); return }
        #expect(failure.statusCode == .timestampOutOfSync)
        #expect(failure.statusCode.rawValue == 9)
        #expect(machine.state == .idle(timerDeadline: Self.t0 + .seconds(60)))
    }

    @Test func wrongHMACIsStatus10() throws {
        let otherKeys = try #require(UnpairedKeys(k1: Array(repeating: 7, count: 32), k2: Array(0x20..<0x40), k3: Array(0x40..<0x60)))
        var machine = Self.idle(keys: otherKeys)
        let actions = machine.messageReceived(Self.authenticatedRequest, now: Self.t0, wallClock: Self.wall)
        guard case .send(.bringUpFailureResponse(let failure)) = actions.dropFirst().first else { Issue.record("\(actions)"); return }
        #expect(failure.statusCode == .securityFailure)
        #expect(failure.statusCode.rawValue == 10)
    }

    @Test func unpairedChannelRequiresTheHMAC() {
        var machine = Self.idle(keys: Self.keys, paired: false)
        let actions = machine.messageReceived(Self.request, now: Self.t0, wallClock: Self.wall)
        guard case .send(.bringUpFailureResponse(let failure)) = actions.dropFirst().first else { Issue.record("\(actions)"); return }
        #expect(failure.statusCode == .securityFailure)
        var withoutKeys = Self.idle(paired: false)
        guard case .send(.bringUpFailureResponse(let other)) = withoutKeys.messageReceived(Self.authenticatedRequest, now: Self.t0, wallClock: Self.wall).dropFirst().first else {
            Issue.record("accepted an HMAC it cannot check on an unpaired channel"); return
        }
        #expect(other.statusCode == .securityFailure)
    }

    @Test func pairedServerWithoutKeysAnswersAnAuthenticatedRequestPlainly() {
        var machine = Self.starting(authenticated: true)
        #expect(machine.tetheringStarted(Self.settings, iv: UnpairedGoldenTests.iv).first == .send(.bringUpSuccessResponse(Self.settings)))
    }

    @Test func startingDoesNotProcessMessages() {
        var machine = Self.starting()
        let now = Self.t0 + .seconds(5)
        // A second BringUpStartRequest and an unrecognized message: not processed, no answer.
        #expect(machine.messageReceived(Self.request, now: now, wallClock: Self.wall) == [.startServerTimer(now + .seconds(60)), .report(.ignoredWhileStarting(messageId: 1))])
        #expect(machine.messageReceived(TCCFrame(id: 99, payload: ByteBuffer(bytes: [0xff])), now: now, wallClock: Self.wall) == [.startServerTimer(now + .seconds(60)), .report(.ignoredWhileStarting(messageId: 99))])
        // Even a malformed BringUpStartRequest is not parsed.
        #expect(machine.messageReceived(TCCFrame(id: 1, payload: ByteBuffer(bytes: [9])), now: now, wallClock: Self.wall).count == 2)
        #expect(machine.state == .starting(clientTimestamp: nil, timerDeadline: now + .seconds(60)))
    }

    @Test(arguments: [MessageId.bringUpSuccessResponse, .bringUpFailureResponse, .protocolErrorResponse, .bringUpSuccessResponseUnpaired])
    func failureMessagesInStartingEndTheConnection(id: MessageId) {
        var machine = Self.starting()
        #expect(machine.messageReceived(TCCFrame(id: id.rawValue, payload: ByteBuffer()), now: Self.t0, wallClock: Self.wall) == [.close(.protocolFailure(id))])
        // The provider's late answer goes nowhere.
        #expect(machine.tetheringStarted(Self.settings, iv: []).isEmpty)
    }

    @Test func serverTimerExpiresInBothStates() {
        var idle = Self.idle()
        #expect(idle.serverTimerFired(now: Self.t0 + .seconds(59)).isEmpty)
        #expect(idle.serverTimerFired(now: Self.t0 + .seconds(60)) == [.close(.timedOut)])
        var starting = Self.starting()
        #expect(starting.serverTimerFired(now: Self.t0 + .seconds(60)) == [.close(.timedOut)])
        #expect(starting.tetheringFailed(BringUpFailureResponse(statusCode: .unspecifiedError)!).isEmpty)
    }

    @Test func everyMessageRestartsTheServerTimer() {
        var machine = Self.idle()
        _ = machine.messageReceived(TCCFrame(id: 50, payload: ByteBuffer()), now: Self.t0 + .seconds(30), wallClock: Self.wall)
        #expect(machine.serverTimerFired(now: Self.t0 + .seconds(60)).isEmpty)
        #expect(machine.serverTimerFired(now: Self.t0 + .seconds(90)) == [.close(.timedOut)])
    }

    @Test func shutdownAndDisconnectFromBothStates() {
        var idle = Self.idle()
        #expect(idle.shutdown() == [.close(.shutdown)])
        var starting = Self.starting()
        #expect(starting.shutdown() == [.close(.shutdown)])
        var gone = Self.idle()
        #expect(gone.transportDisconnected().isEmpty)
        #expect(gone.state == .closed(.transportFailure))
        var goneStarting = Self.starting()
        _ = goneStarting.transportDisconnected()
        #expect(goneStarting.state == .closed(.transportFailure))
        #expect(goneStarting.messageReceived(Self.request, now: Self.t0, wallClock: Self.wall).isEmpty)
        #expect(goneStarting.shutdown().isEmpty)
    }

    @Test func providerAnswersOutsideStartingAreIgnored() {
        var machine = Self.idle()
        #expect(machine.tetheringStarted(Self.settings, iv: []).isEmpty)
        #expect(machine.tetheringFailed(BringUpFailureResponse(statusCode: .unspecifiedError)!).isEmpty)
    }
}
