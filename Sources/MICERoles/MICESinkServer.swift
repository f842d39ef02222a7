import Logging
import MICECore
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import WinteropTransport

/// The MS-MICE sink server: a ``ListenerService`` on 7250 (3.1.3) that keeps one source
/// at a time (3.1.5.2: a second is refused, or with `replaceExisting` replaces the first)
/// and runs one ``SinkConnectionHandler`` per source. On graceful shutdown it sends
/// STOP_PROJECTION to the connected source and closes (3.1.4).
public final class MICESinkServer: Service, Sendable {
    public let configuration: MICESinkConfiguration
    private let listener: ListenerService
    private let role: SinkListenerRole

    public init(configuration: MICESinkConfiguration, events: EventLog, eventLoopGroup: any EventLoopGroup) {
        self.configuration = configuration
        let role = SinkListenerRole(configuration: configuration, events: events)
        self.role = role
        self.listener = ListenerService(
            configuration: ListenerConfiguration(
                service: "mice-sink", address: configuration.listen,
                maxConnections: 1, overflow: configuration.replaceExisting ? .displaceOldest : .refuse,
                addressOption: configuration.listenOption),
            role: role, events: events, eventLoopGroup: eventLoopGroup)
    }

    /// The PIN the next connection shows, or nil without PIN support.
    public var pin: String? { role.pin }

    /// Binds the listening socket, reports `listening` and shows a random PIN.
    @discardableResult
    public func bind() async throws(ListenerBindError) -> SocketAddress {
        if let address = listener.localAddress { return address }
        let address = try await listener.bind()
        role.showInitialPIN()
        return address
    }

    /// Serves until graceful shutdown, then disconnects the source (3.1.4) and stops.
    public func run() async throws {
        try await bind()
        try await listener.run()
    }

    /// Sends STOP_PROJECTION to the connected source, closes it and stops listening.
    public func shutdown() async {
        await listener.shutdown()
    }
}

/// What the listener needs of the sink: the handlers of a connection, its goodbye
/// (STOP_PROJECTION) and the `rejected` event, plus the PIN connections share.
final class SinkListenerRole: ListenerRole {
    let configuration: MICESinkConfiguration
    let events: EventLog
    /// The PIN new connections show (3.1.5.4); replaced after use in random mode.
    private let currentPIN: NIOLockedValueBox<String?>
    /// PIN guessing limits across every connection of this sink.
    private let pinLimiter: SinkPINLimiter
    /// When each open connection was accepted, and whether it has sent a complete message.
    private let arrivals = NIOLockedValueBox<[ObjectIdentifier: (accepted: NIODeadline, proven: Bool)]>([:])

    init(configuration: MICESinkConfiguration, events: EventLog) {
        self.configuration = configuration
        self.events = events
        self.pinLimiter = SinkPINLimiter(policy: configuration.pinAttemptPolicy)
        self.currentPIN = NIOLockedValueBox(configuration.encryptionAvailable ? configuration.initialPIN() : nil)
    }

    var pin: String? { currentPIN.withLockedValue { $0 } }

    func showInitialPIN() {
        if configuration.pinMode == .random, let pin { events.emit(MICESinkEvent.pinDisplayed(pin: pin)) }
    }

    func initialize(_ channel: any Channel) throws {
        guard let local = channel.localAddress, let remote = channel.remoteAddress else {
            throw ChannelError.ioOnClosedChannel
        }
        let id = ObjectIdentifier(channel)
        let arrivals = self.arrivals
        arrivals.withLockedValue { $0[id] = (NIODeadline.now(), false) }
        channel.closeFuture.whenComplete { _ in _ = arrivals.withLockedValue { $0.removeValue(forKey: id) } }
        try channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(MICEFrameDecoder()),
            SinkConnectionHandler(
                configuration: configuration, pin: pin, events: events,
                sinkAddress: local, sourceAddress: remote,
                pinLimiter: pinLimiter,
                onFirstMessage: { arrivals.withLockedValue { $0[id]?.proven = true } },
                onClosed: { [self] used in self.sessionEnded(pinUsed: used) }
            ),
        ])
    }

    func sayGoodbye(_ channel: any Channel, reason: GoodbyeReason) {
        switch reason {
        case .shutdown: channel.pipeline.fireUserInboundEventTriggered(SinkCommand.disconnect)
        case .displaced: channel.pipeline.fireUserInboundEventTriggered(SinkCommand.replace)
        }
    }

    /// A connection that has sent no complete message within the grace period does not
    /// hold the slot: a newcomer displaces it.
    func mayDisplace(_ channel: any Channel) -> Bool {
        guard let arrival = arrivals.withLockedValue({ $0[ObjectIdentifier(channel)] }) else { return false }
        return !arrival.proven && NIODeadline.now() - arrival.accepted >= configuration.unprovenConnectionGrace.timeAmount
    }

    func refused(_ channel: any Channel, limit: Int, events: EventLog, service: String) {
        events.emit(MICESinkEvent.rejected(peer: channel.remoteAddress?.hostPortText ?? "?", reason: "busy"))
    }

    /// A connection ended; a random PIN it used is replaced and the new one shown.
    private func sessionEnded(pinUsed: Bool) {
        guard pinUsed, configuration.pinMode == .random else { return }
        let next = PINHash.randomPIN()
        currentPIN.withLockedValue { $0 = next }
        events.emit(MICESinkEvent.pinDisplayed(pin: next))
    }
}

