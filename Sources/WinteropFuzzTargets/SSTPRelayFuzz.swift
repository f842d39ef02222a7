import NIOCore
import SSTPCore
import SSTPRelayCore

/// Fuzzes the MS-GRVSSTP relay core (3.3) with sequences of events in any order: client
/// connections coming and going, deposits on Open and FanoutOpen sessions with local and
/// remote entries, commits, deliveries and their acknowledgments, relay-to-relay
/// connections and single-hop session states, SessionStatus, Close, and TTL timers on an
/// injected clock.
enum SSTPRelayFuzz {
    /// Each step is one byte choosing the event, then its arguments. Invariants: a deposit
    /// is acknowledged at most once and only after it was received; a delivery or a
    /// forward goes only to a connection that is up; no identity's usage goes negative;
    /// the stored count matches what was stored and not removed.
    @Sendable static func sequence(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        var input = ByteBuffer(bytes: bytes.dropFirst())
        let identities = ["id://a", "id://b"], devices = ["dpp://a", "dpp://b", "dpp://c"]
        let relays = ["", "dpp://relay1", "dpp://relay2", "dpp://relay3"]
        var core = SSTPRelay.RelayStateMachine(configuration: .init(
            identities: ["id://b": ["dpp://b", "dpp://c"]], lockedOutDevices: selector & 1 == 0 ? [] : ["dpp://c"],
            quota: SSTPRelay.IdentityQuota(messages: selector & 2 == 0 ? nil : 5, bytes: selector & 4 == 0 ? nil : 600)
        ))
        core.localDeviceURLs = ["dpp://relay1"]
        core.singleHopSupported = selector & 8 == 0
        core.deliveryWindow = 3
        var now = NIODeadline.uptimeNanoseconds(1_000_000_000)
        var up: Set<Int> = []
        var received: Set<SSTPRelay.Deposit> = []
        var acknowledged: Set<SSTPRelay.Deposit> = []
        var committing: [SSTPRelay.Deposit] = []
        var stored: Set<Int64> = []
        var delivered: [(Int, Int64)] = []
        var forwards: [(Int, UInt64)] = []
        var hops: [(Int, SSTPRelay.SingleHopID)] = []
        var sequence: UInt64 = 0

        func run(_ actions: [SSTPRelay.RelayAction]) {
            for action in actions {
                switch action {
                case .store(let copies, let deposit):
                    for copy in copies { precondition(stored.insert(copy.id).inserted, "message id \(copy.id) stored twice") }
                    committing.append(deposit)
                case .acknowledgeDeposit(let deposit):
                    precondition(received.contains(deposit), "acknowledged a deposit never received: \(deposit)")
                    precondition(acknowledged.insert(deposit).inserted, "deposit \(deposit) acknowledged twice")
                case .remove(let ids):
                    for id in ids { precondition(stored.remove(id) != nil, "removed message \(id), which is not stored") }
                case .deliver(let connection, _, let message):
                    precondition(up.contains(connection), "delivery to connection \(connection), which is down")
                    delivered.append((connection, message.id))
                case .openDeliverySession(let connection, let recipient):
                    run(core.deliverySessionOpened(connection: connection, recipient: recipient, sessionId: 0x8000_0000 | UInt32(connection)))
                case .forward(let connection, _, let reference, _, _):
                    precondition(up.contains(connection), "forward on connection \(connection), which is down")
                    forwards.append((connection, reference))
                case .openSingleHop(let connection, let hop, _, _):
                    hops.append((connection, hop))
                default:
                    break
                }
            }
            precondition(core.usage.values.allSatisfy { $0.messages >= 0 && $0.bytes >= 0 }, "negative quota usage")
            precondition(core.storedCount <= stored.count, "the core holds \(core.storedCount) messages, the store \(stored.count)")
        }

        run(core.start())
        while let step = input.readInteger(as: UInt8.self) {
            let argument = Int(input.readInteger(as: UInt8.self) ?? 0)
            let connection = 1 + argument % 4
            switch step % 12 {
            case 0:
                // A client connects with one or two devices.
                guard !up.contains(connection) else { continue }
                core.transportActive(connection)
                up.insert(connection)
                let first: Int = (argument / 4) % 3
                let count: Int = 1 + (argument / 16) % 2
                let sources: [String] = Array(devices[first...].prefix(count))
                run(core.connectionEstablished(connection, sourceDeviceURLs: sources))
            case 1:
                up.remove(connection)
                run(core.connectionEnded(connection))
            case 2, 3:
                // A sequence on an Open session.
                guard up.contains(connection) else { continue }
                sequence += 1
                let deposit = SSTPRelay.Deposit(connection: connection, sequence: sequence)
                received.insert(deposit)
                let entry = SSTP.AddressingEntry(resourceURL: "r", identityURL: identities[argument % 2], deviceURL: argument & 32 == 0 ? devices[argument / 4 % 3] : "")
                let message = SSTP.Message(sessionId: UInt32(argument), doNotDeliverIfOffline: argument & 64 != 0,
                                           ephemeral: argument & 128 != 0 ? .init(ttl: UInt32(argument % 7)) : nil)
                run(core.messageReceived(deposit, entry: entry, message: message, payload: Array(repeating: 0, count: argument * 3), now: now))
            case 4:
                // The oldest commit completes.
                guard !committing.isEmpty else { continue }
                run(core.depositCommitted(committing.removeFirst(), now: now))
            case 5:
                // A FanoutOpen with up to four entries, local and remote.
                guard up.contains(connection) else { continue }
                let entries = (0..<(1 + argument % 4)).map { i in
                    SSTP.FanoutOpen.Entry(identityURL: identities[(argument >> i) & 1], deviceURL: devices[(argument + i) % 3], relayURL: relays[(argument >> (2 * i)) & 3])
                }
                run(core.fanoutOpenReceived(connection, SSTP.FanoutOpen(sessionId: UInt32(argument % 3), resourceURL: "r", entries: entries),
                                            version: argument & 1 == 0 ? .v1_5 : .v1_6, sessionExists: argument & 128 != 0))
            case 6:
                // A sequence on a fanout session.
                guard up.contains(connection), core.isFanoutSession(connection, sessionId: UInt32(argument % 3)) else { continue }
                sequence += 1
                let deposit = SSTPRelay.Deposit(connection: connection, sequence: sequence)
                received.insert(deposit)
                run(core.fanoutMessageReceived(deposit, sessionId: UInt32(argument % 3), message: SSTP.Message(sessionId: UInt32(argument % 3)), payload: [UInt8(argument)], now: now))
            case 7:
                // The device acknowledges deliveries, or the remote relay forwards.
                if argument & 1 == 0, !delivered.isEmpty {
                    let count = min(delivered.count, 1 + argument / 2 % 4)
                    let acked = delivered.prefix(count)
                    delivered.removeFirst(count)
                    for (owner, id) in acked where up.contains(owner) {
                        run(core.messagesAcknowledged(connection: owner, references: [UInt64(bitPattern: id)]))
                    }
                } else if !forwards.isEmpty {
                    let (owner, reference) = forwards.removeFirst()
                    if up.contains(owner) { run(core.messagesAcknowledged(connection: owner, references: [reference])) }
                }
            case 8:
                // A relay-to-relay connection comes up (10 + relay) or fails.
                let relay = relays[1 + argument % 3]
                let peer = 10 + argument % 3
                if argument & 8 == 0, !up.contains(peer) {
                    up.insert(peer)
                    run(core.peerEstablished(relayURL: relay, connection: peer))
                } else if argument & 8 != 0 {
                    run(core.peerFailed(relayURL: relay, status: argument & 16 == 0 ? .hostNotReachable : .connectionClosed))
                }
            case 9:
                // A single-hop session is opened, changes state, reports or closes.
                guard !hops.isEmpty else { continue }
                let (peer, hop) = hops[argument % hops.count]
                let sessionId = UInt32(hop)
                switch argument / 8 % 5 {
                case 0: run(core.singleHopOpened(hop, connection: peer, sessionId: argument & 128 == 0 ? sessionId : nil))
                case 1: run(core.singleHopStateChanged(connection: peer, sessionId: sessionId, state: .ready))
                case 2: run(core.singleHopStateChanged(connection: peer, sessionId: sessionId, state: argument & 128 == 0 ? .blocked : .suspended))
                case 3: run(core.singleHopStatus(connection: peer, sessionId: sessionId, status: .lockedOut, indexes: [argument % 3]))
                default: run(core.singleHopClosed(connection: peer, sessionId: sessionId))
                }
                if case .open? = core.singleHops[hop]?.state, argument & 4 != 0 {
                    for (owner, reference) in forwards where owner == peer { run(core.forwardNotSent(reference: reference)) }
                    forwards.removeAll { $0.0 == peer }
                }
            case 10:
                // A peer connection or an inbound fanout session ends.
                if argument & 1 == 0 {
                    let peer = 10 + argument / 2 % 3
                    up.remove(peer)
                    run(core.connectionEnded(peer))
                } else if up.contains(connection) {
                    run(core.fanoutSessionClosed(connection, sessionId: UInt32(argument / 2 % 3)))
                }
            default:
                // Time passes; the TTL timer fires.
                now = now + .seconds(Int64(argument))
                run(core.deliveryTimerFired(now: now))
            }
        }
    }
}
