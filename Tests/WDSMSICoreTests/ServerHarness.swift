import NIOCore
import WDSMSICore
import WinteropWire

/// A content provider over a dictionary: "configuration string" → content name → info.
struct MemoryContentProvider: ContentProvider {
    var namespaces: [String: [String: ContentInfo]]

    func initialize(configurationString: String) throws(ContentProviderError) {
        guard namespaces[configurationString] != nil else {
            throw ContentProviderError("no content set called '\(configurationString)'")
        }
    }

    func content(named content: String, configurationString: String) -> Result<ContentInfo, Win32Error> {
        guard let info = namespaces[configurationString]?[content] else { return .failure(.fileNotFound) }
        return .success(info)
    }
}

enum ServerHarness {
    static let provider = MemoryContentProvider(namespaces: [
        "set-a": ["a.wim": ContentInfo(size: 10_000), "meta.wim": ContentInfo(size: 1, metadata: [9, 8, 7]), "empty": ContentInfo(size: 0)],
        "set-b": ["b.wim": ContentInfo(size: 2048)],
    ])

    static let keys = ServerConfiguration.Keys(signKey: [0x06, 0x02, 0, 0, 0x00, 0x24, 0, 0], hashKey: [0x08, 0x02, 0, 0, 0x03, 0x66, 0, 0])

    static func configuration(
        allowUnauthenticated: Bool = true, modes: SecurityModes = SecurityModes(server: .sign, client: .hash),
        multicast: MulticastConfiguration = MulticastConfiguration()
    ) -> ServerConfiguration {
        ServerConfiguration(
            providers: [
                .init(name: "memory", allowUnauthenticated: allowUnauthenticated, provider: provider),
                .init(name: "locked", allowUnauthenticated: false, provider: provider),
            ],
            namespaces: [
                .init(name: "images", contentProvider: "memory", configurationString: "set-a"),
                .init(name: "private", contentProvider: "locked", configurationString: "set-b"),
            ],
            securityModes: modes, keys: keys, multicast: multicast
        )
    }

    static func server(_ configuration: ServerConfiguration = configuration()) throws -> SessionInitiationServer {
        try SessionInitiationServer(configuration: configuration, firstSessionId: 0x1000)
    }

    static let addresses = SessionInitiationServer.ServerAddresses(ipv4: IPAddress("192.0.2.10")!, ipv6: IPAddress("2001:db8::10")!)
    static let now = NIODeadline.uptimeNanoseconds(1_000_000_000)
    static let sid: [UInt8] = [1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0xF4, 1, 0, 0]

    static func udpRequest(namespace: String = "images", content: String = "a.wim", ipv6: Bool? = nil) -> ByteBuffer {
        try! MulticastSessionInitiationRequest(namespace: namespace, content: content, macAddress: [0, 0x11, 0x22, 0x33, 0x44, 0x55], ipv6Capable: ipv6).encoded()
    }

    /// Runs a UDP request and decodes what the server sends back.
    static func udp(_ server: inout SessionInitiationServer, _ datagram: ByteBuffer, addresses: SessionInitiationServer.ServerAddresses = addresses, now: NIODeadline = now) -> (UDPMessage?, SessionInitiationServer.UDPAction) {
        let action = server.udpRequestReceived(datagram, serverAddresses: addresses, now: now)
        if case .reply(let bytes, _) = action {
            return (try? UDPMessage(decoding: bytes), action)
        }
        return (nil, action)
    }

    static func initiate(
        _ server: inout SessionInitiationServer, namespace: String = "images", content: String = "a.wim",
        cap: ClientCapabilities? = [.checksum], now: NIODeadline = now
    ) -> Result<InitiateReply, Win32Error> {
        server.initiateRequestReceived(
            InitiateRequest(namespace: namespace, content: content, client: "PC1", capabilities: cap),
            userSid: sid, serverAddresses: addresses, now: now
        ).0
    }
}
