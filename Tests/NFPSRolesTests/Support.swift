import Foundation
import Testing
import WinteropTestSupport

/// Every suite that starts processes, run one test at a time: a child started by one test
/// while another test's pipes are open can inherit them and hold that test's standard
/// output open, which makes its wait for the exit last until the timeout.
@Suite(.serialized) enum NFPSProcesses {}

/// Shared by the NFPS process tests: temporary folders, the two roles as processes.
enum NFPS {
    static let sessionID = "0123456789abcdef"
    static let secret = "00112233445566778899aabbccddeeff"

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nfps-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Deterministic, non-repeating bytes.
    static func bytes(_ count: Int, seed: UInt64 = 1) -> Data {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var data = Data(count: count)
        for i in 0..<count {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            data[i] = UInt8(truncatingIfNeeded: state)
        }
        return data
    }

    /// `winterop nfps send` on a free port: the process and the port.
    static func sender(_ arguments: [String], secret: String = secret) async throws -> (WinteropProcess, Int) {
        let process = try WinteropProcess(["nfps", "send", "--listen", "127.0.0.1:0", "--json", "--session-id", sessionID, "--secret", secret] + arguments)
        guard let port = await process.port() else {
            process.terminate()
            throw Failure("the sender reported no listening port; stderr: \(process.stderr)")
        }
        return (process, port)
    }

    static func receiver(to: String, out: URL, secret: String = secret, _ extra: [String] = []) throws -> WinteropProcess {
        try WinteropProcess(["nfps", "receive", "--to", to, "--json", "--session-id", sessionID, "--secret", secret, "--out", out.path] + extra)
    }

    /// Every name in `directory`, hidden ones included.
    static func contents(_ directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }
}

extension WinteropProcess {
    /// The exit status once the process has ended, then up to 2 s for its last event
    /// (`done`, `failed` or `declined`) to be read. Unlike `waitForExit` it does not wait
    /// for standard output to close, which a child started meanwhile by another suite can
    /// hold open by inheriting the pipe.
    func finished(timeout: Duration = .seconds(30)) async -> Int32? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        guard !process.isRunning else { return nil }
        let settle = clock.now + .seconds(2)
        while clock.now < settle, !events().contains(where: { ["done", "failed", "declined"].contains($0) }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }
}
