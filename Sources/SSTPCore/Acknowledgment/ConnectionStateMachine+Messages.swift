import NIOCore

extension SSTP.ConnectionStateMachine {
    // MARK: Sending data (3.1.4.6)

    /// Begins a message sequence on an outbound session in 'ready': a Message carrying the
    /// MessageCount of 3.1.4.2.1; a running Message Acknowledgment Timer stops.
    public mutating func beginMessage(sessionId id: UInt32, options: SSTP.MessageOptions = SSTP.MessageOptions()) throws(SSTP.UsageError) -> [Action] {
        let limit = configuration.maximumOutboundMessages
        return try withEstablished { (e: inout Established) throws(SSTP.UsageError) -> [Action] in
            guard var session = e.outbound[id] else { throw SSTP.UsageError("no outbound session \(id)") }
            guard e.outboundMessages.count < limit else {
                throw SSTP.UsageError("\(limit) messages are waiting for acknowledgment (OutboundMessageList full); wait for acknowledgments")
            }
            guard session.state == .ready else {
                throw SSTP.UsageError("data is sent on a session in 'ready'; session \(id) is '\(session.state)' (3.1.4.6)")
            }
            guard !session.inMessage else { throw SSTP.UsageError("session \(id) is already inside a message sequence") }
            session.inMessage = true
            e.outbound[id] = session
            var actions: [Action] = []
            let count = e.inboundMessages.takeAcknowledgmentCount()
            if e.acknowledgmentTimerActive {
                e.acknowledgmentTimerActive = false
                actions.append(.cancelTimer(.messageAcknowledgment))
            }
            let message = SSTP.Message(
                sessionId: id, messageCount: count, track: options.track,
                acknowledgeImmediately: options.acknowledgeImmediately, doNotDeliverIfOffline: options.doNotDeliverIfOffline,
                userRef: options.userRef, ephemeral: options.ephemeral, streamSize: options.streamSize,
                fragmentation: options.fragmentation
            )
            actions.insert(.send(.message(message)), at: 0)
            return actions
        }
    }

    /// Payload of the sequence begun on `id`; the shell writes it as Data commands of at
    /// most 2048 bytes each. Allowed while the session is 'blocked' so that a sequence
    /// under way can finish once the higher layer resumes (4.4.1).
    public mutating func sendData(sessionId id: UInt32, _ payload: ByteBuffer) throws(SSTP.UsageError) -> Action {
        guard case .established(let e) = state, let session = e.outbound[id], session.inMessage else {
            throw SSTP.UsageError("Data is sent between Message and EndMessage of an outbound session")
        }
        return .sendData(sessionId: id, payload: payload)
    }

    /// Ends the sequence: EndMessage, and the sequence joins the OutboundMessageList with
    /// the higher layer's `reference` (3.1.4.6).
    public mutating func endMessage(sessionId id: UInt32, reference: UInt64) throws(SSTP.UsageError) -> (entry: SSTP.OutboundMessageList.Entry, actions: [Action]) {
        try withEstablished { (e: inout Established) throws(SSTP.UsageError) -> (SSTP.OutboundMessageList.Entry, [Action]) in
            guard var session = e.outbound[id], session.inMessage else {
                throw SSTP.UsageError("EndMessage ends a sequence begun with Message")
            }
            session.inMessage = false
            e.outbound[id] = session
            let entry = e.outboundMessages.append(sessionId: id, reference: reference)
            return (entry, [.send(.endMessage(SSTP.EndMessage(sessionId: id)))])
        }
    }

    /// Sends a whole message at once: Message, Data (split at 2048 bytes), EndMessage.
    public mutating func sendMessage(sessionId id: UInt32, payload: ByteBuffer, options: SSTP.MessageOptions = SSTP.MessageOptions(), reference: UInt64) throws(SSTP.UsageError) -> [Action] {
        var actions = try beginMessage(sessionId: id, options: options)
        actions.append(try sendData(sessionId: id, payload))
        actions += try endMessage(sessionId: id, reference: reference).actions
        return actions
    }

    // MARK: Noop (3.1.4.8) and completion (3.1.4.7)

    /// Whether the OutboundMessageList holds ``SSTP/ConnectionConfiguration/maximumOutboundMessages``
    /// entries: no message may begin until acknowledgments arrive.
    public var outboundListIsFull: Bool {
        (established?.outboundMessages.count ?? 0) >= configuration.maximumOutboundMessages
    }

    /// Sends a Noop carrying the MessageCount of 3.1.4.2.1; a running acknowledgment timer stops.
    public mutating func sendNoop() throws(SSTP.UsageError) -> [Action] {
        try withEstablished { (e: inout Established) throws(SSTP.UsageError) -> [Action] in
            Self.noop(&e)
        }
    }

