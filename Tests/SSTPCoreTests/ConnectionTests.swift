import NIOCore
import SSTPCore
import Testing
import WinteropWire

/// Connection establishment and closing: 3.1.4.1, 3.1.4.2, 3.1.5.1, 3.1.5.2, 3.1.5.4, 3.1.7.1.
@Suite struct ConnectionTests {
    typealias Machine = SSTP.ConnectionStateMachine

    func acceptor(_ change: (inout SSTP.ConnectionConfiguration) -> Void = { _ in }) -> Machine {
        Machine(configuration: Harness.configuration(Harness.deviceB, change), initiatedConnection: false)
    }

    func connect(target: String = Harness.deviceB, major: UInt8 = 1, minor: UInt8 = 6) -> SSTP.Connect {
        SSTP.Connect(majorVersion: major, minorVersion: minor, targetDeviceURL: target, sourceDeviceURLs: [Harness.deviceA], peerProductVersion: "Groove Client 14.0 4006")
    }

    func response(_ actions: [Action]) -> SSTP.ConnectResponse? {
        for case .send(.connectResponse(let r)) in actions { return r }
        return nil
    }

    @Test func initiatorSendsConnectAndIsConnecting() throws {
        var a = Machine(configuration: Harness.configuration(Harness.deviceA), initiatedConnection: true)
        let actions = try a.connect(targetDeviceURL: Harness.deviceB, authenticationToken: [1, 2])
        let expected = SSTP.Connect(minorVersion: 6, targetDeviceURL: Harness.deviceB, sourceDeviceURLs: [Harness.deviceA], authenticationToken: [1, 2], peerProductVersion: "winterop SSTP 1.0")
        #expect(actions == [.send(.connect(expected)), .startTimer(.connectionEstablishment)])
        guard case .connecting = a.state else { Issue.record("not connecting"); return }
        #expect(throws: SSTP.UsageError.self) { _ = try a.connect(targetDeviceURL: Harness.deviceB) }
    }

    @Test func okEstablishesWithTheLesserMinorVersion() throws {
        for (mine, theirs, expected) in [(SSTP.Version.v1_6, UInt8(5), SSTP.Version.v1_5), (.v1_5, 6, .v1_5), (.v1_6, 6, .v1_6), (.v1_6, 7, .v1_6)] {
            var b = acceptor { $0.version = mine }
            let actions = b.commandReceived(.connect(connect(minor: theirs)))
            let r = try #require(response(actions))
            #expect(r.responseId == .ok)
            #expect(r.minorVersion == mine.minor)
            #expect(r.targetDeviceURLs == [Harness.deviceB])
            #expect(actions.contains(.connectionEstablished(version: expected, peerDeviceURLs: [Harness.deviceA])))
            #expect(b.version == expected)
        }
        // The initiator takes the lesser too (3.1.5.2).
        let (a, b) = try Harness.established(a: .v1_6, b: .v1_5)
        #expect(a.version == .v1_5 && b.version == .v1_5)
    }

    @Test func wrongDeviceIsAnsweredAndClosed() throws {
        var b = acceptor()
        let actions = b.commandReceived(.connect(connect(target: "dpp://someone-else")))
        let r = try #require(response(actions))
        #expect(r.responseId == .wrongDevice && r.targetDeviceURLs.isEmpty && r.retryTime == nil)
        #expect(Harness.connectClose(actions) == SSTP.ConnectClose(reason: .noReason))
        guard case .aborting = b.state else { Issue.record("not aborting"); return }
        // Commands after that are ignored.
        #expect(b.commandReceived(.noop(SSTP.Noop())).isEmpty)
    }

    @Test func higherMajorVersionGetsWontOrWillUpgrade() throws {
        var b = acceptor()
        var actions = b.commandReceived(.connect(connect(major: 2, minor: 0)))
        #expect(response(actions)?.responseId == .wontUpgrade)
        #expect(Harness.connectClose(actions)?.reason == .upgrade)
        var willing = acceptor { $0.willUpgrade = true; $0.upgradeRetryTime = 86400 }
        actions = willing.commandReceived(.connect(connect(major: 3, minor: 6)))
        let r = try #require(response(actions))
        #expect(r.responseId == .willUpgrade && r.retryTime == 86400)
    }

