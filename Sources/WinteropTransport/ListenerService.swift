import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The transport a ``ListenerService`` binds.
public enum ListenerTransport: Sendable, Hashable {
    /// A TCP listener: one channel (and one ``ListenerRole/initialize(_:)``) per connection.
    case tcp
    /// A UDP socket: one datagram channel for every peer.
    case udp
}

/// What a full TCP listener does with one more connection.
public enum ListenerOverflow: Sendable, Hashable {
    /// Refuse the newcomer (its peer sees the connection closed).
    case refuse
    /// Ask the oldest connection to leave (``ListenerRole/sayGoodbye(_:reason:)`` with
    /// `.displaced`) and admit the newcomer, as MS-MICE 3.1.5.2 allows.
    case displaceOldest
}

/// Why a role is asked to end a connection.
public enum GoodbyeReason: Sendable, Hashable {
    /// The service is shutting down (SIGINT, SIGTERM, `serve` stopping).
    case shutdown
    /// A newer connection takes this one's place (``ListenerOverflow/displaceOldest``).
    case displaced
}

/// Where and how a listener binds and how many connections it keeps.
public struct ListenerConfiguration: Sendable {
    /// The service name in events, e.g. `"mice-sink"`.
    public var service: String
    public var address: HostPort
    public var transport: ListenerTransport
    /// Concurrent connections (TCP); nil is unlimited.
    public var maxConnections: Int?
    public var overflow: ListenerOverflow
    /// How long shutdown waits for the goodbyes before it closes what is left.
    public var shutdownGrace: Duration
    /// The option a user changes to pick another address, named in bind errors.
    public var addressOption: String
    /// Socket receive buffer for UDP (bytes); nil keeps the system's.
    public var receiveBufferSize: Int?
    /// Per-connection write buffer water marks (TCP): above `high` the channel reports
    /// not writable, which a role uses for back-pressure.
    public var writeBufferWaterMark: ChannelOptions.Types.WriteBufferWaterMark

    public init(
        service: String, address: HostPort, transport: ListenerTransport = .tcp,
        maxConnections: Int? = nil, overflow: ListenerOverflow = .refuse,
        shutdownGrace: Duration = .seconds(5), addressOption: String = "--listen",
        receiveBufferSize: Int? = nil,
        writeBufferWaterMark: ChannelOptions.Types.WriteBufferWaterMark = .init(low: 256 << 10, high: 1 << 20)
    ) {
        self.service = service
        self.address = address
        self.transport = transport
        self.maxConnections = maxConnections
        self.overflow = overflow
        self.shutdownGrace = shutdownGrace
        self.addressOption = addressOption
        self.receiveBufferSize = receiveBufferSize
        self.writeBufferWaterMark = writeBufferWaterMark
    }
}

/// The protocol-specific part of a listener: the handlers each connection gets and the
/// goodbye it says.
public protocol ListenerRole: Sendable {
    /// Adds the protocol's handlers to a new connection (TCP) or to the bound datagram
    /// channel (UDP). Runs on the channel's event loop, before the channel is active.
    func initialize(_ channel: any Channel) throws
    /// Ends `channel` with the protocol's goodbye (MICE STOP_PROJECTION, SSTP
    /// ConnectClose) and closes it. The default closes it at once.
    func sayGoodbye(_ channel: any Channel, reason: GoodbyeReason)
    /// A connection was refused because the listener is full. The default reports
    /// ``ListenerEvent/connectionLimitReached(service:peer:limit:)``.
    func refused(_ channel: any Channel, limit: Int, events: EventLog, service: String)
    /// Whether a full listener may make room by asking `channel` to leave even when
    /// newcomers are otherwise refused (a connection that has not yet proven itself,
    /// so that idle connections cannot crowd out real peers). The default is no.
    func mayDisplace(_ channel: any Channel) -> Bool
}

extension ListenerRole {
    public func sayGoodbye(_ channel: any Channel, reason: GoodbyeReason) {
        channel.close(promise: nil)
    }

    public func refused(_ channel: any Channel, limit: Int, events: EventLog, service: String) {
        events.emit(ListenerEvent.connectionLimitReached(
            service: service, peer: channel.remoteAddress?.hostPortText ?? "?", limit: limit))
    }

    public func mayDisplace(_ channel: any Channel) -> Bool { false }
}

/// A listener could not bind: the message names the service, the address, what went
/// wrong and the option to change. A configuration problem (exit status 2).
public struct ListenerBindError: Error, CustomStringConvertible, Sendable {
    public var service: String
    public var address: HostPort
    public var reason: String
    public var option: String

    public var description: String {
        "\(service) cannot listen on \(address): \(reason); choose another address with \(option)"
    }
}

/// One listener for every role: binds TCP or UDP, reports `listening`, runs the role's
/// handlers on each connection, keeps at most ``ListenerConfiguration/maxConnections``
/// (counting connections from the moment they are accepted, so a burst cannot slip
/// past the limit), and on graceful shutdown (swift-service-lifecycle) stops accepting,
/// lets the role say its goodbye to every connection and waits a bounded time.
public final class ListenerService: Service, Sendable {
    public let configuration: ListenerConfiguration
    private let role: any ListenerRole
    private let events: EventLog
    private let group: any EventLoopGroup
    private let state = NIOLockedValueBox(State())

