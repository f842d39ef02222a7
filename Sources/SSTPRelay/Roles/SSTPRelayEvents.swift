import SSTPCore
import WinteropTransport
import WinteropWire
import WinteropFormat

/// Everything `winterop sstp relay` (and `serve`'s sstp-relay) reports: the whole
/// `--json` contract of the relay. `connection` numbers connections from 1.
public enum SSTPRelayEvent: RoleEvent {
    /// The store was opened: how many messages and identity registrations it holds from before.
    case storeOpened(path: String, stored: Int, registrations: Int)
    /// A Connect was answered Ok; `devices` are the SourceDeviceURLs now attached.
    case connected(connection: Int, peer: String, version: SSTP.Version, devices: [String])
    case connectionClosed(connection: Int, peer: String)
    /// A Register session registered `device` for `identity` (3.3.5.17).
    case identityRegistered(connection: Int, identity: String, device: String)
    /// A received sequence is committed for `recipients` and acknowledged (3.1.4.7).
    case stored(connection: Int, ids: [Int64], recipients: [String], size: Int)
    /// Shared (PostgreSQL) store: this relay claimed these stored messages for devices attached to it.
    case claimed(ids: [Int64], devices: [String])
    /// A stored message was sent on a delivery session.
    case delivered(connection: Int, id: Int64, device: String)
    /// The device acknowledged delivered messages: they left the store.
    case acknowledged(connection: Int, ids: [Int64])
    /// A TTL timer discarded a stored message (3.3.6).
    case discarded(id: Int64, device: String, reason: String)
    /// The store could not commit: the messages are not acknowledged.
    case storeFailed(message: String)
    /// The peer broke a relay rule; `reason` is the ConnectClose sent.
    case protocolError(connection: Int, reason: String, detail: String)
    /// A sequence for `identity` was refused: it would pass the identity's quota.
    case quotaExceeded(connection: Int, identity: String)
    /// A relay-to-relay connection for single-hop fanout is established (3.3.5.6.1).
    case peerConnected(connection: Int, relay: String, peer: String, version: SSTP.Version)
    /// No relay-to-relay connection could be made: its single-hop entries fault with `status`.
    case peerFailed(relay: String, status: String, reason: String)
    /// A relay-to-relay connection ended: its single-hop entries fault with ConnectionClosed.
    case peerClosed(connection: Int, relay: String, cause: String)
    /// A fanout sequence was forwarded on a single-hop session (3.3.5.12.1.2).
    case forwarded(connection: Int, sessionId: UInt32, size: Int)
    /// Entries of an inbound fanout session faulted; SessionStatus went to its originator (3.3.4.1.2).
    case fanoutFaulted(connection: Int, sessionId: UInt32, status: String, entries: [Int])

    public var name: String {
        switch self {
        case .storeOpened: "store_opened"
        case .connected: "connected"
        case .connectionClosed: "connection_closed"
        case .identityRegistered: "identity_registered"
        case .stored: "stored"
        case .claimed: "claimed"
        case .delivered: "delivered"
        case .acknowledged: "acknowledged"
        case .discarded: "discarded"
        case .storeFailed: "store_failed"
        case .protocolError: "protocol_error"
        case .quotaExceeded: "quota_exceeded"
        case .peerConnected: "peer_connected"
        case .peerFailed: "peer_failed"
        case .peerClosed: "peer_closed"
        case .forwarded: "forwarded"
        case .fanoutFaulted: "fanout_faulted"
        }
    }

