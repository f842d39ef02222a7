import NIOCore
import SSTPCore
import Testing

/// Message lists and MessageCount: 3.1.4.2.1, 3.1.4.6, 3.1.4.7, 3.1.5.19, 3.1.6.1, and the
/// examples of 4.3.1 and 4.3.2 step by step.
@Suite struct AcknowledgmentTests {
    typealias Disposition = SSTP.InboundMessageList.Disposition

    func inboundRows(_ m: SSTP.ConnectionStateMachine) -> [String] {
        (m.established?.inboundMessages.all ?? []).map { "\($0.sessionId):\($0.message.userRef):\($0.disposition)" }
    }

    func outboundRows(_ m: SSTP.ConnectionStateMachine) -> [String] {
        (m.established?.outboundMessages.all ?? []).map { "\($0.sessionId):\($0.reference)" }
    }

    /// 4.3.1: A1, B1, A2, B2 on sessions 1 and 2; session 2's handler finishes first; nothing
    /// can be acknowledged until A1 completes; then MessageCount 2 acknowledges A1 and B1, and
    /// later 2 more acknowledge A2 and B2.
    @Test func acknowledgmentsForMultipleSessions_4_3_1() throws {
        var (device1, device2) = try Harness.established()
        let s1 = try Harness.openSession(&device1, &device2)
        let s2 = try Harness.openSession(&device1, &device2)
        // References 1–4 stand for A1, B1, A2, B2.
        var sequence: [String: UInt64] = [:]
        for (session, name, ref) in [(s1, "A1", UInt64(1)), (s2, "B1", 2), (s1, "A2", 3), (s2, "B2", 4)] {
            let received = try Harness.sendMessage(&device1, &device2, session: session, name, reference: ref, options: .init(userRef: name))
            sequence[name] = try #require(Harness.received(received)).sequence
        }
        // Originator's OutboundMessageList after 3.1.4.6.
        #expect(outboundRows(device1) == ["\(s1):1", "\(s2):2", "\(s1):3", "\(s2):4"])
        // Receiver's InboundMessageList after 3.1.5.12: all processing.
        #expect(inboundRows(device2) == ["\(s1):A1:processing", "\(s2):B1:processing", "\(s1):A2:processing", "\(s2):B2:processing"])

        // Session 2's handler completes B1 and B2 first.
        _ = try device2.resourceHandlerCompleted(sequence: sequence["B1"]!)
        _ = try device2.resourceHandlerCompleted(sequence: sequence["B2"]!)
        #expect(inboundRows(device2) == ["\(s1):A1:processing", "\(s2):B1:complete", "\(s1):A2:processing", "\(s2):B2:complete"])
        // Nothing can be acknowledged yet: MessageCount 0.
        var noop = try device2.sendNoop()
        #expect(Harness.commands(noop) == [.noop(SSTP.Noop(messageCount: 0))])
        #expect(inboundRows(device2).count == 4)
        _ = try Harness.deliver(noop, to: &device1)
        #expect(outboundRows(device1).count == 4)

        // A1 completes: A1 and B1 are acknowledged together with MessageCount 2 and removed.
        _ = try device2.resourceHandlerCompleted(sequence: sequence["A1"]!)
        #expect(inboundRows(device2) == ["\(s1):A1:complete", "\(s2):B1:complete", "\(s1):A2:processing", "\(s2):B2:complete"])
        noop = try device2.sendNoop()
        #expect(Harness.commands(noop) == [.noop(SSTP.Noop(messageCount: 2))])
        #expect(inboundRows(device2) == ["\(s1):A2:processing", "\(s2):B2:complete"])
        // The originator removes its two oldest entries (3.1.5.19).
        let acknowledged = try Harness.deliver(noop, to: &device1)
        #expect(acknowledged == [.messagesAcknowledged([
            SSTP.OutboundMessageList.Entry(sequence: 1, sessionId: s1, reference: 1),
            SSTP.OutboundMessageList.Entry(sequence: 2, sessionId: s2, reference: 2),
        ])])
        #expect(outboundRows(device1) == ["\(s1):3", "\(s2):4"])

        // A2 completes: the last two are acknowledged, this time riding on a Message (<15>).
        _ = try device2.resourceHandlerCompleted(sequence: sequence["A2"]!)
        #expect(inboundRows(device2) == ["\(s1):A2:complete", "\(s2):B2:complete"])
        let back = try device2.openSession(SSTP.AddressingEntry(resourceURL: "apphandler", identityURL: "grooveIdentity://clientA"))
        _ = try Harness.deliver(try Harness.deliver(back.actions, to: &device1).flatMap { action -> [Action] in
            if case .openReceived(let id, _) = action { return try device1.resourceHandlerAvailabilityChanged(sessionId: id, .ready) }
            return []
        }, to: &device2)
        let reply = try device2.beginMessage(sessionId: back.sessionId)
        guard case .send(.message(let m)) = reply.first else { Issue.record("no Message"); return }
        #expect(m.messageCount == 2)
        #expect(inboundRows(device2).isEmpty)
        let last = try Harness.deliver(reply, to: &device1)
        #expect(last.contains(.messagesAcknowledged([
            SSTP.OutboundMessageList.Entry(sequence: 3, sessionId: s1, reference: 3),
            SSTP.OutboundMessageList.Entry(sequence: 4, sessionId: s2, reference: 4),
        ])))
        #expect(outboundRows(device1).isEmpty)
    }

    /// 4.3.2: sequences of two sessions interleave command by command; the originator adds a
    /// sequence to its OutboundMessageList when it sends EndMessage, the recipient to its
    /// InboundMessageList when EndMessage arrives, so both lists follow EndMessage order.
    @Test func interleavedMessageSequences_4_3_2() throws {
        var (device1, device2) = try Harness.established()
        let s1 = try Harness.openSession(&device1, &device2)
        let s2 = try Harness.openSession(&device1, &device2)
        func step(_ actions: [Action]) throws -> [Action] {
            try Harness.deliver(actions, to: &device2)
        }
        // MS(1)-A begins, then MS(2)-B begins; B ends before A.
        _ = try step(try device1.beginMessage(sessionId: s1, options: .init(userRef: "A")))
        _ = try step([try device1.sendData(sessionId: s1, ByteBuffer(string: "A part 1"))])
        _ = try step(try device1.beginMessage(sessionId: s2, options: .init(userRef: "B")))
        _ = try step([try device1.sendData(sessionId: s2, ByteBuffer(string: "B part 1"))])
        _ = try step([try device1.sendData(sessionId: s1, ByteBuffer(string: "A part 2"))])
        #expect(outboundRows(device1).isEmpty && inboundRows(device2).isEmpty)
        let endB = try device1.endMessage(sessionId: s2, reference: 2)
        #expect(outboundRows(device1) == ["\(s2):2"])
        var received = try step(endB.actions)
        #expect(inboundRows(device2) == ["\(s2):B:processing"])
        #expect(received.contains(.startTimer(.messageAcknowledgment)))
        _ = try step([try device1.sendData(sessionId: s1, ByteBuffer(string: "A part 3"))])
        received = try step(try device1.endMessage(sessionId: s1, reference: 1).actions)
        #expect(outboundRows(device1) == ["\(s2):2", "\(s1):1"])
        #expect(inboundRows(device2) == ["\(s2):B:processing", "\(s1):A:processing"])
        // The timer is already running: the second EndMessage does not start it again.
        #expect(!received.contains(.startTimer(.messageAcknowledgment)))
        // A completes first, but B is older: nothing to acknowledge until B completes.
        _ = try device2.resourceHandlerCompleted(sequence: 2)
        #expect(Harness.commands(device2.messageAcknowledgmentTimerFired()) == [.noop(SSTP.Noop(messageCount: 0))])
        // B completes: the run is B then A, the timer starts again and its expiry acknowledges both.
        #expect(try device2.resourceHandlerCompleted(sequence: 1) == [.startTimer(.messageAcknowledgment)])
        let noop = device2.messageAcknowledgmentTimerFired()
        #expect(Harness.commands(noop) == [.noop(SSTP.Noop(messageCount: 2))])
        let acknowledged = try Harness.deliver(noop, to: &device1)
        #expect(acknowledged == [.messagesAcknowledged([
            SSTP.OutboundMessageList.Entry(sequence: 1, sessionId: s2, reference: 2),
            SSTP.OutboundMessageList.Entry(sequence: 2, sessionId: s1, reference: 1),
        ])])
    }

    @Test func completionStartsTheTimerAndItsExpirySendsTheCount() throws {
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b)
        _ = try Harness.sendMessage(&a, &b, session: id, "x", reference: 1)
        // EndMessage started the timer; it fires once before completion with a count of 0.
        #expect(b.established?.acknowledgmentTimerActive == true)
        #expect(Harness.commands(b.messageAcknowledgmentTimerFired()) == [.noop(SSTP.Noop(messageCount: 0))])
        #expect(b.established?.acknowledgmentTimerActive == false)
        // Completion with a non-empty completed run starts it again (3.1.4.7).
        #expect(try b.resourceHandlerCompleted(sequence: 1) == [.startTimer(.messageAcknowledgment)])
        #expect(Harness.commands(b.messageAcknowledgmentTimerFired()) == [.noop(SSTP.Noop(messageCount: 1))])
        // Expiry when no timer runs does nothing.
        #expect(b.messageAcknowledgmentTimerFired().isEmpty)
    }

    @Test func acknowledgeImmediatelySendsANoopOnCompletion() throws {
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b)
        _ = try Harness.sendMessage(&a, &b, session: id, "x", reference: 1, options: .init(acknowledgeImmediately: true))
        let actions = try b.resourceHandlerCompleted(sequence: 1)
        #expect(actions == [.send(.noop(SSTP.Noop(messageCount: 1))), .cancelTimer(.messageAcknowledgment)])
        #expect(b.established?.acknowledgmentTimerActive == false)
    }

    @Test func acknowledgeImmediatelyWaitsForOlderMessages() throws {
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b)
        _ = try Harness.sendMessage(&a, &b, session: id, "old", reference: 1)
        _ = try Harness.sendMessage(&a, &b, session: id, "urgent", reference: 2, options: .init(acknowledgeImmediately: true))
        // The urgent one completes first: the completed run is empty, no Noop.
        #expect(Harness.commands(try b.resourceHandlerCompleted(sequence: 2)).isEmpty)
        // The old one completes: the run holds the urgent one, so both go at once.
        #expect(Harness.commands(try b.resourceHandlerCompleted(sequence: 1)) == [.noop(SSTP.Noop(messageCount: 2))])
    }

    @Test func messageCarriesTheCountAndStopsTheTimer() throws {
        var (a, b) = try Harness.established()
        let ab = try Harness.openSession(&a, &b)
        _ = try Harness.sendMessage(&a, &b, session: ab, "x", reference: 1)
        _ = try b.resourceHandlerCompleted(sequence: 1)
        #expect(b.established?.acknowledgmentTimerActive == true)
        let (ba, open) = try b.openSession(SSTP.AddressingEntry(resourceURL: "r", identityURL: "i"))
        let opened = try Harness.deliver(open, to: &a)
        #expect(opened == [.openReceived(sessionId: ba, SSTP.AddressingEntry(resourceURL: "r", identityURL: "i"))])
        _ = try Harness.deliver(try a.resourceHandlerAvailabilityChanged(sessionId: ba, .ready), to: &b)
        let actions = try b.sendMessage(sessionId: ba, payload: ByteBuffer(string: "reply"), reference: 7)
        #expect(actions.first == .send(.message(SSTP.Message(sessionId: ba, messageCount: 1))))
        #expect(actions.contains(.cancelTimer(.messageAcknowledgment)))
        #expect(b.established?.acknowledgmentTimerActive == false)
    }

    @Test func dataIsSplitInto2048ByteCommands() throws {
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b)
        let payload = ByteBuffer(repeating: 0x5a, count: 5000)
        let commands = Harness.commands(try a.sendMessage(sessionId: id, payload: payload, reference: 1))
        let sizes = commands.compactMap { c -> Int? in if case .data(let d) = c { return d.payload.readableBytes } else { return nil } }
        #expect(sizes == [2048, 2048, 904])
        #expect(commands.first?.commandId == .message && commands.last?.commandId == .endMessage)
        // An empty message is Message, one empty Data, EndMessage.
        let empty = Harness.commands(try a.sendMessage(sessionId: id, payload: ByteBuffer(), reference: 2))
        #expect(empty.map(\.commandId) == [.message, .data, .endMessage])
    }

    @Test func acknowledgingMoreThanWasSentIsAProtocolError() throws {
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b)
        _ = try Harness.sendMessage(&a, &b, session: id, "x", reference: 1)
        #expect(Harness.connectClose(a.commandReceived(.noop(SSTP.Noop(messageCount: 2))))?.reason == .protocolError)
    }

    @Test func completingAnUnknownEntryIsAUsageError() throws {
        var (_, b) = try Harness.established()
        #expect(throws: SSTP.UsageError.self) { _ = try b.resourceHandlerCompleted(sequence: 1) }
    }

    func complete(_ list: inout SSTP.InboundMessageList, _ sequence: UInt64) -> Bool {
        list.complete(sequence: sequence)
    }

    @Test func inboundListCountsOnlyTheOldestCompleteRun() {
        var list = SSTP.InboundMessageList()
        let entries = (0..<5).map { _ in list.append(sessionId: 1, message: SSTP.Message(sessionId: 1)) }
        #expect(list.takeAcknowledgmentCount() == 0)
        #expect(complete(&list, entries[1].sequence) == true)
        #expect(complete(&list, entries[1].sequence) == false)
        #expect(list.takeAcknowledgmentCount() == 0)
        #expect(complete(&list, entries[0].sequence) == true)
        #expect(complete(&list, entries[3].sequence) == true)
        #expect(list.takeAcknowledgmentCount() == 2)
        #expect(list.count == 3)
        #expect(complete(&list, entries[0].sequence) == false)
        #expect(complete(&list, entries[2].sequence) == true)
        #expect(list.takeAcknowledgmentCount() == 2)
        #expect(list.count == 1)
    }
}

