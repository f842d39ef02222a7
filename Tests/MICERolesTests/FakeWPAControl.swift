import Foundation
import Glibc
import NIOConcurrencyHelpers

/// A stand-in for wpa_supplicant's control interface: a UNIX datagram socket in a fresh
/// temporary directory that records every command and answers each with `answer(command)`
/// (nil: no reply), sending an unsolicited event message first so that clients must skip it.
final class FakeWPAControl: Sendable {
    let directory: String
    let path: String
    private let descriptor: Int32
    private let received = NIOLockedValueBox<[String]>([])
    private let stopped = NIOLockedValueBox(false)
    private let finished = NIOLockedValueBox(false)
    private let answer: @Sendable (String) -> String?

    struct SetupError: Error, CustomStringConvertible { var description: String }

    init(answer: @escaping @Sendable (String) -> String? = FakeWPAControl.wpaSupplicant) throws {
        // sun_path holds 108 bytes: keep the directory short.
        directory = "/tmp/wpactl-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/p2p-dev-wlan0"
        self.answer = answer
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SetupError(description: "socket: \(errno)") }
        var address = Self.address(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { close(fd); throw SetupError(description: "bind \(path): \(errno)") }
        descriptor = fd
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// What a working wpa_supplicant answers (Wi-Fi Display off, no subelement set).
    @Sendable static func wpaSupplicant(_ command: String) -> String? {
        switch command {
        case "PING": "PONG\n"
        case "GET wifi_display": "0"
        case "WFD_SUBELEM_GET 0": ""
        default: "OK\n"
        }
    }

    /// The commands received so far, in order.
    var commands: [String] { received.withLockedValue { $0 } }

    static func address(_ path: String) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    private func serve() {
        var buffer = [UInt8](repeating: 0, count: 8192)
        while !stopped.withLockedValue({ $0 }) {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            var peer = sockaddr_un()
            var length = socklen_t(MemoryLayout<sockaddr_un>.size)
            let count = buffer.withUnsafeMutableBytes { raw in
                withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(descriptor, raw.baseAddress, raw.count, 0, $0, &length) }
                }
            }
            guard count > 0 else { continue }
            let command = String(decoding: buffer[0..<count], as: UTF8.self)
            received.withLockedValue { $0.append(command) }
            guard let reply = answer(command) else { continue }
            for datagram in ["<3>CTRL-EVENT-SCAN-STARTED ", reply] {
                let bytes = Array(datagram.utf8)
                _ = bytes.withUnsafeBytes { raw in
                    withUnsafePointer(to: &peer) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(descriptor, raw.baseAddress, raw.count, 0, $0, length) }
                    }
                }
            }
        }
        close(descriptor)
        finished.withLockedValue { $0 = true }
    }

    /// Stops answering and removes the socket and its directory.
    func stop() {
        stopped.withLockedValue { $0 = true }
        let deadline = Date().addingTimeInterval(10)
        while !finished.withLockedValue({ $0 }) && Date() < deadline { usleep(5_000) }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
