import NIOCore
import NIOPosix

/// One plain sentence for a socket error, without NIO's internals (`bind(descriptor:…)`,
/// `SingleConnectionFailure`, "connection reset (error set)"), for messages people read.
public enum NetworkErrorText {
    public static func plain(_ error: any Error) -> String {
        if let io = error as? IOError {
            return errno(io.errnoCode)
        }
        if let connection = error as? NIOConnectionError {
            if let first = connection.connectionErrors.first { return plain(first.error) }
            if let dns = connection.dnsAAAAError ?? connection.dnsAError { return plain(dns) }
            return "no address to connect to"
        }
        if let channel = error as? ChannelError {
            switch channel {
            case .connectTimeout(let timeout): return "no answer within \(Double(timeout.nanoseconds) / 1e9) s (connection timed out)"
            case .ioOnClosedChannel, .alreadyClosed, .eof: return "the connection closed"
            default: return "\(channel)"
            }
        }
        if error is SocketAddressError {
            return "the name does not resolve to an address"
        }
        return "\(error)"
    }

    static func errno(_ code: Int32) -> String {
        switch code {
        case ECONNREFUSED: return "nothing is listening there (connection refused)"
        case EADDRINUSE: return "the address is already in use (another program, or another winterop, listens there)"
        case EADDRNOTAVAIL: return "that address does not belong to this machine"
        case EACCES: return "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)"
        case ENETUNREACH, EHOSTUNREACH: return "no route to that address (network unreachable)"
        case ETIMEDOUT: return "no answer (connection timed out)"
        case ECONNRESET: return "the peer reset the connection"
        default: return "\(String(cString: strerror(code))) (errno \(code))"
        }
    }
}
