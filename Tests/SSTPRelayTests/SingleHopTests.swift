import NIOCore
import SSTPCore
import Testing
@testable import SSTPRelay
@testable import SSTPRelayCore

/// Single-hop fanout in the relay core (3.3.5.6.1, 3.3.5.7–3.3.5.9, 3.3.5.12.1.2, 3.3.5.19,
/// 3.3.7.1) as Relay1 of the examples of 4.2.6 and 4.3.3 sees it: clients B and C are
/// local, D and E on Relay2, F on Relay3. Connection 1 is client A, 2 is client A2;
/// 10 and 11 are the relay-to-relay connections.
@Suite struct SingleHopTests {
    typealias Machine = SSTPRelay.RelayStateMachine
    static let relay1 = "dpp://relay1", relay2 = "dpp://relay2", relay3 = "dpp://relay3"
    static let b = SSTP.FanoutOpen.Entry(identityURL: "id://b", deviceURL: "dpp://b")
    static let c = SSTP.FanoutOpen.Entry(identityURL: "id://c", deviceURL: "dpp://c", relayURL: relay1)
    static let d = SSTP.FanoutOpen.Entry(identityURL: "id://d", deviceURL: "dpp://d", relayURL: relay2)
    static let e = SSTP.FanoutOpen.Entry(identityURL: "id://e", deviceURL: "dpp://e", relayURL: relay2)
    static let f = SSTP.FanoutOpen.Entry(identityURL: "id://f", deviceURL: "dpp://f", relayURL: relay3)
    static let now = NIODeadline.uptimeNanoseconds(0)

    static func relay(singleHop: Bool = true) -> Machine {
        var m = Machine(configuration: .init())
        m.localDeviceURLs = [relay1]
        m.singleHopSupported = singleHop
        for client in [1, 2] {
            m.transportActive(client)
            _ = m.connectionEstablished(client, sourceDeviceURLs: ["dpp://a\(client)"])
        }
        return m
    }

    static func open(_ entries: [SSTP.FanoutOpen.Entry], session: UInt32 = 4) -> SSTP.FanoutOpen {
        SSTP.FanoutOpen(sessionId: session, resourceURL: "apphandler", entries: entries)
    }

    /// FanoutOpen from client 1, the peer connections up and every single-hop session 'ready'.
    static func readySession(_ m: inout Machine, _ entries: [SSTP.FanoutOpen.Entry], version: SSTP.Version = .v1_6, client: Int = 1, session: UInt32 = 4) -> [SSTPRelay.RelayAction] {
        var actions = m.fanoutOpenReceived(client, open(entries, session: session), version: version, sessionExists: false)
        for (relay, peer) in [(relay2, 10), (relay3, 11)] where actions.contains(.connectPeer(relayURL: relay)) {
            actions += m.peerEstablished(relayURL: relay, connection: peer)
        }
        for case .openSingleHop(let peer, let hop, _, _) in actions {
            _ = m.singleHopOpened(hop, connection: peer, sessionId: UInt32(100 + hop))
            actions += m.singleHopStateChanged(connection: peer, sessionId: UInt32(100 + hop), state: .suspended)
            actions += m.singleHopStateChanged(connection: peer, sessionId: UInt32(100 + hop), state: .ready)
        }
        return actions
    }

    static func forwards(_ actions: [SSTPRelay.RelayAction]) -> [(ConnectionID: Int, sessionId: UInt32, reference: UInt64, payload: [UInt8])] {
        actions.compactMap { if case .forward(let c, let s, let r, _, let p) = $0 { (c, s, r, p) } else { nil } }
    }

    static func acknowledged(_ actions: [SSTPRelay.RelayAction]) -> [UInt64] {
        actions.compactMap { if case .acknowledgeDeposit(let d) = $0 { d.sequence } else { nil } }
    }

    static func deposit(_ sequence: UInt64, client: Int = 1) -> SSTPRelay.Deposit { .init(connection: client, sequence: sequence) }

    // MARK: Opening (3.3.5.6, 3.3.5.6.1, 3.3.5.2)

