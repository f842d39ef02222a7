import SSTPCore
import WinteropTransport
import WinteropWire

/// Configuration of `winterop sstp receive`: a device that connects to its relay and takes
/// delivery of what is stored for it (1.3.5.2.1).
public struct SSTPReceiveConfiguration: Sendable {
    public var relay: HostPort
    /// The relay's RelayURL: the Connect's TargetDeviceURL.
    public var relayURL: String
    public var connection: SSTP.ConnectionConfiguration
    /// Identities registered with Register sessions once connected (3.2.4.1.3).
    public var identities: [String]
    /// Where each delivered message is written (nil: reported only).
    public var outputDirectory: String?
    /// Exit once this many messages arrived and are acknowledged (nil: run until stopped).
    public var exitAfter: Int?

    /// The configuration the options ask for, with their rules checked; throws
    /// ``RoleFailure/usage(_:)`` (exit 2) naming the option.
    public init(
        relay: String, relayURL: String, deviceURL: String, identities: [String], outputDirectory: String? = nil,
        exitAfter: Int? = nil, version: SSTP.Version = .v1_6, timeout: Double = 60
    ) throws(RoleFailure) {
        let address = try OptionValidation.hostPort(relay, defaultPort: SSTP.port, option: "--relay")
        for (option, url) in [("--relay-url", relayURL), ("--device-url", deviceURL)] where url.isEmpty || ASCII.encode(url) == nil {
            throw .usage("sstp receive: \(option) must be a non-empty ASCII URL")
        }
        guard !identities.isEmpty, identities.allSatisfy({ !$0.isEmpty && ASCII.encode($0) != nil }) else {
            throw .usage("sstp receive: give at least one --identity URL (ASCII), the identity this device registers for")
        }
        if let exitAfter, exitAfter < 1 { throw .usage("sstp receive: --exit-after must be at least 1") }
        var connection = SSTP.ConnectionConfiguration(version: version, localDeviceURLs: [deviceURL])
        let wait = try OptionValidation.seconds(timeout, option: "--timeout")
        connection.timers.connectionEstablishment = wait
        connection.timers.connectTimeout = wait
        // Acknowledge promptly: the relay removes a message only on our MessageCount.
        connection.timers.messageAcknowledgment = .milliseconds(20)
        self.relay = address
        self.relayURL = relayURL
        self.connection = connection
        self.identities = identities
        self.outputDirectory = outputDirectory
        self.exitAfter = exitAfter
    }
}
