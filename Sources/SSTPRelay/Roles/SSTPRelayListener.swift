import Foundation
import ServiceLifecycle
import NIOCore
import NIOPosix
import SSTPCore
import SSTPRoles
import WinteropTransport
import SSTPRelayCore

/// The relay server (3.3) as the ``ListenerRole`` of a ``ListenerService``: each
/// connection runs an ``SSTPRoles/SSTPConnectionHandler`` in the relay-server role, and all
/// of them share one ``SSTPRelay/RelayStateMachine`` and one durable store. Its goodbye
/// is ConnectClose NoReason carrying the count of what is committed (3.1.4.2.1); nothing
/// acknowledged is lost, since it is acknowledged only once committed.
public struct SSTPRelayListener: ListenerRole {
    public let configuration: SSTPRelayConfiguration
    let hub: RelayHub

    /// Opens the store (creating it) and resumes with what it holds.
    public init(configuration: SSTPRelayConfiguration, events: EventLog, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws(RoleFailure) {
        self.configuration = configuration
        if configuration.postgresURL == nil {
            let directory = URL(fileURLWithPath: configuration.storePath).deletingLastPathComponent().path
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        do {
            hub = try RelayHub(configuration: configuration, events: events, group: eventLoopGroup)
        } catch {
            throw .usage("sstp relay: \(error.description) (check --store)")
        }
    }

    /// The service that binds, serves and shuts this relay down.
    public func service(eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, service: String = "sstp-relay") -> ListenerService {
        ListenerService(
            configuration: ListenerConfiguration(
                service: service, address: configuration.listen, maxConnections: configuration.maxConnections,
                writeBufferWaterMark: .init(low: 256 << 10, high: 1 << 20)
            ),
            role: self, events: hub.eventLog, eventLoopGroup: eventLoopGroup
        )
    }

    /// The services of this relay: its listener, and the metrics listener when
    /// ``SSTPRelayConfiguration/metrics`` is set.
    public func services(eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) -> [ListenerService] {
        var services = [service(eventLoopGroup: eventLoopGroup)]
        if let address = configuration.metrics {
            services.append(ListenerService(
                configuration: ListenerConfiguration(service: "sstp-relay-metrics", address: address, maxConnections: 64, addressOption: "--metrics"),
                role: MetricsListener(hub: hub), events: hub.eventLog, eventLoopGroup: eventLoopGroup
            ))
        }
        return services
    }

    /// After the services stopped: writes the events still gathered and waits for the
    /// store's queued writes (``SSTPRelay/MessageStore/finish()``).
    public func finish() {
        hub.events.write()
        hub.store.finish()
    }

    public func initialize(_ channel: any Channel) throws {
        let id = hub.connectionCounter.withLockedValue { $0 += 1; return $0 }
        let application = RelayConnectionApplication(id: id, hub: hub)
        let handler = SSTPConnectionHandler(configuration: configuration.connection, initiatedConnection: false, application: application)
        application.handler = handler
        hub.register(id, handler, on: channel.eventLoop)
        try channel.pipeline.syncOperations.addHandler(handler)
    }

    public func sayGoodbye(_ channel: any Channel, reason: GoodbyeReason) {
        hub.events.write()
        hub.peerConnector.closeAll()
        channel.eventLoop.execute {
            guard let handler = try? channel.pipeline.syncOperations.handler(type: SSTPConnectionHandler.self) else {
                channel.close(promise: nil)
                return
            }
            handler.close(reason: .noReason)
        }
    }
}

/// `winterop serve`'s relay role beside `sstp-device`: port 2493 (2492 is the device's),
/// RelayURL `dpp://HOST/relay`, the store at `<data>/sstp/relay.sqlite`.
public struct SSTPRelayServeRole: ServeRole {
    public init() {}
    public var name: String { "sstp-relay" }

    public func makeService(_ context: ServeContext) throws -> any Service {
        let host = ProcessInfo.processInfo.hostName
        var configuration = try SSTPRelayConfiguration(
            listen: "0.0.0.0:\(SSTP.port + 1)", relayURL: "dpp://\(host)/relay", store: "sqlite:\(context.dataDirectory)/sstp/relay.sqlite"
        )
        configuration.listen = context.listenAddress(for: name, default: configuration.listen)
        return try SSTPRelayListener(configuration: configuration, events: context.events, eventLoopGroup: context.eventLoopGroup)
            .service(eventLoopGroup: context.eventLoopGroup, service: name)
    }
}
