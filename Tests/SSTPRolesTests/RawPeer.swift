import Foundation
import NIOCore
import SSTPCore

/// A blocking TCP client on 127.0.0.1 for feeding a listener bytes no real device would send.
final class RawClient {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw TestFailure("connect failed: \(errno)") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    func send(_ command: SSTP.Command, version: SSTP.Version = .v1_6) throws {
        var buffer = ByteBuffer()
        try command.encode(into: &buffer, version: version)
        send(Array(buffer.readableBytesView))
    }

    /// Reads until the peer closes (or the timeout) and decodes what came.
    func receiveAll() throws -> [SSTP.Command] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return try SSTP.CommandStream.decodeAll(ByteBuffer(bytes: bytes))
    }

    private var closed = false
    /// Closes once: a second close(2) of the number could close a descriptor another test
    /// has been given since (NIO then fails with EBADF and stops the test process).
    func close() {
        guard !closed else { return }
        closed = true
        Foundation.close(fd)
    }
    deinit { close() }
}

/// A one-connection TCP server on 127.0.0.1 that a test scripts by hand.
final class RawServer: @unchecked Sendable {
    let listener: Int32
    let port: Int

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(listener, 4)
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        port = Int(UInt16(bigEndian: bound.sin_port))
    }

    /// Accepts one connection and runs `script` on it in a thread.
    func serve(_ script: @escaping @Sendable (Int32) -> Void) {
        let listener = self.listener
        Thread {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            script(fd)
            Foundation.close(fd)
        }.start()
    }

    deinit { Foundation.close(listener) }

    /// Reads commands from `fd` until `stop` says so (or the stream ends).
    static func read(_ fd: Int32, until stop: (SSTP.Command) -> Bool) -> [SSTP.Command] {
        var pending = ByteBuffer()
        var seen: [SSTP.Command] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            while let command = try? SSTP.CommandStream.decodeCommand(from: &pending, version: .v1_6) {
                seen.append(command)
                if stop(command) { return seen }
            }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return seen }
            pending.writeBytes(chunk[0..<n])
        }
    }

    static func write(_ fd: Int32, _ command: SSTP.Command) {
        var buffer = ByteBuffer()
        try? command.encode(into: &buffer)
        _ = buffer.readableBytesView.withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
