import NIOCore
import SSTPCore
import Testing

/// Sessions: 3.1.4.3–3.1.4.5, 3.1.5.5, 3.1.5.7–3.1.5.9, and the MessageReceiver (3.1.5.10–3.1.5.12).
@Suite struct SessionTests {
    typealias State = SSTP.SessionState

    @Test func sessionIdsComeFromTheDirectionsRange() throws {
        var (a, b) = try Harness.established()
        let (first, _) = try a.openSession(Harness.entry)
        let (second, _) = try a.openSession(Harness.entry)
        #expect(first == 0x0000_0000 && second == 0x0000_0001)
        let (fromB, _) = try b.openSession(Harness.entry)
        #expect(fromB == 0x8000_0000)
        var allocator = SSTP.SessionIdAllocator(initiatedConnection: false)
        #expect(allocator.allocate(inUse: { $0 < 0x8000_0003 }) == 0x8000_0003)
        #expect(!allocator.owns(0x7FFF_FFFF) && allocator.owns(0xFFFF_FFFF))
    }

    @Test func openBeforeEstablishmentIsAUsageError() {
        var a = SSTP.ConnectionStateMachine(configuration: Harness.configuration(Harness.deviceA), initiatedConnection: true)
        #expect(throws: SSTP.UsageError.self) { _ = try a.openSession(Harness.entry) }
    }

    @Test func openSendsOpenAndStartsTheSessionEstablishmentTimer() throws {
        var (a, _) = try Harness.established()
        let (id, actions) = try a.openSession(Harness.entry)
        #expect(actions == [.send(.open(SSTP.Open(sessionId: id, addressingEntry: Harness.entry))), .startTimer(.sessionEstablishment(id))])
        #expect(a.sessionState(id)! == (.outbound, .opening))
    }

    // MARK: Receiving Open (3.1.5.5)

    @Test(arguments: [
        (SSTP.ResourceHandlerAvailability.ready, SSTP.OpenResponse.ResponseId.ok, State?.some(.ready)),
        (.notReady, .okStopSending, .some(.suspended)),
        (.fault(.noReason), .unknown, nil),
    ])
    func openIsAnsweredFromResourceHandlerAvailability(_ availability: SSTP.ResourceHandlerAvailability, _ response: SSTP.OpenResponse.ResponseId, _ state: State?) throws {
        var (_, b) = try Harness.established()
        let open = SSTP.Open(sessionId: 5, addressingEntry: Harness.entry)
        #expect(b.commandReceived(.open(open)) == [.openReceived(sessionId: 5, Harness.entry)])
        #expect(b.sessionState(5)! == (.inbound, .opening))
        let actions = try b.resourceHandlerAvailabilityChanged(sessionId: 5, availability)
        #expect(Harness.commands(actions) == [.openResponse(SSTP.OpenResponse(sessionId: 5, responseId: response))])
        #expect(b.sessionState(5)?.1 == state)
        if state != nil { #expect(b.messageReceiverState(5) == .waiting) }
    }

    @Test func openForAnExistingSessionIsTooManyUnknownSessionCmds() throws {
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b)
        let actions = b.commandReceived(.open(SSTP.Open(sessionId: id, addressingEntry: Harness.entry)))
        #expect(Harness.connectClose(actions)?.reason == .tooManyUnknownSessionCmds)
    }

    @Test func openWithAnIdFromTheRecipientsOwnRangeIsAProtocolError() throws {
        var (_, b) = try Harness.established()
        let actions = b.commandReceived(.open(SSTP.Open(sessionId: 0x8000_0009, addressingEntry: Harness.entry)))
        #expect(Harness.connectClose(actions)?.reason == .protocolError)
    }

    @Test func tooManyInboundSessionsAreAnsweredUnknown() throws {
        var a = SSTP.ConnectionStateMachine(configuration: Harness.configuration(Harness.deviceA), initiatedConnection: true)
        var b = SSTP.ConnectionStateMachine(configuration: Harness.configuration(Harness.deviceB) { $0.maximumInboundSessions = 1 }, initiatedConnection: false)
        _ = try Harness.deliver(try Harness.deliver(try a.connect(targetDeviceURL: Harness.deviceB), to: &b), to: &a)
        _ = try Harness.openSession(&a, &b)
        let (second, open) = try a.openSession(Harness.entry)
        let answer = try Harness.deliver(open, to: &b)
        #expect(Harness.commands(answer) == [.openResponse(SSTP.OpenResponse(sessionId: second, responseId: .unknown))])
    }