    public var fields: [(String, JSONValue)] {
        switch self {
        case .storeOpened(let path, let stored, let registrations):
            [("path", .string(path)), ("stored", .int(Int64(stored))), ("registrations", .int(Int64(registrations)))]
        case .connected(let id, let peer, let version, let devices):
            [("connection", .int(Int64(id))), ("peer", .string(peer)), ("version", .string(version.description)),
             ("devices", .array(devices.map { .string($0) }))]
        case .connectionClosed(let id, let peer):
            [("connection", .int(Int64(id))), ("peer", .string(peer))]
        case .identityRegistered(let id, let identity, let device):
            [("connection", .int(Int64(id))), ("identity", .string(identity)), ("device", .string(device))]
        case .stored(let id, let ids, let recipients, let size):
            [("connection", .int(Int64(id))), ("ids", .array(ids.map { .int($0) })),
             ("recipients", .array(recipients.map { .string($0) })), ("size", .int(Int64(size)))]
        case .claimed(let ids, let devices):
            [("ids", .array(ids.map { .int($0) })), ("devices", .array(devices.map { .string($0) }))]
        case .delivered(let id, let message, let device):
            [("connection", .int(Int64(id))), ("id", .int(message)), ("device", .string(device))]
        case .acknowledged(let id, let ids):
            [("connection", .int(Int64(id))), ("ids", .array(ids.map { .int($0) }))]
        case .discarded(let id, let device, let reason):
            [("id", .int(id)), ("device", .string(device)), ("reason", .string(reason))]
        case .storeFailed(let message):
            [("message", .string(message))]
        case .protocolError(let id, let reason, let detail):
            [("connection", .int(Int64(id))), ("reason", .string(reason)), ("detail", .string(detail))]
        case .quotaExceeded(let id, let identity):
            [("connection", .int(Int64(id))), ("identity", .string(identity))]
        case .peerConnected(let id, let relay, let peer, let version):
            [("connection", .int(Int64(id))), ("relay", .string(relay)), ("peer", .string(peer)), ("version", .string(version.description))]
        case .peerFailed(let relay, let status, let reason):
            [("relay", .string(relay)), ("status", .string(status)), ("reason", .string(reason))]
        case .peerClosed(let id, let relay, let cause):
            [("connection", .int(Int64(id))), ("relay", .string(relay)), ("cause", .string(cause))]
        case .forwarded(let id, let sessionId, let size):
            [("connection", .int(Int64(id))), ("session", .int(Int64(sessionId))), ("size", .int(Int64(size)))]
        case .fanoutFaulted(let id, let sessionId, let status, let entries):
            [("connection", .int(Int64(id))), ("session", .int(Int64(sessionId))), ("status", .string(status)),
             ("entries", .array(entries.map { .int(Int64($0)) }))]
        }
    }

    public var text: String {
        switch self {
        case .storeOpened(let path, let stored, let registrations):
            "store \(path): \(stored) message\(stored == 1 ? "" : "s") waiting, \(registrations) identity registration\(registrations == 1 ? "" : "s")"
        case .connected(let id, let peer, let version, let devices):
            "connection \(id) from \(peer) (SSTP \(version)): \(devices.isEmpty ? "no device attached" : "attached " + devices.joined(separator: ", "))"
        case .connectionClosed(let id, let peer): "connection \(id) from \(peer) closed"
        case .identityRegistered(let id, let identity, let device): "connection \(id): \(device) registered for \(identity)"
        case .stored(let id, let ids, let recipients, let size):
            "connection \(id): stored \(size) bytes for \(recipients.joined(separator: ", ")) (id \(ids.map(String.init).joined(separator: ", ")))"
        case .claimed(let ids, let devices):
            "claimed \(ids.count) stored message\(ids.count == 1 ? "" : "s") for \(devices.joined(separator: ", "))"
        case .delivered(let id, let message, let device): "connection \(id): delivered message \(message) to \(device)"
        case .acknowledged(let id, let ids): "connection \(id): \(ids.count) message\(ids.count == 1 ? "" : "s") acknowledged and removed"
        case .discarded(let id, let device, let reason): "message \(id) for \(device) discarded: \(reason)"
        case .storeFailed(let message): "store failed: \(message)"
        case .protocolError(let id, let reason, let detail): "connection \(id): closed with \(reason): \(detail)"
        case .quotaExceeded(let id, let identity): "connection \(id): refused a message for \(identity): its quota would be exceeded"
        case .peerConnected(let id, let relay, let peer, let version): "connection \(id) to relay \(relay) at \(peer) (SSTP \(version))"
        case .peerFailed(let relay, let status, let reason): "relay \(relay) unreachable (\(status)): \(reason)"
        case .peerClosed(let id, let relay, let cause): "connection \(id) to relay \(relay) ended: \(cause)"
        case .forwarded(let id, let sessionId, let size): "connection \(id): forwarded \(size) bytes on single-hop session \(sessionId)"
        case .fanoutFaulted(let id, let sessionId, let status, let entries):
            "connection \(id): fanout session \(sessionId) lost entr\(entries.count == 1 ? "y" : "ies") \(entries.map(String.init).joined(separator: ", ")) (\(status))"
        }
    }
}
