import Foundation
import WinteropTransport

/// Runs a helper program (nmcli) to its end and collects what it printed.
struct CommandRunner: Sendable {
    struct Output: Sendable {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// The program, found on `PATH`.
    let executable: URL
    let environment: [String: String]

    /// The first executable called `name` on the environment's PATH.
    static func find(_ name: String, environment: [String: String]) -> URL? {
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Runs with `arguments`; a program that cannot be started reports status 127.
    func run(_ arguments: [String]) async -> Output {
        let executable = self.executable
        let environment = self.environment
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let process = Process()
                process.executableURL = executable
                process.arguments = arguments
                process.environment = environment
                let out = Pipe(), err = Pipe()
                process.standardOutput = out
                process.standardError = err
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(returning: Output(status: 127, standardOutput: "", standardError: "cannot run \(executable.path): \(error.localizedDescription)"))
                    return
                }
                // Read both pipes to their ends (a full pipe must not block the child).
                let errorData = HandOff()
                let reader = Thread { errorData.set(err.fileHandleForReading.readBytesToEnd()) }
                reader.start()
                let outData = out.fileHandleForReading.readBytesToEnd()
                process.waitUntilExit()
                errorData.wait()
                continuation.resume(returning: Output(
                    status: process.terminationStatus,
                    standardOutput: String(decoding: outData, as: UTF8.self),
                    standardError: String(decoding: errorData.value, as: UTF8.self)))
            }
        }
    }
}

/// Data handed from one thread to another once.
private final class HandOff: @unchecked Sendable {
    private let condition = NSCondition()
    private var data: Data?

    func set(_ value: Data) {
        condition.lock()
        data = value
        condition.broadcast()
        condition.unlock()
    }

    func wait() {
        condition.lock()
        while data == nil { condition.wait() }
        condition.unlock()
    }

    var value: Data {
        condition.lock()
        defer { condition.unlock() }
        return data ?? Data()
    }
}
