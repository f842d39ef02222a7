import MICECore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import WFDRoles
import WinteropTransport
import WinteropWire

/// Everything `winterop mice source` configures.
public struct MICESourceConfiguration: Sendable {
    /// The sink's host name or IP address (from `--sink` or the IE's Host Name).
    public var sinkHost: String
    public var sinkPort: Int
    /// IP Address attributes from the sink's IE: used instead of resolution (3.2.5.1).
    public var sinkAddresses: [String]
    /// The sink's capabilities (from the IE, `--capabilities`, or assumed).
    public var sinkCapability: MICECapability
    public var encryption: SourceStateMachine.Configuration.EncryptionPreference
    /// Whether PIN entry is wanted (`--pin off` turns it off).
    public var wantPIN: Bool
    /// The PIN given up front, or nil to ask when needed.
    public var pin: String?
    public var friendlyName: String
    public var sourceID: SourceID
    /// Where the RTSP listener binds (port 0 picks one).
    public var rtspListen: HostPort
    /// The local address the 7250 connection binds to (tests use 127.0.0.2).
    public var bindAddress: String?
    /// Send STOP_PROJECTION this long after the sink connected back.
    public var stopAfter: Duration?
    public var discoveryTimeout: Duration
    public var controlChannelTimeout: Duration
    public var securityHandshakeTimeout: Duration
    public var dtls: (any MICEDTLSFactory)?
    /// What to project once the sink has connected back (3.2.5.7).
    public var projection = MICESourceProjection()
    /// Whether ``sinkCapability`` was assumed (no `--ie`, no `--capabilities`): PIN and
    /// DTLS, which sinks such as lazycast or GNOME Network Displays do not offer.
    public var capabilitiesAssumed = false
    /// With assumed capabilities and `--encryption auto`: after a failed security phase,
    /// try once more with the plain flow (`--fallback-plain`).
    public var fallbackPlain = false

    public init(
        sinkHost: String, sinkPort: Int = MICE.sinkPort, sinkAddresses: [String] = [],
        sinkCapability: MICECapability, encryption: SourceStateMachine.Configuration.EncryptionPreference = .auto,
        wantPIN: Bool = true, pin: String? = nil, friendlyName: String, sourceID: SourceID = .random(),
        rtspListen: HostPort = HostPort(host: "0.0.0.0", port: MICE.defaultRTSPPort), bindAddress: String? = nil,
        stopAfter: Duration? = nil, discoveryTimeout: Duration = .milliseconds(1500),
        controlChannelTimeout: Duration = .seconds(5), securityHandshakeTimeout: Duration = .seconds(1),
        dtls: (any MICEDTLSFactory)?
    ) {
        self.sinkHost = sinkHost
        self.sinkPort = sinkPort
        self.sinkAddresses = sinkAddresses
        self.sinkCapability = sinkCapability
        self.encryption = encryption
        self.wantPIN = wantPIN
        self.pin = pin
        self.friendlyName = friendlyName
        self.sourceID = sourceID
        self.rtspListen = rtspListen
        self.bindAddress = bindAddress
        self.stopAfter = stopAfter
        self.discoveryTimeout = discoveryTimeout
        self.controlChannelTimeout = controlChannelTimeout
        self.securityHandshakeTimeout = securityHandshakeTimeout
        self.dtls = dtls
    }
}

/// Resolves a sink host name to addresses (DNS and/or mDNS, 3.2.5.1).
public typealias MICEHostResolver = @Sendable (_ host: String, _ port: Int) async throws -> [SocketAddress]

/// Supplies the PIN the person reads off the sink (3.2.4.2), or nil when there is none.
public typealias MICEPINProvider = @Sendable () async -> String?

/// The MS-MICE source: listens on its RTSP port, connects to the sink's 7250,
/// negotiates (SESSION_REQUEST / DTLS / PIN) and waits for the connect-back.
public final class MICESource: Sendable {
    public let configuration: MICESourceConfiguration
    private let events: EventLog
    private let loop: any EventLoop
    private let resolver: MICEHostResolver
    private let pinProvider: MICEPINProvider
    private let driver = NIOLockedValueBox<NIOLoopBound<SourceDriver>?>(nil)