/// `maximumMessageSize`: a session-level violation closes only the offending session.
@Suite struct MessageSizeLimitTests {
    @Test func aMessageOverTheLimitClosesItsSessionWithQuotaWouldBeExceeded() throws {
        var a = SSTP.ConnectionStateMachine(configuration: Harness.configuration(Harness.deviceA), initiatedConnection: true)
        var b = SSTP.ConnectionStateMachine(configuration: Harness.configuration(Harness.deviceB) { $0.maximumMessageSize = 4096 }, initiatedConnection: false)
        let response = try Harness.deliver(try a.connect(targetDeviceURL: Harness.deviceB), to: &b)
        _ = try Harness.deliver(response, to: &a)
        let id = try Harness.openSession(&a, &b)
        // Exactly the limit is fine.
        let fits = try Harness.sendMessage(&a, &b, session: id, String(repeating: "a", count: 4096), reference: 1)
        #expect(Harness.received(fits) != nil)
        // One byte more: Close QuotaWouldBeExceeded on that session, what it carried is dropped.
        let over = try Harness.sendMessage(&a, &b, session: id, String(repeating: "b", count: 4097), reference: 2)
        #expect(Harness.commands(over) == [.close(SSTP.Close(sessionId: id, reason: .quotaWouldBeExceeded))])
        #expect(over.contains(.messageAborted(sessionId: id)))
        #expect(over.contains { if case .sessionViolation(id, .quotaWouldBeExceeded, _) = $0 { true } else { false } })
        #expect(over.contains(.sessionClosed(sessionId: id, .inbound, .quotaWouldBeExceeded, byPeer: false)))
        #expect(Harness.received(over) == nil)
        // The connection goes on.
        #expect(b.isEstablished && b.sessionState(id) == nil)
    }
}

