import NIOCore
import WinteropWire

/// The MS-WDSMSI server (3.1), sans-IO: it answers requests of both paths (3.1.5.2 over
/// the WDS Control Protocol, 3.1.5.3 over UDP) from its configuration and its multicast
/// session table. The shell hands it request bytes, the addresses it can offer and the
/// time, and sends what comes back.
public struct SessionInitiationServer: Sendable {
    /// The Global Server State of MS-WDSC 3.1.1 (Loading is the initializer).
    public enum State: Sendable {
        case running(MulticastSessionTable)
        case stopping
    }

    /// The server's unicast addresses a session can use: TpUniAddress / WDSMCSE_OPT_SERVER_ADDR.
    public struct ServerAddresses: Sendable, Hashable {
        public var ipv4: IPAddress?
        public var ipv6: IPAddress?

        public init(ipv4: IPAddress? = nil, ipv6: IPAddress? = nil) {
            self.ipv4 = ipv4
            self.ipv6 = ipv6
        }
    }

    /// Which path a request came by, with what that path carries (3.1.5.1.1).
    public enum RequestPath: Sendable, Hashable {
        /// UDP: unauthenticated and pre-OS by definition.
        case udp(ipv6Capable: Bool)
        /// WDS Control Protocol: the caller's SID and the Cap variable.
        case wdsc(capabilities: ClientCapabilities?, userSid: [UInt8])
    }

    /// What the application hears about a request.
    public enum Report: Sendable, Hashable {
        case sessionCreated(MulticastSession)
        case sessionReused(MulticastSession)
        /// A request the server answered with an error, and the rule that made it.
        case requestRefused(namespace: String, content: String, error: Win32Error, reason: String)
    }

    /// What the shell does with a datagram (3.1.5.3).
    public enum UDPAction: Sendable, Hashable {
        /// Send this Reply or Error Packet back to the datagram's source.
        case reply(ByteBuffer, Report)
        /// Drop the datagram: it is not a request packet of 2.2.2 (nothing is sent).
        case drop(WireError)
    }

    public let configuration: ServerConfiguration
    public private(set) var state: State
    private let providers: [String: ServerConfiguration.ProviderRegistration]
    private let namespaces: [String: ServerConfiguration.NamespaceRegistration]

    /// Initialization (3.1.3): reads every provider and namespace, checks that each
    /// namespace's provider exists and can serve its ConfigurationString, and that the
    /// security modes are a supported pair (3.1.5.1) with the keys they need.
    public init(configuration: ServerConfiguration, firstSessionId: UInt32) throws(StartupError) {
        var providers: [String: ServerConfiguration.ProviderRegistration] = [:]
        for provider in configuration.providers {
            guard providers[provider.name.lowercased()] == nil else { throw .duplicateProvider(provider.name) }
            providers[provider.name.lowercased()] = provider
        }
        var namespaces: [String: ServerConfiguration.NamespaceRegistration] = [:]
        for namespace in configuration.namespaces {
            guard namespaces[namespace.name.lowercased()] == nil else { throw .duplicateNamespace(namespace.name) }
            guard let provider = providers[namespace.contentProvider.lowercased()] else {
                throw .missingProvider(namespace: namespace.name, provider: namespace.contentProvider)
            }
            do {
                try provider.provider.initialize(configurationString: namespace.configurationString)
            } catch {
                throw .providerFailed(namespace: namespace.name, provider: provider.name, message: error.message)
            }
            namespaces[namespace.name.lowercased()] = namespace
        }
        let modes = configuration.securityModes
        guard modes.isSupported else { throw .unsupportedSecurityModes(modes) }
        if modes.server == .sign, configuration.keys.signKey == nil {
            throw .missingKey("server security mode sign needs a SignKey (an RSA key pair)")
        }
        if modes.server == .sign || modes.server == .hash || modes.client == .hash, configuration.keys.hashKey == nil {
            throw .missingKey("security modes \(modes.server)/\(modes.client) need a HashKey")
        }
        let multicast = configuration.multicast
        guard multicast.ipv4Range.isMulticast, !multicast.ipv4Range.base.isIPv6 else {
            throw .invalidMulticastRange(multicast.ipv4Range.description)
        }
        if let v6 = multicast.ipv6Range, !(v6.isMulticast && v6.base.isIPv6) {
            throw .invalidMulticastRange(v6.description)
        }
        guard multicast.ports.lowerBound > 0 else { throw .invalidPortRange }
        guard multicast.blockSize > 0 else { throw .invalidBlockSize }
        self.configuration = configuration
        self.providers = providers
        self.namespaces = namespaces
        self.state = .running(MulticastSessionTable(firstSessionId: firstSessionId))
    }

