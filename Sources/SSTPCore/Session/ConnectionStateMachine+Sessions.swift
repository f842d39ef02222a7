import NIOCore

extension SSTP.ConnectionStateMachine {
    public typealias Action = SSTP.ConnectionAction

    // MARK: Opening a session (3.1.4.3)

    /// Opens a session to one addressing entry (3.1.4.3.2): picks a SessionId (3.1.4.3.1),
    /// sends Open, and the session is 'opening' until the OpenResponse.
    public mutating func openSession(_ entry: SSTP.AddressingEntry) throws(SSTP.UsageError) -> (sessionId: UInt32, actions: [Action]) {
        let id = try allocateSessionId()
        let open = SSTP.Open(sessionId: id, addressingEntry: entry)
        do {
            var scratch = ByteBuffer()
            try open.encode(into: &scratch, version: version)
        } catch {
            throw SSTP.UsageError("cannot send Open: \(error)")
        }
        try withEstablished { (e: inout Established) throws(SSTP.UsageError) in
            e.outbound[id] = SSTP.OutboundSession(state: .opening, addressing: .single(entry))
        }
        var actions: [Action] = [.send(.open(open))]
        if configuration.timers.sessionEstablishment != nil { actions.append(.startTimer(.sessionEstablishment(id))) }
        return (id, actions)
    }

    /// Opens a fanout session to a relay server (3.1.4.3.3); in 1.6 every entry carries an
    /// empty FailoverDeviceURLs, in 1.5 none.
    public mutating func openFanoutSession(resourceURL: String, entries: [SSTP.FanoutOpen.Entry]) throws(SSTP.UsageError) -> (sessionId: UInt32, actions: [Action]) {
        let id = try allocateSessionId()
        let open = SSTP.FanoutOpen(sessionId: id, resourceURL: resourceURL, entries: entries)
        do {
            var scratch = ByteBuffer()
            try open.encode(into: &scratch, version: version)
        } catch {
            throw SSTP.UsageError("cannot send FanoutOpen: \(error)")
        }
        try withEstablished { (e: inout Established) throws(SSTP.UsageError) in
            e.outbound[id] = SSTP.OutboundSession(
                state: .opening,
                addressing: .fanout(resourceURL: resourceURL, entries: entries, active: Array(repeating: true, count: entries.count))
            )
        }
        var actions: [Action] = [.send(.fanoutOpen(open))]
        if configuration.timers.sessionEstablishment != nil { actions.append(.startTimer(.sessionEstablishment(id))) }
        return (id, actions)
    }

    mutating func allocateSessionId() throws(SSTP.UsageError) -> UInt32 {
        guard case .established(let e) = state else {
            throw SSTP.UsageError("sessions are opened on an established connection (3.1.4.3)")
        }
        guard let id = sessionIds.allocate(inUse: { e.outbound[$0] != nil || e.inbound[$0] != nil || e.attachSessionIds.contains($0) || e.registerSessionIds.contains($0) }) else {
            throw SSTP.UsageError("no SessionId is free")
        }
        return id
    }

    // MARK: Closing a session (3.1.4.4)

    /// Sends Close with `reason` and removes the session's state.
    public mutating func closeSession(_ id: UInt32, reason: SSTP.Close.Reason = .noReason) throws(SSTP.UsageError) -> [Action] {
        try withEstablished { (e: inout Established) throws(SSTP.UsageError) -> [Action] in
            var actions: [Action] = [.send(.close(SSTP.Close(sessionId: id, reason: reason)))]
            if let s = e.outbound.removeValue(forKey: id) {
                if s.state == .opening { actions.append(.cancelTimer(.sessionEstablishment(id))) }
                actions.append(.sessionClosed(sessionId: id, .outbound, reason, byPeer: false))
            } else if let s = e.inbound.removeValue(forKey: id) {
                e.closedInbound.insert(id)
                if s.receiver != .waiting { actions.append(.messageAborted(sessionId: id)) }
                actions.append(.sessionClosed(sessionId: id, .inbound, reason, byPeer: false))
            } else {
                throw SSTP.UsageError("no session \(id) to close")
            }
            return actions
        }
    }

