/// The server's abstract data model (3.1.1) as configuration.
public struct ServerConfiguration: Sendable {
    /// Registered Content Provider Configuration (3.1.1.1).
    public struct ProviderRegistration: Sendable {
        /// Name: unique among providers.
        public var name: String
        /// ModulePath: where the module comes from (informational: providers are built in).
        public var modulePath: String
        /// AllowUnauthenticated: whether UDP requests (always unauthenticated) may get its content.
        public var allowUnauthenticated: Bool
        /// The implementation.
        public var provider: any ContentProvider

        public init(name: String, modulePath: String = "builtin", allowUnauthenticated: Bool, provider: any ContentProvider) {
            self.name = name
            self.modulePath = modulePath
            self.allowUnauthenticated = allowUnauthenticated
            self.provider = provider
        }
    }

    /// Registered Multicast Namespaces Configuration (3.1.1.2).
    public struct NamespaceRegistration: Sendable, Hashable {
        /// Name: unique among namespaces (matched case-insensitively, as Windows names are).
        public var name: String
        /// ContentProvider: the Name of a registered provider.
        public var contentProvider: String
        /// ConfigurationString: handed to that provider (for the directory provider, the directory).
        public var configurationString: String

        public init(name: String, contentProvider: String, configurationString: String) {
            self.name = name
            self.contentProvider = contentProvider
            self.configurationString = configurationString
        }
    }

    /// SignKey and HashKey (3.1.1.3), as they go into replies: the public half of the RSA
    /// key (the private half stays with whoever signs packets) and the HMAC key blob.
    public struct Keys: Sendable, Hashable {
        /// The SignKey variable's value: the server's public RSA key.
        public var signKey: [UInt8]?
        /// The SymKey variable's value: the HashKey.
        public var hashKey: [UInt8]?

        public init(signKey: [UInt8]? = nil, hashKey: [UInt8]? = nil) {
            self.signKey = signKey
            self.hashKey = hashKey
        }
    }

    public var providers: [ProviderRegistration]
    public var namespaces: [NamespaceRegistration]
    /// AllowUDP (3.1.1.3): whether the server listens on UDP 5041.
    public var allowUDP: Bool
    /// ServerSecurityMode and ClientSecurityMode (3.1.1.3), for clients that are not pre-OS.
    public var securityModes: SecurityModes
    public var keys: Keys
    /// HashAlgId (3.1.1.3): CALG_SHA_256 (0x800C) by default.
    public var hashAlgId: UInt32
    /// HMACAlgId (3.1.1.3): CALG_HMAC (0x8009) by default.
    public var hmacAlgId: UInt32
    /// Where sessions get their addresses, ports and block size.
    public var multicast: MulticastConfiguration

    public init(
        providers: [ProviderRegistration], namespaces: [NamespaceRegistration], allowUDP: Bool = true,
        securityModes: SecurityModes = SecurityModes(server: .sign, client: .hash), keys: Keys = Keys(),
        hashAlgId: UInt32 = ServerConfiguration.calgSHA256, hmacAlgId: UInt32 = ServerConfiguration.calgHMAC,
        multicast: MulticastConfiguration = MulticastConfiguration()
    ) {
        self.providers = providers
        self.namespaces = namespaces
        self.allowUDP = allowUDP
        self.securityModes = securityModes
        self.keys = keys
        self.hashAlgId = hashAlgId
        self.hmacAlgId = hmacAlgId
        self.multicast = multicast
    }

    /// CryptoAPI's CALG_SHA_256, the HashAlgId of section 4's example.
    public static let calgSHA256: UInt32 = 0x0000_800C
    /// CryptoAPI's CALG_HMAC, the HMACAlgId of section 4's example.
    public static let calgHMAC: UInt32 = 0x0000_8009
}