    // MARK: OpenResponse table (3.1.5.7)

    enum Expect: Equatable {
        case state(State)
        case removed
        case protocolError
        case unchanged
    }

    /// Brings an outbound session into `state` and returns the pair.
    func outbound(in state: State) throws -> (SSTP.ConnectionStateMachine, UInt32) {
        var (a, _) = try Harness.established()
        let (id, _) = try a.openSession(Harness.entry)
        func respond(_ r: SSTP.OpenResponse.ResponseId) { _ = a.commandReceived(.openResponse(SSTP.OpenResponse(sessionId: id, responseId: r))) }
        switch state {
        case .opening: break
        case .suspended: respond(.okStopSending)
        case .ready: respond(.ok)
        case .blocked: respond(.ok); respond(.stopSending)
        }
        #expect(a.sessionState(id)?.1 == state)
        return (a, id)
    }

    static let openResponseTable: [(State, SSTP.OpenResponse.ResponseId, Expect)] = [
        (.opening, .ok, .state(.ready)),
        (.opening, .noResource, .removed), (.opening, .unknown, .removed),
        (.opening, .noFanoutEntries, .removed), (.opening, .fanoutNotSupported, .removed),
        (.opening, .startSending, .protocolError), (.opening, .stopSending, .protocolError),
        (.opening, .okStopSending, .state(.suspended)),

        (.suspended, .ok, .protocolError), (.suspended, .noResource, .protocolError), (.suspended, .unknown, .protocolError),
        (.suspended, .noFanoutEntries, .protocolError), (.suspended, .fanoutNotSupported, .protocolError),
        (.suspended, .startSending, .state(.ready)),
        (.suspended, .stopSending, .protocolError), (.suspended, .okStopSending, .protocolError),

        (.ready, .ok, .protocolError), (.ready, .noResource, .protocolError), (.ready, .unknown, .protocolError),
        (.ready, .noFanoutEntries, .protocolError), (.ready, .fanoutNotSupported, .protocolError),
        (.ready, .startSending, .unchanged), (.ready, .stopSending, .state(.blocked)), (.ready, .okStopSending, .protocolError),

        (.blocked, .ok, .protocolError), (.blocked, .noResource, .protocolError), (.blocked, .unknown, .protocolError),
        (.blocked, .noFanoutEntries, .protocolError), (.blocked, .fanoutNotSupported, .protocolError),
        (.blocked, .startSending, .state(.ready)), (.blocked, .stopSending, .unchanged), (.blocked, .okStopSending, .protocolError),
    ]

    @Test(arguments: openResponseTable)
    func openResponseTransition(_ state: State, _ response: SSTP.OpenResponse.ResponseId, _ expect: Expect) throws {
        var (a, id) = try outbound(in: state)
        let actions = a.commandReceived(.openResponse(SSTP.OpenResponse(sessionId: id, responseId: response)))
        switch expect {
        case .state(let to):
            #expect(a.sessionState(id)! == (.outbound, to))
            #expect(actions.contains(.sessionStateChanged(sessionId: id, .outbound, to)))
            #expect(actions.contains(.cancelTimer(.sessionEstablishment(id))) == (state == .opening))
        case .removed:
            #expect(a.sessionState(id) == nil)
            #expect(actions == [.cancelTimer(.sessionEstablishment(id)), .sessionRefused(sessionId: id, response: response)])
        case .protocolError:
            #expect(Harness.connectClose(actions)?.reason == .protocolError)
        case .unchanged:
            #expect(actions.isEmpty)
            #expect(a.sessionState(id)?.1 == state)
        }
    }