    @Test func lowerVersionGetsNewVersionRequiredWithoutFlagBits() throws {
        for (major, minor) in [(UInt8(0), UInt8(9)), (1, 4)] {
            var b = acceptor()
            let actions = b.commandReceived(.connect(connect(major: major, minor: minor)))
            let r = try #require(response(actions))
            #expect(r.responseId == .newVersionRequired)
            #expect(!r.singleHopFanout && !r.multidropFanout)
            #expect(Harness.connectClose(actions)?.reason == .newVersionRequired)
            // And it encodes without the flag byte.
            var bytes = ByteBuffer()
            try r.encode(into: &bytes)
            #expect(bytes.readableBytes == 3 + 5 + r.peerProductVersion.utf8.count + 1 + 1)
        }
    }

    @Test func lockedOutSourceIsRejected() throws {
        var b = acceptor()
        let actions = b.commandReceived(.connect(connect()), admission: SSTP.ConnectAdmission(lockedOut: true))
        #expect(response(actions)?.responseId == .connectRejected)
        #expect(Harness.connectClose(actions)?.reason == .rejected)
    }

    @Test func tooManyConcurrentConnectionsIsOkThenCrossedConnections() throws {
        var b = acceptor { $0.numberOfConcurrentDeviceConnections = 1 }
        let actions = b.commandReceived(.connect(connect()), admission: SSTP.ConnectAdmission(existingConnectionsFromSource: 1))
        #expect(response(actions)?.responseId == .ok)
        #expect(Harness.connectClose(actions) == SSTP.ConnectClose(reason: .crossedConnections))
        // Within the limit the connection stays.
        var ok = acceptor { $0.numberOfConcurrentDeviceConnections = 2 }
        let fine = ok.commandReceived(.connect(connect()), admission: SSTP.ConnectAdmission(existingConnectionsFromSource: 1))
        #expect(Harness.connectClose(fine) == nil && ok.isEstablished)
    }

    @Test func busyDeviceSaysTryLaterWithRetryTime() throws {
        var b = acceptor()
        let actions = b.commandReceived(.connect(connect()), admission: SSTP.ConnectAdmission(tryLaterRetryTime: 120))
        let r = try #require(response(actions))
        #expect(r.responseId == .tryLater && r.retryTime == 120)
        #expect(Harness.connectClose(actions) == SSTP.ConnectClose(reason: .resting, returnTime: 120))
    }

    @Test func checksApplyInTheOrderOf3_1_5_1() throws {
        var b = acceptor()
        // Wrong device wins over everything else.
        var actions = b.commandReceived(.connect(connect(target: "x", major: 2)), admission: .init(lockedOut: true, tryLaterRetryTime: 1))
        #expect(response(actions)?.responseId == .wrongDevice)
        b = acceptor()
        actions = b.commandReceived(.connect(connect(major: 2)), admission: .init(lockedOut: true))
        #expect(response(actions)?.responseId == .wontUpgrade)
        b = acceptor()
        actions = b.commandReceived(.connect(connect()), admission: .init(lockedOut: true, tryLaterRetryTime: 1))
        #expect(response(actions)?.responseId == .connectRejected)
    }

    @Test func connectOutOfStateIsAProtocolError() throws {
        var (a, b) = try Harness.established()
        #expect(Harness.connectClose(b.commandReceived(.connect(connect())))?.reason == .protocolError)
        #expect(Harness.connectClose(a.commandReceived(.connect(connect())))?.reason == .protocolError)
    }

    @Test func connectResponseOutOfStateIsAProtocolError() throws {
        var b = acceptor()
        let r = SSTP.ConnectResponse(minorVersion: 6, responseId: .ok, peerProductVersion: "x", targetDeviceURLs: ["y"])
        #expect(Harness.connectClose(b.commandReceived(.connectResponse(r)))?.reason == .protocolError)
        var (a, _) = try Harness.established()
        #expect(Harness.connectClose(a.commandReceived(.connectResponse(r)))?.reason == .protocolError)
    }

    @Test func refusalReachesTheHigherLayerWithRetryTime() throws {
        var a = Machine(configuration: Harness.configuration(Harness.deviceA), initiatedConnection: true)
        _ = try a.connect(targetDeviceURL: Harness.deviceB)
        let r = SSTP.ConnectResponse(minorVersion: 6, responseId: .tryLater, peerProductVersion: "x", retryTime: 30)
        let actions = a.commandReceived(.connectResponse(r))
        #expect(actions == [.cancelTimer(.connectionEstablishment), .terminateTransport, .connectionEnded(.refused(r), unacknowledged: [])])
        guard case .aborting = a.state else { Issue.record("not aborting"); return }
    }

