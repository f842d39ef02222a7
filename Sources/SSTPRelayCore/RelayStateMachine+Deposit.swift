import NIOCore
import SSTPCore

extension SSTPRelay.RelayStateMachine {
    public typealias Recipient = SSTPRelay.Recipient
    public typealias StoredMessage = SSTPRelay.StoredMessage
    public typealias RelayAction = SSTPRelay.RelayAction
    public typealias ConnectionID = SSTPRelay.ConnectionID

    // MARK: Receiving sessions addressed to recipients (1.3.5.2.1)

    /// The recipients an Open's addressing entry names: its device, or for an
    /// identity-targeted entry (empty DeviceURL) every device registered for the identity.
    public func recipients(of entry: SSTP.AddressingEntry) -> [Recipient] {
        let devices = entry.deviceURL.isEmpty ? (registrations[entry.identityURL] ?? []).sorted() : [entry.deviceURL]
        return devices.map { Recipient(resourceURL: entry.resourceURL, identityURL: entry.identityURL, deviceURL: $0) }
    }

    /// ResourceHandlerAvailability for an inbound Open (3.1.5.5): ready when it names at
    /// least one recipient, a fault (NoReason) for an identity nobody registered.
    public func openReceived(_ entry: SSTP.AddressingEntry) -> SSTP.ResourceHandlerAvailability {
        recipients(of: entry).isEmpty ? .fault(.noReason) : .ready
    }

    /// EndMessage of a sequence on a session addressed to `entry` (3.3.5.12): one stored copy
    /// per recipient, with the TTL timers of 3.3.2 when D or E is set. Acknowledged
    /// (``SSTPRelay/RelayAction/acknowledgeDeposit(_:)``) only after ``depositCommitted(_:now:)``.
    ///
    /// A sequence that would pass the identity's quota is not stored: the session is closed
    /// with QuotaWouldBeExceeded (3.1.4.5, 2.2.9.1), in the order ``refuseForQuota(_:sessionId:)``
    /// gives, so the originator can tell the refused sequence from those stored.
    public mutating func messageReceived(
        _ deposit: SSTPRelay.Deposit, entry: SSTP.AddressingEntry, message: SSTP.Message, payload: [UInt8], now: NIODeadline
    ) -> [RelayAction] {
        let recipients = recipients(of: entry)
        if quotaWouldBeExceeded(identityURL: entry.identityURL, copies: recipients.count, size: payload.count) {
            return [.quotaExceeded(deposit.connection, identityURL: entry.identityURL)]
                + refuseForQuota(deposit, sessionId: message.sessionId)
        }
        return messageReceived(deposit, recipients: recipients, message: message, payload: payload, now: now)
    }

    /// Whether `copies` more messages of `size` bytes for `identityURL` would pass its quota.
    func quotaWouldBeExceeded(identityURL: String, copies: Int, size: Int) -> Bool {
        configuration.quota.wouldBeExceeded(by: copies, of: size, after: usage[identityURL] ?? .init())
    }

    /// The same for explicit recipients (a multi-drop fanout sequence, 3.3.5.12.1.1).
    mutating func messageReceived(
        _ deposit: SSTPRelay.Deposit, recipients: [Recipient], message: SSTP.Message, payload: [UInt8], now: NIODeadline
    ) -> [RelayAction] {
        var stored = message
        stored.sessionId = 0
        stored.messageCount = 0
        let expiry = Self.expiry(of: message, now: now, offlineTTL: configuration.offlineDeliveryTTL)
        let copies = recipients.map {
            StoredMessage(id: allocateId(), recipient: $0, message: stored, payload: payload, expiry: expiry)
        }
        for copy in copies { usage[copy.recipient.identityURL, default: .init()].add(payload.count) }
        guard !copies.isEmpty else {
            // Nobody to store it for (the identity's registrations went meanwhile): handled.
            return [.acknowledgeDeposit(deposit)]
        }
        committing[deposit] = copies
        return [.store(copies, deposit)]
    }

    /// When the Offline Device Delivery Data TTL (D, 3.3.2.1) or the Ephemeral Data Delivery
    /// Timer (E with a non-zero TTL, 3.3.2.2) discards the sequence: the earlier of the two.
    static func expiry(of message: SSTP.Message, now: NIODeadline, offlineTTL: TimeAmount) -> NIODeadline? {
        var deadlines: [NIODeadline] = []
        if message.doNotDeliverIfOffline { deadlines.append(now + offlineTTL) }
        if let ephemeral = message.ephemeral, ephemeral.ttl > 0 { deadlines.append(now + .seconds(Int64(ephemeral.ttl))) }
        return deadlines.min()
    }

    /// The store committed the deposit: it is acknowledged, and delivered to attached recipients.
    public mutating func depositCommitted(_ deposit: SSTPRelay.Deposit, now: NIODeadline) -> [RelayAction] {
        guard let copies = committing.removeValue(forKey: deposit) else {
            return [.acknowledgeDeposit(deposit)] + releaseRefusals(deposit.connection)
        }
        var actions: [RelayAction] = []
        if var progress = fanoutProgress[deposit] {
            // A fanout sequence with single-hop parts: complete once they are too (3.3.4.2.2).
            progress.localCommitPending = false
            fanoutProgress[deposit] = progress.isComplete ? nil : progress
            if progress.isComplete { actions.append(.acknowledgeDeposit(deposit)) }
        } else {
            actions.append(.acknowledgeDeposit(deposit))
        }
        if configuration.sharedStore {
            // In the shared store: the relay each recipient is attached to claims it.
            for copy in copies { usage[copy.recipient.identityURL]?.remove(copy.payload.count) }
            return actions + releaseRefusals(deposit.connection)
        }
        var recipients: [Recipient] = []
        for copy in copies {
            pending[copy.recipient, default: []].append(copy)
            if !recipients.contains(copy.recipient) { recipients.append(copy.recipient) }
        }
        for recipient in recipients { actions += deliverOrOpen(recipient) }
        actions += scheduleTimer(for: copies)
        return actions + releaseRefusals(deposit.connection)
    }
}