@Suite struct ClosedSessionTests {
    @Test func commandsInFlightForASessionClosedHereAreDroppedButStillAcknowledge() throws {
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b)
        // B opens its own session to A and sends one message, so A has something to acknowledge.
        let (back, open) = try b.openSession(Harness.entry)
        _ = try Harness.deliver(open, to: &a)
        _ = try Harness.deliver(try a.resourceHandlerAvailabilityChanged(sessionId: back, .ready), to: &b)
        let received = try Harness.sendMessage(&b, &a, session: back, "for a", reference: 9)
        _ = try a.resourceHandlerCompleted(sequence: try #require(Harness.received(received)).sequence)
        // B closes A's session while A is sending on it: A's message arrives after the Close.
        _ = try b.closeSession(id, reason: .internalError)
        let late = try a.sendMessage(sessionId: id, payload: ByteBuffer(string: "late"), reference: 1)
        let reaction = try Harness.deliver(late, to: &b)
        #expect(b.isEstablished)
        #expect(Harness.commands(reaction).isEmpty)
        // The late Message's MessageCount acknowledged B's message all the same.
        #expect(reaction == [.messagesAcknowledged([SSTP.OutboundMessageList.Entry(sequence: 1, sessionId: back, reference: 9)])])
    }
}

@Suite struct CompletedRunTests {
    @Test func theImmediateNoopWaitsUntilTheCompletedRunReachesTheAMessage() throws {
        var (a, b) = try Harness.established()
        let id = try Harness.openSession(&a, &b)
        _ = try Harness.sendMessage(&a, &b, session: id, "one", reference: 1)
        _ = try Harness.sendMessage(&a, &b, session: id, "two", reference: 2, options: .init(acknowledgeImmediately: true))
        // The A message completes first: the run at the old end is still empty (3.1.4.7).
        #expect(Harness.commands(try b.resourceHandlerCompleted(sequence: 2)).isEmpty)
        // The older one completes: the run holds both, and the A bit acknowledges them at once.
        #expect(Harness.commands(try b.resourceHandlerCompleted(sequence: 1)) == [.noop(SSTP.Noop(messageCount: 2))])
        #expect(b.established?.inboundMessages.count == 0)
        // Ten thousand completions stay cheap: the run is counted as it grows.
        for n in 3...10_002 {
            _ = try Harness.sendMessage(&a, &b, session: id, "m", reference: UInt64(n))
            _ = try b.resourceHandlerCompleted(sequence: UInt64(n))
        }
        #expect(b.established?.inboundMessages.completedRunLength == 10_000)
    }
}

