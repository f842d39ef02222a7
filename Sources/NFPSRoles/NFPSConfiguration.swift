import Foundation
import NFPSCore
import WinteropTransport
import WinteropWire

/// The options of `winterop nfps send`, by their command-line names;
/// ``ShareSenderConfiguration/init(validating:)`` checks them.
public protocol ShareSenderSettings: Sendable {
    /// `--listen HOST:PORT`.
    var listen: String { get }
    /// `--session-id HEX` and `--secret HEX`.
    var sessionID: String { get }
    var secret: String { get }
    /// `--raw FILE`.
    var raw: String? { get }
    /// `--timeout SECONDS`: how long to wait for a receiver (nil: for ever).
    var timeout: Double? { get }
    /// `--stall-timeout SECONDS`: how long the chosen receiver may take no data.
    var stallTimeout: Double { get }
    /// `--no-sha256`: no package digest for the `done` event.
    var noSHA256: Bool { get }
    /// `FILE…`.
    var files: [String] { get }
}

/// The options of `winterop nfps receive`; ``ShareReceiverConfiguration/init(validating:)`` checks them.
public protocol ShareReceiverSettings: Sendable {
    /// `--to [TYPE@]HOST:PORT[,…]`.
    var to: String { get }
    var sessionID: String { get }
    var secret: String { get }
    /// `--out DIR`.
    var out: String { get }
    var decline: Bool { get }
    var raw: Bool { get }
    /// `--timeout SECONDS`: the socket set-up's limit.
    var timeout: Double { get }
    /// `--stall-timeout SECONDS`: how long the session socket may stay silent.
    var stallTimeout: Double { get }
    /// `--no-sha256`: no package digest for the `done` event.
    var noSHA256: Bool { get }
}

/// The NFPB Session values MS-NFPS uses (3.2.1, 3.3.1): SessionID and SharedSecretKey.
/// NFPB (MS-NFPB) would supply them; here they come from the command line.
public struct NFPSSessionValues: Sendable, Hashable {
    public var sessionID: UInt64
    public var sharedSecretKey: [UInt8]

    /// Parses `--session-id` (8 bytes: 16 hex digits) and `--secret` (hex, at least one byte).
    public init(sessionIDHex: String, secretHex: String) throws(RoleFailure) {
        guard let id = Hex.decode(sessionIDHex), id.count == 8 else {
            throw .usage("--session-id must be 8 bytes as 16 hex digits (e.g. 0123456789abcdef), got '\(sessionIDHex.prefix(40))'")
        }
        guard let secret = Hex.decode(secretHex), !secret.isEmpty else {
            throw .usage("--secret must be the SharedSecretKey in hex (at least one byte), got '\(secretHex.prefix(40))'")
        }
        self.sessionID = id.reduce(0) { $0 << 8 | UInt64($1) }
        self.sharedSecretKey = secret
    }

    public init(sessionID: UInt64, sharedSecretKey: [UInt8]) {
        self.sessionID = sessionID
        self.sharedSecretKey = sharedSecretKey
    }

    public var sessionIDHex: String { Hex.encode(withUnsafeBytes(of: sessionID.bigEndian, Array.init)) }
}

/// `winterop nfps send`: what to share, and where to listen.
public struct ShareSenderConfiguration: Sendable {
    /// What the package is made of.
    public enum Content: Sendable, Hashable {
        /// Files packed into an OPC package, one part each.
        case files([String])
        /// A file whose bytes are sent as the package, unchanged (`--raw FILE`).
        case raw(String)
    }

    public var listen: HostPort
    public var session: NFPSSessionValues
    public var content: Content
    /// How long to wait for a share receiver before giving up (nil: for ever).
    public var waitTimeout: Duration?
    /// How long the chosen receiver may take none of the package before the sender gives
    /// up: a receiver that stops reading is a socket closed due to fault (as 3.3.7.3 has
    /// it for the receiver; MS-NFPS sets no limit).
    public var stallTimeout: Duration = NFPSTimeouts.defaultStall
    /// Whether the package's SHA-256 is computed for the `done` event (off with
    /// `--no-sha256`). Not part of MS-NFPS: a check for people and tests.
    public var computesSHA256 = true

    /// Checks every option of `nfps send`; a mistake is a usage failure naming the option.
    public init(validating settings: some ShareSenderSettings) throws(RoleFailure) {
        try self.init(
            listen: try OptionValidation.hostPort(settings.listen, defaultPort: nil, option: "--listen"),
            session: try NFPSSessionValues(sessionIDHex: settings.sessionID, secretHex: settings.secret),
            files: settings.files, raw: settings.raw,
            waitTimeout: try settings.timeout.map { (t) throws(RoleFailure) in try OptionValidation.seconds(t, option: "--timeout") }
        )
        stallTimeout = try OptionValidation.seconds(settings.stallTimeout, option: "--stall-timeout")
        computesSHA256 = !settings.noSHA256
    }

    public init(listen: HostPort, session: NFPSSessionValues, files: [String], raw: String?, waitTimeout: Duration? = nil) throws(RoleFailure) {
        switch (files.isEmpty, raw) {
        case (true, nil):
            throw .usage("give the files to share (FILE…), or --raw FILE to send one file's bytes as the package")
        case (false, .some):
            throw .usage("--raw sends one file as the package unchanged; give either --raw FILE or FILE…, not both")
        case (true, .some(let path)):
            try Self.checkReadable(path)
            content = .raw(path)
        case (false, nil):
            var names = Set<String>()
            for path in files {
                try Self.checkReadable(path)
                let name = URL(fileURLWithPath: path).lastPathComponent
                guard names.insert(name).inserted else {
                    throw .usage("two files are called '\(name)'; each file becomes a part named after it, so names must differ")
                }
            }
            content = .files(files)
        }
        self.listen = listen
        self.session = session
        self.waitTimeout = waitTimeout
    }