    @Test func commandsBeforeEstablishmentGetTheirReasons() throws {
        let cases: [(SSTP.Command, SSTP.ConnectClose.Reason)] = [
            (.open(SSTP.Open(sessionId: 0, addressingEntry: Harness.entry)), .tooManyUnknownSessionCmds),
            (.close(SSTP.Close(sessionId: 0)), .tooManyUnknownSessionCmds),
            (.message(SSTP.Message(sessionId: 0)), .tooManyUnknownSessionCmds),
            (.data(SSTP.Data(sessionId: 0, payload: ByteBuffer())), .tooManyUnknownSessionCmds),
            (.endMessage(SSTP.EndMessage(sessionId: 0)), .tooManyUnknownSessionCmds),
            (.openResponse(SSTP.OpenResponse(sessionId: 0, responseId: .ok)), .tooManyUnknownSessionCmds),
            (.sessionStatus(SSTP.SessionStatus(sessionId: 0, statusId: .lockedOut, deviceURL: "d", identityURL: "i")), .tooManyUnknownSessionCmds),
            (.noop(SSTP.Noop()), .protocolError),
            (.connectAuthenticate(SSTP.ConnectAuthenticate(authenticationToken: [])), .protocolError),
        ]
        for (command, reason) in cases {
            var b = acceptor()
            #expect(Harness.connectClose(b.commandReceived(command))?.reason == reason, "\(command.commandId)")
        }
    }

    @Test func clientRefusesRelayOnlyCommands() throws {
        let commands: [SSTP.Command] = [
            .fanoutOpen(SSTP.FanoutOpen(sessionId: 0, resourceURL: "r", entries: [])),
            .connectAuthenticate(SSTP.ConnectAuthenticate(authenticationToken: [])),
            .attach(SSTP.Attach(eventId: 0, resourceURL: "", accountURL: "a", authenticationToken: [])),
            .attachAuthenticate(SSTP.AttachAuthenticate(eventId: 0, authenticationToken: [])),
            .register(SSTP.Register(eventId: 0, registrationToken: [])),
            .attachResponse(SSTP.AttachResponse(eventId: 5, responseId: .ok, authenticationToken: [])),
            .registerResponse(SSTP.RegisterResponse(eventId: 5, registrationToken: [])),
        ]
        for command in commands {
            var (_, b) = try Harness.established()
            #expect(Harness.connectClose(b.commandReceived(command))?.reason == .protocolError, "\(command.commandId)")
        }
    }

    @Test func attachResponseOnAnAttachSessionGoesToTheHigherLayer() throws {
        var (a, _) = try Harness.established()
        let (eventId, actions) = try a.attach(resourceURL: "grooveDNS://relay", accountURL: "grooveAccount://x", authenticationToken: [1])
        #expect(Harness.commands(actions).first?.commandId == .attach)
        let response = SSTP.AttachResponse(eventId: eventId, responseId: .ok, authenticationToken: [2])
        #expect(a.commandReceived(.attachResponse(response)) == [.commandForHigherLayer(.attachResponse(response))])
        // A Close for the attach session removes it (3.2.5.9): a later response is a violation.
        #expect(a.commandReceived(.close(SSTP.Close(sessionId: eventId))).isEmpty)
        #expect(Harness.connectClose(a.commandReceived(.attachResponse(response)))?.reason == .protocolError)
    }

    @Test func malformedInputIsAProtocolError() throws {
        var (_, b) = try Harness.established()
        let actions = b.malformedCommandReceived(WireError(spec: "MS-GRVSSTP", section: "2.2", "bad"))
        #expect(Harness.connectClose(actions)?.reason == .protocolError)
    }

