import NIOCore
import Testing
import WDSMSICore
import WinteropWire

/// 3.1.6: the client sends every second until a reply or the overall timeout.
@Suite struct ClientTests {
    static let request = MulticastSessionInitiationRequest(namespace: "images", content: "a.wim", macAddress: [0, 1, 2, 3, 4, 5])
    static let t0 = NIODeadline.uptimeNanoseconds(5_000_000_000)
    static let reply = MulticastSessionInitiationReply(
        multicastAddress: IPAddress("239.0.0.1")!, serverAddress: IPAddress("192.0.2.1")!, multicastPort: 64_001, serverPort: 64_001,
        contentSize: 2049, blockSize: 1024, totalBlocks: 3, sessionId: 7
    )

    func client(timeout: TimeAmount = .seconds(5)) throws -> SessionInitiationClient {
        try SessionInitiationClient(request: Self.request, timeout: timeout)
    }

    @Test func sendsThenRetransmitsEverySecondUntilTheTimeout() throws {
        var c = try client(timeout: .milliseconds(2500))
        let bytes = try Self.request.encoded()
        #expect(c.start(now: Self.t0) == [.send(bytes), .scheduleTimer(Self.t0 + .seconds(1))])
        #expect(c.retransmitTimerFired(now: Self.t0 + .seconds(1)) == [.send(bytes), .scheduleTimer(Self.t0 + .seconds(2))])
        // The last wait is cut to the overall deadline.
        #expect(c.retransmitTimerFired(now: Self.t0 + .seconds(2)) == [.send(bytes), .scheduleTimer(Self.t0 + .milliseconds(2500))])
        #expect(c.retransmitTimerFired(now: Self.t0 + .milliseconds(2500)) == [.finish(.timedOut(attempts: 3))])
        #expect(c.retransmitTimerFired(now: Self.t0 + .seconds(9)) == [])
    }

    @Test func aReplyEndsTheRequestAndDuplicatesAreIgnored() throws {
        var c = try client()
        _ = c.start(now: Self.t0)
        _ = c.retransmitTimerFired(now: Self.t0 + .seconds(1))
        let bytes = try Self.reply.encoded()
        #expect(c.datagramReceived(bytes) == [.cancelTimer, .finish(.session(Self.reply, .checksum))])
        guard case .finished(.session) = c.state else { Issue.record("\(c.state)"); return }
        // The reply to the retransmitted request arrives too: ignored, the outcome stands.
        guard case .ignored = c.datagramReceived(bytes).first else { Issue.record("duplicate not ignored"); return }
        #expect(c.state == .finished(.session(Self.reply, .checksum)))
        #expect(c.retransmitTimerFired(now: Self.t0 + .seconds(2)) == [])
    }

    @Test func anErrorPacketEndsTheRequest() throws {
        var c = try client()
        _ = c.start(now: Self.t0)
        let bytes = try MulticastSessionInitiationError(error: .fileNotFound).encoded()
        #expect(c.datagramReceived(bytes) == [.cancelTimer, .finish(.serverError(.fileNotFound))])
    }

    @Test func garbageIsIgnoredAndTheClientKeepsWaiting() throws {
        var c = try client()
        _ = c.start(now: Self.t0)
        guard case .ignored = c.datagramReceived(ByteBuffer(bytes: [9, 9, 9])).first else { Issue.record("not ignored"); return }
        guard case .ignored = c.datagramReceived(try Self.request.encoded()).first else { Issue.record("request not ignored"); return }
        guard case .waitingForReply(attempts: 1, _) = c.state else { Issue.record("\(c.state)"); return }
    }

    /// Replies that break a rule of 2.2.2.2, each changed from a good one.
    static func invalidReply(_ index: Int) -> MulticastSessionInitiationReply {
        var r = reply
        switch index {
        case 0: r.multicastAddress = IPAddress("10.0.0.1")!  // not multicast
        case 1: r.serverPort = 1  // ports differ
        case 2: r.serverAddress = IPAddress("::1")!  // families differ
        case 3: r.multicastAddress = IPAddress("ff15::1")!; r.serverAddress = IPAddress("::1")!  // IPv6 not asked for
        case 4: r.totalBlocks = 2  // wrong block count
        default: r.blockSize = 0
        }
        return r
    }

    @Test(arguments: 0..<6)
    func invalidRepliesFail(_ index: Int) throws {
        var c = try client()
        _ = c.start(now: Self.t0)
        let actions = c.datagramReceived(try Self.invalidReply(index).encoded())
        guard case .finish(.invalidReply(let error))? = actions.last else { Issue.record("\(index): \(actions)"); return }
        #expect(error.spec == "MS-WDSMSI")
    }
}

/// The flowcharts of 2.2.1.1 (figure 3) and 2.2.1.2 (figure 4) as tables.
@Suite struct SecurityModeFlowchartTests {
    /// Figure 3: (SecMode's client mode or nil, SymKey present) → mode, or nil when the chart says "MUST be present".
    static let clientChart: [(SecurityMode?, Bool, SecurityMode?)] = [
        (nil, true, .hash), (nil, false, SecurityMode.none),
        (SecurityMode.none, false, SecurityMode.none), (SecurityMode.none, true, SecurityMode.none),
        (.hash, true, .hash), (.hash, false, nil),
        (.checksum, false, .checksum), (.checksum, true, .checksum),
        (.sign, true, nil),  // not a client mode
    ]

    @Test(arguments: clientChart.indices)
    func clientSecurityMode(_ row: Int) {
        let (mode, symKey, expected) = Self.clientChart[row]
        let secMode = mode.map { SecurityModes(server: .none, client: $0) }
        let result = try? SecurityModeDetermination.clientSecurityMode(secMode: secMode, symKeyPresent: symKey)
        #expect(result == expected, "row \(row)")
    }

    /// Figure 4: (SecMode's server mode or nil, SignKey present, SymKey present) → mode or nil (a missing MUST).
    static let serverChart: [(SecurityMode?, Bool, Bool, SecurityMode?)] = [
        (nil, true, false, .sign), (nil, true, true, .sign), (nil, false, true, .hash), (nil, false, false, SecurityMode.none),
        (.sign, true, false, .sign), (.sign, false, true, nil),
        (.hash, false, true, .hash), (.hash, true, false, nil),
        (SecurityMode.none, true, true, SecurityMode.none), (.checksum, false, false, .checksum),
    ]

    @Test(arguments: serverChart.indices)
    func serverSecurityMode(_ row: Int) {
        let (mode, signKey, symKey, expected) = Self.serverChart[row]
        let secMode = mode.map { SecurityModes(server: $0, client: .none) }
        let result = try? SecurityModeDetermination.serverSecurityMode(secMode: secMode, signKeyPresent: signKey, symKeyPresent: symKey)
        #expect(result == expected, "row \(row)")
    }

    @Test func secModeHalves() {
        let modes = SecurityModes(server: .sign, client: .hash)
        #expect(modes.secModeValue == 0x0002_0001)
        #expect(SecurityModes(secModeValue: 0x0002_0001) == modes)
        #expect(SecurityModes(secModeValue: 0x0001_0001) == SecurityModes(server: .hash, client: .hash))
        #expect(SecurityModes(secModeValue: 0x0004_0000) == nil)
    }
}
