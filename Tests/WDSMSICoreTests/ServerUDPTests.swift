import NIOCore
import Testing
import WDSMSICore
import WinteropWire

/// 3.1.5.3 Over UDP: each rule as a test.
@Suite struct ServerUDPTests {
    @Test func aRequestGetsTheSessionsOptions() throws {
        var server = try ServerHarness.server()
        let (message, action) = ServerHarness.udp(&server, ServerHarness.udpRequest())
        guard case .reply(let reply)? = message else { Issue.record("no reply: \(action)"); return }
        #expect(reply.multicastAddress == IPAddress("239.0.0.1"))
        #expect(reply.serverAddress == IPAddress("192.0.2.10"))
        #expect(reply.multicastPort == 64_001)
        #expect(reply.serverPort == reply.multicastPort)
        #expect(reply.contentSize == 10_000)
        #expect(reply.blockSize == 1024)
        #expect(reply.totalBlocks == 10)  // ceil(10000 / 1024)
        #expect(reply.sessionId == 0x1000)
        guard case .reply(_, .sessionCreated(let session)) = action else { Issue.record("not created"); return }
        // 3.1.5.3: UDP sessions are checksum both ways, whatever the configuration says.
        #expect(session.securityModes == .checksum)
    }

    @Test func namespaceMustBeRegistered() throws {
        var server = try ServerHarness.server()
        let (message, action) = ServerHarness.udp(&server, ServerHarness.udpRequest(namespace: "other"))
        #expect(message == .error(MulticastSessionInitiationError(error: .badNetPath)))
        guard case .reply(_, .requestRefused(_, _, .badNetPath, let reason)) = action else { Issue.record("\(action)"); return }
        #expect(reason.contains("other"))
        // Names match case-insensitively.
        #expect(ServerHarness.udp(&server, ServerHarness.udpRequest(namespace: "IMAGES")).0.map { if case .reply = $0 { true } else { false } } == true)
    }

    @Test func providerMustAllowUnauthenticated() throws {
        var server = try ServerHarness.server()
        let (message, _) = ServerHarness.udp(&server, ServerHarness.udpRequest(namespace: "private", content: "b.wim"))
        #expect(message == .error(MulticastSessionInitiationError(error: .accessDenied)))
        var open = try ServerHarness.server(ServerHarness.configuration(allowUnauthenticated: false))
        #expect(ServerHarness.udp(&open, ServerHarness.udpRequest()).0 == .error(MulticastSessionInitiationError(error: .accessDenied)))
    }

    @Test func providerIsQueriedForTheContent() throws {
        var server = try ServerHarness.server()
        #expect(ServerHarness.udp(&server, ServerHarness.udpRequest(content: "missing.wim")).0 == .error(MulticastSessionInitiationError(error: .fileNotFound)))
    }

    @Test func requiredOptionsGetInvalidParameter() throws {
        var server = try ServerHarness.server()
        // NAMESPACE and CONTENT only.
        let packet = UDPPacket(opCode: .request, options: Array(try UDPPacket(decoding: ServerHarness.udpRequest()).options.prefix(2)))
        let (message, action) = ServerHarness.udp(&server, try packet.encoded())
        #expect(message == .error(MulticastSessionInitiationError(error: .invalidParameter)))
        guard case .reply(_, .requestRefused(_, _, _, let reason)) = action else { Issue.record("\(action)"); return }
        #expect(reason.contains("WDSMCSE_OPT_MAC_ADDRESS"))
    }

    @Test func malformedDatagramsAndRepliesAreDropped() throws {
        var server = try ServerHarness.server()
        guard case .drop(let error) = server.udpRequestReceived(ByteBuffer(bytes: [1, 0]), serverAddresses: ServerHarness.addresses, now: ServerHarness.now) else {
            Issue.record("not dropped"); return
        }
        #expect(error.section == "2.2.2")
        let reply = try MulticastSessionInitiationError(error: .accessDenied).encoded()
        guard case .drop = server.udpRequestReceived(reply, serverAddresses: ServerHarness.addresses, now: ServerHarness.now) else {
            Issue.record("a reply was answered"); return
        }
        // The server keeps working.
        guard case .reply? = ServerHarness.udp(&server, ServerHarness.udpRequest()).0 else { Issue.record("stopped answering"); return }
    }

    @Test func ipv6WhenCapableAndTheServerHasARangeAndAddress() throws {
        var server = try ServerHarness.server()
        guard case .reply(let v6)? = ServerHarness.udp(&server, ServerHarness.udpRequest(ipv6: true)).0 else { Issue.record("no reply"); return }
        #expect(v6.multicastAddress == IPAddress("ff15::1"))
        #expect(v6.serverAddress == IPAddress("2001:db8::10"))
        // IPV6_CAPABLE set to 0, or absent: IPv4.
        guard case .reply(let zero)? = ServerHarness.udp(&server, ServerHarness.udpRequest(content: "meta.wim", ipv6: false)).0 else { Issue.record("no reply"); return }
        #expect(!zero.multicastAddress.isIPv6)
        // No IPv6 range: IPv4 even for a capable client.
        var v4only = try ServerHarness.server(ServerHarness.configuration(multicast: MulticastConfiguration(ipv6Range: nil)))
        guard case .reply(let fallback)? = ServerHarness.udp(&v4only, ServerHarness.udpRequest(ipv6: true)).0 else { Issue.record("no reply"); return }
        #expect(!fallback.multicastAddress.isIPv6)
        // No IPv6 address on the interface: IPv4 too.
        let v4Address = SessionInitiationServer.ServerAddresses(ipv4: IPAddress("192.0.2.10")!)
        guard case .reply(let noAddress)? = ServerHarness.udp(&server, ServerHarness.udpRequest(content: "empty", ipv6: true), addresses: v4Address).0 else { Issue.record("no reply"); return }
        #expect(!noAddress.multicastAddress.isIPv6)
        #expect(noAddress.totalBlocks == 0)
    }
}
