import CWinteropBluetooth
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import TCCCore
import WinteropTransport

/// The MS-TCC client: connects, sends one BringUpStartRequest and waits for the answer (3.1).
public final class TCCClient: Sendable {
    public let configuration: TCCClientConfiguration
    private let events: EventLog
    private let group: any EventLoopGroup
    private let channel = ConnectedChannel()

    public init(configuration: TCCClientConfiguration, events: EventLog, eventLoopGroup: any EventLoopGroup) {
        self.configuration = configuration
        self.events = events
        self.group = eventLoopGroup
    }

    /// Runs the request to its end. Connection failures throw ``RoleFailure``s.
    public func run() async throws -> ClientOutcome {
        if case .rfcomm = configuration.transport { try Bluetooth.requireAvailable() }
        let eventLoop = group.next()
        let outcome = eventLoop.makePromise(of: ClientOutcome.self)
        let configuration = self.configuration
        let events = self.events
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Void> = { channel in
            channel.eventLoop.makeCompletedFuture {
                if let psk = configuration.psk {
                    try channel.pipeline.syncOperations.addHandler(TLSPSKHandler(server: false, key: psk))
                }
                try channel.pipeline.syncOperations.addHandlers([
                    ByteToMessageHandler(TCCFrameDecoder()),
                    TCCClientHandler(configuration: configuration.machine, events: events, clockOffset: configuration.clockOffset, outcome: outcome),
                ])
            }
        }
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(configuration.connectTimeout.timeAmount)
            .channelInitializer(initializer)
        do {
            channel.set(try await connect(bootstrap))
        } catch {
            outcome.fail(error)
            throw error
        }
        return try await outcome.futureResult.get()
    }

    private func connect(_ bootstrap: ClientBootstrap) async throws -> any Channel {
        switch configuration.transport {
        case .tcp(let address):
            do {
                return try await bootstrap.connect(host: address.host, port: address.port).get()
            } catch {
                throw RoleFailure.peer("tcc request: cannot connect to \(address): \(Self.plainReason(error))")
            }
        case .rfcomm(let address, let channelNumber):
            guard let address else { throw RoleFailure.usage("tcc request: rfcomm needs the server's Bluetooth address") }
            let channelNumber = try channelNumber ?? SDPSearch.channel(of: address)
            let fd = try Bluetooth.socket()
            let result = address.bytes.withUnsafeBufferPointer { wo_rfcomm_connect(fd, $0.baseAddress, channelNumber) }
            guard result == 0 else {
                close(fd)
                throw RoleFailure.peer("tcc request: " + Bluetooth.describe(-result, doing: "connect to \(address) channel \(channelNumber)"))
            }
            return try await bootstrap.withConnectedSocket(fd).get()
        }
    }

    /// 3.1.4.1: cancel while waiting (Ctrl-C).
    public func cancel() {
        channel.get()?.pipeline.fireUserInboundEventTriggered(TCCClientCommand.cancel)
    }

    static func plainReason(_ error: any Error) -> String {
        if let connection = error as? NIOConnectionError {
            if let first = connection.connectionErrors.first { return plainReason(first.error) }
            if connection.dnsAAAAError != nil || connection.dnsAError != nil { return "the host name does not resolve" }
        }
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED { return "connection refused (is winterop tcc serve running there?)" }
        if error is ChannelError { return "no connection within the connect timeout" }
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        return "\(error)"
    }
}

/// The connected channel, once there is one (for cancellation from another task).
final class ConnectedChannel: Sendable {
    private let box = NIOLockedValueBox<(any Channel)?>(nil)
    func set(_ channel: any Channel) { box.withLockedValue { $0 = channel } }
    func get() -> (any Channel)? { box.withLockedValue { $0 } }
}