    /// The live sessions.
    public var sessions: [MulticastSession] {
        guard case .running(let table) = state else { return [] }
        return table.sessions.values.sorted { $0.id < $1.id }
    }

    /// When the shell should call ``sessionTimerFired(now:)`` next.
    public var nextSessionExpiry: NIODeadline? {
        guard case .running(let table) = state else { return nil }
        return table.nextExpiry
    }

    /// The session lifetime ran out for some sessions: they end.
    public mutating func sessionTimerFired(now: NIODeadline) -> [MulticastSession] {
        guard case .running(var table) = state else { return [] }
        let ended = table.removeExpired(now: now)
        state = .running(table)
        return ended
    }

    /// The server is shutting down: no more sessions (MS-WDSC 3.1.1 Stopping).
    public mutating func stop() {
        state = .stopping
    }

    // MARK: 3.1.5.3 Over UDP

    /// A datagram arrived on the UDP port. A well-formed request gets a Reply Packet or an
    /// Error Packet; a request that lacks a required option, or has one of the wrong
    /// size, gets ERROR_INVALID_PARAMETER; anything else is dropped.
    public mutating func udpRequestReceived(
        _ datagram: ByteBuffer, serverAddresses: ServerAddresses, now: NIODeadline
    ) -> UDPAction {
        let packet: UDPPacket
        do {
            packet = try UDPPacket(decoding: datagram)
        } catch {
            return .drop(error)
        }
        guard packet.opCode == .request else {
            return .drop(WDSMSI.reference("3.1.5.3").error("a \(packet.opCode) packet is not a request"))
        }
        let request: MulticastSessionInitiationRequest
        do {
            request = try MulticastSessionInitiationRequest(packet)
        } catch {
            return errorPacket(.invalidParameter, namespace: "", content: "", reason: error.description)
        }
        let path = RequestPath.udp(ipv6Capable: request.ipv6Capable == true)
        switch initiate(namespace: request.namespace, content: request.content, path: path, serverAddresses: serverAddresses, now: now) {
        case .success(let (session, report)):
            let reply = MulticastSessionInitiationReply(
                multicastAddress: session.multicastAddress, serverAddress: session.serverAddress,
                multicastPort: session.port, serverPort: session.port,
                contentSize: session.contentSize, blockSize: session.blockSize,
                totalBlocks: session.totalBlocks, sessionId: session.id
            )
            // A reply's options are fixed-size: it always fits a datagram.
            guard let bytes = try? reply.encoded() else {
                return errorPacket(.invalidParameter, namespace: request.namespace, content: request.content, reason: "reply does not encode")
            }
            return .reply(bytes, report)
        case .failure(let refusal):
            return errorPacket(refusal.error, namespace: request.namespace, content: request.content, reason: refusal.reason)
        }
    }

    private func errorPacket(_ error: Win32Error, namespace: String, content: String, reason: String) -> UDPAction {
        let bytes = (try? MulticastSessionInitiationError(error: error).encoded()) ?? ByteBuffer()
        return .reply(bytes, .requestRefused(namespace: namespace, content: content, error: error, reason: reason))
    }

    // MARK: 3.1.5.2 WDSMC_OP_INITIATE

    /// The WDSMC_OP_INITIATE operation on a decoded request: the reply's variables, or the
    /// Win32 error for OpCode-ErrorCode.
    public mutating func initiateRequestReceived(
        _ request: InitiateRequest, userSid: [UInt8], serverAddresses: ServerAddresses, now: NIODeadline
    ) -> (Result<InitiateReply, Win32Error>, Report) {
        let path = RequestPath.wdsc(capabilities: request.capabilities, userSid: userSid)
        switch initiate(namespace: request.namespace, content: request.content, path: path, serverAddresses: serverAddresses, now: now) {
        case .failure(let refusal):
            return (.failure(refusal.error), .requestRefused(namespace: request.namespace, content: request.content, error: refusal.error, reason: refusal.reason))
        case .success(let (session, report)):
            return (.success(initiateReply(session, userSid: userSid)), report)
        }
    }

