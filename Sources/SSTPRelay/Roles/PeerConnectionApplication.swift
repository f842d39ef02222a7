import NIOCore
import SSTPCore
import SSTPRoles
import WinteropTransport
import SSTPRelayCore

/// This relay's side of a relay-to-relay connection it initiated (3.3.5.6.1): it carries
/// only outbound single-hop fanout sessions, and hands their events to the core.
/// Every method runs on the connection's event loop.
final class PeerConnectionApplication: SSTPApplication {
    let id: SSTPRelay.ConnectionID
    let relayURL: String
    let hub: RelayHub
    private var established = false

    init(id: SSTPRelay.ConnectionID, relayURL: String, hub: RelayHub) {
        self.id = id
        self.relayURL = relayURL
        self.hub = hub
    }

    func connectionEstablished(_ handler: SSTPConnectionHandler, version: SSTP.Version, peerDeviceURLs: [String]) {
        established = true
        hub.events.emit(SSTPRelayEvent.peerConnected(connection: id, relay: relayURL, peer: handler.remoteAddress?.hostPortText ?? "?", version: version))
        hub.withCore { $0.peerEstablished(relayURL: relayURL, connection: id) }
    }

    func connectionEnded(_ handler: SSTPConnectionHandler, cause: SSTP.ConnectionEndCause, unacknowledged: [SSTP.OutboundMessageList.Entry]) {
        hub.unregister(id)
        if established {
            hub.withCore { $0.connectionEnded(id) }
            hub.events.emit(SSTPRelayEvent.peerClosed(connection: id, relay: relayURL, cause: "\(cause)"))
        } else {
            // ConnectResponse not Ok, or no answer: ConnectionClosed (3.3.5.2).
            hub.withCore { $0.peerFailed(relayURL: relayURL, status: .connectionClosed) }
            hub.events.emit(SSTPRelayEvent.peerFailed(relay: relayURL, status: SSTP.SessionStatus.StatusId.connectionClosed.description, reason: "\(cause)"))
        }
    }

    /// A remote relay has nothing to deliver to this one: refused.
    func openReceived(_ handler: SSTPConnectionHandler, sessionId: UInt32, entry: SSTP.AddressingEntry) -> SSTP.ResourceHandlerAvailability {
        .fault(.noReason)
    }

    func sessionStateChanged(_ handler: SSTPConnectionHandler, sessionId: UInt32, direction: SSTP.SessionDirection, state: SSTP.SessionState) {
        guard direction == .outbound else { return }
        hub.withCore { $0.singleHopStateChanged(connection: id, sessionId: sessionId, state: state) }
    }

    func sessionRefused(_ handler: SSTPConnectionHandler, sessionId: UInt32, response: SSTP.OpenResponse.ResponseId?) {
        hub.withCore { $0.singleHopClosed(connection: id, sessionId: sessionId) }
    }

    func sessionClosed(_ handler: SSTPConnectionHandler, sessionId: UInt32, direction: SSTP.SessionDirection, reason: SSTP.Close.Reason, byPeer: Bool) {
        guard direction == .outbound else { return }
        hub.withCore { $0.singleHopClosed(connection: id, sessionId: sessionId) }
    }

    func fanoutDestinationsRemoved(_ handler: SSTPConnectionHandler, sessionId: UInt32, status: SSTP.SessionStatus.StatusId, indexes: [Int]) {
        hub.withCore { $0.singleHopStatus(connection: id, sessionId: sessionId, status: status, indexes: indexes) }
    }

    func messagesAcknowledged(_ handler: SSTPConnectionHandler, entries: [SSTP.OutboundMessageList.Entry]) {
        let references = entries.map(\.reference)
        hub.withCore { $0.messagesAcknowledged(connection: id, references: references) }
    }
}