    static func noop(_ e: inout Established) -> [Action] {
        var actions: [Action] = [.send(.noop(SSTP.Noop(messageCount: e.inboundMessages.takeAcknowledgmentCount())))]
        if e.acknowledgmentTimerActive {
            e.acknowledgmentTimerActive = false
            actions.append(.cancelTimer(.messageAcknowledgment))
        }
        return actions
    }

    /// The resource handler finished with a received sequence (3.1.4.7): the entry becomes
    /// 'complete'. When the completed run at the old end holds a message sent with
    /// AcknowledgeImmediately, a Noop acknowledges at once (<15>); otherwise a non-empty run
    /// starts the Message Acknowledgment Timer if it is not running.
    public mutating func resourceHandlerCompleted(sequence: UInt64) throws(SSTP.UsageError) -> [Action] {
        try withEstablished { (e: inout Established) throws(SSTP.UsageError) -> [Action] in
            guard e.inboundMessages.complete(sequence: sequence) else {
                throw SSTP.UsageError("no inbound message \(sequence) is 'processing'")
            }
            if e.inboundMessages.completedRunAcknowledgesImmediately {
                return Self.noop(&e)
            }
            if e.inboundMessages.completedRunLength > 0 && !e.acknowledgmentTimerActive {
                e.acknowledgmentTimerActive = true
                return [.startTimer(.messageAcknowledgment)]
            }
            return []
        }
    }

    /// Message Acknowledgment Timer expired (3.1.6.1): Noop with the MessageCount of 3.1.4.2.1.
    public mutating func messageAcknowledgmentTimerFired() -> [Action] {
        guard case .established = state else { return [] }
        return (try? withEstablished { (e: inout Established) throws(SSTP.UsageError) -> [Action] in
            guard e.acknowledgmentTimerActive else { return [] }
            e.acknowledgmentTimerActive = false
            return [.send(.noop(SSTP.Noop(messageCount: e.inboundMessages.takeAcknowledgmentCount())))]
        }) ?? []
    }

    // MARK: Receiving acknowledgments (3.1.5.19)

    /// Removes the `count` oldest OutboundMessageList entries. Acknowledging more sequences
    /// than were sent is a protocol violation.
    static func acknowledge(_ count: UInt32, _ e: inout Established) -> Outcome {
        guard count > 0 else { return .actions([]) }
        guard let acknowledged = e.outboundMessages.acknowledge(count) else {
            return .violation(.protocolError, "MessageCount \(count) acknowledges more than the \(e.outboundMessages.count) message sequences outstanding")
        }
        return .actions([.messagesAcknowledged(acknowledged)])
    }

    // MARK: Receiving Noop (3.1.5.13)

    mutating func noopReceived(_ noop: SSTP.Noop) -> [Action] {
        onEstablished(notEstablished: (.protocolError, "Noop before the connection was established")) { e in
            Self.acknowledge(noop.messageCount, &e)
        }
    }

    // MARK: The MessageReceiver (3.1.5.10–3.1.5.12)

    /// What a Message, Data or EndMessage finds for its SessionId.
    enum InboundLookup {
        case session(SSTP.InboundSession)
        /// A session this device closed: the command was in flight, and is dropped.
        case closedHere
        case violation(SSTP.Violation)
    }

    /// Finds the inbound session a Message, Data or EndMessage names: no state is
    /// TooManyUnknownSessionCmds (unless this device just closed it); a session this device
    /// originated (sessions carry data one way) is a ProtocolError.
    static func inboundSession(_ id: UInt32, _ command: String, _ e: Established) -> InboundLookup {
        if let s = e.inbound[id] { return .session(s) }
        if e.outbound[id] != nil {
            return .violation(.connection(.protocolError, "\(command) on session \(id), which this device originated"))
        }
        if e.closedInbound.contains(id) { return .closedHere }
        return .violation(.connection(.tooManyUnknownSessionCmds, "\(command) for session \(id), which does not exist"))
    }

    mutating func messageReceived(_ message: SSTP.Message) -> [Action] {
        let id = message.sessionId
        return onEstablished(notEstablished: (.tooManyUnknownSessionCmds, "Message for session \(id), which does not exist")) { e in
            var session: SSTP.InboundSession
            switch Self.inboundSession(id, "Message", e) {
            case .session(let s): session = s
            case .closedHere:
                // The sequence is dropped, but its MessageCount still acknowledges (3.1.5.19).
                return Self.acknowledge(message.messageCount, &e)
            case .violation(let v): return .violation(v)
            }
            guard session.state != .opening, session.receiver == .waiting else {
                return .violation(.protocolError, "Message on session \(id) while its MessageReceiver is '\(session.receiver)'")
            }
            session.receiver = .ready
            session.currentMessage = message
            e.inbound[id] = session
            var actions: [Action] = [.messageStarted(sessionId: id, message)]
            switch Self.acknowledge(message.messageCount, &e) {
            case .actions(let more): actions += more
            case .violation(let v): return .violation(v)
            }
            return .actions(actions)
        }
    }

