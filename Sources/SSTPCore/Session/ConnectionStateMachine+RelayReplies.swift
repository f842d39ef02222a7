extension SSTP.ConnectionStateMachine {
    // MARK: Relay server replies (3.3.5.6, 3.3.5.14, 3.3.5.16, 3.3.5.17)

    /// A relay's answer to a command it took from the higher layer: AttachResponse and
    /// RegisterResponse on an attach or register session, OpenResponse to a FanoutOpen,
    /// Close of a security session.
    public mutating func sendRelayReply(_ command: SSTP.Command) throws(SSTP.UsageError) -> [Action] {
        guard configuration.role == .relayServer else { throw SSTP.UsageError("only a relay server replies to relay commands (3.3.5)") }
        switch command {
        case .attachResponse, .registerResponse, .openResponse, .close, .sessionStatus:
            try withEstablished { (_: inout Established) throws(SSTP.UsageError) in }
            return [.send(command)]
        default:
            throw SSTP.UsageError("\(command.commandId) is not a relay reply")
        }
    }
}

extension SSTP.ConnectionStateMachine {
    /// A relay accepted a FanoutOpen (3.3.5.6): OpenResponse OkStopSending, and the session
    /// is an inbound session in 'suspended' whose MessageReceiver is 'waiting'; the relay
    /// then drives it with ``resourceHandlerAvailabilityChanged(sessionId:_:)`` from its
    /// AggregateResourceHandlerAvailability (3.3.4.1.2). `entry` names the session in events.
    public mutating func fanoutSessionAccepted(sessionId id: UInt32, entry: SSTP.AddressingEntry) throws(SSTP.UsageError) -> [Action] {
        guard configuration.role == .relayServer else { throw SSTP.UsageError("only a relay server accepts FanoutOpen (3.3.5.6)") }
        return try withEstablished { (e: inout Established) throws(SSTP.UsageError) -> [Action] in
            guard e.inbound[id] == nil, e.outbound[id] == nil else { throw SSTP.UsageError("session \(id) already exists") }
            e.closedInbound.remove(id)
            e.inbound[id] = SSTP.InboundSession(state: .suspended, addressingEntry: entry, receiver: .waiting)
            return [.send(.openResponse(SSTP.OpenResponse(sessionId: id, responseId: .okStopSending))), .sessionStateChanged(sessionId: id, .inbound, .suspended)]
        }
    }
}
