#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import MICECore

/// A client of wpa_supplicant's control interface: a UNIX datagram socket bound to a
/// path of its own (wpa_supplicant answers to the sender's address) and connected to the
/// interface's socket. One command per datagram, one reply datagram; unsolicited event
/// messages (`<N>…`, sent only to attached clients) are skipped. Blocking: call from a
/// thread pool. Not thread-safe; one request at a time.
struct WPAControlSocket: Sendable {
    /// Why the control interface cannot be used, as a sentence that says what to check.
    struct OpenError: Error, CustomStringConvertible {
        var description: String
    }

    let path: String
    let localPath: String
    private let descriptor: Int32

    /// The largest reply read (wpa_supplicant's replies to these commands are short).
    static let maximumReply = 4096

    /// What to check when the control interface cannot be used.
    static let advice = "check that wpa_supplicant runs with a control interface (ctrl_interface=DIR in its configuration) and that --wpa-ctrl names the P2P device's socket, e.g. /var/run/wpa_supplicant/p2p-dev-wlan0"

    /// Throws unless `path` exists and is a socket.
    static func checkPath(_ path: String) throws(OpenError) {
        var info = stat()
        if stat(path, &info) != 0 {
            let reason = errno == EACCES ? "permission denied" : String(cString: strerror(errno))
            throw OpenError(description: "cannot use the wpa_supplicant control socket '\(path)': \(reason); \(Self.advice)")
        }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw OpenError(description: "'\(path)' is not a socket; \(Self.advice)")
        }
    }

    /// Opens a client socket under `directory` and connects it to the interface at `path`.
    init(path: String, directory: String = NSTemporaryDirectory()) throws(OpenError) {
        self.path = path
        try Self.checkPath(path)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw OpenError(description: "cannot make a UNIX datagram socket: \(String(cString: strerror(errno)))")
        }
        let local = (directory as NSString).appendingPathComponent("winterop_wpa_ctrl_\(getpid())-\(Self.nextSuffix())")
        unlink(local)
        guard Self.withAddress(local, { bind(fd, $0, $1) }) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw OpenError(description: "cannot bind the client socket '\(local)' for wpa_supplicant's replies: \(reason); pass a writable --data directory")
        }
        guard Self.withAddress(path, { connect(fd, $0, $1) }) == 0 else {
            let code = errno
            Glibc.close(fd)
            unlink(local)
            let reason = switch code {
            case EACCES, EPERM: "permission denied (run as root or as a member of the ctrl_interface_group)"
            case ECONNREFUSED: "nothing listens on it (a stale socket: is wpa_supplicant running?)"
            default: String(cString: strerror(code))
            }
            throw OpenError(description: "cannot connect to the wpa_supplicant control socket '\(path)': \(reason); \(Self.advice)")
        }
        self.descriptor = fd
        self.localPath = local
    }

    private static let counter = Counter()
    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    }
    private static func nextSuffix() -> Int { counter.next() }

    /// Calls `body` with a `sockaddr_un` for `path`; -1 with ENAMETOOLONG if it does not fit.
    private static func withAddress(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            errno = ENAMETOOLONG
            return -1
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }

    /// What became of a request.
    enum Answer: Equatable {
        case reply(String)
        case timedOut
        /// The send or receive failed (wpa_supplicant went away).
        case failed(String)
    }

    /// Sends `command` and waits up to `timeout` for its reply, skipping event messages.
    func request(_ command: String, timeout: Duration) -> Answer {
        let bytes = Array(command.utf8)
        while true {
            let sent = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent >= 0 { break }
            if errno != EINTR { return .failed(String(cString: strerror(errno))) }
        }
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: Self.maximumReply)
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return .timedOut }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            let ready = poll(&poller, 1, milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                return .failed(String(cString: strerror(errno)))
            }
            if ready == 0 { continue }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .failed(String(cString: strerror(errno)))
            }
            let text = String(decoding: buffer[0..<count], as: UTF8.self)
            if WPAControlReply.isEvent(text) { continue }
            return .reply(text)
        }
    }

    /// Closes the socket and removes its path.
    func release() {
        _ = Glibc.close(descriptor)
        unlink(localPath)
    }
}
