import NIOCore
import SSTPCore

extension SSTPRelay.RelayStateMachine {
    public typealias SingleHopID = SSTPRelay.SingleHopID

    // MARK: Single-hop fanout (3.3.5.6.1, 3.3.5.12.1.2)

    /// The remote entries of an accepted FanoutOpen, one single-hop session per RelayURL
    /// (in the order the relays first appear), each with its OutboundFanoutAddressingList:
    /// the entries whose RelayURL is that relay (3.3.5.6.1). An established connection to
    /// the relay is used; otherwise one is asked for (3.1.4.1), shared by every session to
    /// that relay (4.3.4).
    mutating func startSingleHops(_ connection: ConnectionID, _ open: SSTP.FanoutOpen) -> [RelayAction] {
        var relays: [String] = []
        var indexesByRelay: [String: [Int]] = [:]
        for (index, entry) in open.entries.enumerated() where !SSTPRelay.FanoutReceiver.isLocal(entry, localDeviceURLs: localDeviceURLs) {
            if indexesByRelay[entry.relayURL] == nil { relays.append(entry.relayURL) }
            indexesByRelay[entry.relayURL, default: []].append(index)
        }
        var actions: [RelayAction] = []
        for relay in relays {
            let indexes = indexesByRelay[relay] ?? []
            let id = nextSingleHop
            nextSingleHop += 1
            singleHops[id] = SSTPRelay.SingleHop(
                origin: connection, originSessionId: open.sessionId, relayURL: relay, resourceURL: open.resourceURL,
                entryIndexes: indexes, entries: indexes.map { open.entries[$0] }
            )
            switch peers[relay] {
            case .established(let peer): actions += openSingleHop(id, on: peer)
            case .connecting: break
            case nil:
                peers[relay] = .connecting
                actions.append(.connectPeer(relayURL: relay))
            }
        }
        return actions
    }

    private mutating func openSingleHop(_ id: SingleHopID, on peer: ConnectionID) -> [RelayAction] {
        guard var hop = singleHops[id] else { return [] }
        hop.state = .opening(connection: peer, sessionId: nil)
        singleHops[id] = hop
        return [.openSingleHop(peer, id, resourceURL: hop.resourceURL, hop.entries)]
    }

    /// The connection to `relayURL` is established (ConnectResponse Ok, 3.3.5.2): every
    /// single-hop session waiting for it is opened with FanoutOpen.
    public mutating func peerEstablished(relayURL: String, connection: ConnectionID) -> [RelayAction] {
        peers[relayURL] = .established(connection)
        peerConnections[connection] = relayURL
        let waiting = singleHops.filter { $0.value.relayURL == relayURL && $0.value.state == .awaitingConnection }.keys.sorted()
        return waiting.flatMap { openSingleHop($0, on: connection) }
    }

    /// No connection to `relayURL` could be made: the transport failed (DNSLookupFailed or
    /// HostNotReachable, 3.3.5.6.1) or the ConnectResponse was not Ok (ConnectionClosed,
    /// 3.3.5.2). Every single-hop session waiting for it faults.
    public mutating func peerFailed(relayURL: String, status: SSTP.SessionStatus.StatusId) -> [RelayAction] {
        peers[relayURL] = nil
        let waiting = singleHops.filter { $0.value.relayURL == relayURL && $0.value.session == nil }.keys.sorted()
        return waiting.flatMap { singleHopFailed($0, status: status) }
    }

    /// The shell sent the FanoutOpen on `connection` (`sessionId` nil: it could not).
    public mutating func singleHopOpened(_ id: SingleHopID, connection: ConnectionID, sessionId: UInt32?) -> [RelayAction] {
        guard var hop = singleHops[id], hop.state == .opening(connection: connection, sessionId: nil) else {
            // The inbound session ended meanwhile: the new session goes at once.
            return sessionId.map { [.closeSingleHop(connection, sessionId: $0)] } ?? []
        }
        guard let sessionId else { return singleHopFailed(id, status: .connectionClosed) }
        hop.state = .opening(connection: connection, sessionId: sessionId)
        singleHops[id] = hop
        return []
    }

    /// The single-hop session on `connection` changed state (3.3.5.7): 'ready' makes its
    /// entries 'ready', 'opening', 'suspended' and 'blocked' make them 'notReady'
    /// (3.3.4.1.2), and a 'ready' session takes what is queued for it.
    public mutating func singleHopStateChanged(connection: ConnectionID, sessionId: UInt32, state: SSTP.SessionState) -> [RelayAction] {
        guard let id = singleHop(connection: connection, sessionId: sessionId), var hop = singleHops[id] else { return [] }
        hop.state = .open(connection: connection, sessionId: sessionId, state)
        singleHops[id] = hop
        var actions = changeAvailability(hop, ready: state == .ready)
        if state == .ready { actions += sendQueued(id) }
        return actions
    }

