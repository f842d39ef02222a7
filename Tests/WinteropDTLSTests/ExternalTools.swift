import Foundation
import WinteropTransport
#if canImport(Glibc)
import Glibc
import WinteropTestSupport
#endif

/// The `openssl` command-line tool, when installed (Debian: package `openssl`).
enum OpenSSLCLI {
    static let path: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for directory in directories + ["/usr/bin", "/usr/local/bin"] {
            let candidate = "\(directory)/openssl"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil  // the suites that need it are skipped: .enabled(if: OpenSSLCLI.isAvailable)
    }()

    static var isAvailable: Bool { path != nil }

    /// Runs openssl to completion; returns its standard output, throws on a non-zero exit.
    @discardableResult
    static func run(_ arguments: [String], in directory: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path ?? "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let output = Pipe()
        closeOnExec(output)
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readBytesToEnd()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ToolFailure(message: "openssl \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(text)")
        }
        return text
    }
}

struct ToolFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A temporary directory removed on deinit.
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("winterop-dtls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// A long-running child process whose standard output and error are collected.
final class RunningProcess: @unchecked Sendable {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSLock()
    private var collected = Data()

    init(_ executable: String, _ arguments: [String], in directory: URL) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        closeOnExec(input, output)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        output.fileHandleForReading.readInBackground { [weak self] data in
            guard let self else { return }
            self.lock.lock()
            self.collected.append(data)
            self.lock.unlock()
        }
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: collected, as: UTF8.self)
    }

    /// Waits until the output contains `needle`; throws with the output so far on timeout.
    func waitFor(_ needle: String, timeout: Double = 5) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if text.contains(needle) { return }
            usleep(10_000)
        }
        throw ToolFailure(message: "timed out waiting for \"\(needle)\"; output so far:\n\(text)")
    }

    func write(_ line: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data(line.utf8))
    }

    func stop() {
        // SIGKILL: the test runner blocks SIGTERM, and children inherit its signal mask.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// A UDP socket on 127.0.0.1: the bridge between an endpoint's records and an openssl process.
final class UDPSocket {
    let descriptor: Int32

    init(port: UInt16 = 0) throws {
        descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw ToolFailure(message: "socket() failed: errno \(errno)") }
        var address = Self.loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            // deinit closes the descriptor (it runs for a class whose init throws after
            // every property is set): closing it here too could close another's descriptor.
            throw ToolFailure(message: "bind() failed: errno \(errno)")
        }
    }

    deinit { close(descriptor) }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    var port: UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// A free UDP port (bound then released; fine for a test).
    static func freePort() throws -> UInt16 {
        try UDPSocket().port
    }

    func send(_ datagram: [UInt8], to port: UInt16) throws {
        var address = Self.loopback(port: port)
        let sent = datagram.withUnsafeBytes { bytes in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard sent == datagram.count else { throw ToolFailure(message: "sendto() failed: errno \(errno)") }
    }

    /// One datagram and its sender's port, or nil after `timeout` seconds.
    func receive(timeout: Double) throws -> (datagram: [UInt8], port: UInt16)? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let count = buffer.withUnsafeMutableBytes { bytes in
            withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(descriptor, bytes.baseAddress, bytes.count, 0, $0, &length) }
            }
        }
        guard count >= 0 else { throw ToolFailure(message: "recvfrom() failed: errno \(errno)") }
        return (Array(buffer[0..<count]), UInt16(bigEndian: address.sin_port))
    }
}
