import SSTPCore

extension SSTPRelay.RelayStateMachine {
    // MARK: Attach and Register sessions (3.3.1, 3.3.5.14–3.3.5.17)

    /// Attach (3.3.5.14): refused with TooManyUnknownSessionCmds on a connection not
    /// 'established', for an EventId naming an existing session, or when the connection
    /// already has an attach session; otherwise the EventId joins AttachSessionIds and the
    /// authenticator answers on the attach session.
    public mutating func attachReceived(_ connection: ConnectionID, _ attach: SSTP.Attach, sessionExists: Bool) -> [RelayAction] {
        guard let a = attached(connection) else {
            return [.closeConnection(connection, .tooManyUnknownSessionCmds, detail: "Attach before the connection was established (3.3.5.14)")]
        }
        if sessionExists {
            return [.closeConnection(connection, .tooManyUnknownSessionCmds, detail: "Attach EventId \(attach.eventId) names an existing session (3.3.5.14)")]
        }
        if !a.attachSessionIds.isEmpty {
            return [.closeConnection(connection, .tooManyUnknownSessionCmds, detail: "a second Attach on one connection (3.3.5.14)")]
        }
        update(connection) { $0.attachSessionIds.insert(attach.eventId) }
        let response = configuration.authenticator.attachResponse(accountURL: attach.accountURL, token: attach.authenticationToken)
        return [.reply(connection, .attachResponse(SSTP.AttachResponse(eventId: attach.eventId, responseId: response, authenticationToken: [])))]
    }

    /// AttachAuthenticate (3.3.5.16): only on an attach session of an established connection.
    public mutating func attachAuthenticateReceived(_ connection: ConnectionID, _ command: SSTP.AttachAuthenticate) -> [RelayAction] {
        guard let a = attached(connection), a.attachSessionIds.contains(command.eventId) else {
            return [.closeConnection(connection, .tooManyUnknownSessionCmds, detail: "AttachAuthenticate EventId \(command.eventId) is not an attach session (3.3.5.16)")]
        }
        let response = configuration.authenticator.attachResponse(accountURL: nil, token: command.authenticationToken)
        return [.reply(connection, .attachResponse(SSTP.AttachResponse(eventId: command.eventId, responseId: response, authenticationToken: [])))]
    }

    /// Register (3.3.5.17). A SecIdentityRegister may not reuse an existing session, an
    /// attach or a register session's EventId, and its EventId joins RegisterSessionIds;
    /// any other security message belongs on an attach session. An accepted identity
    /// registration holds for the connection's attached devices; the answer is
    /// RegisterResponse on the same session, once new registrations are committed.
    public mutating func registerReceived(_ connection: ConnectionID, _ register: SSTP.Register, sessionExists: Bool) -> [RelayAction] {
        guard let a = attached(connection) else {
            return [.closeConnection(connection, .tooManyUnknownSessionCmds, detail: "Register before the connection was established (3.3.5.17)")]
        }
        let id = register.eventId
        switch configuration.authenticator.registerKind(token: register.registrationToken) {
        case .identityRegister(let identity):
            if sessionExists || a.attachSessionIds.contains(id) || a.registerSessionIds.contains(id) {
                return [.closeConnection(connection, .tooManyUnknownSessionCmds, detail: "SecIdentityRegister EventId \(id) is already in use (3.3.5.17)")]
            }
            update(connection) { $0.registerSessionIds.insert(id) }
            var added: [SSTPRelay.Registration] = []
            for device in a.devices where registrations[identity]?.contains(device) != true {
                registrations[identity, default: []].insert(device)
                added.append(SSTPRelay.Registration(identityURL: identity, deviceURL: device))
            }
            let reply = SSTP.Command.registerResponse(SSTP.RegisterResponse(eventId: id, registrationToken: register.registrationToken))
            return [added.isEmpty ? .reply(connection, reply) : .storeRegistrations(connection, added, reply: reply)]
        case .other:
            if sessionExists || !a.attachSessionIds.contains(id) {
                return [.closeConnection(connection, .tooManyUnknownSessionCmds, detail: "Register EventId \(id) is not an attach session (3.3.5.17)")]
            }
            return [.reply(connection, .registerResponse(SSTP.RegisterResponse(eventId: id, registrationToken: [])))]
        }
    }

    /// Close on an EventId that is no session (3.2.5.9 from the client's side): it ends an
    /// attach or register session.
    public mutating func securitySessionClosed(_ connection: ConnectionID, eventId: UInt32) {
        update(connection) {
            $0.attachSessionIds.remove(eventId)
            $0.registerSessionIds.remove(eventId)
        }
    }
}