    /// What a received Data command (2.2.11, 3.1.5.19) comes to: on the hot path nothing
    /// but its payload for the resource handler, without an action list.
    public enum DataReceipt {
        /// Payload of the sequence being received on `sessionId`.
        case payload(sessionId: UInt32, ByteBuffer)
        /// Anything else (a violation's reaction, or nothing at all).
        case actions([Action])

        var actions: [Action] {
            switch self {
            case .payload(let id, let payload): return [.messageData(sessionId: id, payload)]
            case .actions(let actions): return actions
            }
        }
    }

    /// A received Data command, as ``commandReceived(_:admission:)`` handles it (the same
    /// outcome, as a ``DataReceipt`` instead of actions).
    public mutating func dataCommandReceived(_ data: SSTP.Data) -> DataReceipt {
        switch state {
        case .aborting, .closed:
            return .actions([])
        case .transportLayerConnected, .connecting, .established:
            return dataReceived(data)
        case .modifying:
            preconditionFailure("a command was received while the state machine is modifying its state")
        }
    }

    /// A Data command (3.1.5.19): the session's MessageReceiver must be ready or buffering.
    mutating func dataReceived(_ data: SSTP.Data) -> DataReceipt {
        let id = data.sessionId
        // The hot path: the established state moved out and back, the session updated in
        // place through its dictionary index (no copy of either).
        guard var e = takeEstablished() else {
            return .actions(closeConnection(.tooManyUnknownSessionCmds, violation: "Data for session \(id), which does not exist"))
        }
        guard let index = e.inbound.index(forKey: id) else {
            let lookup = Self.inboundSession(id, "Data", e)
            state = .established(e)
            switch lookup {
            case .violation(let violation): return .actions(react(to: violation))
            case .session, .closedHere: return .actions([])
            }
        }
        let limit = configuration.maximumMessageSize
        let refusal = Self.receive(data.payload.readableBytes, limit: limit, into: &e.inbound.values[index])
        state = .established(e)
        switch refusal {
        case nil:
            return .payload(sessionId: id, data.payload)
        case .notReceiving(let receiver)?:
            return .actions(closeConnection(.protocolError, violation: "Data on session \(id) while its MessageReceiver is '\(receiver)'"))
        case .tooLarge?:
            // An application limit on one message: the session is closed (the sender may
            // retry elsewhere); the connection and its other sessions go on.
            return .actions(react(to: .session(sessionId: id, .quotaWouldBeExceeded,
                                               "a message on session \(id) exceeds the maximum message size of \(limit ?? 0) bytes")))
        }
    }

    private enum DataRefusal {
        case notReceiving(SSTP.MessageReceiverState)
        case tooLarge
    }

    /// Counts `count` payload bytes into `session`'s sequence: its receiver must be ready or
    /// buffering (3.1.5.19), and the sequence within the application's limit.
    private static func receive(_ count: Int, limit: Int?, into session: inout SSTP.InboundSession) -> DataRefusal? {
        guard session.receiver == .ready || session.receiver == .buffering else { return .notReceiving(session.receiver) }
        let received = session.receivedBytes + count
        if let limit, received > limit { return .tooLarge }
        session.receiver = .buffering
        session.receivedBytes = received
        return nil
    }

    mutating func endMessageReceived(_ end: SSTP.EndMessage) -> [Action] {
        let id = end.sessionId
        let limit = configuration.maximumInboundMessages
        return onEstablished(notEstablished: (.tooManyUnknownSessionCmds, "EndMessage for session \(id), which does not exist")) { e in
            var session: SSTP.InboundSession
            switch Self.inboundSession(id, "EndMessage", e) {
            case .session(let s): session = s
            case .closedHere: return .actions([])
            case .violation(let v): return .violation(v)
            }
            guard session.receiver == .buffering, let message = session.currentMessage else {
                return .violation(.protocolError, "EndMessage on session \(id) while its MessageReceiver is '\(session.receiver)'")
            }
            session.receiver = .waiting
            session.currentMessage = nil
            session.receivedBytes = 0
            e.inbound[id] = session
            let entry = e.inboundMessages.append(sessionId: id, message: message)
            var actions: [Action] = []
            if e.inboundMessages.count > limit {
                // Bounded list: acknowledge the completed run now (3.1.4.8) to make room.
                if e.inboundMessages.completedRunLength > 0 { actions += Self.noop(&e) }
                if e.inboundMessages.count > limit {
                    return .violation(.internalError, "\(limit) received messages are not yet handled (InboundMessageList full, 3.1.1.2)")
                }
            }
            if !e.acknowledgmentTimerActive {
                e.acknowledgmentTimerActive = true
                actions.append(.startTimer(.messageAcknowledgment))
            }
            actions.insert(.messageReceived(entry), at: 0)
            return .actions(actions)
        }
    }
}
