#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import WinteropWire

/// Failures of the mDNS shell that are the host's, not the network's.
public enum MDNSError: Error, CustomStringConvertible, Sendable {
    /// No interface can send multicast: nothing to advertise on.
    case noMulticastInterface
    /// A name given by the user is not a valid DNS name.
    case invalidName(String, EncodingError)
    /// No interface could join the group.
    case joinFailed(String)

    public var description: String {
        switch self {
        case .noMulticastInterface:
            return "no IPv4 interface with the MULTICAST flag and an address: mDNS needs one (try `ip link set DEV multicast on`)"
        case .invalidName(let name, let error):
            return "invalid DNS name \"\(name)\": \(error)"
        case .joinFailed(let detail):
            return "could not join \(MDNSNetwork.ipv4Group) on any interface: \(detail)"
        }
    }
}

/// Runs probing, announcing and answering until graceful shutdown (swift-service-lifecycle),
/// then sends goodbyes (RFC 6762 10.1).
///
/// Binds 0.0.0.0:5353 with SO_REUSEADDR and SO_REUSEPORT, so it shares the port with
/// other responders on the host (Avahi), joins 224.0.0.251 on every multicast IPv4
/// interface and advertises those interfaces' addresses for the host name.
public struct MDNSResponderService: Service {
    public let instances: [MDNSServiceInstance]
    public let eventLoopGroup: any EventLoopGroup
    public let logger: Logger
    public let onEvent: @Sendable (MDNSResponderEvent) -> Void
    /// Addresses to advertise instead of the interfaces' (tests, multi-homed setups).
    public var addresses: [SocketAddress]?
    /// Port to bind (5353; tests may pick another).
    public var port: Int = MDNSNetwork.port

    public init(instances: [MDNSServiceInstance], eventLoopGroup: any EventLoopGroup, logger: Logger, onEvent: @escaping @Sendable (MDNSResponderEvent) -> Void = { _ in }) {
        self.instances = instances
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.onEvent = onEvent
    }

    /// The record set this service advertises: its instances on the host name (the first
    /// instance's `hostName`, else "<gethostname()>.local"; a bare name gets the instance's
    /// domain appended) with these addresses.
    public static func recordSet(instances: [MDNSServiceInstance], addresses: [SocketAddress]) throws -> MDNSRecordSet {
        let hostText = instances.lazy.compactMap(\.hostName).first ?? MDNSNetwork.defaultHostName(domain: instances.first?.domain ?? "local")
        var hostName: DNSName
        do {
            hostName = try DNSName(parsing: hostText)
            // A bare host name ("sink", as MS-MICE 2.2.8.2 carries it) lives in the domain.
            if hostName.labels.count == 1 {
                hostName = try hostName.appending(DNSName(parsing: instances.first?.domain ?? "local"))
            }
        } catch {
            throw MDNSError.invalidName(hostText, error)
        }
        do {
            return try MDNSRecordSet(instances: instances, hostName: hostName, addresses: addresses.compactMap(DNSRecordData.address))
        } catch {
            throw MDNSError.invalidName(instances.map(\.instanceName).joined(separator: ", "), error)
        }
    }

    public func run() async throws {
        let devices = try MDNSNetwork.multicastIPv4Interfaces()
        guard !devices.isEmpty else { throw MDNSError.noMulticastInterface }
        let advertised = try addresses ?? MDNSNetwork.hostAddresses()
        let recordSet = try Self.recordSet(instances: instances, addresses: advertised)
        let group = try MDNSNetwork.ipv4GroupAddress()
        let channel = try await DatagramBootstrap(group: eventLoopGroup)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.socketOption(NIOBSDSocket.Option(rawValue: CInt(SO_REUSEPORT))), value: 1)
            .channelOption(.receivePacketInfo, value: true)
            .bind(host: "0.0.0.0", port: port)
            .get()
        do {
            // RFC 6762 11: IP TTL 255; loopback so that other responders on this host see us.
            try await channel.setOption(.ipOption(.ip_multicast_ttl), value: 255).get()
            try await channel.setOption(.ipOption(.ip_multicast_loop), value: 1).get()
            var joined: [NIONetworkDevice] = []
            var failures: [String] = []
            if let multicast = channel as? any MulticastChannel {
                for device in devices {
                    do {
                        try await multicast.joinGroup(group, device: device).get()
                        joined.append(device)
                    } catch {
                        failures.append("\(device.name): \(error)")
                    }
                }
            }
            guard !joined.isEmpty else { throw MDNSError.joinFailed(failures.joined(separator: "; ")) }
            if !failures.isEmpty { logger.warning("mDNS: could not join on \(failures.joined(separator: "; "))") }
            let joinedDevices = joined
            let logger = self.logger
            let onEvent = self.onEvent
            try await channel.eventLoop.submit {
                let responder = MDNSResponder(recordSet: recordSet)
                let handler = MDNSResponderHandler(
                    responder: responder, interfaces: joinedDevices, group: group, logger: logger, onEvent: onEvent)
                try channel.pipeline.syncOperations.addHandler(handler)
            }.get()
        } catch {
            try? await channel.close()
            throw error
        }
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            let promise = channel.eventLoop.makePromise(of: Void.self)
            channel.pipeline.fireUserInboundEventTriggered(MDNSShutdownRequest(promise: promise))
            promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
