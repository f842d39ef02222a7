import Foundation
import NIOCore
import ServiceLifecycle
import TCCCore
import WinteropTransport

/// `winterop serve`'s MS-TCC server (service `tcc-server`), on TCP only, and only when a
/// provider is configured: `<data>/tcc/provider` holds a `--provider` value
/// (e.g. `static:ssid=…,passphrase=…,display-name=…`), and `<data>/tcc/keys.json` the
/// optional keys. Without a provider the role is left out, with a message saying how to add it.
public struct TCCServeRole: ServeRole {
    public static let serviceName = "tcc-server"
    public let name = TCCServeRole.serviceName

    public init() {}

    public func makeService(_ context: ServeContext) throws -> any Service {
        let directory = (context.dataDirectory as NSString).appendingPathComponent("tcc")
        let providerPath = (directory as NSString).appendingPathComponent("provider")
        guard let data = FileManager.default.contents(atPath: providerPath),
              let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty
        else {
            return LeftOut(message: "serve: tcc-server left out: no tethering provider is configured; write one --provider value (e.g. static:ssid=MyHotspot,passphrase=…,display-name=…) into \(providerPath)")
        }
        var options = TCCServerOptions()
        options.provider = text
        let keysPath = (directory as NSString).appendingPathComponent("keys.json")
        if FileManager.default.fileExists(atPath: keysPath) { options.keys = keysPath }
        let address = context.listenAddress(for: name, default: HostPort(host: "0.0.0.0", port: TCCTransport.defaultTCPPort))
        options.transport = "tcp:\(address)"
        let events = context.events
        let group = context.eventLoopGroup
        return Starting(options: options, events: events, eventLoopGroup: group)
    }

    /// Validates (which may ask NetworkManager) when the service starts, then serves.
    struct Starting: Service {
        let options: TCCServerOptions
        let events: EventLog
        let eventLoopGroup: any EventLoopGroup

        func run() async throws {
            let configuration = try await TCCServerConfiguration(validating: options)
            if let warning = configuration.tcpWarning { EventLog.diagnostic("tcc-server: \(warning)") }
            try await TCCServer(configuration: configuration, events: events, eventLoopGroup: eventLoopGroup).run()
        }
    }

    /// A role that is not configured: says so once and waits for shutdown.
    struct LeftOut: Service {
        let message: String

        func run() async throws {
            EventLog.diagnostic(message)
            try? await gracefulShutdown()
        }
    }
}

