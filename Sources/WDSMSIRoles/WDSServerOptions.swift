import Foundation
import WDSMSICore
import WinteropTransport

/// `winterop wds serve`'s options as a person gives them; the command conforms, and so
/// does ``WDSServerOptions``. ``WDSServerConfiguration/init(validating:)`` checks them.
public protocol WDSServerSettings: Sendable {
    var listen: String { get }
    /// `NAME=DIR`, each a namespace served by the directory provider.
    var namespace: [String] { get }
    /// A JSON file of providers and namespaces (see ``WDSNamespaceFile``).
    var config: String? { get }
    /// Where the keys are kept.
    var data: String { get }
    var serverSecurityMode: SecurityMode { get }
    var clientSecurityMode: SecurityMode { get }
    /// `ADDRESS/PREFIX` blocks, one IPv4 and at most one IPv6; empty keeps the defaults.
    var multicastRange: [String] { get }
    /// `FIRST-LAST`.
    var ports: String { get }
    var blockSize: Int { get }
    /// Seconds a session lives after the last request for it.
    var sessionLifetime: Double { get }
    /// The server's own addresses for replies (TpUniAddress); empty uses the address a request arrives on.
    var serverAddress: [String] { get }
    /// Whether the directory provider of `--namespace` serves unauthenticated (UDP) clients.
    var allowUnauthenticated: Bool { get }
    /// HashAlgId and HMACAlgId (3.1.1.3), CryptoAPI ALG_IDs as decimal or 0x-hex.
    var hashAlgId: String { get }
    var hmacAlgId: String { get }
}

/// ``WDSServerSettings`` with the command line's defaults.
public struct WDSServerOptions: WDSServerSettings {
    public var listen = "0.0.0.0:\(WDSMSI.serverPort)"
    public var namespace: [String] = []
    public var config: String?
    public var data = "./winterop-data"
    public var serverSecurityMode: SecurityMode = .sign
    public var clientSecurityMode: SecurityMode = .hash
    public var multicastRange: [String] = []
    public var ports = "64001-65000"
    public var blockSize = 1024
    public var sessionLifetime: Double = 600
    public var serverAddress: [String] = []
    public var allowUnauthenticated = true
    public var hashAlgId = "0x800C"
    public var hmacAlgId = "0x8009"

    public init() {}
}

/// Everything the server runs with, checked.
public struct WDSServerConfiguration: Sendable {
    public var listen: HostPort
    public var server: ServerConfiguration
    /// Addresses given with `--server-address`.
    public var serverAddresses: SessionInitiationServer.ServerAddresses

    /// Checks every option; keys the security modes need are loaded from, or made under, `--data`.
    public init(validating options: some WDSServerSettings) throws(RoleFailure) {
        let listen = try OptionValidation.hostPort(options.listen, defaultPort: WDSMSI.serverPort, option: "--listen")
        var providers: [ServerConfiguration.ProviderRegistration] = []
        var namespaces: [ServerConfiguration.NamespaceRegistration] = []
        if let path = options.config {
            let file = try WDSNamespaceFile.load(path)
            providers = file.providers
            namespaces = file.namespaces
        }
        if !options.namespace.isEmpty {
            if !providers.contains(where: { $0.name == DirectoryContentProvider.name }) {
                providers.append(.init(name: DirectoryContentProvider.name, modulePath: "builtin", allowUnauthenticated: options.allowUnauthenticated, provider: DirectoryContentProvider()))
            }
            for entry in options.namespace {
                guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex, entry.index(after: equals) != entry.endIndex else {
                    throw .usage("--namespace must be NAME=DIR, e.g. images=./images (not '\(entry)')")
                }
                namespaces.append(.init(name: String(entry[..<equals]), contentProvider: DirectoryContentProvider.name,
                                        configurationString: String(entry[entry.index(after: equals)...])))
            }
        }
        guard !namespaces.isEmpty else {
            throw .usage("no namespace to serve: give --namespace NAME=DIR (repeatable) or --config FILE")
        }
        let modes = SecurityModes(server: options.serverSecurityMode, client: options.clientSecurityMode)
        guard modes.isSupported else {
            throw .usage("--server-security-mode \(modes.server) with --client-security-mode \(modes.client) is not a supported pair (MS-WDSMSI 3.1.5.1); use sign/hash, hash/hash, checksum/checksum or none/none")
        }
        var keys = ServerConfiguration.Keys()
        if modes.server != .none {
            do {
                keys = try WDSServerKeys.loadOrCreate(dataDirectory: options.data).configurationKeys()
            } catch {
                throw .usage("cannot keep the server's keys under '\(options.data)': \(error.localizedDescription); pass another --data")
            }
        }
        let multicast = try Self.multicast(options)
        var addresses = SessionInitiationServer.ServerAddresses()
        for text in options.serverAddress {
            guard let address = IPAddress(text) else { throw .usage("--server-address '\(text)' is not an IP address") }
            if address.isIPv6 { addresses.ipv6 = address } else { addresses.ipv4 = address }
        }
        let server = ServerConfiguration(
            providers: providers, namespaces: namespaces, securityModes: modes, keys: keys,
            hashAlgId: try Self.algorithmId(options.hashAlgId, option: "--hash-alg-id"),
            hmacAlgId: try Self.algorithmId(options.hmacAlgId, option: "--hmac-alg-id"),
            multicast: multicast
        )
        self.listen = listen
        self.server = server
        self.serverAddresses = addresses
    }

