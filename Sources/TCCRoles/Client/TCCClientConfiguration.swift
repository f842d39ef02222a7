import Foundation
import TCCCore
import WinteropTransport

/// `winterop tcc request`'s options as a person gives them (the command itself
/// conforms; ``TCCClientOptions`` holds them with their defaults).
public protocol TCCClientSettings: TCCKeySettings {
    var transport: String? { get }
    /// MessageTimer in seconds (3.1.2: one minute); lowered by tests.
    var messageTimeout: Double { get }
    /// Seconds added to the system clock for the request's Timestamp (tests of 3.2.5.1).
    var clockOffset: Double { get }
    var connectTimeout: Double { get }
}

/// ``TCCClientSettings`` with their defaults, for callers other than the command.
public struct TCCClientOptions: TCCClientSettings {
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

    public init(validating options: some TCCClientSettings) throws(RoleFailure) {
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
