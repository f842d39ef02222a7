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
    /// Also speak mDNS over IPv6 (ff02::fb on every multicast IPv6 interface) and advertise
    /// those interfaces' IPv6 addresses as AAAA records. Off by default: an MS-MICE source
    /// connects to IPv4 (Windows sinks advertise an IPv4 IP Address attribute, 2.2.8.5).
    public var ipv6 = false

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
        let ipv6Devices = ipv6 ? try MDNSNetwork.multicastIPv6Interfaces() : []
        let advertised = try addresses ?? (MDNSNetwork.hostAddresses() + (ipv6 ? MDNSNetwork.hostIPv6Addresses() : []))
        let recordSet = try Self.recordSet(instances: instances, addresses: advertised)
        // Every transport on one event loop: one handler serves them all in order.
        let loop = eventLoopGroup.next()
        var channels: [any Channel] = []
        var transports: [MDNSTransport] = []
        do {
            let (v4, v4Joined) = try await openTransport(isIPv6: false, devices: devices, on: loop)
            channels.append(v4)
            transports.append(MDNSTransport(isIPv6: false, group: try MDNSNetwork.ipv4GroupAddress(), interfaces: v4Joined))
            if !ipv6Devices.isEmpty {
                do {
                    let (v6, v6Joined) = try await openTransport(isIPv6: true, devices: ipv6Devices, on: loop)
                    channels.append(v6)
                    transports.append(MDNSTransport(isIPv6: true, group: try MDNSNetwork.ipv6GroupAddress(), interfaces: v6Joined))
                } catch {
                    logger.warning("mDNS: IPv6 (ff02::fb) unavailable, IPv4 only: \(error)")
                }
            }
            let logger = self.logger
            let onEvent = self.onEvent
            let boundChannels = channels
            let allTransports = transports
            try await loop.submit {
                let handler = MDNSResponderHandler(
                    responder: MDNSResponder(recordSet: recordSet), transports: allTransports, logger: logger, onEvent: onEvent)
                for channel in boundChannels {
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }.get()
        } catch {
            for channel in channels { try? await channel.close() }
            throw error
        }
        let first = channels[0]
        let all = channels
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await first.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            let promise = first.eventLoop.makePromise(of: Void.self)
            first.pipeline.fireUserInboundEventTriggered(MDNSShutdownRequest(promise: promise))
            promise.futureResult.whenComplete { _ in
                for channel in all { channel.close(promise: nil) }
            }
        }
    }

    /// Binds the mDNS port of one address family with SO_REUSEADDR and SO_REUSEPORT, sets
    /// TTL 255 (RFC 6762 11) and multicast loopback, and joins the group on each device.
    func openTransport(isIPv6: Bool, devices: [NIONetworkDevice], on loop: any EventLoop) async throws -> (any Channel, [NIONetworkDevice]) {
        var bootstrap = DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.socketOption(NIOBSDSocket.Option(rawValue: CInt(SO_REUSEPORT))), value: 1)
        if isIPv6 {
            bootstrap = bootstrap.channelOption(ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only), value: 1)
        }
        // A literal address, not a host name to resolve: getaddrinfo may pick the other
        // family (AI_ADDRCONFIG on a host whose only IPv4 address is loopback).
        let any = try SocketAddress(ipAddress: isIPv6 ? "::" : "0.0.0.0", port: MDNSNetwork.port)
        let channel = try await bootstrap.bind(to: any).get()
        do {
            try await channel.setOption(.receivePacketInfo, value: true).get()
            if isIPv6 {
                try await channel.setOption(ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_multicast_hops), value: 255).get()
                try await channel.setOption(ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_multicast_loop), value: 1).get()
            } else {
                // RFC 6762 11: IP TTL 255; loopback so that other responders on this host see us.
                try await channel.setOption(.ipOption(.ip_multicast_ttl), value: 255).get()
                try await channel.setOption(.ipOption(.ip_multicast_loop), value: 1).get()
            }
            let group = try isIPv6 ? MDNSNetwork.ipv6GroupAddress() : MDNSNetwork.ipv4GroupAddress()
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
            if !failures.isEmpty { logger.warning("mDNS: could not join \(group) on \(failures.joined(separator: "; "))") }
            return (channel, joined)
        } catch {
            try? await channel.close()
            throw error
        }
    }
}