    static func algorithmId(_ text: String, option: String) throws(RoleFailure) -> UInt32 {
        let value = text.lowercased().hasPrefix("0x") ? UInt32(text.dropFirst(2), radix: 16) : UInt32(text)
        guard let value else { throw .usage("\(option) must be a 32-bit ALG_ID such as 0x800C, not '\(text)'") }
        return value
    }

    static func multicast(_ options: some WDSServerSettings) throws(RoleFailure) -> MulticastConfiguration {
        var multicast = MulticastConfiguration()
        if !options.multicastRange.isEmpty {
            var v4: AddressRange?
            var v6: AddressRange?
            for text in options.multicastRange {
                guard let range = AddressRange(text), range.isMulticast else {
                    throw .usage("--multicast-range '\(text)' is not a block of multicast addresses such as 239.0.0.0/8 or ff15::/16")
                }
                if range.base.isIPv6 { v6 = range } else { v4 = range }
            }
            guard let v4 else { throw .usage("--multicast-range needs an IPv4 block (IPv6 is used only for clients that can take it)") }
            multicast.ipv4Range = v4
            multicast.ipv6Range = v6
        }
        let parts = options.ports.split(separator: "-")
        guard parts.count == 2, let first = UInt16(parts[0]), let last = UInt16(parts[1]), first > 0, first <= last else {
            throw .usage("--ports must be FIRST-LAST with 1 ≤ FIRST ≤ LAST ≤ 65535, e.g. 64001-65000")
        }
        multicast.ports = first...last
        guard options.blockSize >= 1, options.blockSize <= 65_000 else {
            throw .usage("--block-size must be 1 to 65000 bytes (the default 1024 fits a 1500-byte MTU)")
        }
        multicast.blockSize = UInt32(options.blockSize)
        multicast.sessionLifetime = try OptionValidation.seconds(options.sessionLifetime, option: "--session-lifetime")
        return multicast
    }
}

/// The `--config` file: providers (3.1.1.1) and namespaces (3.1.1.2) as JSON:
/// `{"providers":[{"name":"directory","module":"builtin:directory","allowUnauthenticated":true}],
///   "namespaces":[{"name":"images","provider":"directory","configuration":"/srv/images"}]}`.
/// The one module winterop has is `builtin:directory` (a directory per namespace).
public enum WDSNamespaceFile {
    struct File: Decodable {
        struct Provider: Decodable {
            var name: String
            var module: String?
            var allowUnauthenticated: Bool?
        }
        struct Namespace: Decodable {
            var name: String
            var provider: String
            var configuration: String
        }
        var providers: [Provider]?
        var namespaces: [Namespace]
    }

    static func load(_ path: String) throws(RoleFailure) -> (providers: [ServerConfiguration.ProviderRegistration], namespaces: [ServerConfiguration.NamespaceRegistration]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .usage("--config: cannot read '\(path)'")
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw .usage("--config '\(path)' is not a namespace file: \(error)")
        }
        var providers: [ServerConfiguration.ProviderRegistration] = []
        for provider in file.providers ?? [] {
            let module = provider.module ?? "builtin:directory"
            guard module == "builtin:directory" else {
                throw .usage("--config: provider '\(provider.name)' names module '\(module)'; the only module is builtin:directory")
            }
            providers.append(.init(name: provider.name, modulePath: module, allowUnauthenticated: provider.allowUnauthenticated ?? false, provider: DirectoryContentProvider()))
        }
        let namespaces = file.namespaces.map {
            ServerConfiguration.NamespaceRegistration(name: $0.name, contentProvider: $0.provider, configurationString: $0.configuration)
        }
        return (providers, namespaces)
    }
}
