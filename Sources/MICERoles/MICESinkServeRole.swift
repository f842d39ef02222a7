import Foundation
import MICECore
import ServiceLifecycle
import WFDCore
import WinteropTransport

/// The stable container ID GUID of 3.1.1/3.1.3, kept in `<data>/mice/container-id`.
public enum MICEContainerID {
    /// Reads the stored GUID, or makes one and stores it.
    public static func loadOrCreate(dataDirectory: String) throws -> String {
        let directory = (dataDirectory as NSString).appendingPathComponent("mice")
        let path = (directory as NSString).appendingPathComponent("container-id")
        if let data = FileManager.default.contents(atPath: path),
           let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
           UUID(uuidString: text) != nil {
            return text.uppercased()
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let id = UUID().uuidString
        try Data((id + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        return id
    }

    /// The GUID in braces, as the TXT record carries it.
    public static func braced(_ id: String) -> String {
        id.hasPrefix("{") ? id : "{\(id)}"
    }
}

/// This machine's host name, without any domain part (2.2.8.2: not fully qualified).
public func localHostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "winterop" }
    let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return name.split(separator: ".").first.map(String.init) ?? "winterop"
}

/// `winterop serve`'s MS-MICE sink: 0.0.0.0:7250, random PINs, DTLS when available,
/// friendly name = host name, container ID persisted under `<data>/mice/`; with
/// `serve --wpa-ctrl PATH`, discoverable over Wi-Fi Direct as `mice sink --wpa-ctrl` is.
public struct MICESinkServeRole: ServeRole {
    public let name = "mice-sink"
    private let dtls: (any MICEDTLSFactory)?

    public init(dtls: (any MICEDTLSFactory)?) {
        self.dtls = dtls
    }

    public func makeService(_ context: ServeContext) throws -> any Service {
        let containerID = try MICEContainerID.loadOrCreate(dataDirectory: context.dataDirectory)
        context.logger.info("mice-sink container id \(containerID)")
        var configuration = MICESinkConfiguration(friendlyName: localHostName(), dtls: dtls)
        configuration.listen = context.listenAddress(for: name, default: configuration.listen)
        configuration.listenOption = context.listenOption(for: name)
        // The RTP port a Windows firewall rule names (DESIGN.md, Projection); no player.
        configuration.projection.rtpPort = Int(WFD.defaultRTPPort)
        // A sink on a port picked at start (port 0) has nothing stable to advertise.
        let advertising = !context.advertise || configuration.listen.port == 0
            ? nil : MICESinkService.Advertising(containerID: containerID, logger: context.logger)
        var service = MICESinkService(configuration: configuration, advertising: advertising, events: context.events, eventLoopGroup: context.eventLoopGroup)
        if let path = context.wpaControlPath {
            service.wifiDirect = try MICEWiFiDirectPublisher(validating: path, configuration: configuration)
        }
        return service
    }
}