    public init(
        configuration: MICESourceConfiguration, events: EventLog, eventLoopGroup: any EventLoopGroup,
        resolver: @escaping MICEHostResolver = MICESource.dnsResolver, pinProvider: @escaping MICEPINProvider
    ) {
        self.configuration = configuration
        self.events = events
        self.loop = eventLoopGroup.next()
        self.resolver = resolver
        self.pinProvider = pinProvider
    }

    /// DNS through getaddrinfo on NIO's thread pool.
    public static let dnsResolver: MICEHostResolver = { host, port in
        try await NIOThreadPool.singleton.runIfActive {
            [try SocketAddress.makeAddressResolvingHost(host, port: port)]
        }
    }

    /// Runs the attempt and the session; returns why it ended. When the sink's
    /// capabilities were only assumed (no discovery data) and the security phase failed,
    /// ``MICESourceConfiguration/fallbackPlain`` tries once more with the plain flow
    /// (SOURCE_READY first), saying so in a `fallback` event.
    public func run() async throws -> SourceCloseReason {
        let reason = try await attempt(configuration)
        guard configuration.fallbackPlain, configuration.capabilitiesAssumed, configuration.encryption == .auto,
              reason.isSecurityPhaseFailure, !isDisconnecting
        else { return reason }
        events.emit(MICESourceEvent.fallback(after: reason))
        var plain = configuration
        plain.sinkCapability = MICECapability(streamEncryption: false, pin: false)
        plain.wantPIN = false
        return try await attempt(plain)
    }

    private let disconnecting = NIOLockedValueBox(false)
    private var isDisconnecting: Bool { disconnecting.withLockedValue { $0 } }

    /// One attempt with `configuration`.
    private func attempt(_ configuration: MICESourceConfiguration) async throws -> SourceCloseReason {
        guard let selection = SourceStateMachine.Configuration.select(
            sink: configuration.sinkCapability, encryption: configuration.encryption, wantPIN: configuration.wantPIN
        ) else {
            throw RoleFailure.usage("mice source: the sink's capabilities (\(configuration.sinkCapability)) do not allow --encryption \(configuration.encryption.rawValue) with PIN \(configuration.wantPIN ? "entry" : "off")")
        }
        if selection.useStreamEncryption && configuration.dtls == nil {
            throw RoleFailure.usage("mice source: stream encryption was selected but this build has no DTLS engine; use --encryption off --pin off")
        }
        let loop = self.loop
        let events = self.events
        // Listen on the RTSP port before anything is sent (3.2.5.4).
        let accepted = NIOLockedValueBox<NIOLoopBound<SourceDriver>?>(nil)
        let listener: any Channel
        do {
            listener = try await ServerBootstrap(group: loop)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    loop.execute {
                        accepted.withLockedValue { $0 }?.value.rtspAccepted(channel)
                    }
                    return channel.eventLoop.makeSucceededVoidFuture()
                }
                .bind(host: configuration.rtspListen.host, port: configuration.rtspListen.port)
                .get()
        } catch {
            throw RoleFailure.usage("mice source cannot listen for RTSP on \(configuration.rtspListen): \(NetworkErrorText.plain(error)); choose another address with --rtsp-listen")
        }
        events.listening(service: "mice-source-rtsp", address: listener.localAddress)
        // RTP leaves from here; the M6 reply names its port (server_port).
        let rtpSender: any Channel
        do {
            rtpSender = try await WFDChannels.bindRTPSender(group: loop, host: configuration.rtspListen.host)
        } catch {
            try? await listener.close()
            throw RoleFailure.usage("mice source cannot open a UDP socket for RTP on \(configuration.rtspListen.host): \(NetworkErrorText.plain(error))")
        }
        let rtspPort = UInt16(clamping: listener.localAddress?.port ?? Int(MICE.defaultRTSPPort))
        let machineConfiguration = SourceStateMachine.Configuration(
            sinkCapability: configuration.sinkCapability,
            useStreamEncryption: selection.useStreamEncryption, usePINEntry: selection.usePINEntry,
            friendlyName: configuration.friendlyName, sourceID: configuration.sourceID, rtspPort: rtspPort,
            discoveryTimeout: configuration.discoveryTimeout, controlChannelTimeout: configuration.controlChannelTimeout,
            securityHandshakeTimeout: configuration.securityHandshakeTimeout
        )
        let resolver = self.resolver
        let pinProvider = self.pinProvider
        let driverBox = self.driver
        let reason: SourceCloseReason = await withCheckedContinuation { continuation in
            loop.execute {
                let driver = SourceDriver(
                    machine: SourceStateMachine(configuration: machineConfiguration, pin: configuration.pin),
                    configuration: configuration, events: events, loop: loop, listener: listener, rtpSender: rtpSender,
                    resolver: resolver, pinProvider: pinProvider, continuation: continuation
                )
                let bound = NIOLoopBound(driver, eventLoop: loop)
                accepted.withLockedValue { $0 = bound }
                driverBox.withLockedValue { $0 = bound }
                driver.start()
            }
        }
        try? await listener.close()
        try? await rtpSender.close()
        return reason
    }

    /// The application disconnects (3.2.4.3): STOP_PROJECTION, then close.
    public func disconnect() {
        disconnecting.withLockedValue { $0 = true }
        let loop = self.loop
        guard let bound = driver.withLockedValue({ $0 }) else { return }
        loop.execute { bound.value.disconnect() }
    }
}

