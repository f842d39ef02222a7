import CWinteropBluetooth
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import TCCCore
import WinteropTransport

/// Listens on an RFCOMM channel (2.1) and runs the listener role's handlers on every
/// connection, like ``ListenerService`` does for TCP: the socket is made and bound through
/// the shim, then handed to NIO. The link must be authenticated and encrypted. The SDP
/// record carrying the service GUID is registered with BlueZ (``SDPRegistration``).
final class RFCOMMListener: Sendable {
    let channel: UInt8
    private let role: any ListenerRole
    private let events: EventLog
    private let group: any EventLoopGroup
    private let connections = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])

    init(channel: UInt8, role: any ListenerRole, events: EventLog, eventLoopGroup: any EventLoopGroup) throws(RoleFailure) {
        try Bluetooth.requireAvailable()
        self.channel = channel
        self.role = role
        self.events = events
        self.group = eventLoopGroup
    }

    func run() async throws {
        let fd = try Bluetooth.socket()
        let result = wo_rfcomm_listen(fd, channel, 16)
        guard result == 0 else {
            close(fd)
            throw RoleFailure.usage(Bluetooth.describe(-result, doing: "listen on RFCOMM channel \(channel)"))
        }
        let connections = self.connections
        let role = self.role
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                let id = ObjectIdentifier(channel)
                connections.withLockedValue { $0[id] = channel }
                channel.closeFuture.whenComplete { _ in _ = connections.withLockedValue { $0.removeValue(forKey: id) } }
                return channel.eventLoop.makeCompletedFuture { try role.initialize(channel) }
            }
            .withBoundSocket(fd)
            .get()
        events.emit(ListenerEvent.listening(service: TCCServeRole.serviceName, host: "bluetooth", port: Int(channel)))
        let registration = SDPRegistration()
        if let problem = registration.register(channel: channel) {
            EventLog.diagnostic("tcc serve: \(problem); clients must then be given the channel: rfcomm:ADDRESS/\(channel)")
        }
        defer { registration.unregister() }
        try? await gracefulShutdown()
        try? await server.close()
        for open in connections.withLockedValue({ Array($0.values) }) {
            role.sayGoodbye(open, reason: .shutdown)
        }
    }
}
