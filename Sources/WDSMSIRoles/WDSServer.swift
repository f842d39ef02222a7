import Logging
import NIOCore
import ServiceLifecycle
import WDSMSICore
import WinteropTransport

/// The MS-WDSMSI server: the shared core (3.1) behind a UDP ``ListenerService`` on 5041
/// (3.1.5.3) and a ``WdsControlEndpoint`` for the WDS Control Protocol path (3.1.5.2).
public final class WDSServer: Service, Sendable {
    public static let serviceName = "wds-server"
    public let configuration: WDSServerConfiguration
    public let core: WDSServerCore
    private let listener: ListenerService

    /// Initialization (3.1.3): refuses to start, saying why, when a namespace's provider is
    /// missing or cannot serve it, or the security modes are not a supported pair.
    public init(configuration: WDSServerConfiguration, events: EventLog, eventLoopGroup: any EventLoopGroup) throws(RoleFailure) {
        self.configuration = configuration
        let server: SessionInitiationServer
        do {
            server = try SessionInitiationServer(configuration: configuration.server, firstSessionId: UInt32.random(in: 1...0x7FFF_FFFF))
        } catch {
            throw .usage("wds serve: \(error)")
        }
        let core = WDSServerCore(server, events: events)
        self.core = core
        self.listener = ListenerService(
            configuration: ListenerConfiguration(service: Self.serviceName, address: configuration.listen, transport: .udp, shutdownGrace: .seconds(1)),
            role: WDSListenerRole(core: core, addresses: configuration.serverAddresses),
            events: events, eventLoopGroup: eventLoopGroup)
    }

    /// The WDS Control Protocol entry point, sharing this server's sessions.
    public var endpoint: WdsControlEndpoint {
        WdsControlEndpoint(core: core, serverAddresses: configuration.serverAddresses)
    }

    @discardableResult
    public func bind() async throws(ListenerBindError) -> SocketAddress {
        try await listener.bind()
    }

    public func run() async throws {
        try await listener.run()
        core.stop()
    }
}

/// The UDP listener's handlers.
struct WDSListenerRole: ListenerRole {
    let core: WDSServerCore
    let addresses: SessionInitiationServer.ServerAddresses

    func initialize(_ channel: any Channel) throws {
        // Where each datagram arrived: the session's server address on a wildcard bind.
        _ = channel.setOption(.receivePacketInfo, value: true)
        try channel.pipeline.syncOperations.addHandler(WDSServerHandler(core: core, configuredAddresses: addresses))
    }
}

extension WDSServer {
    /// The server `winterop wds serve` runs.
    public convenience init(validating options: some WDSServerSettings, events: EventLog, eventLoopGroup: any EventLoopGroup) throws(RoleFailure) {
        try self.init(configuration: WDSServerConfiguration(validating: options), events: events, eventLoopGroup: eventLoopGroup)
    }
}