    @Test func remoteEntriesWithoutSingleHopAreFanoutNotSupported() {
        var m = Self.relay(singleHop: false)
        #expect(m.fanoutOpenReceived(1, Self.open([Self.b, Self.d]), version: .v1_6, sessionExists: false)
            == [.reply(1, .openResponse(SSTP.OpenResponse(sessionId: 4, responseId: .fanoutNotSupported)))])
    }

    @Test func remoteEntriesOpenOneSingleHopSessionPerRelayWithItsSubset() {
        var m = Self.relay()
        let opened = m.fanoutOpenReceived(1, Self.open([Self.b, Self.d, Self.f, Self.c, Self.e]), version: .v1_5, sessionExists: false)
        #expect(opened.first == .acceptFanoutSession(1, sessionId: 4, SSTP.AddressingEntry(resourceURL: "apphandler", identityURL: "id://b")))
        // No connection yet: one is made per relay (3.3.5.6.1); the session stays 'suspended'.
        #expect(opened.filter { if case .connectPeer = $0 { true } else { false } } == [.connectPeer(relayURL: Self.relay2), .connectPeer(relayURL: Self.relay3)])
        #expect(!opened.contains(.fanout(1, sessionId: 4, .openResponse(.startSending))))
        // ConnectResponse Ok (3.3.5.2): FanoutOpen with the entries whose RelayURL is that relay.
        let two = m.peerEstablished(relayURL: Self.relay2, connection: 10)
        guard case .openSingleHop(10, _, "apphandler", let entries)? = two.first else { Issue.record("\(two)"); return }
        #expect(entries == [Self.d, Self.e])
        let three = m.peerEstablished(relayURL: Self.relay3, connection: 11)
        guard case .openSingleHop(11, _, _, let entries3)? = three.first else { Issue.record("\(three)"); return }
        #expect(entries3 == [Self.f])
    }

    /// 4.2.6: the originator's session is 'ready' only once every single-hop session is.
    @Test func originStartsSendingOnlyWhenEverySingleHopSessionIsReady() {
        var m = Self.relay()
        let opened = m.fanoutOpenReceived(1, Self.open([Self.b, Self.d, Self.f]), version: .v1_6, sessionExists: false)
        let hop2 = m.peerEstablished(relayURL: Self.relay2, connection: 10)
        let hop3 = m.peerEstablished(relayURL: Self.relay3, connection: 11)
        guard case .openSingleHop(_, let id2, _, _)? = hop2.first, case .openSingleHop(_, let id3, _, _)? = hop3.first else { Issue.record("no FanoutOpen"); return }
        _ = m.singleHopOpened(id2, connection: 10, sessionId: 1)
        _ = m.singleHopOpened(id3, connection: 11, sessionId: 1)
        #expect(!(opened + m.singleHopStateChanged(connection: 10, sessionId: 1, state: .suspended)).contains(.fanout(1, sessionId: 4, .openResponse(.startSending))))
        #expect(m.singleHopStateChanged(connection: 10, sessionId: 1, state: .ready) == [])
        #expect(m.singleHopStateChanged(connection: 11, sessionId: 1, state: .ready) == [.fanout(1, sessionId: 4, .openResponse(.startSending))])
        // StopSending from Relay3 (3.3.5.7: 'blocked' is notReady): the originator is told to stop.
        #expect(m.singleHopStateChanged(connection: 11, sessionId: 1, state: .blocked) == [.fanout(1, sessionId: 4, .openResponse(.stopSending))])
    }

    /// 4.3.4: two originators' sessions to Relay2 share one relay-to-relay connection.
    @Test func sessionsToOneRelayShareItsConnection() {
        var m = Self.relay()
        let first = m.fanoutOpenReceived(1, Self.open([Self.d]), version: .v1_6, sessionExists: false)
        let second = m.fanoutOpenReceived(2, Self.open([Self.e]), version: .v1_6, sessionExists: false)
        #expect(first.contains(.connectPeer(relayURL: Self.relay2)))
        #expect(!second.contains(.connectPeer(relayURL: Self.relay2)))
        let opens = m.peerEstablished(relayURL: Self.relay2, connection: 10)
        #expect(opens.count == 2)
        #expect(opens.allSatisfy { if case .openSingleHop(10, _, _, _) = $0 { true } else { false } })
        // A later session uses the established connection at once.
        let third = m.fanoutOpenReceived(1, Self.open([Self.d], session: 5), version: .v1_6, sessionExists: false)
        #expect(third.contains { if case .openSingleHop(10, _, _, [Self.d]) = $0 { true } else { false } })
    }

    // MARK: Forwarding and acknowledgment (3.3.5.12.1.2, 3.3.5.19, 3.3.4.2.2)

    /// A sequence for local and remote entries is acknowledged only when the local copies
    /// are committed and the remote relay acknowledged its copy (4.2.6, 4.3.3).
    @Test func sequenceIsAcknowledgedOnlyWhenStoredHereAndAcknowledgedByTheRemoteRelay() {
        var m = Self.relay()
        _ = Self.readySession(&m, [Self.b, Self.d, Self.e])
        let received = m.fanoutMessageReceived(Self.deposit(1), sessionId: 4, message: SSTP.Message(sessionId: 4, userRef: "A"), payload: [1, 2, 3], now: Self.now)
        guard case .store(let copies, _)? = received.first else { Issue.record("no local copy: \(received)"); return }
        #expect(copies.map(\.recipient.deviceURL) == ["dpp://b"])
        let sent = Self.forwards(received)
        #expect(sent.count == 1)
        #expect(sent.first?.payload == [1, 2, 3])
        #expect(received.contains { if case .forward(10, _, _, let message, _) = $0 { message.userRef == "A" } else { false } })
        #expect(Self.acknowledged(m.depositCommitted(Self.deposit(1), now: Self.now)) == [])
        #expect(Self.acknowledged(m.messagesAcknowledged(connection: 10, references: [sent[0].reference])) == [1])
    }

    /// 4.3.3: A on a single-hop session to Relay2, B local, C single-hop to Relay3; each
    /// completes when its own part does, in whatever order those come.
    @Test func acknowledgmentTableOf433() {
        var m = Self.relay()
        _ = Self.readySession(&m, [Self.d], session: 1)
        _ = Self.readySession(&m, [Self.b], session: 2)
        _ = Self.readySession(&m, [Self.f], session: 3)
        let a = m.fanoutMessageReceived(Self.deposit(1), sessionId: 1, message: SSTP.Message(sessionId: 1), payload: [0xA], now: Self.now)
        let b = m.fanoutMessageReceived(Self.deposit(2), sessionId: 2, message: SSTP.Message(sessionId: 2), payload: [0xB], now: Self.now)
        let c = m.fanoutMessageReceived(Self.deposit(3), sessionId: 3, message: SSTP.Message(sessionId: 3), payload: [0xC], now: Self.now)
        #expect(Self.forwards(a).map(\.ConnectionID) == [10])
        #expect(Self.forwards(b).isEmpty)
        #expect(Self.forwards(c).map(\.ConnectionID) == [11])
        // B is handled locally: complete with its commit.
        #expect(Self.acknowledged(m.depositCommitted(Self.deposit(2), now: Self.now)) == [2])
        // Relay3 acknowledges C, then Relay2 A.
        #expect(Self.acknowledged(m.messagesAcknowledged(connection: 11, references: Self.forwards(c).map(\.reference))) == [3])
        #expect(Self.acknowledged(m.messagesAcknowledged(connection: 10, references: Self.forwards(a).map(\.reference))) == [1])
    }

    /// 4.4.1: sequences that arrive while the single-hop session is blocked wait, and go in order.
    @Test func blockedSingleHopSessionQueuesInOrder() {
        var m = Self.relay()
        let ready = Self.readySession(&m, [Self.d])
        guard case .openSingleHop(_, let hop, _, _)? = ready.first(where: { if case .openSingleHop = $0 { true } else { false } }) else { Issue.record("no hop"); return }
        let session = UInt32(100 + hop)
        _ = m.singleHopStateChanged(connection: 10, sessionId: session, state: .blocked)
        for sequence in 1...3 {
            let actions = m.fanoutMessageReceived(Self.deposit(UInt64(sequence)), sessionId: 4, message: SSTP.Message(sessionId: 4), payload: [UInt8(sequence)], now: Self.now)
            #expect(Self.forwards(actions).isEmpty)
        }
        // The shell could not send one the core had released: it goes back in its place.
        let resumed = m.singleHopStateChanged(connection: 10, sessionId: session, state: .ready)
        #expect(Self.forwards(resumed).map(\.payload) == [[1], [2], [3]])
        _ = m.singleHopStateChanged(connection: 10, sessionId: session, state: .blocked)
        #expect(m.forwardNotSent(reference: Self.forwards(resumed)[1].reference) == [])
        #expect(Self.forwards(m.singleHopStateChanged(connection: 10, sessionId: session, state: .ready)).map(\.payload) == [[2]])
    }

    // MARK: Faults (3.3.5.8, 3.3.5.4, 3.3.7.1, 3.3.4.1.2)

    /// 4.2.6.1: Relay2 reports D lost; Relay1 reports D to A, and the sequence no longer waits for it.
    @Test func lossOfRemoteResourceHandlerIsReportedToTheOriginator() {
        for version in [SSTP.Version.v1_5, .v1_6] {
            var m = Self.relay()
            let ready = Self.readySession(&m, [Self.b, Self.c, Self.d, Self.e], version: version)
            guard case .openSingleHop(_, let hop, _, _)? = ready.first(where: { if case .openSingleHop = $0 { true } else { false } }) else { Issue.record("no hop"); return }
            let status = m.singleHopStatus(connection: 10, sessionId: UInt32(100 + hop), status: .lockedOut, indexes: [0])
            let expected = version == .v1_6
                ? SSTP.SessionStatus(sessionId: 4, statusId: .lockedOut, deviceURL: "", identityURL: "", fanoutDeviceIndexes: [2])
                : SSTP.SessionStatus(sessionId: 4, statusId: .lockedOut, deviceURL: "dpp://d", identityURL: "id://d")
            #expect(status.contains(.fanout(1, sessionId: 4, .sessionStatus(expected))), "\(version)")
            #expect(status.contains(.fanoutFaulted(1, sessionId: 4, .lockedOut, entries: [2])))
        }
    }

    /// 4.2.6.2: the connection to Relay2 is lost: D and E fault with ConnectionClosed naming
    /// Relay2, and what was in flight there no longer holds the acknowledgment back.
    @Test func lossOfRemoteRelayFaultsItsEntriesAndReleasesTheAcknowledgment() {
        var m = Self.relay()
        _ = Self.readySession(&m, [Self.b, Self.d, Self.e], version: .v1_5)
        _ = m.fanoutMessageReceived(Self.deposit(1), sessionId: 4, message: SSTP.Message(sessionId: 4), payload: [1], now: Self.now)
        _ = m.depositCommitted(Self.deposit(1), now: Self.now)
        let lost = m.connectionEnded(10)
        #expect(lost.contains(.fanout(1, sessionId: 4, .sessionStatus(SSTP.SessionStatus(sessionId: 4, statusId: .connectionClosed, deviceURL: Self.relay2, identityURL: "")))))
        #expect(Self.acknowledged(lost) == [1])
        // Reported, not retried (3.3.5.4, 3.3.7.1, 3.3.4.1.2): the SessionStatus goes before
        // the acknowledgment of the sequence that was in flight to Relay2, so the originator
        // knows it may not have reached D and E.
        let status = lost.firstIndex { if case .fanout(1, 4, .sessionStatus) = $0 { true } else { false } }
        let acknowledgment = lost.firstIndex { if case .acknowledgeDeposit = $0 { true } else { false } }
        #expect(status != nil && acknowledgment != nil && status! < acknowledgment!)
        #expect(m.peers[Self.relay2] == nil)
        // The next sequence goes to B only.
        let next = m.fanoutMessageReceived(Self.deposit(2), sessionId: 4, message: SSTP.Message(sessionId: 4), payload: [2], now: Self.now)
        #expect(Self.forwards(next).isEmpty)
    }

    /// 3.3.5.6.1: no transport to the relay: HostNotReachable with its RelayURL; when no entry
    /// is left the originator's session is closed with EmptySession (3.3.4.1.2).
    @Test func unreachableRelayFaultsItsEntries() {
        var m = Self.relay()
        _ = m.fanoutOpenReceived(1, Self.open([Self.d, Self.e]), version: .v1_6, sessionExists: false)
        let failed = m.peerFailed(relayURL: Self.relay2, status: .hostNotReachable)
        #expect(failed.contains(.fanout(1, sessionId: 4, .sessionStatus(SSTP.SessionStatus(sessionId: 4, statusId: .hostNotReachable, deviceURL: "", identityURL: "", fanoutDeviceIndexes: [0, 1])))))
        #expect(failed.last == .fanout(1, sessionId: 4, .closeEmptySession))
    }

    /// 3.3.5.9 and 3.3.7.1: the originator's Close or its lost connection closes each
    /// single-hop session with EmptySession.
    @Test func originatorsCloseOrLossClosesTheSingleHopSessions() {
        var m = Self.relay()
        _ = Self.readySession(&m, [Self.d, Self.f])
        let closed = m.fanoutSessionClosed(1, sessionId: 4)
        #expect(closed.filter { if case .closeSingleHop = $0 { true } else { false } }.count == 2)
        #expect(m.singleHops.isEmpty)

        _ = Self.readySession(&m, [Self.d], client: 2, session: 9)
        let gone = m.connectionEnded(2)
        #expect(gone.contains { if case .closeSingleHop(10, _) = $0 { true } else { false } })
        #expect(m.singleHops.isEmpty)
    }

    /// The remote relay closed the session (3.3.5.9) or refused it (3.3.5.7): ConnectionClosed.
    @Test func remoteCloseFaultsTheEntriesWithConnectionClosed() {
        var m = Self.relay()
        let ready = Self.readySession(&m, [Self.b, Self.d], version: .v1_5)
        guard case .openSingleHop(_, let hop, _, _)? = ready.first(where: { if case .openSingleHop = $0 { true } else { false } }) else { Issue.record("no hop"); return }
        let closed = m.singleHopClosed(connection: 10, sessionId: UInt32(100 + hop))
        #expect(closed.contains(.fanout(1, sessionId: 4, .sessionStatus(SSTP.SessionStatus(sessionId: 4, statusId: .connectionClosed, deviceURL: Self.relay2, identityURL: "")))))
    }
}
