import NIOConcurrencyHelpers
import NIOCore
import SSTPCore
import SSTPRoles
import WinteropTransport
import SSTPRelayCore

/// What every connection of one relay shares: the ``SSTPRelay/RelayStateMachine`` under a
/// lock, the store, and the handlers by connection. Actions are carried out in the order
/// the core gave them: each is handed to its connection's event loop (or the store's
/// writer queue) while the lock is held, so no two decisions overtake each other.
final class RelayHub: Sendable {
    let store: any SSTPRelay.MessageStore
    /// The relay's event log (for its listeners), and its events gathered per burst.
    let eventLog: EventLog
    let events: EventBatch
    private let core: NIOLockedValueBox<SSTPRelay.RelayStateMachine>
    private let handlers = NIOLockedValueBox<[SSTPRelay.ConnectionID: ConnectionOutbox]>([:])
    private let timerLoop: any EventLoop
    private let timer = NIOLockedValueBox<Scheduled<Void>?>(nil)
    let connectionCounter = NIOLockedValueBox(0)
    let peerConnector: PeerConnector
    private let counters = NIOLockedValueBox(RelayMetrics.Counters())

    init(configuration: SSTPRelayConfiguration, events: EventLog, group: any EventLoopGroup) throws(SSTPRelay.RelayStoreError) {
        let timerLoop = group.next()
        if let url = configuration.postgresURL {
            store = try SSTPRelay.PostgresRelayStore(url: url, eventLoop: group.next(), lease: configuration.claimLease)
        } else {
            store = try SSTPRelay.RelayStore(path: configuration.storePath)
        }
        // A shared store's messages are claimed by the relay each device is attached to.
        let recovered = store.isShared ? [] : try store.load()
        let stored = store.isShared ? try store.storedCount() : recovered.count
        let registrations = try store.loadRegistrations()
        eventLog = events
        self.events = EventBatch(events, loop: timerLoop)
        self.timerLoop = timerLoop
        var coreConfiguration = configuration.core
        coreConfiguration.sharedStore = store.isShared
        var machine = SSTPRelay.RelayStateMachine(configuration: coreConfiguration, recovered: recovered, registrations: registrations)
        machine.localDeviceURLs = configuration.connection.localDeviceURLs
        machine.multidropSupported = configuration.connection.multidropSupported
        machine.singleHopSupported = configuration.connection.singleHopSupported
        peerConnector = PeerConnector(peers: configuration.peers, configuration: configuration.peerConnection, group: group)
        core = NIOLockedValueBox(machine)
        eventLog.emit(SSTPRelayEvent.storeOpened(path: configuration.postgresURL.map(SSTPRelay.PostgresRelayStore.redacted) ?? configuration.storePath, stored: stored, registrations: registrations.count))
        withCore { $0.start() }
        claims?.start(.init(
            attachedDevices: { [weak self] in self?.read(\.attachedDeviceURLs) ?? [] },
            claimed: { [weak self] messages in
                var devices: [String] = []
                for m in messages where !devices.contains(m.recipient.deviceURL) { devices.append(m.recipient.deviceURL) }
                self?.events.emit(SSTPRelayEvent.claimed(ids: messages.map(\.id), devices: devices))
                self?.withCore { $0.messagesClaimed(messages, now: .now()) }
            },
            registered: { [weak self] learned in self?.withCore { $0.registrationsLearned(learned); return [] } }
        ))
    }

    /// The shared store's claims of this relay process (PostgreSQL).
    private var claims: SSTPRelay.PostgresClaims? { (store as? SSTPRelay.PostgresRelayStore)?.claims }

    func register(_ id: SSTPRelay.ConnectionID, _ handler: SSTPConnectionHandler, on loop: any EventLoop) {
        handlers.withLockedValue { $0[id] = ConnectionOutbox(handler, on: loop) }
    }

    func unregister(_ id: SSTPRelay.ConnectionID) {
        _ = handlers.withLockedValue { $0.removeValue(forKey: id) }
    }