    /// 3.1.5.2's reply: the session's variables, ContentMetadata when there is some, the
    /// keys its security modes need, SecMode and UserSid.
    func initiateReply(_ session: MulticastSession, userSid: [UInt8]) -> InitiateReply {
        let modes = session.securityModes
        var reply = InitiateReply(
            multicastPort: session.port, multicastAddress: session.multicastAddress,
            unicastPort: session.port, unicastAddress: session.serverAddress,
            sessionId: session.id, contentSize: session.contentSize,
            blockSize: session.blockSize, totalBlocks: session.totalBlocks,
            contentMetadata: session.contentMetadata, secMode: modes, userSid: userSid
        )
        if modes.server == .sign {
            reply.signKey = configuration.keys.signKey
            reply.symKey = configuration.keys.hashKey
        }
        if modes.server == .hash || modes.client == .hash {
            reply.symKey = configuration.keys.hashKey
            reply.hashAlgId = configuration.hashAlgId
            reply.hmacAlgId = configuration.hmacAlgId
        }
        return reply
    }

    // MARK: The rules both paths share

    struct Refusal: Error {
        var error: Win32Error
        var reason: String
    }

    /// Namespace lookup, provider access, IPv6, pre-OS and security modes, then the session.
    mutating func initiate(
        namespace name: String, content: String, path: RequestPath, serverAddresses: ServerAddresses, now: NIODeadline
    ) -> Result<(MulticastSession, Report), Refusal> {
        guard case .running(var table) = state else {
            return .failure(Refusal(error: .notReady, reason: "the server is stopping"))
        }
        _ = table.removeExpired(now: now)
        defer { state = .running(table) }
        // 3.1.5.2 / 3.1.5.3: match Namespace to a registered namespace's Name.
        guard let namespace = namespaces[name.lowercased()],
              let provider = providers[namespace.contentProvider.lowercased()]
        else {
            return .failure(Refusal(error: .badNetPath, reason: "no namespace is called '\(name)' (3.1.5.2)"))
        }
        // 3.1.5.3: UDP requests are unauthenticated; the provider must allow that.
        if case .udp = path, !provider.allowUnauthenticated {
            return .failure(Refusal(error: .accessDenied, reason: "content provider '\(provider.name)' does not allow unauthenticated requests (AllowUnauthenticated, 3.1.5.3)"))
        }
        // Query the provider: may the client have the content?
        let info: ContentInfo
        switch provider.provider.content(named: content, configurationString: namespace.configurationString) {
        case .success(let found): info = found
        case .failure(let error):
            return .failure(Refusal(error: error, reason: "content provider '\(provider.name)' refused '\(content)' in '\(namespace.name)'"))
        }
        // IPv6 when the client can and the server has an IPv6 range and address.
        let clientIPv6: Bool
        let preOS: Bool
        let capabilities: ClientCapabilities?
        switch path {
        case .udp(let ipv6Capable):
            clientIPv6 = ipv6Capable
            preOS = true  // 3.1.5.1.1: every UDP client is pre-OS
            capabilities = nil
        case .wdsc(let cap, _):
            clientIPv6 = cap?.contains(.ipv6) == true
            preOS = cap?.contains(.bootDevice) == true  // 3.1.5.1.1
            capabilities = cap
        }
        let useIPv6 = clientIPv6 && configuration.multicast.ipv6Range != nil && serverAddresses.ipv6 != nil
        guard let serverAddress = useIPv6 ? serverAddresses.ipv6 : serverAddresses.ipv4 else {
            return .failure(Refusal(error: .notSupported, reason: "the server has no IPv4 address for a session on this interface"))
        }
        // 3.1.5.2: pre-OS clients get checksum both ways; others the configured modes.
        let modes = preOS ? SecurityModes.checksum : configuration.securityModes
        // 3.1.5.2: with a checksum mode, the request must carry Cap with WDSMC_CLIENT_CAP_CHECKSUM.
        if case .wdsc = path, modes.server == .checksum || modes.client == .checksum,
           capabilities?.contains(.checksum) != true {
            return .failure(Refusal(error: .notSupported, reason: "checksum mode needs a Cap variable with WDSMC_CLIENT_CAP_CHECKSUM (3.1.5.2)"))
        }
        let key = MulticastSessionTable.Key(namespace: namespace.name, content: content, ipv6: useIPv6, securityModes: modes)
        switch table.session(for: key, content: info, serverAddress: serverAddress, configuration: configuration.multicast, now: now) {
        case .failure(let error):
            return .failure(Refusal(error: error, reason: "no multicast address is free for another session"))
        case .success(.created(let session)):
            return .success((session, .sessionCreated(session)))
        case .success(.reused(let session)):
            return .success((session, .sessionReused(session)))
        }
    }
}
