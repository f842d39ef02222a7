import Logging
import NIOCore
import ServiceLifecycle

/// What `winterop serve` hands each server role: where its data goes, where its
/// events go and the event loops to run on.
public struct ServeContext: Sendable {
    /// The data directory (`./winterop-data/` by default); a role uses a subfolder of it.
    public var dataDirectory: String
    public var events: EventLog
    public var eventLoopGroup: any EventLoopGroup
    public var logger: Logger
    /// Listen addresses given with `winterop serve --listen NAME=HOST:PORT`, by role name.
    public var listenOverrides: [String: HostPort]
    /// Whether roles announce themselves on the network (mDNS); `--no-advertise` clears it.
    public var advertise: Bool
    /// `serve --wpa-ctrl PATH`: wpa_supplicant's P2P control socket, for the MS-MICE sink's
    /// Wi-Fi Direct discovery.
    public var wpaControlPath: String?

    public init(
        dataDirectory: String, events: EventLog, eventLoopGroup: any EventLoopGroup, logger: Logger,
        listenOverrides: [String: HostPort] = [:], advertise: Bool = true, wpaControlPath: String? = nil
    ) {
        self.wpaControlPath = wpaControlPath
        self.dataDirectory = dataDirectory
        self.events = events
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.listenOverrides = listenOverrides
        self.advertise = advertise
    }

    /// The option that moves the role called `name`, for messages.
    public func listenOption(for name: String) -> String { "--listen \(name)=HOST:PORT" }

    /// Where the role called `name` listens: its `--listen` override, or its default.
    public func listenAddress(for name: String, default address: HostPort) -> HostPort {
        listenOverrides[name] ?? address
    }
}

/// A server role that `winterop serve` runs with defaults that need no configuration.
/// Each protocol's role module provides one; the `serve` command lists them.
public protocol ServeRole: Sendable {
    /// The service name used in `listening` events, e.g. `"mice-sink"`.
    var name: String { get }
    /// Builds the service. It reports `listening` once bound, runs until graceful
    /// shutdown, then closes its connections with the protocol's goodbye.
    func makeService(_ context: ServeContext) throws -> any Service
}
