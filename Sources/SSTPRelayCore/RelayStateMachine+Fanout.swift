import NIOCore
import SSTPCore

extension SSTPRelay.RelayStateMachine {
    // MARK: Multi-drop fanout (3.3.5.6, 3.3.4.1.2, 3.3.4.2.2, 3.3.5.12.1)

    /// The addressing entry of one FanoutAddressingList entry on this relay.
    static func addressing(_ entry: SSTP.FanoutOpen.Entry, resourceURL: String) -> SSTP.AddressingEntry {
        SSTP.AddressingEntry(resourceURL: resourceURL, identityURL: entry.identityURL, deviceURL: entry.deviceURL)
    }

    /// FanoutOpen (3.3.5.6). An EventId already in use closes the connection with
    /// TooManyUnknownSessionCmds; otherwise the ResponseId rules of 3.3.5.6 (a local entry is
    /// valid when its IdentityURL is non-empty and it names a device, directly or by
    /// registration; a remote one when its IdentityURL is non-empty). Accepted: OkStopSending,
    /// every entry 'notReady'. The store takes every local recipient at once, so each local
    /// entry turns 'ready' unless its device is locked out (fault LockedOut, SessionStatus);
    /// remote entries follow their single-hop session (3.3.5.6.1), so StartSending waits for
    /// every remote relay's session to be 'ready' (4.2.6).
    public mutating func fanoutOpenReceived(_ connection: ConnectionID, _ open: SSTP.FanoutOpen, version: SSTP.Version, sessionExists: Bool) -> [RelayAction] {
        guard attached(connection) != nil else {
            return [.closeConnection(connection, .tooManyUnknownSessionCmds, detail: "FanoutOpen before the connection was established")]
        }
        if sessionExists {
            return [.closeConnection(connection, .tooManyUnknownSessionCmds, detail: "FanoutOpen for session \(open.sessionId), which already exists (3.3.5.6)")]
        }
        let local = localDeviceURLs
        let response = SSTPRelay.FanoutReceiver.responseId(
            for: open, localDeviceURLs: local, multidropSupported: multidropSupported, singleHopSupported: singleHopSupported
        ) { entry in
            guard !entry.identityURL.isEmpty else { return false }
            guard SSTPRelay.FanoutReceiver.isLocal(entry, localDeviceURLs: local) else { return true }
            return !recipients(of: Self.addressing(entry, resourceURL: open.resourceURL)).isEmpty
        }
        guard response == .okStopSending else {
            return [.reply(connection, .openResponse(SSTP.OpenResponse(sessionId: open.sessionId, responseId: response)))]
        }
        var receiver = SSTPRelay.FanoutReceiver(open: open, version: version)
        var actions: [RelayAction] = [.acceptFanoutSession(
            connection, sessionId: open.sessionId,
            SSTP.AddressingEntry(resourceURL: open.resourceURL, identityURL: open.entries[0].identityURL)
        )]
        var locked: [Int] = []
        for (index, entry) in open.entries.enumerated() where SSTPRelay.FanoutReceiver.isLocal(entry, localDeviceURLs: local) {
            let devices = recipients(of: Self.addressing(entry, resourceURL: open.resourceURL)).map(\.deviceURL)
            if devices.contains(where: configuration.lockedOutDevices.contains) {
                locked.append(index)
            } else {
                actions += receiver.availabilityChanged(index: index, ready: true).map { .fanout(connection, sessionId: open.sessionId, $0) }
            }
        }
        actions += receiver.faulted(indexes: locked, status: .lockedOut).map { .fanout(connection, sessionId: open.sessionId, $0) }
        if !locked.isEmpty { actions.append(.fanoutFaulted(connection, sessionId: open.sessionId, .lockedOut, entries: locked)) }
        if actions.contains(.fanout(connection, sessionId: open.sessionId, .closeEmptySession)) { return actions }
        update(connection) { $0.fanouts[open.sessionId] = receiver }
        return actions + startSingleHops(connection, open)
    }

    /// Whether `sessionId` is an inbound fanout session of the connection.
    public func isFanoutSession(_ connection: ConnectionID, sessionId: UInt32) -> Bool {
        attached(connection)?.fanouts[sessionId] != nil
    }

    /// EndMessage on a fanout session (3.3.5.12.1): one stored copy per recipient of every
    /// available local entry (multi-drop, 3.3.5.12.1.1), and the sequence forwarded on each
    /// single-hop session that still carries an available entry (3.3.5.12.1.2). The local
    /// entries' MessageProcessingState turns 'complete' with the one commit that holds all
    /// copies, a single-hop session's entries with the remote relay's acknowledgment
    /// (3.3.5.19); the sequence is acknowledged once all are (3.3.4.2.2).
    public mutating func fanoutMessageReceived(
        _ deposit: SSTPRelay.Deposit, sessionId: UInt32, message: SSTP.Message, payload: [UInt8], now: NIODeadline
    ) -> [RelayAction] {
        guard var receiver = attached(deposit.connection)?.fanouts[sessionId] else { return [.acknowledgeDeposit(deposit)] }
        // Local entries whose identity would pass its quota fault (QuotaWouldBeExceeded, 3.3.4.1.2).
        let overQuota = receiver.entries.indices.filter { index in
            let entry = receiver.entries[index]
            guard receiver.isAvailable(index), SSTPRelay.FanoutReceiver.isLocal(entry, localDeviceURLs: localDeviceURLs) else { return false }
            let copies = recipients(of: Self.addressing(entry, resourceURL: receiver.resourceURL)).count
            return quotaWouldBeExceeded(identityURL: entry.identityURL, copies: copies, size: payload.count)
        }
        var actions = overQuota.map { RelayAction.quotaExceeded(deposit.connection, identityURL: receiver.entries[$0].identityURL) }
        actions += faultEntries(deposit.connection, sessionId: sessionId, overQuota, status: .quotaWouldBeExceeded, relayURL: "")
        if let updated = attached(deposit.connection)?.fanouts[sessionId] { receiver = updated }
        var seen = Set<Recipient>()
        let targets = receiver.entries.indices
            .filter { receiver.isAvailable($0) && SSTPRelay.FanoutReceiver.isLocal(receiver.entries[$0], localDeviceURLs: localDeviceURLs) }
            .flatMap { recipients(of: Self.addressing(receiver.entries[$0], resourceURL: receiver.resourceURL)) }
            .filter { seen.insert($0).inserted }
        let hops = singleHops.filter { $0.value.origin == deposit.connection && $0.value.originSessionId == sessionId && !$0.value.closing
            && $0.value.entryIndexes.contains(where: receiver.isAvailable) }.keys.sorted()
        guard !hops.isEmpty else {
            return actions + messageReceived(deposit, recipients: targets, message: message, payload: payload, now: now)
        }
        fanoutProgress[deposit] = SSTPRelay.FanoutProgress(localCommitPending: !targets.isEmpty, hops: Set(hops))
        if !targets.isEmpty { actions += messageReceived(deposit, recipients: targets, message: message, payload: payload, now: now) }
        for hop in hops { actions += enqueueForward(hop, SSTPRelay.SingleHop.Forward(deposit: deposit, message: message, payload: payload)) }
        return actions
    }

    /// The fanout session ended (Close either way, or EmptySession): its single-hop
    /// sessions get Close EmptySession (3.3.5.9).
    public mutating func fanoutSessionClosed(_ connection: ConnectionID, sessionId: UInt32) -> [RelayAction] {
        update(connection) { $0.fanouts[sessionId] = nil }
        return closeSingleHops(origin: connection, sessionId: sessionId, originGone: false)
    }
}
