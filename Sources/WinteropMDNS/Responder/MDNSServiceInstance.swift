import NIOCore

/// A DNS-SD service instance to advertise (RFC 6763 4.1): `<instance>.<service>.<domain>`
/// on `port` of `hostName`, with TXT `key=value` strings (RFC 6763 6).
///
/// MS-MICE 3.1.3: the sink registers `<friendly name>._display._tcp.local` on port 7250
/// with TXT `container_id={GUID}`.
public struct MDNSServiceInstance: Sendable, Hashable {
    /// The instance name, one label of any UTF-8 text up to 63 bytes, e.g. "Living Room TV" (RFC 6763 4.1.1).
    public var instanceName: String
    /// The service type, `_name._tcp` or `_name._udp`, e.g. "_display._tcp" (RFC 6763 7).
    public var serviceType: String
    /// The domain, "local" for Multicast DNS.
    public var domain: String
    /// The host the service runs on, e.g. "sink.local"; nil → "<gethostname()>.local".
    public var hostName: String?
    public var port: UInt16
    /// TXT strings, e.g. ["container_id={…}"]; empty → one empty string (RFC 6763 6.1).
    public var txt: [String]

    public init(instanceName: String, serviceType: String, domain: String = "local", hostName: String? = nil, port: UInt16, txt: [String]) {
        self.instanceName = instanceName
        self.serviceType = serviceType
        self.domain = domain
        self.hostName = hostName
        self.port = port
        self.txt = txt
    }
}

extension MDNSServiceInstance {
    /// What an MS-MICE sink registers (3.1.3): `<friendly name>._display._tcp.local` on
    /// port 7250 with TXT `container_id=<containerID>` (the GUID as the sink writes it,
    /// e.g. "{7A3C…}"). `hostName` nil → "<gethostname()>.local"; it should be the sink's
    /// Host Name attribute (2.2.8.2) followed by ".local".
    public static func miracastSink(friendlyName: String, containerID: String, hostName: String? = nil, port: UInt16 = 7250) -> MDNSServiceInstance {
        MDNSServiceInstance(
            instanceName: friendlyName, serviceType: "_display._tcp", domain: "local", hostName: hostName,
            port: port, txt: ["container_id=\(containerID)"])
    }
}

/// What a responder reports to its owner.
public enum MDNSResponderEvent: Sendable, Hashable {
    /// Probing started for this name (RFC 6762 8.1).
    case probing(String)
    /// The name's records were announced (RFC 6762 8.3).
    case announced(name: String)
    /// A conflict made the responder pick a new name (RFC 6762 9).
    case renamed(from: String, to: String)
    /// A query was answered; `to` is "multicast" or the unicast address.
    case answered(question: String, to: String)
    /// The name's records were withdrawn with TTL 0 (RFC 6762 10.1).
    case goodbye(String)
}

/// Where a responder sends a message.
public enum MDNSDestination: Sendable, Hashable, CustomStringConvertible {
    /// 224.0.0.251 (and ff02::fb) port 5353.
    case multicast
    /// One host: a querier asking for a unicast reply (QU, RFC 6762 5.4) or a legacy resolver (6.7).
    case unicast(SocketAddress)

    public var description: String {
        switch self {
        case .multicast: "multicast"
        case .unicast(let address): address.textForEvents
        }
    }
}

extension SocketAddress {
    /// `host:port`, brackets around IPv6.
    var textForEvents: String {
        let host = ipAddress ?? "?"
        let port = port ?? 0
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