extension MICESource {
    /// The user pauses the projection (`mice source`: SIGUSR1): the WFD PAUSE trigger;
    /// nothing happens before the sink connected back.
    public func pause() {
        guard let bound = driver.withLockedValue({ $0 }) else { return }
        loop.execute { bound.value.projectionCommand(pause: true) }
    }

    /// The user resumes a paused projection (SIGUSR2): the WFD PLAY trigger.
    public func play() {
        guard let bound = driver.withLockedValue({ $0 }) else { return }
        loop.execute { bound.value.projectionCommand(pause: false) }
    }
}

/// Runs ``SourceStateMachine`` on one event loop and carries out its actions.
final class SourceDriver {
    private var machine: SourceStateMachine
    private let configuration: MICESourceConfiguration
    private let events: EventLog
    private let loop: any EventLoop
    private let listener: any Channel
    private let rtpSender: any Channel
    /// The WFD session on the sink's RTSP connection (3.2.5.7).
    private var projection: SourceProjection?
    private let resolver: MICEHostResolver
    private let pinProvider: MICEPINProvider
    private var continuation: CheckedContinuation<SourceCloseReason, Never>?
    private var channel: (any Channel)?
    private var rtspChannels: [any Channel] = []
    private var tunnel: MICEDTLSTunnel
    private var addresses: [SocketAddress] = []
    private var discoveryTimer = ShellTimer()
    private var controlTimer = ShellTimer()
    private var handshakeTimer = ShellTimer()
    private var stopTimer: Scheduled<Void>?

    init(
        machine: SourceStateMachine, configuration: MICESourceConfiguration, events: EventLog, loop: any EventLoop,
        listener: any Channel, rtpSender: any Channel, resolver: @escaping MICEHostResolver, pinProvider: @escaping MICEPINProvider,
        continuation: CheckedContinuation<SourceCloseReason, Never>
    ) {
        self.machine = machine
        self.configuration = configuration
        self.events = events
        self.loop = loop
        self.listener = listener
        self.rtpSender = rtpSender
        self.resolver = resolver
        self.pinProvider = pinProvider
        self.continuation = continuation
        self.tunnel = MICEDTLSTunnel(factory: configuration.dtls, role: .client, section: "3.2.5.5")
    }

    private var bound: NIOLoopBound<SourceDriver> { NIOLoopBound(self, eventLoop: loop) }

    func start() {
        // IP Address attributes, or an IP literal, skip host name resolution (3.2.5.1).
        let literal = (try? SocketAddress(ipAddress: configuration.sinkHost, port: configuration.sinkPort)).map { [$0] }
        let fromIE = configuration.sinkAddresses.compactMap { try? SocketAddress(ipAddress: $0, port: configuration.sinkPort) }
        if !fromIE.isEmpty {
            addresses = fromIE
            run(machine.hostNameResolved())
        } else if let literal {
            addresses = literal
            run(machine.hostNameResolved())
        } else {
            run(machine.hostNameResolutionStarted())
        }
    }