    /// Session Establishment Timer expired (<11>): a session still 'opening' is closed.
    public mutating func sessionEstablishmentTimerFired(_ id: UInt32) -> [Action] {
        guard let (direction, state) = sessionState(id), direction == .outbound, state == .opening else { return [] }
        let actions = (try? closeSession(id, reason: .noReason)) ?? []
        return actions.map { action in
            if case .sessionClosed(let sid, _, _, _) = action { return .sessionRefused(sessionId: sid, response: nil) }
            return action
        }.filter { if case .cancelTimer = $0 { return false } else { return true } }
    }

    // MARK: Receiving Open (3.1.5.5)

    mutating func openReceived(_ open: SSTP.Open) -> [Action] {
        let id = open.sessionId
        let maximum = configuration.maximumInboundSessions
        let ownsId = sessionIds.owns(id)
        return onEstablished(notEstablished: (.tooManyUnknownSessionCmds, "Open before the connection was established")) { e in
            if e.outbound[id] != nil || e.inbound[id] != nil {
                return .violation(.tooManyUnknownSessionCmds, "Open for session \(id), which already exists")
            }
            if ownsId {
                return .violation(.protocolError, "Open with SessionId \(id) from this device's own range (3.1.4.3.1)")
            }
            if e.inbound.count >= maximum {
                return .actions([.send(.openResponse(SSTP.OpenResponse(sessionId: id, responseId: .unknown)))])
            }
            // 'opening' until the higher layer gives the ResourceHandlerAvailability.
            e.closedInbound.remove(id)
            e.inbound[id] = SSTP.InboundSession(state: .opening, addressingEntry: open.addressingEntry, receiver: .waiting)
            return .actions([.openReceived(sessionId: id, open.addressingEntry)])
        }
    }

    // MARK: ResourceHandlerAvailability (3.1.5.5, 3.1.4.5)

    /// The higher layer's ResourceHandlerAvailability for an inbound session: answers an
    /// Open while 'opening' (3.1.5.5), and afterwards drives flow control (table of 3.1.4.5).
    public mutating func resourceHandlerAvailabilityChanged(sessionId id: UInt32, _ availability: SSTP.ResourceHandlerAvailability) throws(SSTP.UsageError) -> [Action] {
        if case .fault(let reason) = availability, ![.noReason, .quotaWouldBeExceeded, .internalError].contains(reason) {
            throw SSTP.UsageError("a fault's Close ReasonId MUST be NoReason, QuotaWouldBeExceeded or InternalError (3.1.4.5)")
        }
        return try withEstablished { (e: inout Established) throws(SSTP.UsageError) -> [Action] in
            guard var session = e.inbound[id] else { throw SSTP.UsageError("no inbound session \(id)") }
            func respond(_ response: SSTP.OpenResponse.ResponseId) -> Action {
                .send(.openResponse(SSTP.OpenResponse(sessionId: id, responseId: response)))
            }
            func closeFault(_ reason: SSTP.Close.Reason) -> [Action] {
                e.inbound[id] = nil
                e.closedInbound.insert(id)
                var actions: [Action] = [.send(.close(SSTP.Close(sessionId: id, reason: reason)))]
                if session.receiver != .waiting { actions.append(.messageAborted(sessionId: id)) }
                actions.append(.sessionClosed(sessionId: id, .inbound, reason, byPeer: false))
                return actions
            }
            switch (session.state, availability) {
            // 3.1.5.5: the answer to the Open; the MessageReceiver starts 'waiting'.
            case (.opening, .fault):
                e.inbound[id] = nil
                return [respond(.unknown), .sessionClosed(sessionId: id, .inbound, .noReason, byPeer: false)]
            case (.opening, .notReady):
                session.state = .suspended
                session.receiver = .waiting
                e.inbound[id] = session
                return [respond(.okStopSending), .sessionStateChanged(sessionId: id, .inbound, .suspended)]
            case (.opening, .ready):
                session.state = .ready
                session.receiver = .waiting
                e.inbound[id] = session
                return [respond(.ok), .sessionStateChanged(sessionId: id, .inbound, .ready)]
            // 3.1.4.5 table.
            case (.suspended, .ready), (.blocked, .ready):
                session.state = .ready
                e.inbound[id] = session
                return [respond(.startSending), .sessionStateChanged(sessionId: id, .inbound, .ready)]
            case (.suspended, .notReady), (.ready, .ready), (.blocked, .notReady):
                return []
            case (.ready, .notReady):
                session.state = .blocked
                e.inbound[id] = session
                return [respond(.stopSending), .sessionStateChanged(sessionId: id, .inbound, .blocked)]
            case (.suspended, .fault(let reason)), (.ready, .fault(let reason)), (.blocked, .fault(let reason)):
                return closeFault(reason)
            }
        }
    }

