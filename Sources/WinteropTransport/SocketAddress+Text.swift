import NIOCore

extension SocketAddress {
    /// `host:port` (brackets around IPv6) for messages and events.
    public var hostPortText: String {
        HostPort(host: ipAddress ?? "?", port: port ?? 0).description
    }
}
