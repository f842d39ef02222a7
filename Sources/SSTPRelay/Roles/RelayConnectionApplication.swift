import NIOCore
import SSTPCore
import SSTPRoles
import WinteropTransport
import SSTPRelayCore

/// One connection of the relay: it gathers each received sequence's payload, hands the
/// relay's events to the shared core (``RelayHub``) and keeps the addressing entry of
/// each inbound session. Every method runs on the connection's event loop.
final class RelayConnectionApplication: WholeMessageAssembly {
    let id: SSTPRelay.ConnectionID
    let hub: RelayHub
    weak var handler: SSTPConnectionHandler?
    /// Inbound sessions' addressing entries (3.1.5.5).
    private var entries: [UInt32: SSTP.AddressingEntry] = [:]
    /// The sequence being received per inbound session.
    var receiving: [UInt32: ByteBuffer] = [:]
    /// Inbound sessions opened with FanoutOpen (3.3.5.6).
    private var fanouts: Set<UInt32> = []
    private var peer = "?"

    init(id: SSTPRelay.ConnectionID, hub: RelayHub) {
        self.id = id
        self.hub = hub
        hub.withCore { $0.transportActive(id); return [] }
    }

    func admission(for connect: SSTP.Connect, on handler: SSTPConnectionHandler) -> SSTP.ConnectAdmission {
        hub.read { $0.admission(sourceDeviceURLs: connect.sourceDeviceURLs) }
    }

    func connectionEstablished(_ handler: SSTPConnectionHandler, version: SSTP.Version, peerDeviceURLs: [String]) {
        peer = handler.remoteAddress?.hostPortText ?? "?"
        hub.withCore { core in
            let actions = core.connectionEstablished(id, sourceDeviceURLs: peerDeviceURLs)
            let devices = actions.compactMap { if case .deviceAttached(_, let device) = $0 { device } else { nil } }
            hub.events.emit(SSTPRelayEvent.connected(connection: id, peer: peer, version: version, devices: devices))
            return actions
        }
    }

    func connectionEnded(_ handler: SSTPConnectionHandler, cause: SSTP.ConnectionEndCause, unacknowledged: [SSTP.OutboundMessageList.Entry]) {
        hub.unregister(id)
        hub.withCore { $0.connectionEnded(id) }
        if case .closedLocally(let reason, let violation?) = cause {
            hub.events.emit(SSTPRelayEvent.protocolError(connection: id, reason: reason.description, detail: violation))
        }
        hub.events.emit(SSTPRelayEvent.connectionClosed(connection: id, peer: peer))
    }

    // MARK: Deposits (inbound sessions)

    func openReceived(_ handler: SSTPConnectionHandler, sessionId: UInt32, entry: SSTP.AddressingEntry) -> SSTP.ResourceHandlerAvailability {
        let availability = hub.read { $0.openReceived(entry) }
        if availability == .ready { entries[sessionId] = entry }
        return availability
    }

    func messageReceived(_ handler: SSTPConnectionHandler, entry: SSTP.InboundMessageList.Entry) {
        let payload = receiving.removeValue(forKey: entry.sessionId) ?? ByteBuffer()
        guard let addressing = entries[entry.sessionId] ?? (fanouts.contains(entry.sessionId) ? SSTP.AddressingEntry(resourceURL: "", identityURL: "") : nil) else {
            // A sequence on a session that was never accepted cannot reach here; complete it.
            handler.resourceHandlerCompleted(sequence: entry.sequence)
            return
        }
        let deposit = SSTPRelay.Deposit(connection: id, sequence: entry.sequence)
        let bytes = Array(payload.readableBytesView)
        if fanouts.contains(entry.sessionId) {
            hub.withCore { $0.fanoutMessageReceived(deposit, sessionId: entry.sessionId, message: entry.message, payload: bytes, now: .now()) }
            return
        }
        hub.withCore { $0.messageReceived(deposit, entry: addressing, message: entry.message, payload: bytes, now: .now()) }
    }

    // MARK: Deliveries (outbound sessions)

    func sessionStateChanged(_ handler: SSTPConnectionHandler, sessionId: UInt32, direction: SSTP.SessionDirection, state: SSTP.SessionState) {
        guard direction == .outbound else {
            // An accepted FanoutOpen: its sequences are multi-drop deposits.
            if state == .suspended, hub.read({ $0.isFanoutSession(id, sessionId: sessionId) }) { fanouts.insert(sessionId) }
            return
        }
        hub.withCore { $0.deliverySessionStateChanged(connection: id, sessionId: sessionId, state: state) }
    }

    func sessionRefused(_ handler: SSTPConnectionHandler, sessionId: UInt32, response: SSTP.OpenResponse.ResponseId?) {
        hub.withCore { $0.deliverySessionClosed(connection: id, sessionId: sessionId) }
    }

    func sessionClosed(_ handler: SSTPConnectionHandler, sessionId: UInt32, direction: SSTP.SessionDirection, reason: SSTP.Close.Reason, byPeer: Bool) {
        switch direction {
        case .outbound:
            hub.withCore { $0.deliverySessionClosed(connection: id, sessionId: sessionId) }
        case .inbound:
            if fanouts.remove(sessionId) != nil { hub.withCore { $0.fanoutSessionClosed(id, sessionId: sessionId) } }
            entries[sessionId] = nil
            receiving[sessionId] = nil
        }
    }

    func messagesAcknowledged(_ handler: SSTPConnectionHandler, entries acknowledged: [SSTP.OutboundMessageList.Entry]) {
        let references = acknowledged.map(\.reference)
        hub.withCore { core in
            let actions = core.messagesAcknowledged(connection: id, references: references)
            for case .remove(let ids) in actions {
                hub.count { $0.acknowledged += ids.count }
                hub.events.emit(SSTPRelayEvent.acknowledged(connection: id, ids: ids))
            }
            return actions
        }
    }

    // MARK: Relay commands (3.3.5)

    func commandForHigherLayer(_ handler: SSTPConnectionHandler, command: SSTP.Command) {
        switch command {
        case .attach(let attach):
            let exists = handler.machine.sessionState(attach.eventId) != nil
            hub.withCore { $0.attachReceived(id, attach, sessionExists: exists) }
        case .attachAuthenticate(let authenticate):
            hub.withCore { $0.attachAuthenticateReceived(id, authenticate) }
        case .register(let register):
            let exists = handler.machine.sessionState(register.eventId) != nil
            hub.withCore { $0.registerReceived(id, register, sessionExists: exists) }
        case .close(let close):
            hub.withCore { $0.securitySessionClosed(id, eventId: close.sessionId); return [] }
        case .fanoutOpen(let open):
            let exists = handler.machine.sessionState(open.sessionId) != nil
            let version = handler.machine.version
            hub.withCore { $0.fanoutOpenReceived(id, open, version: version, sessionExists: exists) }
        case .connectAuthenticate:
            break  // tokens are the authenticator's; the open policy needs none
        default:
            break
        }
    }
}
