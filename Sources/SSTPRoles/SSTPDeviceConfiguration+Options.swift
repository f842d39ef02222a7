import Foundation
import SSTPCore
import WinteropTransport

extension SSTPDeviceConfiguration {
    /// The configuration `sstp listen` asks for, with its rules checked: at least one
    /// device URL, positive times and sizes, and an output directory that exists (it is
    /// created) and that this process can write. Throws ``RoleFailure/usage(_:)`` (exit 2)
    /// with one sentence naming the option to change.
    public init(
        listen: String, deviceURLs: [String], outputDirectory: String, version: SSTP.Version = .v1_6,
        acknowledgmentDelay: Double = 5, flowControl: Bool = true, sync: Bool = true,
        lockedOutDevices: [String] = [], maxConnectionsPerDevice: Int? = nil, highWater: Int = 4 << 20,
        connectTimeout: Double = 30, maxMessageSize: Int? = nil, maxConnections: Int? = nil,
        stallTimeout: Double = 30, maxMessagesInProgress: Int = SSTPDeviceConfiguration.defaultMaxMessagesInProgress
    ) throws(RoleFailure) {
        guard !deviceURLs.isEmpty else {
            throw .usage("sstp listen: give this device's URL with --device-url URL (Connect commands must target it)")
        }
        let address = try OptionValidation.hostPort(listen, defaultPort: SSTP.port, option: "--listen")
        var connection = SSTP.ConnectionConfiguration(version: version, localDeviceURLs: deviceURLs)
        connection.timers.messageAcknowledgment = try OptionValidation.seconds(acknowledgmentDelay, option: "--ack-delay")
        connection.timers.connectTimeout = try OptionValidation.seconds(connectTimeout, option: "--connect-timeout")
        connection.timers.outputStall = try OptionValidation.seconds(stallTimeout, option: "--stall-timeout")
        connection.numberOfConcurrentDeviceConnections = try Self.positive(maxConnectionsPerDevice, option: "--max-connections-per-device")
        connection.maximumMessageSize = try Self.positive(maxMessageSize, option: "--max-message-size")
        guard highWater > 0 else { throw .usage("--high-water must be a positive number of bytes") }
        try Self.prepareOutputDirectory(outputDirectory)
        self.init(
            listen: address, connection: connection, outputDirectory: outputDirectory,
            flowControl: flowControl, sync: sync, lockedOutDevices: Set(lockedOutDevices),
            highWater: highWater, lowWater: max(highWater / 4, 1),
            maxConnections: try Self.positive(maxConnections, option: "--max-connections"),
            maxMessagesInProgress: try Self.positive(maxMessagesInProgress, option: "--max-messages-in-progress") ?? maxMessagesInProgress
        )
    }

    /// Prepares `sstp spool --extract`'s directory as ``prepareOutputDirectory(_:option:)`` does.
    public static func prepareExtractDirectory(_ path: String) throws(RoleFailure) {
        try prepareOutputDirectory(path, option: "--extract")
    }

    static func positive(_ value: Int?, option: String) throws(RoleFailure) -> Int? {
        if let value, value <= 0 { throw .usage("\(option) must be a positive number") }
        return value
    }

    /// Creates `path` (and its parents) when missing; refuses a file, or a directory this
    /// process cannot write.
    static func prepareOutputDirectory(_ path: String, option: String = "--out") throws(RoleFailure) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw .usage("\(option) \(path) cannot be created (\(prefix): \(String(cString: strerror(errno)))); choose a directory this user can create")
            }
            prefix += "/"
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .usage("\(option) \(path) is not a directory; choose a directory for the received messages")
        }
        guard access(path, W_OK | X_OK) == 0 else {
            throw .usage("\(option) \(path) is not writable by this user; choose a directory it can write")
        }
    }
}