    private struct State {
        var channel: (any Channel)?
        /// Admitted connections, oldest first.
        var connections: [(id: ObjectIdentifier, channel: any Channel)] = []
        var shuttingDown = false
    }

    public init(configuration: ListenerConfiguration, role: any ListenerRole, events: EventLog, eventLoopGroup: any EventLoopGroup) {
        self.configuration = configuration
        self.role = role
        self.events = events
        self.group = eventLoopGroup
    }

    /// The bound address (after ``bind()``).
    public var localAddress: SocketAddress? { state.withLockedValue { $0.channel?.localAddress } }

    /// The connections open now, oldest first.
    public var connections: [any Channel] { state.withLockedValue { $0.connections.map(\.channel) } }

    /// Binds and reports `listening`; throws ``ListenerBindError`` when it cannot.
    @discardableResult
    public func bind() async throws(ListenerBindError) -> SocketAddress {
        if let address = localAddress { return address }
        let channel: any Channel
        do {
            switch configuration.transport {
            case .tcp: channel = try await bindTCP()
            case .udp: channel = try await bindUDP()
            }
        } catch {
            throw ListenerBindError(
                service: configuration.service, address: configuration.address,
                reason: Self.plainReason(error), option: configuration.addressOption)
        }
        state.withLockedValue { $0.channel = channel }
        events.listening(service: configuration.service, address: channel.localAddress)
        guard let address = channel.localAddress else {
            throw ListenerBindError(service: configuration.service, address: configuration.address,
                                    reason: "the socket has no local address", option: configuration.addressOption)
        }
        return address
    }

    /// Serves until graceful shutdown (or cancellation), then shuts down.
    public func run() async throws {
        try await bind()
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Stops accepting, asks every connection to say goodbye, waits up to
    /// ``ListenerConfiguration/shutdownGrace``, then closes what is left.
    public func shutdown() async {
        let (server, open) = state.withLockedValue { state -> ((any Channel)?, [any Channel]) in
            state.shuttingDown = true
            return (state.channel, state.connections.map(\.channel))
        }
        if configuration.transport == .tcp {
            try? await server?.close()
        }
        let targets = configuration.transport == .udp ? server.map { [$0] } ?? [] : open
        for channel in targets {
            role.sayGoodbye(channel, reason: .shutdown)
        }
        let grace = TimeAmount.nanoseconds(Int64(configuration.shutdownGrace.components.seconds) * 1_000_000_000
                                           + configuration.shutdownGrace.components.attoseconds / 1_000_000_000)
        for channel in targets {
            let force = channel.eventLoop.scheduleTask(in: grace) { channel.close(promise: nil) }
            try? await channel.closeFuture.get()
            force.cancel()
        }
        if configuration.transport == .udp {
            try? await server?.close()
        }
    }

    // MARK: Admission (TCP)

    private enum Admission {
        case admit
        case refuse(limit: Int)
        case displace(any Channel)
    }

    private func admit(_ channel: any Channel) -> Admission {
        let id = ObjectIdentifier(channel)
        let limit = configuration.maxConnections
        let overflow = configuration.overflow
        let role = self.role
        return state.withLockedValue { state in
            if state.shuttingDown { return .refuse(limit: state.connections.count) }
            if let limit, state.connections.count >= limit {
                let index: Int?
                switch overflow {
                case .displaceOldest: index = state.connections.isEmpty ? nil : 0
                case .refuse: index = state.connections.firstIndex { role.mayDisplace($0.channel) }
                }
                guard let index else { return .refuse(limit: limit) }
                let leaving = state.connections.remove(at: index)
                state.connections.append((id, channel))
                return .displace(leaving.channel)
            }
            state.connections.append((id, channel))
            return .admit
        }
    }

    private func release(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        state.withLockedValue { state in
            state.connections.removeAll { $0.id == id }
        }
    }

    private func bindTCP() async throws -> any Channel {
        let configuration = self.configuration
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: configuration.writeBufferWaterMark)
            .childChannelInitializer { [self] channel in
                switch self.admit(channel) {
                case .refuse(let limit):
                    self.role.refused(channel, limit: limit, events: self.events, service: configuration.service)
                    return channel.close()
                case .displace(let old):
                    self.role.sayGoodbye(old, reason: .displaced)
                case .admit:
                    break
                }
                channel.closeFuture.whenComplete { [self] _ in self.release(channel) }
                return channel.eventLoop.makeCompletedFuture { try self.role.initialize(channel) }
            }
            .bind(host: configuration.address.host, port: configuration.address.port)
            .get()
    }

    private func bindUDP() async throws -> any Channel {
        let configuration = self.configuration
        var bootstrap = DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
        if let size = configuration.receiveBufferSize {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(size))
        }
        return try await bootstrap
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture { try self.role.initialize(channel) }
            }
            .bind(host: configuration.address.host, port: configuration.address.port)
            .get()
    }

    /// One plain sentence for a bind failure, without NIO's internals.
    static func plainReason(_ error: any Error) -> String {
        if error is SocketAddressError {
            return "the host is not an IP address or a name this machine can resolve"
        }
        return NetworkErrorText.plain(error)
    }
}
