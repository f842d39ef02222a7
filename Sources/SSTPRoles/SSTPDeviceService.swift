import NIOCore
import NIOPosix
import ServiceLifecycle
import WinteropTransport

/// The device listener's service: binds (the `listening` event), then reports the device
/// URLs a Connect must target (`accepting`), so a user sees what to give `sstp send
/// --target-device`, then serves until shutdown.
public struct SSTPDeviceService: Service {
    public let listener: ListenerService
    let deviceURLs: [String]
    let events: EventLog

    public func run() async throws {
        try await listener.bind()
        events.emit(SSTPDeviceEvent.accepting(service: listener.configuration.service, deviceURLs: deviceURLs))
        try await listener.run()
    }
}

extension SSTPDeviceListener {
    /// ``service(eventLoopGroup:service:)`` that also reports its device URLs once bound.
    public func announcingService(eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, service: String = "sstp-device") -> SSTPDeviceService {
        SSTPDeviceService(listener: self.service(eventLoopGroup: eventLoopGroup, service: service),
                          deviceURLs: configuration.connection.localDeviceURLs, events: events)
    }
}