    /// 3.2.4.3, DESIGN.md: with a WFD session running, the TEARDOWN trigger first (the
    /// session then asks for STOP_PROJECTION); a second request does not wait.
    func disconnect() {
        if let projection, projection.isRunning, !stopRequested {
            stopRequested = true
            projection.stop()
            return
        }
        run(machine.disconnectRequested())
    }

    private var stopRequested = false

    // MARK: Events from the network

    func frameReceived(_ event: MICEFrameEvent) {
        let events = self.events
        switch tunnel.receive(event, encrypted: machine.tlvArraysEncrypted, ignoredTLV: { events.emit(MICESourceEvent.tlvIgnored(message: $0, $1)) }) {
        case .success(let message):
            run(machine.messageReceived(message))
        case .failure(let error):
            run(machine.malformedMessageReceived(error))
        }
    }

    func channelClosed() {
        run(machine.connectionClosed())
    }

    func projectionCommand(pause: Bool) {
        if pause { projection?.pause() } else { projection?.play() }
    }

    func rtspAccepted(_ rtsp: any Channel) {
        let actions = machine.rtspConnectionAccepted()
        run(actions)
        guard actions.contains(.report(.rtspConnected)), case .projecting = machine.state else {
            // Not waiting for the sink (3.2.5.7 applies after SOURCE_READY): refuse it.
            rtsp.close(promise: nil)
            return
        }
        rtspChannels.append(rtsp)
        events.emit(MICESourceEvent.rtspConnected(host: rtsp.remoteAddress?.ipAddress ?? "?", port: rtsp.remoteAddress?.port ?? 0))
        let bound = self.bound
        let projection = SourceProjection(
            settings: configuration.projection, events: events, loop: loop, sender: rtpSender, seal: streamSealer(),
            onSessionEnded: { bound.value.run(bound.value.machine.disconnectRequested()) })
        self.projection = projection
        do {
            try projection.attach(rtsp)
        } catch {
            EventLog.diagnostic("mice source: cannot run the WFD session: \(error)")
            rtsp.close(promise: nil)
        }
        if let stopAfter = configuration.stopAfter {
            stopTimer = loop.scheduleTask(in: stopAfter.timeAmount) { bound.value.disconnect() }
        }
    }

    /// 3.2.5.7: with Stream Encryption selected, every RTP packet is sealed into one DTLS
    /// application-data record of this session; nil in clear.
    private func streamSealer() -> (([UInt8]) throws -> [UInt8])? {
        guard machine.configuration.useStreamEncryption, let dtls = tunnel.session else { return nil }
        return { packet in try dtls.seal(packet) }
    }

    // MARK: Actions

    private func run(_ actions: [SourceStateMachine.Action]) {
        for action in actions { perform(action) }
    }

    private func perform(_ action: SourceStateMachine.Action) {
        let bound = self.bound
        switch action {
        case .startDiscoveryTimer(let d):
            discoveryTimer.start(in: d, on: loop) { bound.value.run(bound.value.machine.discoveryTimerFired()) }
        case .cancelDiscoveryTimer:
            discoveryTimer.cancel()
        case .startControlChannelTimer(let d):
            controlTimer.start(in: d, on: loop) { bound.value.run(bound.value.machine.controlChannelTimerFired()) }
        case .cancelControlChannelTimer:
            controlTimer.cancel()
        case .startSecurityHandshakeTimer(let d):
            handshakeTimer.start(in: d, on: loop) { bound.value.run(bound.value.machine.securityHandshakeTimerFired()) }
        case .cancelSecurityHandshakeTimer:
            handshakeTimer.cancel()
        case .resolveHostName:
            resolve()
        case .connect:
            connect()
        case .startDTLS:
            run(tunnel.step({ try $0.start() }, driving: &machine))
        case .feedDTLS(let token):
            run(tunnel.step({ try $0.receiveHandshake(token) }, driving: &machine))
        case .send(let message, let encrypted):
            guard let channel, channel.isActive else { return }
            do {
                let buffer = try tunnel.frame(message, encrypted: encrypted, allocator: channel.allocator)
                channel.writeAndFlush(buffer, promise: nil)
            } catch {
                EventLog.diagnostic("mice source: cannot send \(message.type): \(error)")
            }
        case .requestPIN:
            let provider = pinProvider
            let loop = self.loop
            Task {
                let pin = await provider()
                loop.execute {
                    if let pin {
                        bound.value.run(bound.value.machine.pinEntered(pin))
                    } else {
                        bound.value.run(bound.value.machine.pinUnavailable("no PIN was entered"))
                    }
                }
            }
        case .report(let report):
            emit(report)
        case .close(let reason):
            stopTimer?.cancel()
            events.emit(MICESourceEvent.closed(reason))
            channel?.close(promise: nil)
            for rtsp in rtspChannels { rtsp.close(promise: nil) }
            rtspChannels = []
            listener.close(promise: nil)
            continuation?.resume(returning: reason)
            continuation = nil
        }
    }

