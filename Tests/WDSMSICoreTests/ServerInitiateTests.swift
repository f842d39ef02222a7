import NIOCore
import Testing
import WDSMSICore
import WinteropWire

/// 3.1.5.2 WDSMC_OP_INITIATE, and the WdsRpcMessage steps of MS-WDSC 3.1.4.1 before it.
@Suite struct ServerInitiateTests {
    @Test func replyCarriesTheSessionAndTheKeysOfSignHash() throws {
        var server = try ServerHarness.server()
        let reply = try ServerHarness.initiate(&server, cap: [.checksum]).get()
        #expect(reply.multicastAddress == IPAddress("239.0.0.1"))
        #expect(reply.unicastAddress == IPAddress("192.0.2.10"))
        #expect(reply.unicastPort == reply.multicastPort)
        #expect(reply.contentSize == 10_000)
        #expect(reply.totalBlocks == 10)
        #expect(reply.contentMetadata == nil)  // none: the variable is left out
        #expect(reply.secMode == SecurityModes(server: .sign, client: .hash))
        #expect(reply.signKey == ServerHarness.keys.signKey)
        #expect(reply.symKey == ServerHarness.keys.hashKey)
        #expect(reply.hashAlgId == 0x800C)
        #expect(reply.hmacAlgId == 0x8009)
        #expect(reply.userSid == ServerHarness.sid)
        #expect(try SecurityModeDetermination.modes(for: reply) == SecurityModes(server: .sign, client: .hash))
    }

    @Test func hashHashCarriesSymKeyAndAlgorithmsButNoSignKey() throws {
        var server = try ServerHarness.server(ServerHarness.configuration(modes: SecurityModes(server: .hash, client: .hash)))
        let reply = try ServerHarness.initiate(&server, cap: nil).get()
        #expect(reply.signKey == nil)
        #expect(reply.symKey == ServerHarness.keys.hashKey)
        #expect(reply.hashAlgId != nil && reply.hmacAlgId != nil)
        #expect(reply.secMode == SecurityModes(server: .hash, client: .hash))
    }

    @Test func noneNoneCarriesNoKeys() throws {
        var server = try ServerHarness.server(ServerHarness.configuration(modes: SecurityModes(server: .none, client: .none)))
        let reply = try ServerHarness.initiate(&server, cap: nil).get()
        #expect(reply.signKey == nil && reply.symKey == nil && reply.hashAlgId == nil && reply.hmacAlgId == nil)
        #expect(reply.secMode == SecurityModes(server: .none, client: .none))
        #expect(reply.userSid == ServerHarness.sid)
    }

    @Test func metadataIsAddedWhenTheContentHasSome() throws {
        var server = try ServerHarness.server()
        #expect(try ServerHarness.initiate(&server, content: "meta.wim").get().contentMetadata == [9, 8, 7])
    }

    @Test func bootDeviceForcesChecksumAndNeedsTheChecksumCap() throws {
        var server = try ServerHarness.server()
        let reply = try ServerHarness.initiate(&server, cap: [.bootDevice, .checksum]).get()
        #expect(reply.secMode == .checksum)
        #expect(reply.signKey == nil && reply.symKey == nil)
        // Pre-OS without WDSMC_CLIENT_CAP_CHECKSUM: refused (3.1.5.2).
        #expect(ServerHarness.initiate(&server, cap: [.bootDevice]) == .failure(.notSupported))
    }

    @Test func checksumModesNeedTheChecksumCap() throws {
        var server = try ServerHarness.server(ServerHarness.configuration(modes: .checksum))
        #expect(ServerHarness.initiate(&server, cap: nil) == .failure(.notSupported))
        #expect(ServerHarness.initiate(&server, cap: [.ipv6]) == .failure(.notSupported))
        #expect(try ServerHarness.initiate(&server, cap: [.checksum]).get().secMode == .checksum)
    }

    @Test func ipv6WhenCapAsksForIt() throws {
        var server = try ServerHarness.server()
        let reply = try ServerHarness.initiate(&server, cap: [.checksum, .ipv6]).get()
        #expect(reply.multicastAddress.isIPv6 && reply.unicastAddress.isIPv6)
    }

    @Test func namespaceAndContentRules() throws {
        var server = try ServerHarness.server()
        #expect(ServerHarness.initiate(&server, namespace: "nope") == .failure(.badNetPath))
        #expect(ServerHarness.initiate(&server, content: "nope") == .failure(.fileNotFound))
        // Over the WDS Control Protocol the caller is authenticated: AllowUnauthenticated does not apply.
        #expect((try? ServerHarness.initiate(&server, namespace: "private", content: "b.wim").get()) != nil)
    }

