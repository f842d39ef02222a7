import Logging
import NIOCore
import ServiceLifecycle
import TCCCore
import WinteropTransport

/// The MS-TCC server: one ``ServerStateMachine`` per client connection (3.2), many
/// clients at once. Over TCP it runs on the shared ``ListenerService``; over RFCOMM on
/// ``RFCOMMListener``. On graceful shutdown every client is disconnected (3.2.4.1).
public struct TCCServer: Service {
    public let configuration: TCCServerConfiguration
    private let events: EventLog
    private let eventLoopGroup: any EventLoopGroup

    public init(configuration: TCCServerConfiguration, events: EventLog, eventLoopGroup: any EventLoopGroup) {
        self.configuration = configuration
        self.events = events
        self.eventLoopGroup = eventLoopGroup
    }

    public func run() async throws {
        let role = TCCListenerRole(configuration: configuration, events: events)
        switch configuration.transport {
        case .tcp(let address):
            let listener = ListenerService(
                configuration: ListenerConfiguration(
                    service: TCCServeRole.serviceName, address: address,
                    maxConnections: configuration.maxConnections, shutdownGrace: .seconds(2), addressOption: "--transport"),
                role: role, events: events, eventLoopGroup: eventLoopGroup)
            try await listener.run()
        case .rfcomm(_, let channel):
            let listener = try RFCOMMListener(channel: channel ?? 1, role: role, events: events, eventLoopGroup: eventLoopGroup)
            try await listener.run()
        }
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
