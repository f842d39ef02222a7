import Foundation
import NIOCore
import ServiceLifecycle
import SSTPCore
import WinteropTransport

/// The device listener as a service: runs until graceful shutdown, then closes each
/// connection with ConnectClose.
public struct SSTPDeviceService: Service {
    public let listener: SSTPDeviceListener

    public init(listener: SSTPDeviceListener) { self.listener = listener }

    public func run() async throws {
        try await listener.start()
        try? await gracefulShutdown()
        await listener.stop()
    }
}

/// `winterop serve`'s device role: port 2492, messages under `<data>/sstp/inbox`.
/// (The relay issue replaces it with the relay server.)
public struct SSTPDeviceServeRole: ServeRole {
    public init() {}
    public var name: String { "sstp-device" }

    public func makeService(_ context: ServeContext) throws -> any Service {
        let host = ProcessInfo.processInfo.hostName
        let configuration = SSTPDeviceConfiguration(
            listen: context.listenAddress(for: name, default: HostPort(host: "0.0.0.0", port: SSTP.port)),
            connection: SSTP.ConnectionConfiguration(localDeviceURLs: ["dpp://\(host)", "dpp://localhost"]),
            outputDirectory: "\(context.dataDirectory)/sstp/inbox"
        )
        return SSTPDeviceService(listener: SSTPDeviceListener(configuration: configuration, events: context.events, group: context.eventLoopGroup))
    }
}
