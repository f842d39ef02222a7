import Foundation

#if canImport(Glibc)
import Glibc
#endif
import WinteropTransport

/// One MS-NFPS share end to end as it runs between two devices: `winterop nfps send`
/// listening on 127.0.0.1 with a raw package, `winterop nfps receive` connecting and
/// storing it, each its own process (both SHA-256 the package unless `--no-sha256`). The binary is
/// `$WINTEROP`, by default the main package's release build (`../.build/release/winterop`).
enum Transfer {
    static let sessionID = "0123456789abcdef"
    static let secret = "000102030405060708090a0b0c0d0e0f"

    struct Figure {
        var bytes: UInt64
        /// The receiver's `done` seconds (connected to stored).
        var seconds: Double
        var senderPeakMiB: Int
        var receiverPeakMiB: Int
        /// CPU time (user + system) of each process, steadier than wall time on a shared machine.
        var senderCPUSeconds: Double
        var receiverCPUSeconds: Double
    }

    static var winterop: String {
        ProcessInfo.processInfo.environment["WINTEROP"] ?? FileManager.default.currentDirectoryPath + "/../.build/release/winterop"
    }

    /// One share into `inbox` (emptied first); ``verify(package:inbox:)`` checks what arrived.
    static func run(package: String, inbox: String, digest: Bool) throws -> Figure {
        guard FileManager.default.isExecutableFile(atPath: winterop) else {
            throw BenchmarkFailure("no \(winterop): build it first (swift build -c release --product winterop in the main package) or set WINTEROP")
        }
        try? FileManager.default.removeItem(atPath: inbox)
        let session = ["--json", "--session-id", sessionID, "--secret", secret] + (digest ? [] : ["--no-sha256"])
        let sender = try Child([winterop, "nfps", "send", "--listen", "127.0.0.1:0", "--raw", package, "--timeout", "30"] + session)
        var port: String?
        while port == nil, let line = sender.readLine() {
            if line.hasPrefix(#"{"event":"listening""#) { port = field("port", in: line) }
        }
        guard let port else { throw BenchmarkFailure("the share sender did not listen (status \(sender.wait().status))") }
        let receiver = try Child([winterop, "nfps", "receive", "--to", "127.0.0.1:\(port)", "--out", inbox, "--raw"] + session)
        let received = receiver.readToEnd()
        let (receiverStatus, receiverPeak, receiverCPU) = receiver.wait()
        let sent = sender.readToEnd()
        let (senderStatus, senderPeak, senderCPU) = sender.wait()
        let done = { (output: String) in output.split(separator: "\n").last { $0.hasPrefix(#"{"event":"done""#) }.map(String.init) }
        guard receiverStatus == 0, senderStatus == 0, let receiverDone = done(received), let senderDone = done(sent) else {
            throw BenchmarkFailure("the share failed: receiver \(receiverStatus) \(received.suffix(300)), sender \(senderStatus) \(sent.suffix(300))")
        }
        guard field("sha256", in: receiverDone) == field("sha256", in: senderDone),
              (field("sha256", in: receiverDone) != nil) == digest,
              let bytes = field("bytes", in: receiverDone).flatMap(UInt64.init),
              let seconds = field("seconds", in: receiverDone).flatMap(Double.init)
        else {
            throw BenchmarkFailure("the two sides disagree: \(senderDone) / \(receiverDone)")
        }
        return Figure(
            bytes: bytes, seconds: seconds, senderPeakMiB: senderPeak / 1024, receiverPeakMiB: receiverPeak / 1024,
            senderCPUSeconds: senderCPU, receiverCPUSeconds: receiverCPU
        )
    }

    /// The received package is byte for byte the one sent (outside the measurement: with
    /// `--no-sha256` nothing else checks it); then the inbox is removed.
    static func verify(package: String, inbox: String) throws {
        defer { try? FileManager.default.removeItem(atPath: inbox) }
        let received = (inbox as NSString).appendingPathComponent("package.opc")
        let sent = open(package, O_RDONLY), got = open(received, O_RDONLY)
        defer { close(sent); close(got) }
        guard sent >= 0, got >= 0 else { throw BenchmarkFailure("cannot open \(package) or \(received)") }
        let size = 1 << 20
        var left = [UInt8](repeating: 0, count: size), right = [UInt8](repeating: 0, count: size)
        while true {
            let a = readFully(sent, &left), b = readFully(got, &right)
            guard a == b, left[0..<a] == right[0..<b] else { throw BenchmarkFailure("the received package differs from the one sent") }
            if a == 0 { return }
        }
    }

    private static func readFully(_ descriptor: Int32, _ buffer: inout [UInt8]) -> Int {
        var total = 0
        while total < buffer.count {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + total, $0.count - total) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            total += count
        }
        return total
    }

    /// The load average now, to print beside each figure (the machine may be shared).
    static func load() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return "load average " + text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// A string or number field of a one-line JSON event.
    static func field(_ name: String, in line: String) -> String? {
        guard let range = line.range(of: "\"\(name)\":") else { return nil }
        let value = line[range.upperBound...].drop { $0 == "\"" }
        return String(value.prefix { $0 != "\"" && $0 != "," && $0 != "}" })
    }

    /// A package of `mebibytes` random bytes, in memory (/dev/shm) where there is one so
    /// that the disk is not what is measured.
    static func makePackage(mebibytes: Int) throws -> (package: String, folder: String) {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let folder = (base as NSString).appendingPathComponent("nfps-bench-\(getpid())")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let package = (folder as NSString).appendingPathComponent("package.bin")
        guard FileManager.default.createFile(atPath: package, contents: nil), let handle = FileHandle(forWritingAtPath: package) else {
            throw BenchmarkFailure("cannot create \(package)")
        }
        defer { try? handle.close() }
        var generator = SystemRandomNumberGenerator()
        var chunk = [UInt64](repeating: 0, count: 1 << 17)  // 1 MiB
        for _ in 0..<mebibytes {
            for index in chunk.indices { chunk[index] = generator.next() }
            try handle.writeAllBytes(chunk.withUnsafeBytes { Data($0) })
        }
        return (package, folder)
    }
}
