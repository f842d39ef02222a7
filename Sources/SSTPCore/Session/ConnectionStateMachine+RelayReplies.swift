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
