import Logging
import NIOCore
import ServiceLifecycle
import TCCCore
import WinteropTransport

/// The MS-TCC server: one ``ServerStateMachine`` per client connection (3.2), many
/// clients at once. Over TCP it runs on the shared ``ListenerService``; over RFCOMM on
/// ``RFCOMMListener``. On graceful shutdown every client is disconnected (3.2.4.1).
public final class TCCServer: Service, Sendable {
    public let configuration: TCCServerConfiguration
    private let role: TCCListenerRole
    private let events: EventLog
    private let eventLoopGroup: any EventLoopGroup
    /// The TCP listener, for a TCP transport.
    private let listener: ListenerService?

    public init(configuration: TCCServerConfiguration, events: EventLog, eventLoopGroup: any EventLoopGroup) {
        self.configuration = configuration
        self.events = events
        self.eventLoopGroup = eventLoopGroup
        let role = TCCListenerRole(configuration: configuration, events: events)
        self.role = role
        if case .tcp(let address) = configuration.transport {
            listener = ListenerService(
                configuration: ListenerConfiguration(
                    service: TCCServeRole.serviceName, address: address,
                    maxConnections: configuration.maxConnections, shutdownGrace: .seconds(2), addressOption: "--transport"),
                role: role, events: events, eventLoopGroup: eventLoopGroup)
        } else {
            listener = nil
        }
    }

    /// Binds the TCP listener and reports `listening` (nil for RFCOMM, which binds in ``run()``).
    @discardableResult
    public func bind() async throws -> SocketAddress? {
        try await listener?.bind()
    }

    public func run() async throws {
        if let listener {
            try await listener.run()
        } else if case .rfcomm(_, let channel) = configuration.transport {
            let rfcomm = try RFCOMMListener(channel: channel ?? 1, role: role, events: events, eventLoopGroup: eventLoopGroup)
            try await rfcomm.run()
        }
    }

    /// Disconnects every client and stops listening (TCP).
    public func shutdown() async {
        await listener?.shutdown()
    }
}

/// What the listener needs of the TCC server: each connection's handlers and its goodbye.
struct TCCListenerRole: ListenerRole {
    let configuration: TCCServerConfiguration
    let events: EventLog

    func initialize(_ channel: any Channel) throws {
        if let psk = configuration.psk {
            try channel.pipeline.syncOperations.addHandler(TLSPSKHandler(server: true, key: psk))
        }
        try channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(TCCFrameDecoder()),
            TCCServerHandler(configuration: configuration.machine, provider: configuration.provider, events: events),
        ])
    }

    /// 3.2.4.1: the server disconnects the transport at shutdown.
    func sayGoodbye(_ channel: any Channel, reason: GoodbyeReason) {
        channel.pipeline.fireUserInboundEventTriggered(TCCServerCommand.shutdown)
    }
}
