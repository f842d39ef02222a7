import Foundation
import WinteropTransport
import NIOConcurrencyHelpers
import Testing
import WinteropTestSupport

/// Runs the built `winterop` executable through the shared test support.
enum Winterop {
    static var executable: URL { WinteropProcess.executable }

    typealias Result = WinteropProcess.Result

    static func events(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    /// Runs to completion.
    static func run(_ arguments: [String], stdin: Data? = nil) throws -> Result {
        try WinteropProcess.run(arguments, stdin: stdin)
    }
}

extension WinteropProcess.Result {
    /// The JSON events the command wrote.
    var events: [[String: Any]] { Winterop.events(stdout) }
}

/// A `winterop sstp listen` running in the background, whose events are collected.
final class ListenerProcess: @unchecked Sendable {
    let process = Process()
    let directory: URL
    /// Parsed events, and the unfinished last line.
    private let parsed = EventStore()
    private let stderrText = NIOLockedValueBox("")
    private(set) var port = 0

    init(extra: [String] = [], deviceURL: String = "dpp://listener") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sstp-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process.executableURL = Winterop.executable
        process.arguments = ["sstp", "listen", "--listen", "127.0.0.1:0", "--json", "--device-url", deviceURL,
                             "--out", directory.appendingPathComponent("inbox").path] + extra
        let out = Pipe(), err = Pipe()
        closeOnExec(out, err)
        process.standardOutput = out
        process.standardError = err
        let parsed = self.parsed
        try process.run()
        out.fileHandleForReading.readInBackground { data in
            parsed.lock.withLock {
                let state = parsed
                let text = state.partial + String(decoding: data, as: UTF8.self)
                var parts = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                state.partial = parts.popLast() ?? ""
                for line in parts {
                    if let event = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] { state.events.append(event) }
                }
            }
        }
        let stderrText = self.stderrText
        err.fileHandleForReading.readInBackground { data in
            stderrText.withLockedValue { $0 += String(decoding: data, as: UTF8.self) }
        }
        let listening = try waitFor { $0["event"] as? String == "listening" }
        port = listening["port"] as? Int ?? 0
    }

    var inbox: URL { directory.appendingPathComponent("inbox") }
    var stderr: String { stderrText.withLockedValue { $0 } }

    /// Complete JSON events so far.
    var events: [[String: Any]] {
        parsed.lock.withLock { parsed.events }
    }

    func events(named name: String) -> [[String: Any]] { events.filter { $0["event"] as? String == name } }

    @discardableResult
    func waitFor(timeout: TimeInterval = 20, count: Int = 1, _ predicate: ([String: Any]) -> Bool) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let matching = events.filter(predicate)
            if matching.count >= count { return matching[count - 1] }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw TestFailure("timed out waiting for an event; have \(events.map { $0["event"] as? String ?? "?" }), stderr: \(stderr)")
    }

    /// Sends SIGTERM and waits for a graceful exit.
    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
        return process.terminationStatus
    }

    deinit { if process.isRunning { process.terminate() } }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Events parsed from a process's standard output, guarded by `lock`.
final class EventStore: @unchecked Sendable {
    let lock = NIOLock()
    var events: [[String: Any]] = []
    var partial = ""
}