    @Test func higherLayerCloseCarriesTheAcknowledgmentCount() throws {
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b)
        let received = try Harness.sendMessage(&a, &b, session: id, "one", reference: 1)
        let entry = try #require(Harness.received(received))
        _ = try b.resourceHandlerCompleted(sequence: entry.sequence)
        let closing = b.close(reason: .idle)
        #expect(Harness.connectClose(closing) == SSTP.ConnectClose(reason: .idle, messageCount: 1))
        #expect(closing.contains(.connectionEnded(.closedLocally(.idle, violation: nil), unacknowledged: [])))
        // The peer learns the message was acknowledged as the connection ends (3.1.5.4).
        let peer = try Harness.deliver(closing, to: &a)
        #expect(peer.contains(.messagesAcknowledged([SSTP.OutboundMessageList.Entry(sequence: 1, sessionId: id, reference: 1)])))
        #expect(peer.contains(.connectionEnded(.closedByPeer(SSTP.ConnectClose(reason: .idle, messageCount: 1)), unacknowledged: [])))
        guard case .closed = a.state else { Issue.record("not closed"); return }
    }

    @Test func restingCloseCarriesReturnTime() throws {
        var (a, b) = try Harness.established()
        let closing = b.close(reason: .resting, returnTime: 90)
        #expect(Harness.connectClose(closing) == SSTP.ConnectClose(reason: .resting, returnTime: 90))
        let peer = try Harness.deliver(closing, to: &a)
        #expect(peer.contains(.connectionEnded(.closedByPeer(SSTP.ConnectClose(reason: .resting, returnTime: 90)), unacknowledged: [])))
    }

    @Test func transportLossReportsWhatWasNotAcknowledged() throws {
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b)
        _ = try Harness.sendMessage(&a, &b, session: id, "one", reference: 10)
        _ = try Harness.sendMessage(&a, &b, session: id, "two", reference: 11)
        // B acknowledges the first only.
        _ = try b.resourceHandlerCompleted(sequence: 1)
        _ = try Harness.deliver(try b.sendNoop(), to: &a)
        let lost = a.transportLost()
        #expect(lost == [.connectionEnded(.transportLost, unacknowledged: [SSTP.OutboundMessageList.Entry(sequence: 2, sessionId: id, reference: 11)])])
        #expect(a.transportLost().isEmpty)
    }

    @Test func connectionEstablishmentTimerClosesWithResponseTimeout() throws {
        var a = Machine(configuration: Harness.configuration(Harness.deviceA), initiatedConnection: true)
        _ = try a.connect(targetDeviceURL: Harness.deviceB)
        let actions = a.connectionEstablishmentTimerFired()
        #expect(Harness.connectClose(actions) == SSTP.ConnectClose(reason: .responseTimeout))
        #expect(a.connectionEstablishmentTimerFired().isEmpty)
    }


    /// Every refusal of 3.1.5.1 is followed by a ConnectClose (MessageCount 0: nothing was received).
    @Test(arguments: [
        (SSTP.ConnectAdmission(authenticationFailed: true), SSTP.ConnectResponse.ResponseId.authenticationFailed, SSTP.ConnectClose.Reason.deviceAuthenticationFailed),
        (SSTP.ConnectAdmission(lockedOut: true), .connectRejected, .rejected),
        (SSTP.ConnectAdmission(tryLaterRetryTime: 5), .tryLater, .resting),
    ])
    func refusalsAreFollowedByTheirConnectClose(_ admission: SSTP.ConnectAdmission, _ response: SSTP.ConnectResponse.ResponseId, _ reason: SSTP.ConnectClose.Reason) throws {
        var b = acceptor()
        let actions = b.commandReceived(.connect(connect()), admission: admission)
        #expect(self.response(actions)?.responseId == response)
        let close = try #require(Harness.connectClose(actions))
        #expect(close.reason == reason && close.messageCount == 0)
        #expect(actions.contains(.connectionEnded(.closedLocally(reason, violation: "answered Connect with \(response)"), unacknowledged: [])))
    }

    /// A protocol error after messages were completed acknowledges them in the ConnectClose.
    @Test func protocolErrorCloseAcknowledgesCompletedMessages() throws {
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b)
        _ = try Harness.sendMessage(&a, &b, session: id, "one", reference: 1)
        _ = try Harness.sendMessage(&a, &b, session: id, "two", reference: 2)
        _ = try b.resourceHandlerCompleted(sequence: 1)
        let actions = b.commandReceived(.endMessage(SSTP.EndMessage(sessionId: id)))
        #expect(Harness.connectClose(actions) == SSTP.ConnectClose(reason: .protocolError, messageCount: 1))
        let peer = try Harness.deliver(actions, to: &a)
        #expect(peer.contains(.connectionEnded(.closedByPeer(SSTP.ConnectClose(reason: .protocolError, messageCount: 1)),
                                               unacknowledged: [SSTP.OutboundMessageList.Entry(sequence: 2, sessionId: id, reference: 2)])))
    }
}
