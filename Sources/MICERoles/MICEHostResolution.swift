import NIOCore
import NIOPosix
import WinteropMDNS

/// Host name resolution for the source (3.2.5.1): DNS and mDNS in parallel, the first
/// to answer with addresses wins (as Windows does, <7>). The Discovery timer of the
/// state machine bounds the whole attempt.
public enum MICEHostResolution {
    /// DNS (getaddrinfo on NIO's thread pool) and mDNS (`<host>.local`) in parallel.
    public static func dnsAndMDNS(eventLoopGroup: any EventLoopGroup, mdnsTimeout: TimeAmount = .milliseconds(1500)) -> MICEHostResolver {
        { host, port in
            try await withThrowingTaskGroup(of: [SocketAddress].self) { group in
                group.addTask {
                    (try? await MICESource.dnsResolver(host, port)) ?? []
                }
                group.addTask {
                    let name = host.hasSuffix(".local") || host.hasSuffix(".local.") ? host : "\(host).local"
                    let found = (try? await MDNSQuerier.resolveHost(name, timeout: mdnsTimeout, eventLoopGroup: eventLoopGroup)) ?? []
                    return found.compactMap { address in
                        guard let ip = address.ipAddress else { return nil }
                        return try? SocketAddress(ipAddress: ip, port: port)
                    }
                }
                for try await addresses in group where !addresses.isEmpty {
                    group.cancelAll()
                    return addresses
                }
                return []
            }
        }
    }
}
