import Foundation
import Testing
import WinteropTestSupport

/// Errors a person can act on: one sentence naming the role, the address and the option
/// to change; no library internals; exit 2 for configuration.
@Suite struct ErrorMessageTests {
    /// A port some other socket holds, for as long as the test runs.
    final class HeldPort {
        let fd: Int32
        let port: Int
        init() throws {
            let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) } }
            _ = listen(socketFD, 1)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) } }
            fd = socketFD
            port = Int(UInt16(bigEndian: address.sin_port))
        }
        deinit { close(fd) }
    }

    static func run(_ arguments: [String]) async throws -> (Int32?, String, WinteropProcess) {
        let process = try WinteropProcess.winterop(arguments)
        let status = await process.waitForExit()
        return (status, process.stderr, process)
    }

    static func expectPlain(_ stderr: String) {
        for word in ["descriptor", "SingleConnectionFailure", "NIO", "error set", "NSCocoaErrorDomain"] {
            #expect(!stderr.contains(word), "stderr shows \(word): \(stderr)")
        }
    }

    @Test func aSinkOnAPortInUseSaysWhichOptionToChange() async throws {
        let held = try HeldPort()
        let (status, stderr, _) = try await Self.run(["mice", "sink", "--listen", "127.0.0.1:\(held.port)", "--no-advertise"])
        #expect(status == 2)
        #expect(stderr.contains("mice-sink cannot listen on 127.0.0.1:\(held.port): the address is already in use"), "\(stderr)")
        #expect(stderr.contains("--listen"))
        Self.expectPlain(stderr)
    }

    @Test func serveNamesTheRoleAndItsListenOption() async throws {
        let held = try HeldPort()
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("winterop-err-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let (status, stderr, process) = try await Self.run(["serve", "--json", "--data", data, "--no-advertise", "--listen", "mice-sink=127.0.0.1:\(held.port)", "--listen", "sstp-device=127.0.0.1:0"])
        #expect(status == 2)
        #expect(stderr.contains("mice-sink cannot listen on 127.0.0.1:\(held.port)"), "\(stderr)")
        #expect(stderr.contains("--listen mice-sink=HOST:PORT"))
        #expect(process.events().last == "failed")
        Self.expectPlain(stderr)
    }

    @Test func aSourceWhoseRTSPPortIsTakenNamesRTSPListen() async throws {
        let held = try HeldPort()
        let (status, stderr, _) = try await Self.run(["mice", "source", "--sink", "127.0.0.1:1", "--rtsp-listen", "127.0.0.1:\(held.port)"])
        #expect(status == 2)
        #expect(stderr.contains("--rtsp-listen"), "\(stderr)")
        Self.expectPlain(stderr)
    }

    @Test func aRefusedConnectionIsOneSentence() async throws {
        let (status, stderr, process) = try await Self.run(["mice", "source", "--sink", "127.0.0.1:1", "--pin", "off", "--encryption", "off", "--rtsp-listen", "127.0.0.1:0", "--json"])
        #expect(status == 1)
        #expect(stderr.contains("nothing is listening there (connection refused)"), "\(stderr)")
        #expect(process.events().suffix(2) == ["closed", "failed"])
        Self.expectPlain(stderr)
    }

    @Test(arguments: ["1e10", "1e17", "inf", "nan", "0", "-3"])
    func outOfRangeTimersAreUsageErrors(_ value: String) async throws {
        let (status, stderr, _) = try await Self.run(["mice", "sink", "--listen", "127.0.0.1:0", "--no-advertise", "--session-timeout=\(value)"])
        #expect(status == 2, "\(stderr)")
        #expect(stderr.contains("--session-timeout must be a number of seconds"), "\(stderr)")
    }

    @Test func versionAndDecodeInputErrors() async throws {
        let (versionStatus, _, version) = try await Self.run(["--version"])
        #expect(versionStatus == 0)
        #expect(version.lines.first?.isEmpty == false)
        let (odd, oddError, _) = try await Self.run(["decode", "mice", "abc"])
        #expect(odd == 2 && oddError.contains("odd number"), "\(oddError)")
        let (bad, badError, _) = try await Self.run(["decode", "mice", "00g1"])
        #expect(bad == 2 && badError.contains("'g' at position 3 is not a hex digit"), "\(badError)")
        let (empty, emptyError, _) = try await Self.run(["decode", "mice", ""])
        #expect(empty == 2 && emptyError.contains("the input is empty"), "\(emptyError)")
        let (truncated, truncatedError, _) = try await Self.run(["decode", "mice", "0001"])
        #expect(truncated == 1 && truncatedError.contains("truncated"), "\(truncatedError)")
    }
}
