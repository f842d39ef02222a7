import Foundation
import TCCCore
import WinteropTransport

/// `winterop tcc serve`'s options as a person gives them, before any rule is checked
/// (the command itself conforms; ``TCCServerOptions`` is the one `serve` builds).
public protocol TCCServerSettings: TCCKeySettings {
    var transport: String { get }
    var provider: String? { get }
    /// The allowable Timestamp skew in seconds (3.2.5.1: recommended 5 minutes).
    var maxSkew: Double { get }
    /// ServerTimer in seconds (3.2.2: one minute); lowered by tests.
    var serverTimeout: Double { get }
    var maxConnections: Int { get }
    /// PATH and friends, for finding `nmcli`.
    var environment: [String: String] { get }
}

extension TCCServerSettings {
    public var environment: [String: String] { ProcessInfo.processInfo.environment }
}

/// ``TCCServerSettings`` with their defaults, for callers other than the command.
public struct TCCServerOptions: TCCServerSettings {
    public var transport = "tcp:0.0.0.0:\(TCCTransport.defaultTCPPort)"
    public var provider: String?
    public var keys: String?
    /// A TLS-PSK key file: TLS 1.2 with that key around every TCP connection.
    public var psk: String?
    /// The allowable Timestamp skew in seconds (3.2.5.1: recommended 5 minutes).
    public var maxSkew: Double = 300
    /// ServerTimer in seconds (3.2.2: one minute); lowered by tests.
    public var serverTimeout: Double = 60
    public var maxConnections = 256
    /// PATH and friends, for finding `nmcli`.
    public var environment: [String: String] = ProcessInfo.processInfo.environment

    public init() {}
}

/// A checked server configuration: every option turned into what the role runs with, or
/// a ``RoleFailure`` (exit status 2) naming the option.
public struct TCCServerConfiguration: Sendable {
    public var transport: TCCTransport
    public var provider: any TetheringProvider
    public var machine: ServerStateMachine.Configuration
    public var maxConnections: Int
    /// TLS-PSK around each TCP connection, when given.
    public var psk: TLSPSKKey?

    public init(transport: TCCTransport, provider: any TetheringProvider, machine: ServerStateMachine.Configuration, maxConnections: Int = 256, psk: TLSPSKKey? = nil) {
        self.psk = psk
        self.transport = transport
        self.provider = provider
        self.machine = machine
        self.maxConnections = maxConnections
    }

    public init(validating options: some TCCServerSettings) async throws(RoleFailure) {
        let transport = try TCCTransport(parsing: options.transport, server: true)
        guard let text = options.provider else {
            throw .usage("tcc serve: --provider is required: static:ssid=…,passphrase=…,display-name=…[,bssid=…], fail:status=N[,error=TEXT] or networkmanager")
        }
        let provider = try TetheringProviderSpec.parse(text, environment: options.environment)
        if let networkManager = provider as? NetworkManagerProvider {
            try await networkManager.checkAvailable()
        }
        let keys = try options.keys.map { (path) throws(RoleFailure) in try TCCKeyFile.load(path) }
        let skew = try OptionValidation.seconds(options.maxSkew, option: "--max-skew", allowZero: true)
        let timeout = try OptionValidation.seconds(options.serverTimeout, option: "--server-timeout")
        guard options.maxConnections > 0 else { throw .usage("--max-connections must be at least 1") }
        let psk = try options.psk.map { (path) throws(RoleFailure) in try TLSPSKKey.load(path) }
        if psk != nil, case .rfcomm = transport {
            throw .usage("--psk is for TCP; an RFCOMM link is already authenticated and encrypted")
        }
        // RFCOMM links are authenticated and encrypted (paired). TCP is taken as paired
        // only without keys; with keys a request must prove itself with its HMAC.
        let paired: Bool
        switch transport {
        case .rfcomm: paired = true
        case .tcp: paired = keys == nil || psk != nil
        }
        self.init(
            transport: transport, provider: provider,
            machine: .init(keys: keys, channelPaired: paired, maximumSkew: skew, serverTimeout: timeout),
            maxConnections: options.maxConnections, psk: psk)
    }

    /// The warning `tcc serve` prints for TCP (2.1, 5.1 require an authenticated channel).
    public var tcpWarning: String? {
        guard case .tcp(let address) = transport, psk == nil else { return nil }
        if machine.keys != nil {
            return "warning: TCP \(address) is not an authenticated channel; only requests carrying a valid HMAC (--keys) are answered, and answers are encrypted"
        }
        return "warning: TCP \(address) is not authenticated or encrypted: anyone who can reach it is given the hotspot passphrase in clear. Use rfcomm:CHANNEL or --keys FILE on untrusted networks"
    }
}