    // MARK: Receiving OpenResponse (3.1.5.7)

    mutating func openResponseReceived(_ response: SSTP.OpenResponse) -> [Action] {
        let id = response.sessionId
        let timed = configuration.timers.sessionEstablishment != nil
        return onEstablished(notEstablished: (.tooManyUnknownSessionCmds, "OpenResponse for session \(id), which does not exist")) { e in
            guard var session = e.outbound[id] else {
                if e.inbound[id] != nil {
                    return .violation(.protocolError, "OpenResponse for session \(id), which this device did not originate")
                }
                return .violation(.tooManyUnknownSessionCmds, "OpenResponse for session \(id), which does not exist")
            }
            let violation = Outcome.violation(.protocolError, "OpenResponse \(response.responseId) for session \(id) in state '\(session.state)' (3.1.5.7)")
            func move(_ to: SSTP.SessionState) -> Outcome {
                let wasOpening = session.state == .opening
                session.state = to
                e.outbound[id] = session
                var actions: [Action] = []
                if wasOpening && timed { actions.append(.cancelTimer(.sessionEstablishment(id))) }
                actions.append(.sessionStateChanged(sessionId: id, .outbound, to))
                return .actions(actions)
            }
            switch (session.state, response.responseId) {
            case (.opening, .ok): return move(.ready)
            case (.opening, .noResource), (.opening, .unknown), (.opening, .noFanoutEntries), (.opening, .fanoutNotSupported):
                e.outbound[id] = nil
                var actions: [Action] = []
                if timed { actions.append(.cancelTimer(.sessionEstablishment(id))) }
                actions.append(.sessionRefused(sessionId: id, response: response.responseId))
                return .actions(actions)
            case (.opening, .startSending), (.opening, .stopSending): return violation
            case (.opening, .okStopSending): return move(.suspended)

            case (.suspended, .startSending): return move(.ready)
            case (.suspended, _): return violation

            case (.ready, .startSending): return .actions([])
            case (.ready, .stopSending): return move(.blocked)
            case (.ready, _): return violation

            case (.blocked, .startSending): return move(.ready)
            case (.blocked, .stopSending): return .actions([])
            case (.blocked, _): return violation
            }
        }
    }

    // MARK: Receiving SessionStatus (3.1.5.8, 3.2.5.8)

    mutating func sessionStatusReceived(_ status: SSTP.SessionStatus) -> [Action] {
        let id = status.sessionId
        return onEstablished(notEstablished: (.tooManyUnknownSessionCmds, "SessionStatus for session \(id), which does not exist")) { e in
            guard let session = e.outbound[id] else {
                if e.inbound[id] != nil {
                    return .violation(.protocolError, "SessionStatus on session \(id), which this device did not originate with FanoutOpen")
                }
                return .violation(.tooManyUnknownSessionCmds, "SessionStatus for session \(id), which does not exist")
            }
            guard case .fanout(let resource, let entries, var active) = session.addressing else {
                return .violation(.protocolError, "SessionStatus on session \(id), which was opened with Open, not FanoutOpen")
            }
            var removed: [Int] = []
            if !status.indexes.isEmpty {
                for index in status.indexes {
                    guard Int(index) < entries.count else {
                        return .violation(.protocolError, "SessionStatus index \(index) is not below the \(entries.count) FanoutOpen entries")
                    }
                    removed.append(Int(index))
                }
            } else if status.identityURL.isEmpty {
                // A relay is gone: every entry behind it.
                removed = entries.indices.filter { entries[$0].relayURL == status.deviceURL }
            } else {
                removed = entries.indices.filter { entries[$0].identityURL == status.identityURL && entries[$0].deviceURL == status.deviceURL }
            }
            // Entries are marked, never removed, so indexes keep their meaning.
            for index in removed { active[index] = false }
            var updated = session
            updated.addressing = .fanout(resourceURL: resource, entries: entries, active: active)
            e.outbound[id] = updated
            var actions: [Action] = [.fanoutDestinationsRemoved(sessionId: id, status.statusId, indexes: removed)]
            if !active.contains(true) {
                // 3.2.5.8: no member left: a client SHOULD send Close (1.6 clients always do, <16>).
                e.outbound[id] = nil
                if session.state == .opening { actions.append(.cancelTimer(.sessionEstablishment(id))) }
                actions.append(.send(.close(SSTP.Close(sessionId: id, reason: .noReason))))
                actions.append(.sessionClosed(sessionId: id, .outbound, .noReason, byPeer: false))
            }
            return .actions(actions)
        }
    }

