import Logging
import MICECore
import NIOCore
import ServiceLifecycle
import WinteropMDNS
import WinteropTransport

/// Registers `<friendly name>._display._tcp.local` on the sink's port with TXT
/// `container_id={GUID}` (MS-MICE 3.1.3) through our own mDNS responder. A host
/// without a multicast interface loses advertising, not the sink: the failure is
/// reported and the service waits for shutdown.
public struct MICESinkAdvertiser: Service {
    public let instance: MDNSServiceInstance
    private let events: EventLog
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    /// Addresses to advertise instead of the interfaces' (tests).
    public var addresses: [SocketAddress]?

    public init(friendlyName: String, port: Int, containerID: String, events: EventLog, eventLoopGroup: any EventLoopGroup, logger: Logger) {
        self.instance = MDNSServiceInstance.miracastSink(
            friendlyName: Self.instanceName(friendlyName), containerID: MICEContainerID.braced(containerID),
            port: UInt16(clamping: port)
        )
        self.events = events
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// The friendly name cut to the 63 bytes a DNS label holds (RFC 6763 4.1.1), on a character boundary.
    static func instanceName(_ friendlyName: String) -> String {
        var name = ""
        for character in friendlyName {
            if name.utf8.count + String(character).utf8.count > 63 { break }
            name.append(character)
        }
        return name.isEmpty ? "winterop" : name
    }

    public func run() async throws {
        let events = self.events
        var responder = MDNSResponderService(
            instances: [instance], eventLoopGroup: eventLoopGroup, logger: logger,
            onEvent: { event in
                switch event {
                case .announced(let name):
                    events.emit(MICESinkEvent.advertised(name: name))
                case .renamed(let from, let to):
                    events.emit(MICESinkEvent.advertiseRenamed(from: from, to: to))
                default:
                    break
                }
            }
        )
        responder.addresses = addresses
        do {
            try await responder.run()
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            events.emit(MICESinkEvent.advertiseFailed(detail: "\(error)"))
            try? await gracefulShutdown()
        }
    }
}
