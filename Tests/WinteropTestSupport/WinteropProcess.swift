import Foundation
import WinteropTransport
import NIOConcurrencyHelpers

/// A child process whose standard output is collected line by line and whose standard
/// error is kept, for end-to-end tests: the `winterop` binary (``WinteropProcess/winterop(_:)``)
/// or an independent peer (`openssl`, `python3`, `dig`).
public final class WinteropProcess: Sendable {
    public let process: Process
    private let stdoutLines = NIOLockedValueBox<[String]>([])
    private let stderrText = NIOLockedValueBox<String>("")
    private let stdinPipe: Pipe
    private let stdoutClosed = NIOLockedValueBox(false)
    private let stderrClosed = NIOLockedValueBox(false)

    /// The `winterop` executable built next to the test bundle.
    public static var executable: URL {
        var url = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = url.appendingPathComponent("winterop")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            url = url.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL.appendingPathComponent("winterop")
    }

    /// Starts `winterop` with `arguments`.
    public static func winterop(_ arguments: [String]) throws -> WinteropProcess {
        try WinteropProcess(executable: executable, arguments: arguments)
    }

    /// Starts `winterop` with `arguments`.
    public convenience init(_ arguments: [String]) throws {
        try self.init(executable: Self.executable, arguments: arguments)
    }

    /// Starts any executable.
    public init(executable: URL, arguments: [String], environment: [String: String]? = nil) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe(), input = Pipe()
        closeOnExec(out, err, input)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        self.process = process
        self.stdinPipe = input
        let lines = stdoutLines
        let partial = NIOLockedValueBox<String>("")
        let closed = stdoutClosed
        try process.run()
        out.fileHandleForReading.readInBackground(onData: { data in
            partial.withLockedValue { text in
                text += String(decoding: data, as: UTF8.self)
                while let newline = text.firstIndex(of: "\n") {
                    let line = String(text[..<newline])
                    text = String(text[text.index(after: newline)...])
                    lines.withLockedValue { $0.append(line) }
                }
            }
        }, onEnd: { closed.withLockedValue { $0 = true } })
        let errors = stderrText
        let errorsClosed = stderrClosed
        err.fileHandleForReading.readInBackground(onData: { data in
            errors.withLockedValue { $0 += String(decoding: data, as: UTF8.self) }
        }, onEnd: { errorsClosed.withLockedValue { $0 = true } })
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// Every complete line written to standard output so far.
    public var lines: [String] { stdoutLines.withLockedValue { $0 } }
    /// Everything written to standard error so far.
    public var stderr: String { stderrText.withLockedValue { $0 } }

    /// Every JSON event line so far, parsed.
    public func jsonEvents() -> [[String: Any]] {
        lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// The first JSON event named `name` (and matching `predicate`), if one was written.
    public func event(_ name: String, where predicate: ([String: Any]) -> Bool = { _ in true }) -> [String: Any]? {
        jsonEvents().first { $0["event"] as? String == name && predicate($0) }
    }

    /// The names of the JSON events so far, in order.
    public func events() -> [String] {
        jsonEvents().compactMap { $0["event"] as? String }
    }

    /// Waits until a JSON event named `name` (and matching `predicate`) appears.
    @discardableResult
    public func wait(
        for name: String, timeout: Duration = .seconds(30), where predicate: @escaping ([String: Any]) -> Bool = { _ in true }
    ) async -> [String: Any]? {
        await poll(timeout: timeout) { self.event(name, where: predicate) }
    }

    /// Waits until a line of standard output satisfies `predicate`.
    public func waitForLine(timeout: Duration = .seconds(30), _ predicate: @escaping (String) -> Bool) async -> String? {
        await poll(timeout: timeout) { self.lines.first(where: predicate) }
    }

    /// Waits for the process to end and everything it wrote (standard output and standard
    /// error) to be read; nil if it is still running after `timeout`.
    ///
    /// Another child started meanwhile by a concurrent test can inherit this one's pipes
    /// and hold them open after this process exited, so once it has exited the wait for
    /// the pipes to close is bounded (10 s).
    public func waitForExit(timeout: Duration = .seconds(30)) async -> Int32? {
        guard await poll(timeout: timeout, { self.process.isRunning ? nil : true }) != nil else { return nil }
        _ = await poll(timeout: .seconds(10)) {
            self.stdoutClosed.withLockedValue { $0 } && self.stderrClosed.withLockedValue { $0 } ? true : nil
        }
        return process.terminationStatus
    }

    /// The port of the first `listening` event.
    public func port() async -> Int? {
        await listeningPort()
    }

    /// The port of the first `listening` event (of `service`, when given).
    public func listeningPort(service: String? = nil, timeout: Duration = .seconds(30)) async -> Int? {
        await wait(for: "listening", timeout: timeout) { event in
            service == nil || event["service"] as? String == service
        }?["port"] as? Int
    }

    public func write(_ text: String) {
        try? stdinPipe.fileHandleForWriting.writeAllBytes(Data(text.utf8))
    }

    public func closeStandardInput() {
        try? stdinPipe.fileHandleForWriting.close()
    }

    /// SIGINT, as Ctrl-C sends.
    public func interrupt() { if process.isRunning { process.interrupt() } }
    /// SIGTERM.
    public func terminate() { if process.isRunning { process.terminate() } }

    private func poll<T>(timeout: Duration, _ check: () -> T?) async -> T? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let value = check() { return value }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return check()
    }
}

extension WinteropProcess {
    /// What a finished command printed and its exit status.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `winterop` (or `executable`) to completion, feeding `stdin`.
    public static func run(_ arguments: [String], executable: URL? = nil, stdin: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable ?? Self.executable
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        closeOnExec(out, err, input)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        let stdoutData = NIOLockedValueBox(Data()), stderrData = NIOLockedValueBox(Data())
        let closed = NIOLockedValueBox(0)
        try process.run()
        for (pipe, box) in [(out, stdoutData), (err, stderrData)] {
            pipe.fileHandleForReading.readInBackground(
                onData: { data in box.withLockedValue { $0 += data } },
                onEnd: { closed.withLockedValue { $0 += 1 } })
        }
        if let stdin { try? input.fileHandleForWriting.writeAllBytes(stdin) }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        // The pipes close when the process exits (they are close-on-exec, so no other
        // child holds them); the deadline only bounds a pathological case.
        let deadline = Date().addingTimeInterval(10)
        while closed.withLockedValue({ $0 }) < 2 && Date() < deadline { usleep(5_000) }
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: stdoutData.withLockedValue { $0 }, as: UTF8.self),
            stderr: String(decoding: stderrData.withLockedValue { $0 }, as: UTF8.self)
        )
    }
}

/// Marks the parent's ends of a child's pipes close-on-exec, so that a child spawned by a
/// concurrent test does not inherit them and keep them open after this child exits (the
/// child's own standard streams are dup2'ed copies, which exec keeps).
public func closeOnExec(_ pipes: Pipe...) {
    for pipe in pipes {
        for fd in [pipe.fileHandleForReading.fileDescriptor, pipe.fileHandleForWriting.fileDescriptor] {
            _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
        }
    }
}
