import NIOCore
import Testing
import WDSMSICore

/// The multicast session table: one session per namespace and content, reused while it
/// lives; unique ids; addresses and ports from the configured ranges; TotalBlocks.
@Suite struct ServerSessionTests {
    func reply(_ server: inout SessionInitiationServer, _ content: String, ipv6: Bool? = nil, now: NIODeadline = ServerHarness.now) -> MulticastSessionInitiationReply? {
        if case .reply(let r)? = ServerHarness.udp(&server, ServerHarness.udpRequest(content: content, ipv6: ipv6), now: now).0 { return r }
        return nil
    }

    @Test func sameContentReusesTheSession() throws {
        var server = try ServerHarness.server()
        let first = try #require(reply(&server, "a.wim"))
        let action = server.udpRequestReceived(ServerHarness.udpRequest(), serverAddresses: ServerHarness.addresses, now: ServerHarness.now + .seconds(5))
        guard case .reply(_, .sessionReused(let session)) = action else { Issue.record("\(action)"); return }
        #expect(session.id == first.sessionId)
        #expect(server.sessions.count == 1)
        // Another content: another session with its own id, address and port.
        let other = try #require(reply(&server, "meta.wim"))
        #expect(other.sessionId != first.sessionId)
        #expect(other.multicastAddress != first.multicastAddress)
        #expect(other.multicastPort == first.multicastPort + 1)
        #expect(server.sessions.count == 2)
    }

    @Test func sessionsEndAfterTheirLifetimeAndIdsAreNotReused() throws {
        var server = try ServerHarness.server(ServerHarness.configuration(multicast: MulticastConfiguration(sessionLifetime: .seconds(60))))
        let first = try #require(reply(&server, "a.wim"))
        #expect(server.nextSessionExpiry == ServerHarness.now + .seconds(60))
        // Asked again at +50 s: the lifetime restarts.
        _ = reply(&server, "a.wim", now: ServerHarness.now + .seconds(50))
        #expect(server.sessionTimerFired(now: ServerHarness.now + .seconds(100)).isEmpty)
        let ended = server.sessionTimerFired(now: ServerHarness.now + .seconds(110))
        #expect(ended.map(\.id) == [first.sessionId])
        let again = try #require(reply(&server, "a.wim", now: ServerHarness.now + .seconds(120)))
        #expect(again.sessionId != first.sessionId)
    }

    @Test func addressesAndPortsComeFromTheRanges() throws {
        let multicast = MulticastConfiguration(ipv4Range: AddressRange("239.1.2.0/30")!, ports: 5000...5001, blockSize: 1000)
        var server = try ServerHarness.server(ServerHarness.configuration(multicast: multicast))
        let a = try #require(reply(&server, "a.wim"))
        let b = try #require(reply(&server, "meta.wim"))
        let c = try #require(reply(&server, "empty"))
        #expect([a, b, c].map(\.multicastAddress.description) == ["239.1.2.1", "239.1.2.2", "239.1.2.3"])
        #expect([a, b, c].map(\.multicastPort) == [5000, 5001, 5000])
        #expect(a.blockSize == 1000)
        #expect(a.totalBlocks == 10)
        // The /30 has 3 usable addresses here (index 0 is skipped): a fourth content gets none.
        var configuration = ServerHarness.configuration(multicast: multicast)
        configuration.namespaces.append(.init(name: "more", contentProvider: "memory", configurationString: "set-b"))
        var full = try ServerHarness.server(configuration)
        for content in ["a.wim", "meta.wim", "empty"] { _ = reply(&full, content) }
        let fourth = ServerHarness.udp(&full, ServerHarness.udpRequest(namespace: "more", content: "b.wim")).0
        #expect(fourth == .error(MulticastSessionInitiationError(error: .noSystemResources)))
    }

    @Test func maximumSessions() throws {
        var server = try ServerHarness.server(ServerHarness.configuration(multicast: MulticastConfiguration(maximumSessions: 1)))
        _ = try #require(reply(&server, "a.wim"))
        #expect(ServerHarness.udp(&server, ServerHarness.udpRequest(content: "meta.wim")).0 == .error(MulticastSessionInitiationError(error: .noSystemResources)))
    }

    static let blockCases: [(UInt64, UInt32, UInt64)] = [(0, 1024, 0), (1, 1024, 1), (1024, 1024, 1), (1025, 1024, 2), (0xEF8B_56EC, 0x2251, 0x6FB00), (UInt64.max, 1, UInt64.max)]

    @Test(arguments: blockCases)
    func totalBlocksIsTheCeiling(_ size: UInt64, _ block: UInt32, _ expected: UInt64) {
        #expect(MulticastSession.totalBlocks(contentSize: size, blockSize: block) == expected)
    }

    @Test func addressRangeArithmetic() throws {
        let range = try #require(AddressRange("ff15::/16"))
        #expect(range.count == UInt64.max)
        #expect(range.address(at: 0x1_0000)?.description == "ff15::1:0")
        let v4 = try #require(AddressRange("239.255.255.0/24"))
        #expect(v4.address(at: 255)?.description == "239.255.255.255")
        #expect(v4.address(at: 256) == nil)
        #expect(AddressRange("239.0.0.0/33") == nil)
        #expect(AddressRange("nonsense") == nil)
    }
}
