import NIOCore
import SSTPCore

extension SSTPRelay.RelayStateMachine {
    // MARK: Multi-drop fanout (3.3.5.6, 3.3.4.1.2, 3.3.4.2.2, 3.3.5.12.1)

    /// The addressing entry of one FanoutAddressingList entry on this relay.
    static func addressing(_ entry: SSTP.FanoutOpen.Entry, resourceURL: String) -> SSTP.AddressingEntry {
        SSTP.AddressingEntry(resourceURL: resourceURL, identityURL: entry.identityURL, deviceURL: entry.deviceURL)
    }

    /// FanoutOpen (3.3.5.6). An EventId already in use closes the connection with
    /// TooManyUnknownSessionCmds; otherwise the ResponseId rules of 3.3.5.6 (an entry is
    /// valid when its IdentityURL is non-empty and it names a device, directly or by
    /// registration). Accepted: OkStopSending, every entry 'notReady'; the store takes
    /// every local recipient at once, so each entry turns 'ready' (the aggregate with it,
    /// StartSending) unless its device is locked out (fault LockedOut, SessionStatus).
    public mutating func fanoutOpenReceived(_ connection: ConnectionID, _ open: SSTP.FanoutOpen, version: SSTP.Version, sessionExists: Bool) -> [RelayAction] {
        guard attached(connection) != nil else {
            return [.closeConnection(connection, .tooManyUnknownSessionCmds, detail: "FanoutOpen before the connection was established")]
        }
        if sessionExists {
            return [.closeConnection(connection, .tooManyUnknownSessionCmds, detail: "FanoutOpen for session \(open.sessionId), which already exists (3.3.5.6)")]
        }
        let response = SSTPRelay.FanoutReceiver.responseId(
            for: open, localDeviceURLs: localDeviceURLs, multidropSupported: multidropSupported, singleHopSupported: false
        ) { entry in
            !entry.identityURL.isEmpty && !recipients(of: Self.addressing(entry, resourceURL: open.resourceURL)).isEmpty
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
        for (index, entry) in open.entries.enumerated() {
            let devices = recipients(of: Self.addressing(entry, resourceURL: open.resourceURL)).map(\.deviceURL)
            if devices.contains(where: configuration.lockedOutDevices.contains) {
                locked.append(index)
            } else {
                actions += receiver.availabilityChanged(index: index, ready: true).map { .fanout(connection, sessionId: open.sessionId, $0) }
            }
        }
        actions += receiver.faulted(indexes: locked, status: .lockedOut).map { .fanout(connection, sessionId: open.sessionId, $0) }
        if actions.contains(.fanout(connection, sessionId: open.sessionId, .closeEmptySession)) { return actions }
        update(connection) { $0.fanouts[open.sessionId] = receiver }
        return actions
    }

    /// Whether `sessionId` is an inbound fanout session of the connection.
    public func isFanoutSession(_ connection: ConnectionID, sessionId: UInt32) -> Bool {
        attached(connection)?.fanouts[sessionId] != nil
    }

    /// EndMessage on a fanout session (3.3.5.12.1): one stored copy per recipient of every
    /// available entry (multi-drop, 3.3.5.12.1.1). Every entry's MessageProcessingState turns
    /// 'complete' with the one commit that holds all copies, so the sequence completes
    /// (3.3.4.2.2) and is acknowledged once that commit is done.
    public mutating func fanoutMessageReceived(
        _ deposit: SSTPRelay.Deposit, sessionId: UInt32, message: SSTP.Message, payload: [UInt8], now: NIODeadline
    ) -> [RelayAction] {
        guard let receiver = attached(deposit.connection)?.fanouts[sessionId] else { return [.acknowledgeDeposit(deposit)] }
        var seen = Set<Recipient>()
        let targets = receiver.availableEntries
            .flatMap { recipients(of: Self.addressing($0, resourceURL: receiver.resourceURL)) }
            .filter { seen.insert($0).inserted }
        return messageReceived(deposit, recipients: targets, message: message, payload: payload, now: now)
    }

    /// The fanout session ended (Close either way, or EmptySession).
    public mutating func fanoutSessionClosed(_ connection: ConnectionID, sessionId: UInt32) {
        update(connection) { $0.fanouts[sessionId] = nil }
    }
}
