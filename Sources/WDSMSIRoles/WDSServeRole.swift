import Foundation
import ServiceLifecycle
import WDSMSICore
import WinteropTransport

/// `winterop serve`'s MS-WDSMSI server: UDP 5041, the namespace `default` = the folder
/// `<data>/wds/default/` (made if missing), sign/hash security with keys kept under `<data>/wds/`.
public struct WDSServeRole: ServeRole {
    public let name = WDSServer.serviceName

    public init() {}

    public func makeService(_ context: ServeContext) throws -> any Service {
        let folder = (WDSServerKeys.directory(context.dataDirectory) as NSString).appendingPathComponent("default")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var options = WDSServerOptions()
        options.data = context.dataDirectory
        options.namespace = ["default=\(folder)"]
        var configuration = try WDSServerConfiguration(validating: options)
        configuration.listen = context.listenAddress(for: name, default: configuration.listen)
        return try WDSServer(configuration: configuration, events: context.events, eventLoopGroup: context.eventLoopGroup)
    }
}