    // MARK: Receiving Close (3.1.5.9, 3.2.5.9)

    mutating func closeReceived(_ close: SSTP.Close) -> [Action] {
        let id = close.sessionId
        let relay = configuration.role == .relayServer
        return onEstablished(notEstablished: (.tooManyUnknownSessionCmds, "Close before the connection was established")) { e in
            if let s = e.outbound.removeValue(forKey: id) {
                var actions: [Action] = []
                if s.state == .opening { actions.append(.cancelTimer(.sessionEstablishment(id))) }
                actions.append(.sessionClosed(sessionId: id, .outbound, close.reason, byPeer: true))
                return .actions(actions)
            }
            if let s = e.inbound.removeValue(forKey: id) {
                var actions: [Action] = []
                if s.receiver != .waiting { actions.append(.messageAborted(sessionId: id)) }
                actions.append(.sessionClosed(sessionId: id, .inbound, close.reason, byPeer: true))
                return .actions(actions)
            }
            // Unknown session: ignored, unless it is an attach or register session (3.2.5.9);
            // a relay keeps those above the connection (3.3.1) and learns of the Close.
            e.attachSessionIds.remove(id)
            e.registerSessionIds.remove(id)
            return .actions(relay ? [.commandForHigherLayer(.close(close))] : [])
        }
    }

    // MARK: Attach and register sessions (3.2.4.1, 3.2.5.15, 3.2.5.18)

    /// Sends Attach for an account (3.2.4.1.2): the EventId is a fresh SessionId, kept in AttachSessionIds.
    public mutating func attach(resourceURL: String, accountURL: String, authenticationToken: [UInt8]) throws(SSTP.UsageError) -> (eventId: UInt32, actions: [Action]) {
        let id = try allocateSessionId()
        try withEstablished { (e: inout Established) throws(SSTP.UsageError) in e.attachSessionIds.insert(id) }
        return (id, [.send(.attach(SSTP.Attach(eventId: id, resourceURL: resourceURL, accountURL: accountURL, authenticationToken: authenticationToken)))])
    }

    /// Sends Register (3.2.4.1.3): on an attach session (device registration) or a new register session.
    public mutating func register(registrationToken: [UInt8], attachEventId: UInt32? = nil) throws(SSTP.UsageError) -> (eventId: UInt32, actions: [Action]) {
        let id: UInt32
        if let attachEventId {
            id = attachEventId
            try withEstablished { (e: inout Established) throws(SSTP.UsageError) in e.attachSessionIds.insert(id) }
        } else {
            id = try allocateSessionId()
            try withEstablished { (e: inout Established) throws(SSTP.UsageError) in e.registerSessionIds.insert(id) }
        }
        return (id, [.send(.register(SSTP.Register(eventId: id, registrationToken: registrationToken)))])
    }

    mutating func attachResponseReceived(_ response: SSTP.AttachResponse) -> [Action] {
        if configuration.role == .relayServer {
            return closeConnection(.protocolError, violation: "a relay server received AttachResponse (3.3.5.15)")
        }
        return onEstablished(notEstablished: (.protocolError, "AttachResponse before the connection was established")) { e in
            guard e.attachSessionIds.contains(response.eventId) else {
                return .violation(.protocolError, "AttachResponse for EventId \(response.eventId), which is not an attach session")
            }
            return .actions([.commandForHigherLayer(.attachResponse(response))])
        }
    }

    mutating func registerResponseReceived(_ response: SSTP.RegisterResponse) -> [Action] {
        if configuration.role == .relayServer {
            return closeConnection(.protocolError, violation: "a relay server received RegisterResponse (3.3.5.18)")
        }
        return onEstablished(notEstablished: (.protocolError, "RegisterResponse before the connection was established")) { e in
            guard e.attachSessionIds.contains(response.eventId) || e.registerSessionIds.contains(response.eventId) else {
                return .violation(.protocolError, "RegisterResponse for EventId \(response.eventId), which is not an attach or register session")
            }
            return .actions([.commandForHigherLayer(.registerResponse(response))])
        }
    }
}

