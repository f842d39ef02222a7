import Logging
import MICECore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import WinteropTransport

/// Keeps one source at a time (3.1.5.2): a second connection is refused, or with
/// `replaceExisting` it replaces the first.
final class SinkConnectionSlot: Sendable {
    private let active = NIOLockedValueBox<(any Channel)?>(nil)
    let replaceExisting: Bool

    init(replaceExisting: Bool) {
        self.replaceExisting = replaceExisting
    }

    /// Whether `channel` may proceed; when it replaces an older one, that one is told to close.
    func admit(_ channel: any Channel) -> Bool {
        enum Decision { case accept, refuse, replace(any Channel) }
        let decision: Decision = active.withLockedValue { current in
            if let existing = current, existing.isActive {
                guard replaceExisting else { return .refuse }
                current = channel
                return .replace(existing)
            }
            current = channel
            return .accept
        }
        switch decision {
        case .accept: return true
        case .refuse: return false
        case .replace(let old):
            old.pipeline.fireUserInboundEventTriggered(SinkCommand.replace)
            return true
        }
    }

    func release(_ channel: any Channel) {
        active.withLockedValue { current in
            if let c = current, c === channel { current = nil }
        }
    }

    var current: (any Channel)? { active.withLockedValue { $0 } }
}

/// The MS-MICE sink server: listens on 7250 (3.1.3) and runs one
/// ``SinkConnectionHandler`` per source. A `Service`: on graceful shutdown it sends
/// STOP_PROJECTION to the connected source and closes (3.1.4).
public final class MICESinkServer: Service, Sendable {
    public let configuration: MICESinkConfiguration
    private let events: EventLog
    private let group: any EventLoopGroup
    private let slot: SinkConnectionSlot
    private let serverChannel = NIOLockedValueBox<(any Channel)?>(nil)
    private let onListening: @Sendable (SocketAddress) -> Void
    /// The PIN new connections show (3.1.5.4); replaced after use in random mode.
    private let currentPIN: NIOLockedValueBox<String?>

    public init(
        configuration: MICESinkConfiguration, events: EventLog, eventLoopGroup: any EventLoopGroup,
        onListening: @escaping @Sendable (SocketAddress) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.events = events
        self.group = eventLoopGroup
        self.slot = SinkConnectionSlot(replaceExisting: configuration.replaceExisting)
        self.onListening = onListening
        self.currentPIN = NIOLockedValueBox(configuration.encryptionAvailable ? configuration.initialPIN() : nil)
    }

    /// The PIN the next connection shows, or nil without PIN support.
    public var pin: String? { currentPIN.withLockedValue { $0 } }

    /// A connection ended; a random PIN it used is replaced and the new one shown.
    private func sessionEnded(pinUsed: Bool) {
        guard pinUsed, configuration.pinMode == .random else { return }
        let next = PINHash.randomPIN()
        currentPIN.withLockedValue { $0 = next }
        showPIN(next)
    }

    private func showPIN(_ pin: String) {
        events.emit("pin_displayed", [("pin", .string(pin))], text: "PIN: \(pin)")
    }

    /// Binds the listening socket and reports `listening`.
    public func bind() async throws -> SocketAddress {
        let configuration = self.configuration
        let events = self.events
        let slot = self.slot
        let currentPIN = self.currentPIN
        let ended: @Sendable (Bool) -> Void = { [self] used in self.sessionEnded(pinUsed: used) }
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                guard slot.admit(channel) else {
                    events.emit(
                        "rejected", [("peer", .string(channel.remoteAddress?.hostPortText ?? "?")), ("reason", .string("busy"))],
                        text: "refused a second connection from \(channel.remoteAddress?.hostPortText ?? "?"): a source is already connected (MS-MICE 3.1.5.2)"
                    )
                    return channel.close()
                }
                channel.closeFuture.whenComplete { _ in slot.release(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    guard let local = channel.localAddress, let remote = channel.remoteAddress else {
                        throw ChannelError.ioOnClosedChannel
                    }
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(MICEFrameDecoder()),
                        SinkConnectionHandler(
                            configuration: configuration, pin: currentPIN.withLockedValue { $0 }, events: events,
                            sinkAddress: local, sourceAddress: remote, onClosed: ended
                        ),
                    ])
                }
            }
            .bind(host: configuration.listen.host, port: configuration.listen.port)
            .get()
        serverChannel.withLockedValue { $0 = channel }
        let address = channel.localAddress
        events.listening(service: "mice-sink", address: address)
        if configuration.pinMode == .random, let pin = self.pin {
            showPIN(pin)
        }
        if let address { onListening(address) }
        if let address { return address }
        return try SocketAddress(ipAddress: "0.0.0.0", port: 0)
    }

    /// Serves until graceful shutdown, then disconnects the source (3.1.4) and stops.
    public func run() async throws {
        if serverChannel.withLockedValue({ $0 }) == nil {
            _ = try await bind()
        }
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Sends STOP_PROJECTION to the connected source, closes it and stops listening.
    public func shutdown() async {
        if let channel = slot.current {
            channel.pipeline.fireUserInboundEventTriggered(SinkCommand.disconnect)
            try? await channel.closeFuture.get()
        }
        if let server = serverChannel.withLockedValue({ $0 }) {
            try? await server.close()
        }
    }
}
