import Foundation
import ServiceLifecycle
import SSTPCore
import WinteropTransport

/// `winterop serve`'s device role: port 2492, messages under `<data>/sstp/inbox`.
/// (The relay issue replaces it with the relay server.)
public struct SSTPDeviceServeRole: ServeRole {
    public init() {}
    public var name: String { "sstp-device" }

    public func makeService(_ context: ServeContext) throws -> any Service {
        let host = ProcessInfo.processInfo.hostName
        var configuration = try SSTPDeviceConfiguration(
            listen: "0.0.0.0", deviceURLs: ["dpp://\(host)", "dpp://localhost"],
            outputDirectory: "\(context.dataDirectory)/sstp/inbox"
        )
        configuration.listen = context.listenAddress(for: name, default: configuration.listen)
        return SSTPDeviceListener(configuration: configuration, events: context.events)
            .announcingService(eventLoopGroup: context.eventLoopGroup, service: name)
    }
}