extension AcknowledgmentTests {
    /// Issue 8: the InboundMessageList is bounded (ConnectionConfiguration.maximumInboundMessages).
    @Test func aFullInboundListAcknowledgesWhatIsCompleteOrClosesWithInternalError() throws {
        var (a, b) = try DeadlineTests.established { $0.maximumInboundMessages = 3 }
        let id = try Harness.openSession(&a, &b)
        for n: UInt64 in 1...3 { _ = try Harness.sendMessage(&a, &b, session: id, "m\(n)", reference: n) }
        _ = try b.resourceHandlerCompleted(sequence: 1)
        // A fourth: the completed run (one) is acknowledged at once, and the list stays at 3.
        let fourth = try Harness.sendMessage(&a, &b, session: id, "m4", reference: 4)
        #expect(Harness.commands(fourth).contains(.noop(SSTP.Noop(messageCount: 1))))
        #expect(b.established?.inboundMessages.count == 3)
        // A fifth with nothing complete: closed, the peer will send again.
        let fifth = try Harness.sendMessage(&a, &b, session: id, "m5", reference: 5)
        #expect(Harness.connectClose(fifth)?.reason == .internalError)
        #expect(!b.isEstablished)
    }
}

extension AcknowledgmentTests {
    /// Issue 8: the OutboundMessageList is bounded (ConnectionConfiguration.maximumOutboundMessages).
    @Test func aFullOutboundListRefusesTheNextMessageUntilAcknowledgmentsArrive() throws {
        var (a, b) = try DeadlineTests.established { $0.maximumOutboundMessages = 2 }
        let id = try Harness.openSession(&a, &b)
        for n: UInt64 in 1...2 { _ = try Harness.sendMessage(&a, &b, session: id, "m\(n)", reference: n) }
        #expect(a.outboundListIsFull)
        #expect(throws: SSTP.UsageError.self) { try a.beginMessage(sessionId: id) }
        // B completes and acknowledges both: A may send again.
        for n: UInt64 in 1...2 { _ = try b.resourceHandlerCompleted(sequence: n) }
        _ = try Harness.deliver(try b.sendNoop(), to: &a)
        #expect(!a.outboundListIsFull)
        _ = try Harness.sendMessage(&a, &b, session: id, "m3", reference: 3)
    }
}
