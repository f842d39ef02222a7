import NIOCore
import SSTPCore

extension SSTPRelay.RelayStateMachine {
    // MARK: Delivery (1.3.5.2.1, 3.1.4.6, 3.1.5.19)

    /// Delivery sessions for every recipient on `device` with stored messages.
    mutating func openDeliveries(for device: String) -> [RelayAction] {
        let recipients = pending.keys.filter { $0.deviceURL == device && !(pending[$0]?.isEmpty ?? true) }
        return recipients.sorted { ($0.resourceURL, $0.identityURL) < ($1.resourceURL, $1.identityURL) }.flatMap { deliverOrOpen($0) }
    }

    /// Sends what is stored for `recipient` when its session is ready, opens one when there is none.
    mutating func deliverOrOpen(_ recipient: Recipient) -> [RelayAction] {
        guard pending[recipient]?.isEmpty == false, let connection = deliveryConnection(for: recipient.deviceURL),
              let attached = attached(connection) else { return [] }
        switch attached.deliveries[recipient] {
        case nil:
            update(connection) { $0.deliveries[recipient] = .opening(sessionId: nil) }
            return [.openDeliverySession(connection, recipient)]
        case .opening, .blocked:
            return []
        case .ready(let sessionId):
            let room = deliveryWindow - (inFlightCount[connection] ?? 0)
            guard room > 0, let waiting = pending[recipient]?.count else { return [] }
            // In place: no copy of what still waits.
            let sent: [StoredMessage]
            if waiting <= room {
                sent = pending.removeValue(forKey: recipient) ?? []
            } else {
                sent = Array(pending[recipient]?.prefix(room) ?? [])
                pending[recipient]?.removeFirst(room)
            }
            inFlightCount[connection, default: 0] += sent.count
            return sent.map { message in
                inFlight[message.id] = (connection, message)
                return .deliver(connection, sessionId: sessionId, message)
            }
        }
    }

    /// The shell sent Open for the delivery session (`sessionId` nil: it could not).
    public mutating func deliverySessionOpened(connection: ConnectionID, recipient: Recipient, sessionId: UInt32?) -> [RelayAction] {
        if let sessionId {
            update(connection) { $0.deliveries[recipient] = .opening(sessionId: sessionId) }
        } else {
            update(connection) { $0.deliveries[recipient] = nil }
        }
        return []
    }

    /// An outbound session changed state (3.1.5.7): ready lets stored messages flow,
    /// blocked or suspended holds them.
    public mutating func deliverySessionStateChanged(connection: ConnectionID, sessionId: UInt32, state: SSTP.SessionState) -> [RelayAction] {
        guard let recipient = recipient(connection: connection, sessionId: sessionId) else { return [] }
        switch state {
        case .ready:
            update(connection) { $0.deliveries[recipient] = .ready(sessionId: sessionId) }
            return deliverOrOpen(recipient)
        case .blocked, .suspended:
            update(connection) { $0.deliveries[recipient] = .blocked(sessionId: sessionId) }
            return []
        case .opening:
            return []
        }
    }

    /// The delivery session ended (refused, closed by either side). Messages sent on it
    /// stay in flight: a later MessageCount still acknowledges them (3.1.5.19). The next
    /// deposit for the recipient, or its next connection, opens another.
    public mutating func deliverySessionClosed(connection: ConnectionID, sessionId: UInt32) -> [RelayAction] {
        guard let recipient = recipient(connection: connection, sessionId: sessionId) else { return [] }
        update(connection) { $0.deliveries[recipient] = nil }
        return []
    }

    /// The device acknowledged these delivered messages (MessageCount, 3.1.5.19): only
    /// now are they removed from the store. On a relay-to-relay connection the remote relay
    /// acknowledged forwarded sequences (3.3.5.19).
    public mutating func messagesAcknowledged(connection: ConnectionID, references: [UInt64]) -> [RelayAction] {
        if peerConnections[connection] != nil { return forwardsAcknowledged(connection: connection, references: references) }
        var removed: [Int64] = []
        for reference in references {
            let id = Int64(bitPattern: reference)
            guard let (owner, message) = inFlight[id], owner == connection else { continue }
            inFlight[id] = nil
            removed.append(id)
            usage[message.recipient.identityURL]?.remove(message.payload.count)
        }
        guard !removed.isEmpty else { return [] }
        inFlightCount[connection, default: 0] -= removed.count
        var actions: [RelayAction] = [.remove(removed)]
        // Room in the window again: what waits for this connection's ready sessions goes.
        if let deliveries = attached(connection)?.deliveries {
            for (recipient, delivery) in deliveries.sorted(by: { ($0.key.resourceURL, $0.key.identityURL) < ($1.key.resourceURL, $1.key.identityURL) })
            where pending[recipient] != nil {
                if case .ready = delivery { actions += deliverOrOpen(recipient) }
            }
        }
        return actions
    }

    func recipient(connection: ConnectionID, sessionId: UInt32) -> Recipient? {
        attached(connection)?.deliveries.first { $0.value.sessionId == sessionId }?.key
    }
}
