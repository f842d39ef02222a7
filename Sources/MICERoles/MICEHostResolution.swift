import NIOCore
import WinteropMDNS

/// Host name resolution for the source (3.2.5.1): DNS and mDNS in parallel, the first
/// to answer with addresses wins (as Windows does, <7>), through WinteropMDNS's
/// `MDNSQuerier.resolveHostWithDNS`. The Discovery timer of the state machine bounds
/// the whole attempt.
public enum MICEHostResolution {
    /// DNS (the system resolver) and mDNS (`<host>.local`) in parallel, for at most `timeout`.
    public static func dnsAndMDNS(eventLoopGroup: any EventLoopGroup, mdnsTimeout timeout: TimeAmount = .milliseconds(1500)) -> MICEHostResolver {
        { host, port in
            let result = await MDNSQuerier.resolveHostWithDNS(host, timeout: timeout, eventLoopGroup: eventLoopGroup)
            return result.addresses.compactMap { address in
                guard let ip = address.ipAddress else { return nil }
                return try? SocketAddress(ipAddress: ip, port: port)
            }
        }
    }
}