    static func checkReadable(_ path: String) throws(RoleFailure) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .usage("'\(path)' does not exist")
        }
        guard !isDirectory.boolValue else {
            throw .usage("'\(path)' is a directory; give the files in it")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .usage("'\(path)' cannot be read (check its permissions)")
        }
    }
}

/// `winterop nfps receive`: where the share sender is, and where the package goes.
public struct ShareReceiverConfiguration: Sendable {
    /// One address to connect to and the connection type its Socket Connect header names.
    public struct Target: Sendable, Hashable {
        public var address: HostPort
        public var connectionType: ConnectionType
        /// 0.0.0.0 or ::, which 3.1.7.1 says not to connect to.
        public var isAllZeros: Bool
    }

    public var targets: [Target]
    public var session: NFPSSessionValues
    public var outputDirectory: String
    public var decline: Bool
    /// Keep the package bytes as they are (`DIR/package.opc`) instead of unpacking.
    public var raw: Bool
    /// How long the socket set-up may take.
    public var setupTimeout: Duration
    /// How long the share sender may send nothing, once a socket is open, before the
    /// receiver gives up (MS-NFPS sets no limit, 3.3.2; a silent peer is treated as a
    /// socket closed due to fault, 3.3.7.3).
    public var stallTimeout: Duration
    /// Whether the package's SHA-256 is computed for the `done` event (off with `--no-sha256`).
    public var computesSHA256 = true

    /// The file a `--raw` package is kept in, inside the output directory.
    public static let rawFileName = "package.opc"

    /// Checks every option of `nfps receive`; a mistake is a usage failure naming the option.
    public init(validating settings: some ShareReceiverSettings) throws(RoleFailure) {
        try self.init(
            to: settings.to, session: try NFPSSessionValues(sessionIDHex: settings.sessionID, secretHex: settings.secret),
            outputDirectory: settings.out, decline: settings.decline, raw: settings.raw,
            setupTimeout: try OptionValidation.seconds(settings.timeout, option: "--timeout"),
            stallTimeout: try OptionValidation.seconds(settings.stallTimeout, option: "--stall-timeout")
        )
        computesSHA256 = !settings.noSHA256
    }

    /// `to` is `[TYPE@]HOST:PORT[,…]`; without TYPE the connection type follows the
    /// address (2.2.5): IPv4 169.254/16 → 2, IPv6 fe80::/10 → 1, Teredo 2001::/32 → 8, else 5.
    public init(
        to: String, session: NFPSSessionValues, outputDirectory: String, decline: Bool, raw: Bool,
        setupTimeout: Duration = .seconds(30), stallTimeout: Duration = NFPSTimeouts.defaultStall
    ) throws(RoleFailure) {
        var targets: [Target] = []
        for part in to.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            var text = part
            var explicit: ConnectionType?
            if let at = part.firstIndex(of: "@") {
                guard let value = UInt8(part[..<at]), let type = ConnectionType(rawValue: value) else {
                    throw .usage("--to: '\(part)': the connection type before @ must be 0 to 8 (MS-NFPS 2.2.5)")
                }
                explicit = type
                text = String(part[part.index(after: at)...])
            }
            let address: HostPort
            do {
                address = try HostPort(parsing: text, defaultPort: nil)
            } catch {
                throw .usage("--to: \(error)")
            }
            guard address.port != 0 else { throw .usage("--to: '\(part)': port 0 cannot be connected to") }
            targets.append(Target(
                address: address, connectionType: explicit ?? Self.connectionType(for: address.host),
                isAllZeros: Self.isAllZeros(address.host)
            ))
        }
        guard !targets.isEmpty else {
            throw .usage("--to needs the share sender's HOST:PORT (several, comma-separated, are tried in parallel)")
        }
        guard targets.contains(where: { !$0.isAllZeros }) else {
            throw .usage("--to: every address is all zeros, and MS-NFPS 3.1.7.1 forbids connecting to those")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: outputDirectory, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw .usage("--out '\(outputDirectory)' is a file; give a directory")
        }
        self.targets = targets
        self.session = session
        self.outputDirectory = outputDirectory
        self.decline = decline
        self.raw = raw
        self.setupTimeout = setupTimeout
        self.stallTimeout = stallTimeout
    }

    static func connectionType(for host: String) -> ConnectionType {
        let lower = host.lowercased()
        if lower.hasPrefix("169.254.") { return .ipv4LinkLocal }
        if lower.hasPrefix("fe8") || lower.hasPrefix("fe9") || lower.hasPrefix("fea") || lower.hasPrefix("feb") { return .linkLocal }
        if lower.hasPrefix("2001:0:") || lower.hasPrefix("2001::") || lower.hasPrefix("2001:0000:") { return .teredo }
        return .global
    }

    static func isAllZeros(_ host: String) -> Bool {
        host == "0.0.0.0" || host.allSatisfy { $0 == ":" || $0 == "0" }
    }
}

/// Limits both roles share.
public enum NFPSTimeouts {
    /// `--stall-timeout`'s default, on either side: how long the peer may make no progress.
    public static let defaultStall = Duration.seconds(30)
}
