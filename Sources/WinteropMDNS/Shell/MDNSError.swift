import WinteropWire

/// Failures of the mDNS shell that are the host's, not the network's.
public enum MDNSError: Error, CustomStringConvertible, Sendable {
    /// No interface can send multicast: nothing to advertise on.
    case noMulticastInterface
    /// A name given by the user is not a valid DNS name.
    case invalidName(String, EncodingError)
    /// No interface could join the group.
    case joinFailed(String)

    public var description: String {
        switch self {
        case .noMulticastInterface:
            return "no IPv4 interface with the MULTICAST flag and an address: mDNS needs one (try `ip link set DEV multicast on`)"
        case .invalidName(let name, let error):
            return "invalid DNS name \"\(name)\": \(error)"
        case .joinFailed(let detail):
            return "could not join the mDNS group on any interface: \(detail)"
        }
    }
}