    private func resolve() {
        let bound = self.bound
        let loop = self.loop
        let resolver = self.resolver
        let host = configuration.sinkHost
        let port = configuration.sinkPort
        Task {
            let result: Result<[SocketAddress], any Error>
            do {
                result = .success(try await resolver(host, port))
            } catch {
                result = .failure(error)
            }
            loop.execute {
                switch result {
                case .success(let found) where !found.isEmpty:
                    bound.value.addresses = found
                    bound.value.events.emit(MICESourceEvent.resolved(host: host, addresses: found.map { $0.ipAddress ?? "?" }))
                    bound.value.run(bound.value.machine.hostNameResolved())
                case .success:
                    bound.value.run(bound.value.machine.hostNameResolutionFailed("no address for \(host)"))
                case .failure(let error):
                    bound.value.run(bound.value.machine.hostNameResolutionFailed("\(host): \(NetworkErrorText.plain(error))"))
                }
            }
        }
    }

    private func connect() {
        // 3.2.5.3: the first address in the set.
        guard let target = addresses.first else {
            run(machine.connectionFailed("no address"))
            return
        }
        let bound = self.bound
        var bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(configuration.controlChannelTimeout.timeAmount)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(MICEFrameDecoder()),
                        SourceChannelHandler(driver: bound),
                    ])
                }
            }
        if let bindAddress = configuration.bindAddress, let local = try? SocketAddress(ipAddress: bindAddress, port: 0) {
            bootstrap = bootstrap.bind(to: local)
        }
        bootstrap.connect(to: target).hop(to: loop).whenComplete { result in
            let driver = bound.value
            switch result {
            case .success(let channel):
                driver.channel = channel
                driver.events.emit(MICESourceEvent.connected(peer: target.hostPortText, local: channel.localAddress?.hostPortText ?? "?"))
                let local = channel.localAddress.flatMap(IPAddressText.bytes) ?? []
                let remote = channel.remoteAddress.flatMap(IPAddressText.bytes) ?? []
                driver.run(driver.machine.connectionEstablished(sourceAddress: local, sinkAddress: remote))
            case .failure(let error):
                driver.run(driver.machine.connectionFailed("\(target.hostPortText): \(NetworkErrorText.plain(error)); check --sink and that the sink is running"))
            }
        }
    }

    private func emit(_ report: SourceStateMachine.Report) {
        switch report {
        case .sessionRequestSent(let options):
            events.emit(MICESourceEvent.sessionRequest(options: options))
        case .dtlsComplete:
            if let completion = tunnel.completion { events.emit(MICESourceEvent.dtlsComplete(completion)) }
        case .pinResult(let accepted, let reason):
            events.emit(MICESourceEvent.pinResult(accepted: accepted, reason: reason))
        case .sourceReadySent(let ready):
            events.emit(MICESourceEvent.sourceReady(rtspPort: Int(ready.rtspPort)))
        case .rtspConnected:
            break  // reported with the peer in rtspAccepted
        case .stopProjection:
            events.emit(MICESourceEvent.stopProjection)
            projection?.stopProjectionReceived()
        }
    }
}

/// Hands the 7250 connection's frames to the ``SourceDriver``.
final class SourceChannelHandler: ChannelInboundHandler {
    typealias InboundIn = MICEFrameEvent
    private let driver: NIOLoopBound<SourceDriver>

    init(driver: NIOLoopBound<SourceDriver>) {
        self.driver = driver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        driver.value.frameReceived(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        driver.value.channelClosed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
