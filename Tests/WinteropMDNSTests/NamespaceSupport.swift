import Foundation
import WinteropTransport
import Testing
import WinteropTestSupport

/// A network namespace with `lo` up and MULTICAST on, and a route for 224.0.0.0/4 over it:
/// the host's `lo` has no MULTICAST flag, so multicast tests run in one of these.
final class NetworkNamespace {
    let name: String
    private static let counterLock = NSLock()
    nonisolated(unsafe) private static var counter = 0

    /// iproute2's `ip`.
    static let ipPath = Command.find("ip") ?? (FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip")

    /// Why the namespace tests cannot run here, or nil when they can.
    static let skipReason: String? = {
        guard getuid() == 0 else { return "not root: creating a network namespace needs root" }
        guard let result = try? Command.runSync(NetworkNamespace.ipPath, ["netns", "list"]), result.status == 0 else {
            return "`ip netns` is unavailable (install iproute2)"
        }
        guard FileManager.default.isExecutableFile(atPath: Command.winterop.path) else {
            return "the winterop executable was not built next to the tests (\(Command.winterop.path))"
        }
        return nil
    }()

    /// Whether the namespace tests can run (the suite is skipped otherwise; ``skipReason`` says why).
    static var available: Bool { skipReason == nil }

    init() throws {
        Self.removeStale()
        let index = Self.counterLock.withLock { () -> Int in
            Self.counter += 1
            return Self.counter
        }
        name = "wmdns-\(getpid())-\(index)"
        try Self.ip(["netns", "add", name])
        do {
            try Self.ip(["-n", name, "link", "set", "lo", "up"])
            try Self.ip(["-n", name, "link", "set", "lo", "multicast", "on"])
            try Self.ip(["-n", name, "route", "add", "224.0.0.0/4", "dev", "lo", "src", "127.0.0.1"])
        } catch {
            _ = try? Command.runSync(NetworkNamespace.ipPath, ["netns", "delete", name])
            throw error
        }
    }

    /// Adds a veth pair (both ends here, up, IPv6 without duplicate address detection):
    /// a multicast link for IPv6, which `lo` does not loop. Returns each end's link-local address.
    func addVethPair(_ a: String, _ b: String) async throws -> [String: String] {
        try Self.ip(["netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0"])
        try Self.ip(["-n", name, "link", "add", a, "type", "veth", "peer", "name", b])
        try Self.ip(["-n", name, "link", "set", a, "up"])
        try Self.ip(["-n", name, "link", "set", b, "up"])
        var addresses: [String: String] = [:]
        for _ in 0..<100 {
            for device in [a, b] where addresses[device] == nil {
                let shown = try Command.runSync(NetworkNamespace.ipPath, ["-n", name, "-6", "-br", "addr", "show", "dev", device])
                if let field = shown.stdout.split(separator: " ", omittingEmptySubsequences: true).first(where: { $0.hasPrefix("fe80:") }) {
                    addresses[device] = String(field.split(separator: "/").first ?? "")
                }
            }
            if addresses.count == 2 { return addresses }
            try await Task.sleep(for: .milliseconds(30))
        }
        throw CommandError("no IPv6 link-local address on \(a)/\(b)")
    }

    deinit {
        _ = try? Command.runSync(NetworkNamespace.ipPath, ["netns", "delete", name])
    }

    /// Runs a command inside the namespace to completion.
    func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 10) async throws -> Command.Result {
        try await Command.run(NetworkNamespace.ipPath, ["netns", "exec", name, executable] + arguments, timeout: timeout)
    }

    /// Starts a command inside the namespace (`ip netns exec` execs it, so the process is the command).
    func start(_ executable: String, _ arguments: [String]) throws -> RunningProcess {
        try RunningProcess(executable: NetworkNamespace.ipPath, arguments: ["netns", "exec", name, executable] + arguments)
    }

    static func ip(_ arguments: [String]) throws {
        let result = try Command.runSync(NetworkNamespace.ipPath, arguments)
        guard result.status == 0 else {
            throw CommandError("ip \(arguments.joined(separator: " ")) failed: \(result.stderr)")
        }
    }

    /// Deletes namespaces left by test processes that died before cleaning up.
    static func removeStale() {
        guard let list = try? Command.runSync(NetworkNamespace.ipPath, ["netns", "list"]) else { return }
        for line in list.stdout.split(separator: "\n") {
            let name = String(line.split(separator: " ").first ?? "")
            let parts = name.split(separator: "-")
            guard parts.count == 3, parts[0] == "wmdns", let pid = Int32(parts[1]) else { continue }
            if pid != getpid(), kill(pid, 0) != 0 {
                _ = try? Command.runSync(NetworkNamespace.ipPath, ["netns", "delete", name])
            }
        }
    }
}

struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum Command {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The built `winterop`, next to the test bundle.
    static var winterop: URL { WinteropProcess.executable }

    static func find(_ program: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Runs a command to completion without blocking a thread of the test runner.
    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 10) async throws -> Result {
        let process = try RunningProcess(executable: executable, arguments: arguments)
        let status = await process.waitForExit(timeout: timeout)
        return Result(status: status ?? -1, stdout: process.stdout, stderr: process.stderr)
    }

    /// Runs a short command to completion, blocking (for deinit and static checks).
    static func runSync(_ executable: String, _ arguments: [String]) throws -> Result {
        let process = try RunningProcess(executable: executable, arguments: arguments)
        process.process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.02)
        return Result(status: process.process.terminationStatus, stdout: process.stdout, stderr: process.stderr)
    }
}

/// A child process whose output is collected as it comes.
final class RunningProcess: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()

    init(executable: String, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let outPipe = Pipe(), errPipe = Pipe()
        closeOnExec(outPipe, errPipe)
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        outPipe.fileHandleForReading.readInBackground { [weak self] data in
            self?.lock.withLock { self?.out.append(data) }
        }
        errPipe.fileHandleForReading.readInBackground { [weak self] data in
            self?.lock.withLock { self?.err.append(data) }
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    var stdout: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
    var stderr: String { lock.withLock { String(decoding: err, as: UTF8.self) } }
    var lines: [String] { stdout.split(separator: "\n").map(String.init) }

    /// Waits until a line of standard output satisfies `predicate`; returns it, or nil on timeout or exit.
    func waitForLine(timeout: TimeInterval, _ predicate: (String) -> Bool) async -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = lines.first(where: predicate) { return line }
            if !process.isRunning {
                try? await Task.sleep(for: .milliseconds(50))
                return lines.first(where: predicate)
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Waits for the process to end; nil on timeout (then it is killed).
    func waitForExit(timeout: TimeInterval) async -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        // Let the readability handlers drain what is left.
        try? await Task.sleep(for: .milliseconds(50))
        return process.terminationStatus
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }
}