    @Test func openResponseForUnknownOrInboundSessions() throws {
        var (a, b) = try Harness.established()
        #expect(Harness.connectClose(a.commandReceived(.openResponse(SSTP.OpenResponse(sessionId: 77, responseId: .ok))))?.reason == .tooManyUnknownSessionCmds)
        (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b)
        // B did not originate session `id`.
        #expect(Harness.connectClose(b.commandReceived(.openResponse(SSTP.OpenResponse(sessionId: id, responseId: .ok))))?.reason == .protocolError)
    }

    // MARK: ResourceHandlerAvailability table (3.1.4.5)

    static let availabilityTable: [(State, SSTP.ResourceHandlerAvailability, SSTP.OpenResponse.ResponseId?, State?)] = [
        (.suspended, .ready, .startSending, .ready),
        (.suspended, .notReady, nil, .suspended),
        (.suspended, .fault(.quotaWouldBeExceeded), nil, nil),
        (.ready, .ready, nil, .ready),
        (.ready, .notReady, .stopSending, .blocked),
        (.ready, .fault(.internalError), nil, nil),
        (.blocked, .ready, .startSending, .ready),
        (.blocked, .notReady, nil, .blocked),
        (.blocked, .fault(.noReason), nil, nil),
    ]

    @Test(arguments: availabilityTable)
    func availabilityTransition(_ from: State, _ availability: SSTP.ResourceHandlerAvailability, _ response: SSTP.OpenResponse.ResponseId?, _ to: State?) throws {
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b, availability: from == .suspended ? .notReady : .ready)
        if from == .blocked { _ = try Harness.deliver(try b.resourceHandlerAvailabilityChanged(sessionId: id, .notReady), to: &a) }
        #expect(b.sessionState(id)?.1 == from)
        let actions = try b.resourceHandlerAvailabilityChanged(sessionId: id, availability)
        let commands = Harness.commands(actions)
        if let response {
            #expect(commands == [.openResponse(SSTP.OpenResponse(sessionId: id, responseId: response))])
        } else if case .fault(let reason) = availability {
            #expect(commands == [.close(SSTP.Close(sessionId: id, reason: reason))])
        } else {
            #expect(commands.isEmpty)
        }
        #expect(b.sessionState(id)?.1 == to)
        // The originator follows the flow control (and the Close).
        _ = try Harness.deliver(actions, to: &a)
        #expect(a.sessionState(id)?.1 == to)
    }

    @Test func faultReasonsAreLimited() throws {
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b)
        #expect(throws: SSTP.UsageError.self) { _ = try b.resourceHandlerAvailabilityChanged(sessionId: id, .fault(.emptySession)) }
    }

    // MARK: Close (3.1.4.4, 3.1.5.9)

    @Test func closeRemovesStateOnBothSides() throws {
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b)
        let closing = try a.closeSession(id, reason: .idle)
        #expect(Harness.commands(closing) == [.close(SSTP.Close(sessionId: id, reason: .idle))])
        #expect(a.sessionState(id) == nil)
        let received = try Harness.deliver(closing, to: &b)
        #expect(received == [.sessionClosed(sessionId: id, .inbound, .idle, byPeer: true)])
        #expect(b.sessionState(id) == nil)
    }

    @Test func closeForAnUnknownSessionIsIgnored() throws {
        var (_, b) = try Harness.established()
        #expect(b.commandReceived(.close(SSTP.Close(sessionId: 1234))).isEmpty)
        #expect(b.isEstablished)
    }

    @Test func closeInsideASequenceAbortsTheMessage() throws {
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b)
        _ = try Harness.deliver(try a.beginMessage(sessionId: id), to: &b)
        let received = b.commandReceived(.close(SSTP.Close(sessionId: id)))
        #expect(received == [.messageAborted(sessionId: id), .sessionClosed(sessionId: id, .inbound, .noReason, byPeer: true)])
    }

    @Test func sessionEstablishmentTimerClosesAnOpeningSession() throws {
        var (a, _) = try Harness.established()
        let (id, _) = try a.openSession(Harness.entry)
        let actions = a.sessionEstablishmentTimerFired(id)
        #expect(actions == [.send(.close(SSTP.Close(sessionId: id))), .sessionRefused(sessionId: id, response: nil)])
        #expect(a.sessionState(id) == nil)
        #expect(a.sessionEstablishmentTimerFired(id).isEmpty)
    }

    // MARK: SessionStatus (3.1.5.8, 3.2.5.8)

    func fanout(version: SSTP.Version = .v1_6) throws -> (SSTP.ConnectionStateMachine, UInt32) {
        var (a, _) = try Harness.established(a: version, b: version)
        let entries = [
            SSTP.FanoutOpen.Entry(identityURL: "grooveIdentity://b", deviceURL: "dpp://b"),
            SSTP.FanoutOpen.Entry(identityURL: "grooveIdentity://c", deviceURL: "dpp://c"),
            SSTP.FanoutOpen.Entry(identityURL: "grooveIdentity://d", deviceURL: "dpp://d", relayURL: "grooveDNS://relay2"),
            SSTP.FanoutOpen.Entry(identityURL: "grooveIdentity://e", deviceURL: "dpp://e", relayURL: "grooveDNS://relay2"),
        ]
        let (id, actions) = try a.openFanoutSession(resourceURL: "apphandler", entries: entries)
        #expect(Harness.commands(actions).first?.commandId == .fanoutOpen)
        _ = a.commandReceived(.openResponse(SSTP.OpenResponse(sessionId: id, responseId: .ok)))
        return (a, id)
    }

    @Test func sessionStatusMarksDestinationsAndClosesAnEmptySession() throws {
        var (a, id) = try fanout()
        // One recipient by URLs.
        var actions = a.commandReceived(.sessionStatus(SSTP.SessionStatus(sessionId: id, statusId: .lockedOut, deviceURL: "dpp://c", identityURL: "grooveIdentity://c", fanoutDeviceIndexes: [])))
        #expect(actions == [.fanoutDestinationsRemoved(sessionId: id, .lockedOut, indexes: [1])])
        // A relay: every entry behind it (1.5 style, empty IdentityURL).
        var (a15, id15) = try fanout(version: .v1_5)
        actions = a15.commandReceived(.sessionStatus(SSTP.SessionStatus(sessionId: id15, statusId: .connectionClosed, deviceURL: "grooveDNS://relay2", identityURL: "")))
        #expect(actions == [.fanoutDestinationsRemoved(sessionId: id15, .connectionClosed, indexes: [2, 3])])
        // 1.6 index list; the last active entries go and the client closes the session.
        actions = a.commandReceived(.sessionStatus(SSTP.SessionStatus(sessionId: id, statusId: .quotaWouldBeExceeded, deviceURL: "", identityURL: "", fanoutDeviceIndexes: [0, 2, 3])))
        #expect(actions == [
            .fanoutDestinationsRemoved(sessionId: id, .quotaWouldBeExceeded, indexes: [0, 2, 3]),
            .send(.close(SSTP.Close(sessionId: id))),
            .sessionClosed(sessionId: id, .outbound, .noReason, byPeer: false),
        ])
    }

    @Test func sessionStatusViolations() throws {
        var (a, id) = try fanout()
        // Index beyond the FanoutOpen's entries.
        var actions = a.commandReceived(.sessionStatus(SSTP.SessionStatus(sessionId: id, statusId: .lockedOut, deviceURL: "", identityURL: "", fanoutDeviceIndexes: [4])))
        #expect(Harness.connectClose(actions)?.reason == .protocolError)
        // On a session opened with Open.
        var (x, y) = try Harness.established()
        let plain = try Harness.openSession(&x, &y)
        actions = x.commandReceived(.sessionStatus(SSTP.SessionStatus(sessionId: plain, statusId: .lockedOut, deviceURL: "d", identityURL: "i")))
        #expect(Harness.connectClose(actions)?.reason == .protocolError)
        // No such session.
        (x, y) = try Harness.established()
        actions = x.commandReceived(.sessionStatus(SSTP.SessionStatus(sessionId: 99, statusId: .lockedOut, deviceURL: "d", identityURL: "i")))
        #expect(Harness.connectClose(actions)?.reason == .tooManyUnknownSessionCmds)
    }

    // MARK: MessageReceiver (3.1.5.10–3.1.5.12)

    @Test func messageReceiverWalksWaitingReadyBuffering() throws {
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b)
        #expect(b.messageReceiverState(id) == .waiting)
        let message = SSTP.Message(sessionId: id, userRef: "u")
        #expect(b.commandReceived(.message(message)) == [.messageStarted(sessionId: id, message)])
        #expect(b.messageReceiverState(id) == .ready)
        #expect(b.commandReceived(.data(SSTP.Data(sessionId: id, payload: ByteBuffer(string: "ab")))) == [.messageData(sessionId: id, ByteBuffer(string: "ab"))])
        #expect(b.messageReceiverState(id) == .buffering)
        _ = b.commandReceived(.data(SSTP.Data(sessionId: id, payload: ByteBuffer(string: "cd"))))
        let end = b.commandReceived(.endMessage(SSTP.EndMessage(sessionId: id)))
        #expect(end == [.messageReceived(SSTP.InboundMessageList.Entry(sequence: 1, sessionId: id, message: message, disposition: .processing)), .startTimer(.messageAcknowledgment)])
        #expect(b.messageReceiverState(id) == .waiting)
    }

    @Test(arguments: [
        // (commands before, offending command, reason)
        ([SSTP.CommandId](), SSTP.CommandId.data, SSTP.ConnectClose.Reason.protocolError),
        ([], .endMessage, .protocolError),
        ([.message], .message, .protocolError),
        ([.message], .endMessage, .protocolError),
        ([.message, .data], .message, .protocolError),
    ])
    func messageReceiverViolations(_ before: [SSTP.CommandId], _ offending: SSTP.CommandId, _ reason: SSTP.ConnectClose.Reason) throws {
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b)
        func command(_ kind: SSTP.CommandId) -> SSTP.Command {
            switch kind {
            case .message: return .message(SSTP.Message(sessionId: id))
            case .data: return .data(SSTP.Data(sessionId: id, payload: ByteBuffer(string: "x")))
            default: return .endMessage(SSTP.EndMessage(sessionId: id))
            }
        }
        for kind in before { #expect(Harness.connectClose(b.commandReceived(command(kind))) == nil) }
        #expect(Harness.connectClose(b.commandReceived(command(offending)))?.reason == reason)
    }

    @Test(arguments: [SSTP.CommandId.message, .data, .endMessage])
    func sequenceCommandsOnUnknownSessionsAreTooManyUnknownSessionCmds(_ kind: SSTP.CommandId) throws {
        var (_, b) = try Harness.established()
        let command: SSTP.Command = switch kind {
        case .message: .message(SSTP.Message(sessionId: 42))
        case .data: .data(SSTP.Data(sessionId: 42, payload: ByteBuffer()))
        default: .endMessage(SSTP.EndMessage(sessionId: 42))
        }
        #expect(Harness.connectClose(b.commandReceived(command))?.reason == .tooManyUnknownSessionCmds)
    }

    @Test func sequenceCommandsOnAnOutboundSessionAreProtocolErrors() throws {
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b)
        // A originated `id`: a Message on it coming back is a violation.
        #expect(Harness.connectClose(a.commandReceived(.message(SSTP.Message(sessionId: id))))?.reason == .protocolError)
    }

    @Test func messagesWhileBlockedAreStillReceived() throws {
        // 4.4.1: a sequence already on its way when StopSending went out is taken.
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b)
        let message = try a.sendMessage(sessionId: id, payload: ByteBuffer(string: "in flight"), reference: 1)
        _ = try b.resourceHandlerAvailabilityChanged(sessionId: id, .notReady)
        let received = try Harness.deliver(message, to: &b)
        #expect(Harness.received(received) != nil)
        #expect(b.sessionState(id)?.1 == .blocked)
    }

    @Test func sendingNeedsAReadySession() throws {
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b, availability: .notReady)
        #expect(throws: SSTP.UsageError.self) { _ = try a.beginMessage(sessionId: id) }
        _ = try Harness.deliver(try b.resourceHandlerAvailabilityChanged(sessionId: id, .ready), to: &a)
        _ = try a.beginMessage(sessionId: id)
        #expect(throws: SSTP.UsageError.self) { _ = try a.beginMessage(sessionId: id) }
        #expect(throws: SSTP.UsageError.self) { _ = try a.sendData(sessionId: 999, ByteBuffer()) }
    }
}
