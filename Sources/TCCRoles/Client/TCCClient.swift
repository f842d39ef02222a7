import CWinteropBluetooth
import Foundation
import NIOCore
import NIOPosix
import TCCCore
import WinteropTransport

/// `winterop tcc request`'s options as a person gives them.
public struct TCCClientOptions: Sendable {
    public var transport: String?
    public var keys: String?
    /// A TLS-PSK key file: TLS 1.2 with that key around the TCP connection.
    public var psk: String?
    /// MessageTimer in seconds (3.1.2: one minute); lowered by tests.
    public var messageTimeout: Double = 60
    /// Seconds added to the system clock for the request's Timestamp (tests of 3.2.5.1).
    public var clockOffset: Double = 0
    public var connectTimeout: Double = 10

    public init() {}
}

/// A checked client configuration.
public struct TCCClientConfiguration: Sendable {
    public var transport: TCCTransport
    public var machine: ClientStateMachine.Configuration
    public var clockOffset: Duration
    public var connectTimeout: Duration
    public var psk: TLSPSKKey?

    public init(validating options: TCCClientOptions) throws(RoleFailure) {
        guard let text = options.transport else {
            throw .usage("tcc request: --transport is required: tcp:HOST:PORT or rfcomm:ADDRESS[/CHANNEL]")
        }
        transport = try TCCTransport(parsing: text, server: false)
        let keys = try options.keys.map { (path) throws(RoleFailure) in try TCCKeyFile.load(path) }
        machine = .init(keys: keys, messageTimeout: try OptionValidation.seconds(options.messageTimeout, option: "--message-timeout"))
        guard options.clockOffset.isFinite, abs(options.clockOffset) <= 86_400 * 365 else {
            throw .usage("--clock-offset must be a number of seconds within a year")
        }
        clockOffset = .nanoseconds(Int64((options.clockOffset * 1e9).rounded()))
        connectTimeout = try OptionValidation.seconds(options.connectTimeout, option: "--connect-timeout")
        psk = try options.psk.map { (path) throws(RoleFailure) in try TLSPSKKey.load(path) }
        if psk != nil, case .rfcomm = transport {
            throw .usage("--psk is for TCP; an RFCOMM link is already authenticated and encrypted")
        }
    }
}

/// The MS-TCC client: connects, sends one BringUpStartRequest and waits for the answer (3.1).
public final class TCCClient: Sendable {
    public let configuration: TCCClientConfiguration
    private let events: EventLog
    private let group: any EventLoopGroup
    private let channel = NIOLockedValueBoxChannel()

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

import NIOConcurrencyHelpers

/// The connected channel, once there is one.
final class NIOLockedValueBoxChannel: Sendable {
    private let box = NIOLockedValueBox<(any Channel)?>(nil)
    func set(_ channel: any Channel) { box.withLockedValue { $0 = channel } }
    func get() -> (any Channel)? { box.withLockedValue { $0 } }
}