    /// The remote relay lost some of the session's destinations (SessionStatus, 3.3.5.8):
    /// their entries fault with the StatusId received. `indexes` count in the
    /// OutboundFanoutAddressingList.
    public mutating func singleHopStatus(connection: ConnectionID, sessionId: UInt32, status: SSTP.SessionStatus.StatusId, indexes: [Int]) -> [RelayAction] {
        guard let id = singleHop(connection: connection, sessionId: sessionId), let hop = singleHops[id] else { return [] }
        let entries = indexes.filter { hop.entryIndexes.indices.contains($0) }.map { hop.entryIndexes[$0] }
        return faultEntries(hop.origin, sessionId: hop.originSessionId, entries, status: status, relayURL: hop.relayURL)
    }

    /// The single-hop session ended without this relay closing it: refused, closed by the
    /// remote relay or by the Session Establishment Timer (3.3.5.7, 3.3.5.9): its entries
    /// fault with ConnectionClosed and the remote RelayURL.
    public mutating func singleHopClosed(connection: ConnectionID, sessionId: UInt32) -> [RelayAction] {
        guard let id = singleHop(connection: connection, sessionId: sessionId) else { return [] }
        return singleHopFailed(id, status: .connectionClosed)
    }

    /// The remote relay acknowledged forwarded sequences (3.3.5.19): their single-hop part
    /// is complete.
    mutating func forwardsAcknowledged(connection: ConnectionID, references: [UInt64]) -> [RelayAction] {
        var actions: [RelayAction] = []
        for reference in references {
            guard let forward = forwarded[reference], forward.connection == connection else { continue }
            forwarded[reference] = nil
            actions += singleHopPartDone(forward.deposit, hop: forward.hop)
        }
        return actions
    }

    /// The shell could not send a forward (the session left 'ready' after the core decided):
    /// it is queued again in receive order, for when the session is 'ready' again.
    public mutating func forwardNotSent(reference: UInt64) -> [RelayAction] {
        guard let sent = forwarded.removeValue(forKey: reference), var hop = singleHops[sent.hop] else { return [] }
        let position = hop.queue.firstIndex { $0.deposit.sequence > sent.deposit.sequence } ?? hop.queue.endIndex
        hop.queue.insert(sent.forward, at: position)
        singleHops[sent.hop] = hop
        return sendQueued(sent.hop)
    }

    /// The connection to a remote relay ended (ConnectClose either way or transport loss,
    /// 3.3.5.4, 3.3.7.1): every single-hop session on it faults with ConnectionClosed.
    mutating func peerConnectionEnded(_ connection: ConnectionID) -> [RelayAction] {
        guard let relay = peerConnections.removeValue(forKey: connection) else { return [] }
        if peers[relay] == .established(connection) { peers[relay] = nil }
        var actions: [RelayAction] = []
        for id in singleHops.filter({ $0.value.session?.connection == connection || $0.value.state == .opening(connection: connection, sessionId: nil) }).keys.sorted() {
            actions += singleHopFailed(id, status: .connectionClosed)
        }
        // Sequences sent on sessions already closed from here lose their last hop too.
        for (reference, forward) in forwarded.sorted(by: { $0.key < $1.key }) where forward.connection == connection {
            forwarded[reference] = nil
            actions += singleHopPartDone(forward.deposit, hop: forward.hop)
        }
        return actions
    }

    // MARK: The inbound side's part (3.3.5.4, 3.3.5.9, 3.3.7.1)

    /// A sequence of an inbound fanout session for single-hop session `id`: queued, and sent
    /// when the session is 'ready' (3.3.5.12.1.2).
    mutating func enqueueForward(_ id: SingleHopID, _ forward: SSTPRelay.SingleHop.Forward) -> [RelayAction] {
        singleHops[id]?.queue.append(forward)
        return sendQueued(id)
    }

    /// Sends what is queued while the session is 'ready'; a closing session is closed with
    /// EmptySession once its queue is empty.
    mutating func sendQueued(_ id: SingleHopID) -> [RelayAction] {
        guard var hop = singleHops[id] else { return [] }
        var actions: [RelayAction] = []
        if hop.isReady, let (connection, sessionId) = hop.session {
            for forward in hop.queue {
                let reference = nextForwardReference
                nextForwardReference += 1
                forwarded[reference] = SSTPRelay.ForwardedSequence(hop: id, connection: connection, forward: forward)
                actions.append(.forward(connection, sessionId: sessionId, reference: reference, forward.message, forward.payload))
            }
            hop.queue = []
        }
        singleHops[id] = hop
        if hop.closing && hop.queue.isEmpty {
            singleHops[id] = nil
            if let (connection, sessionId) = hop.session { actions.append(.closeSingleHop(connection, sessionId: sessionId)) }
        }
        return actions
    }