    // MARK: WdsRpcMessage

    func rpc(_ server: inout SessionInitiationServer, _ bytes: ByteBuffer, caller: WdsRpcCaller = .authenticated(userSid: ServerHarness.sid)) -> WdsRpcResult {
        server.wdsRpcMessage(bytes, caller: caller, serverAddresses: ServerHarness.addresses, now: ServerHarness.now)
    }

    static let request = InitiateRequest(namespace: "images", content: "a.wim", client: "PC1", capabilities: [.checksum])

    @Test func rpcReturnsTheReplyPacket() throws {
        var server = try ServerHarness.server()
        let result = rpc(&server, try Self.request.encoded())
        #expect(result.status == .success)
        let packet = try WDSC.Packet(decoding: try #require(result.reply))
        #expect(packet.packetType == WDSC.PacketType.reply.rawValue)
        #expect(try InitiateReply(packet).sessionId == 0x1000)
    }

    @Test func rpcOperationErrorsComeInTheReplysErrorCode() throws {
        var server = try ServerHarness.server()
        var request = Self.request
        request.content = "missing"
        let result = rpc(&server, try request.encoded())
        #expect(result.status == .success)
        let packet = try WDSC.Packet(decoding: try #require(result.reply))
        #expect(packet.opCodeOrErrorCode == Win32Error.fileNotFound.code)
        #expect(packet.variables.isEmpty)
    }

    @Test func rpcFailuresBeforeTheOperation() throws {
        var server = try ServerHarness.server()
        // Unauthenticated: WDSMC_OP_INITIATE is Authenticated.
        #expect(rpc(&server, try Self.request.encoded(), caller: .unauthenticated).status == .accessDenied)
        // Another endpoint.
        var other = Self.request.packet()
        other.endpointGUID = WDSC.GUID(uuidString: "00000000-0000-0000-0000-000000000001")!
        #expect(rpc(&server, try other.encoded()).status == .invalidParameter)
        // Another OpCode.
        var opcode = Self.request.packet()
        opcode.opCodeOrErrorCode = 7
        #expect(rpc(&server, try opcode.encoded()).status == .invalidFunction)
        // A missing required variable.
        var missing = Self.request.packet()
        missing.variables.removeAll { $0.name == "Client" }
        let result = rpc(&server, try missing.encoded())
        #expect(result.status == .invalidParameter)
        #expect(result.reply == nil)
        #expect(result.failure?.contains("Client") == true)
        // Not a packet at all.
        #expect(rpc(&server, ByteBuffer(bytes: [0x28, 0])).status == .invalidParameter)
        // Stopping.
        server.stop()
        #expect(rpc(&server, try Self.request.encoded()).status == .notReady)
    }

    /// Section 4's request, served by a server configured like the example's reply.
    @Test func section4RequestIsServed() throws {
        let provider = MemoryContentProvider(namespaces: ["x": ["install.wim": ContentInfo(size: 0xEF8B_56EC)]])
        let configuration = ServerConfiguration(
            providers: [.init(name: "m", allowUnauthenticated: false, provider: provider)],
            namespaces: [.init(name: "WDS:default/install.wim/1", contentProvider: "m", configurationString: "x")],
            securityModes: SecurityModes(server: .hash, client: .hash), keys: ServerHarness.keys,
            multicast: MulticastConfiguration(blockSize: 0x2251)
        )
        var server = try SessionInitiationServer(configuration: configuration, firstSessionId: 0x6D19_EE7E)
        let bytes = try #require(Hex.decode(CodecGoldenTests.exampleRequestHex))
        let result = server.wdsRpcMessage(ByteBuffer(bytes: bytes), caller: .authenticated(userSid: ServerHarness.sid),
                                          serverAddresses: .init(ipv4: IPAddress("192.168.0.200")!), now: ServerHarness.now)
        let reply = try InitiateReply(WDSC.Packet(decoding: try #require(result.reply)))
        #expect(reply.sessionId == 0x6D19_EE7E)
        #expect(reply.contentSize == 0xEF8B_56EC)
        #expect(reply.blockSize == 0x2251)
        #expect(reply.totalBlocks == 0x6FB00)  // the example's TotalBlocks: ceil(ContentSize / BlockSize)
        #expect(reply.unicastAddress == IPAddress("192.168.0.200"))
        #expect(reply.secMode == SecurityModes(server: .hash, client: .hash))
        #expect(reply.hashAlgId == 0x800C && reply.hmacAlgId == 0x8009)
        // Cap asked for IPv6 but the server has no IPv6 address here: IPv4.
        #expect(!reply.multicastAddress.isIPv6)
    }
}
