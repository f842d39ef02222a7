/// Why the server refuses to start (3.1.3). Each case says which setting is wrong.
public enum StartupError: Error, Hashable, Sendable, CustomStringConvertible {
    case duplicateProvider(String)
    case duplicateNamespace(String)
    /// A namespace names a content provider that is not registered.
    case missingProvider(namespace: String, provider: String)
    /// The provider could not make the namespace's content available.
    case providerFailed(namespace: String, provider: String, message: String)
    /// The ServerSecurityMode/ClientSecurityMode pair is not in 3.1.5.1's table.
    case unsupportedSecurityModes(SecurityModes)
    /// A security mode needs a key the configuration lacks.
    case missingKey(String)
    case invalidMulticastRange(String)
    case invalidPortRange
    case invalidBlockSize

    public var description: String {
        switch self {
        case .duplicateProvider(let name):
            return "content provider '\(name)' is registered twice"
        case .duplicateNamespace(let name):
            return "namespace '\(name)' is registered twice"
        case .missingProvider(let namespace, let provider):
            return "namespace '\(namespace)' names content provider '\(provider)', which is not registered"
        case .providerFailed(let namespace, let provider, let message):
            return "content provider '\(provider)' cannot serve namespace '\(namespace)': \(message)"
        case .unsupportedSecurityModes(let modes):
            let supported = SecurityModes.supported.map { "\($0.server)/\($0.client)" }.joined(separator: ", ")
            return "server security mode \(modes.server) with client security mode \(modes.client) is not a supported pair (MS-WDSMSI 3.1.5.1); use one of \(supported)"
        case .missingKey(let what):
            return what
        case .invalidMulticastRange(let range):
            return "multicast range \(range) is not a block of multicast addresses"
        case .invalidPortRange:
            return "the multicast port range must not include port 0"
        case .invalidBlockSize:
            return "the block size must be at least 1 byte"
        }
    }
}