    /// The metrics now, in the Prometheus text format.
    func metricsText() -> String {
        let gauges = read(\.gauges)
        return RelayMetrics.render(gauges: gauges, counters: counters.withLockedValue { $0 }, commits: store.commitStatistics)
    }

    func count(_ body: (inout RelayMetrics.Counters) -> Void) {
        counters.withLockedValue { body(&$0) }
    }

    /// Reads the core.
    func read<R>(_ body: (SSTPRelay.RelayStateMachine) -> R) -> R {
        core.withLockedValue { body($0) }
    }

    /// Runs one core event and carries out its actions.
    func withCore(_ body: (inout SSTPRelay.RelayStateMachine) -> [SSTPRelay.RelayAction]) {
        core.withLockedValue { core in
            let actions = body(&core)
            for action in actions { dispatch(action) }
        }
    }

    /// Hands one action to whoever carries it out (called with the core's lock held).
    private func dispatch(_ action: SSTPRelay.RelayAction) {
        switch action {
        case .store(let copies, let deposit):
            store.submit(.init(insert: copies)) { [self] result in
                switch result {
                case .success(let ids):
                    count { $0.deposits += copies.count; $0.depositBytes += copies.reduce(0) { $0 + $1.payload.count } }
                    events.emit(SSTPRelayEvent.stored(
                        connection: deposit.connection, ids: ids,
                        recipients: copies.map(\.recipient.deviceURL), size: copies.first?.payload.count ?? 0
                    ))
                    withCore { $0.depositCommitted(deposit, now: .now()) }
                case .failure(let error):
                    // Not acknowledged: the depositor sends it again on its next connection.
                    count { $0.storeFailures += 1 }
                    events.emit(SSTPRelayEvent.storeFailed(message: error.description))
                }
            }
        case .acknowledgeDeposit(let deposit):
            onHandler(deposit.connection) { $0.resourceHandlerCompleted(sequence: deposit.sequence) }
        case .remove(let ids):
            store.submit(.init(delete: ids)) { [events] result in
                if case .failure(let error) = result { events.emit(SSTPRelayEvent.storeFailed(message: error.description)) }
            }
        case .claim(let devices):
            claims?.claim(devices)
        case .release(let ids):
            store.submit(.init(release: ids)) { [events] result in
                if case .failure(let error) = result { events.emit(SSTPRelayEvent.storeFailed(message: error.description)) }
            }
        case .openDeliverySession(let connection, let recipient):
            let delivered = onHandler(connection) { [self] handler in
                let sessionId = handler.openSession(recipient.addressingEntry)
                withCore { $0.deliverySessionOpened(connection: connection, recipient: recipient, sessionId: sessionId) }
            }
            if !delivered {
                // The connection is gone; its end is on its way to the core.
            }
        case .deliver(let connection, let sessionId, let message):
            onHandler(connection) { [self] handler in
                do {
                    try handler.beginMessage(sessionId: sessionId, options: message.deliveryOptions)
                    try handler.sendData(sessionId: sessionId, ByteBuffer(bytes: message.payload))
                    try handler.endMessage(sessionId: sessionId, reference: UInt64(bitPattern: message.id))
                    count { $0.deliveries += 1 }
                    events.emit(SSTPRelayEvent.delivered(connection: connection, id: message.id, device: message.recipient.deviceURL))
                } catch {
                    // Stays in flight; it goes again when this connection ends (3.1.7.1).
                    EventLog.diagnostic("sstp relay: cannot deliver message \(message.id): \(error)")
                }
            }
        case .acceptFanoutSession(let connection, let sessionId, let entry):
            onHandler(connection) { $0.acceptFanoutSession(sessionId, entry: entry) }
        case .fanout(let connection, let sessionId, let fanoutAction):
            onHandler(connection) { handler in
                switch fanoutAction {
                case .openResponse(.startSending): handler.setAvailability(sessionId: sessionId, .ready)
                case .openResponse(.stopSending): handler.setAvailability(sessionId: sessionId, .notReady)
                case .openResponse: break
                case .sessionStatus(let status): handler.sendRelayReply(.sessionStatus(status))
                case .closeEmptySession: handler.closeSession(sessionId, reason: .emptySession)
                }
            }
        case .acknowledgeNow(let connection):
            onHandler(connection) { $0.acknowledgeNow() }
        case .closeSession(let connection, let sessionId, let reason):
            onHandler(connection) { $0.closeSession(sessionId, reason: reason) }
        case .quotaExceeded(let connection, let identity):
            count { $0.quotaRefusals += 1 }
            events.emit(SSTPRelayEvent.quotaExceeded(connection: connection, identity: identity))
        case .reply(let connection, let command):
            onHandler(connection) { $0.sendRelayReply(command) }
        case .closeConnection(let connection, let reason, let detail):
            events.emit(SSTPRelayEvent.protocolError(connection: connection, reason: reason.description, detail: detail))
            onHandler(connection) { $0.close(reason: reason) }
        case .connectPeer(let relayURL):
            // Off the lock: a connect that fails at once reports back into the core.
            timerLoop.execute { [self] in peerConnector.connect(relayURL, hub: self) }
        case .openSingleHop(let connection, let hop, let resourceURL, let entries):
            onHandler(connection) { [self] handler in
                let sessionId = handler.openFanoutSession(resourceURL: resourceURL, entries: entries)
                withCore { $0.singleHopOpened(hop, connection: connection, sessionId: sessionId) }
            }
        case .forward(let connection, let sessionId, let reference, let message, let payload):
            onHandler(connection) { [self] handler in
                do {
                    try handler.beginMessage(sessionId: sessionId, options: message.relayedOptions)
                    try handler.sendData(sessionId: sessionId, ByteBuffer(bytes: payload))
                    try handler.endMessage(sessionId: sessionId, reference: reference)
                    count { $0.forwarded += 1 }
                    events.emit(SSTPRelayEvent.forwarded(connection: connection, sessionId: sessionId, size: payload.count))
                } catch {
                    // The session left 'ready' after the core decided: queued again in order.
                    withCore { $0.forwardNotSent(reference: reference) }
                }
            }
        case .closeSingleHop(let connection, let sessionId):
            onHandler(connection) { $0.closeSession(sessionId, reason: .emptySession) }
        case .fanoutFaulted(let connection, let sessionId, let status, let entries):
            count { $0.fanoutFaults += entries.count }
            events.emit(SSTPRelayEvent.fanoutFaulted(connection: connection, sessionId: sessionId, status: status.description, entries: entries))
        case .scheduleTimer(let deadline):
            let scheduled = timerLoop.scheduleTask(deadline: deadline) { [self] in
                withCore { $0.deliveryTimerFired(now: .now()) }
            }
            timer.withLockedValue { $0?.cancel(); $0 = scheduled }
        case .cancelTimer:
            timer.withLockedValue { $0?.cancel(); $0 = nil }
        case .deviceAttached:
            break  // reported with `connected`
        case .storeRegistrations(let connection, let registrations, let reply):
            store.submit(.init(register: registrations)) { [self] result in
                switch result {
                case .success:
                    for r in registrations {
                        events.emit(SSTPRelayEvent.identityRegistered(connection: connection, identity: r.identityURL, device: r.deviceURL))
                    }
                    onHandler(connection) { $0.sendRelayReply(reply) }
                case .failure(let error):
                    // Not answered: the device registers again on its next connection.
                    events.emit(SSTPRelayEvent.storeFailed(message: error.description))
                }
            }
        case .discarded(let message, let reason):
            count { $0.discarded += 1 }
            events.emit(SSTPRelayEvent.discarded(id: message.id, device: message.recipient.deviceURL, reason: reason.rawValue))
        }
    }

    /// Runs `body` on the connection's event loop, after what was asked before it
    /// (``ConnectionOutbox``); false when the connection is gone.
    @discardableResult
    private func onHandler(_ id: SSTPRelay.ConnectionID, _ body: @escaping @Sendable (SSTPConnectionHandler) -> Void) -> Bool {
        guard let outbox = handlers.withLockedValue({ $0[id] }) else { return false }
        outbox.enqueue(body)
        return true
    }

    func cancelTimer() {
        timer.withLockedValue { $0?.cancel(); $0 = nil }
    }
}