/// A sink server and its mDNS advertiser as one service: `winterop mice sink` and the
/// `mice-sink` role of `winterop serve` both run this. The advertiser starts once the
/// server is bound, on the port it really listens on.
public struct MICESinkService: Service {
    public let server: MICESinkServer
    private let advertising: Advertising?

    /// What to advertise over mDNS (3.1.3), or nil for no advertising.
    public struct Advertising: Sendable {
        public var containerID: String
        public var logger: Logger
        public init(containerID: String, logger: Logger) {
            self.containerID = containerID
            self.logger = logger
        }
    }

    private let events: EventLog
    private let eventLoopGroup: any EventLoopGroup
    /// Wi-Fi Direct discovery through wpa_supplicant (3.1.3), or nil.
    public var wifiDirect: MICEWiFiDirectPublisher?

    public init(configuration: MICESinkConfiguration, advertising: Advertising?, events: EventLog, eventLoopGroup: any EventLoopGroup) {
        self.server = MICESinkServer(configuration: configuration, events: events, eventLoopGroup: eventLoopGroup)
        self.advertising = advertising
        self.events = events
        self.eventLoopGroup = eventLoopGroup
    }

    /// The bound address when it is one address rather than every interface (0.0.0.0, ::).
    static func specificAddress(_ address: SocketAddress) -> SocketAddress? {
        guard let ip = address.ipAddress, ip != "0.0.0.0", ip != "::" else { return nil }
        return try? SocketAddress(ipAddress: ip, port: 0)
    }

    public func run() async throws {
        let address = try await server.bind()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            if let advertising {
                var advertiser = MICESinkAdvertiser(
                    friendlyName: server.configuration.friendlyName, port: address.port ?? server.configuration.listen.port,
                    containerID: advertising.containerID, events: events, eventLoopGroup: eventLoopGroup, logger: advertising.logger)
                // Advertise only what the sink listens on: a sink bound to one address
                // names that address, not every interface's.
                if let only = Self.specificAddress(address) {
                    advertiser.addresses = [only]
                    if only.ipAddress?.hasPrefix("127.") == true || only.ipAddress == "::1" {
                        EventLog.diagnostic("mice sink: listening on \(address.hostPortText) only, so the mDNS record names that loopback address: sources on other machines cannot reach it (use --listen 0.0.0.0:7250)")
                    }
                }
                group.addTask { try await advertiser.run() }
            }
            if let wifiDirect {
                group.addTask { try await wifiDirect.run(events: events) }
            } else {
                EventLog.diagnostic(MICEWiFiDirectPublisher.notPublishedNotice(advertising: advertising != nil))
            }
            // The first failure (a refused --wpa-ctrl) ends the sink: waitForAll would
            // wait for the server, which runs until shutdown.
            for try await _ in group {}
        }
    }
}

/// One ``PINAttemptLimiter`` shared by a sink's connections (they run on several event loops).
final class SinkPINLimiter: Sendable {
    private let limiter: NIOLockedValueBox<PINAttemptLimiter>

    init(policy: PINAttemptLimiter.Policy = .init()) {
        limiter = NIOLockedValueBox(PINAttemptLimiter(policy: policy))
    }

    func request(address: [UInt8], now: NIODeadline) -> PINAttemptLimiter.Decision {
        limiter.withLockedValue { $0.request(address: address, now: now) }
    }

    func record(address: [UInt8], accepted: Bool) {
        limiter.withLockedValue { limiter in
            if accepted {
                limiter.recordSuccess(address: address)
            } else {
                limiter.recordFailure(address: address, now: .now())
            }
        }
    }
}
