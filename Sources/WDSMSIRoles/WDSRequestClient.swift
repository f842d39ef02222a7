import NIOCore
import NIOPosix
import WDSMSICore
import WinteropTransport

/// `winterop wds request`'s options as a person gives them.
public protocol WDSRequestSettings: Sendable {
    /// `HOST[:PORT]`, port 5041 by default.
    var server: String { get }
    var namespace: String { get }
    var content: String { get }
    /// `00:11:22:33:44:55`.
    var mac: String { get }
    /// Send WDSMCSE_OPT_IPV6_CAPABLE = 1.
    var ipv6: Bool { get }
    /// Overall seconds to wait for a reply.
    var timeout: Double { get }
}

/// A checked request.
public struct WDSRequestConfiguration: Sendable {
    public var server: HostPort
    public var request: MulticastSessionInitiationRequest
    public var timeout: Duration

    public init(validating options: some WDSRequestSettings) throws(RoleFailure) {
        let server = try OptionValidation.hostPort(options.server, defaultPort: WDSMSI.serverPort, option: "--server")
        guard let mac = MACAddress.parse(options.mac) else {
            throw .usage("--mac must be six hex pairs such as 00:11:22:33:44:55, not '\(options.mac)'")
        }
        for (option, text) in [("--namespace", options.namespace), ("--content", options.content)] where text.isEmpty || text.contains("\0") {
            throw .usage("\(option) must be a non-empty name without NUL characters")
        }
        let timeout = try OptionValidation.seconds(options.timeout, option: "--timeout", maximum: 3600)
        self.server = server
        self.request = MulticastSessionInitiationRequest(namespace: options.namespace, content: options.content, macAddress: mac, ipv6Capable: options.ipv6 ? true : nil)
        self.timeout = timeout
    }
}

/// The UDP client (3.1.6): runs ``SessionInitiationClient`` on a datagram channel, keeping
/// its timer on the event loop, and answers with how the request ended.
public struct WDSRequestClient: Sendable {
    public let configuration: WDSRequestConfiguration
    let events: EventLog
    let group: any EventLoopGroup

    public init(configuration: WDSRequestConfiguration, events: EventLog, eventLoopGroup: any EventLoopGroup) {
        self.configuration = configuration
        self.events = events
        self.group = eventLoopGroup
    }

    public func run() async throws -> SessionInitiationClient.Outcome {
        let server: SocketAddress
        do {
            server = try SocketAddress.makeAddressResolvingHost(configuration.server.host, port: configuration.server.port)
        } catch {
            throw RoleFailure.usage("--server: cannot resolve '\(configuration.server.host)'")
        }
        let machine = try SessionInitiationClient(request: configuration.request, timeout: configuration.timeout.timeAmount)
        let local = server.protocol == .inet6 ? "::" : "0.0.0.0"
        let events = self.events
        let loop = group.next()
        let outcome = loop.makePromise(of: SessionInitiationClient.Outcome.self)
        let channel = try await DatagramBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(WDSClientHandler(machine: machine, server: server, events: events, outcome: outcome))
                }
            }
            .bind(host: local, port: 0)
            .get()
        defer { channel.close(promise: nil) }
        return try await outcome.futureResult.get()
    }
}

/// Carries out the client machine's actions on the channel's event loop.
final class WDSClientHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private var machine: SessionInitiationClient
    private let server: SocketAddress
    private let events: EventLog
    private var timer: Scheduled<Void>?
    private var promise: EventLoopPromise<SessionInitiationClient.Outcome>?
    private var context: ChannelHandlerContext?

    init(machine: SessionInitiationClient, server: SocketAddress, events: EventLog, outcome: EventLoopPromise<SessionInitiationClient.Outcome>) {
        self.machine = machine
        self.server = server
        self.events = events
        self.promise = outcome
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// Bound: the first request goes out.
    func channelActive(context: ChannelHandlerContext) {
        perform(machine.start(now: .now()))
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        promise?.fail(ChannelError.ioOnClosedChannel)
        promise = nil
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard envelope.remoteAddress == server else {
            events.emit(WDSClientEvent.ignored(from: envelope.remoteAddress.hostPortText, reason: "not the server"))
            return
        }
        perform(machine.datagramReceived(envelope.data))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable and the like: keep retransmitting until the timeout.
    }

    private func perform(_ actions: [SessionInitiationClient.Action]) {
        for action in actions {
            switch action {
            case .send(let bytes):
                if case .waitingForReply(let attempts, _) = machine.state {
                    events.emit(WDSClientEvent.requestSent(server: server.hostPortText, attempt: attempts))
                }
                context?.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: server, data: bytes)), promise: nil)
            case .scheduleTimer(let deadline):
                timer?.cancel()
                timer = context?.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
                    perform(machine.retransmitTimerFired(now: .now()))
                }
            case .cancelTimer:
                timer?.cancel()
                timer = nil
            case .finish(let outcome):
                timer?.cancel()
                promise?.succeed(outcome)
                promise = nil
            case .ignored(let reason):
                events.emit(WDSClientEvent.ignored(from: server.hostPortText, reason: reason))
            }
        }
    }
}