    /// The inbound fanout session ended (Close, EmptySession, or the originator's connection
    /// went): each of its single-hop sessions gets Close EmptySession (3.3.5.9, 3.3.7.1),
    /// once what was queued for it is sent when the originator is still connected.
    mutating func closeSingleHops(origin connection: ConnectionID, sessionId: UInt32?, originGone: Bool) -> [RelayAction] {
        var actions: [RelayAction] = []
        for id in singleHops.filter({ $0.value.origin == connection && (sessionId == nil || $0.value.originSessionId == sessionId) }).keys.sorted() {
            guard var hop = singleHops[id] else { continue }
            if originGone { hop.queue = [] }
            hop.closing = true
            singleHops[id] = hop
            if hop.session == nil {
                // Not opened yet: nothing was sent on it; a FanoutOpen under way is closed when it reports.
                singleHops[id] = nil
                for forward in hop.queue { actions += singleHopPartDone(forward.deposit, hop: id) }
                continue
            }
            actions += sendQueued(id)
        }
        return actions
    }

    // MARK: Faults and completion (3.3.4.1.2, 3.3.4.2.2)

    /// Removes single-hop session `id` with a fault for the entries it still carried; what
    /// was queued or in flight on it no longer waits for it. Reported, not retried: the
    /// entries are marked unavailable for the inbound session (3.3.4.1.2, as 3.3.5.4,
    /// 3.3.5.7–3.3.5.9 and 3.3.7.1 direct), and the SessionStatus naming them goes out before
    /// the acknowledgment of any sequence that was in flight to them, so the originator
    /// knows which of its unacknowledged sequences may not have reached them.
    private mutating func singleHopFailed(_ id: SingleHopID, status: SSTP.SessionStatus.StatusId) -> [RelayAction] {
        guard let hop = singleHops.removeValue(forKey: id) else { return [] }
        var actions = faultEntries(hop.origin, sessionId: hop.originSessionId, hop.entryIndexes, status: status, relayURL: hop.relayURL)
        for forward in hop.queue { actions += singleHopPartDone(forward.deposit, hop: id) }
        for (reference, forward) in forwarded.sorted(by: { $0.key < $1.key }) where forward.hop == id {
            forwarded[reference] = nil
            actions += singleHopPartDone(forward.deposit, hop: id)
        }
        return actions
    }

    /// Faults entries of an inbound fanout session (3.3.4.1.2): SessionStatus to the
    /// originator, and Close EmptySession when none is left.
    mutating func faultEntries(_ connection: ConnectionID, sessionId: UInt32, _ indexes: [Int], status: SSTP.SessionStatus.StatusId, relayURL: String) -> [RelayAction] {
        guard var receiver = attached(connection)?.fanouts[sessionId] else { return [] }
        let hit = indexes.filter(receiver.isAvailable)
        guard !hit.isEmpty else { return [] }
        let fanoutActions = receiver.faulted(indexes: hit, status: status, relayURL: relayURL)
        update(connection) { $0.fanouts[sessionId] = receiver }
        return [.fanoutFaulted(connection, sessionId: sessionId, status, entries: hit)]
            + fanoutActions.map { .fanout(connection, sessionId: sessionId, $0) }
    }

    /// Every entry `hop` carries turns ready or notReady (3.3.5.7).
    private mutating func changeAvailability(_ hop: SSTPRelay.SingleHop, ready: Bool) -> [RelayAction] {
        guard var receiver = attached(hop.origin)?.fanouts[hop.originSessionId] else { return [] }
        var actions: [SSTPRelay.FanoutReceiver.Action] = []
        for index in hop.entryIndexes { actions += receiver.availabilityChanged(index: index, ready: ready) }
        update(hop.origin) { $0.fanouts[hop.originSessionId] = receiver }
        return actions.map { .fanout(hop.origin, sessionId: hop.originSessionId, $0) }
    }

    /// One single-hop part of a fanout sequence is done; the whole sequence is acknowledged
    /// once every part is (3.3.4.2.2).
    private mutating func singleHopPartDone(_ deposit: SSTPRelay.Deposit, hop: SingleHopID) -> [RelayAction] {
        guard var progress = fanoutProgress[deposit] else { return [] }
        progress.hops.remove(hop)
        guard progress.isComplete else {
            fanoutProgress[deposit] = progress
            return []
        }
        fanoutProgress[deposit] = nil
        return [.acknowledgeDeposit(deposit)] + releaseRefusals(deposit.connection)
    }

    /// The single-hop session that is `sessionId` on `connection`.
    func singleHop(connection: ConnectionID, sessionId: UInt32) -> SingleHopID? {
        singleHops.first { $0.value.session.map { $0.connection == connection && $0.sessionId == sessionId } ?? false }?.key
    }
}
