import Foundation
import NFPSRoles
import NIOConcurrencyHelpers
import WinteropTransport

/// One MS-NFPS share end to end in this process: `ShareSender` listening on 127.0.0.1
/// with a raw package, `ShareReceiver` connecting and storing it (both SHA-256 it).
enum Transfer {
    static let session = NFPSSessionValues(sessionID: 0x0123_4567_89AB_CDEF, sharedSecretKey: Array(0..<16))

    /// Seconds from the receiver's start to its stored package; checks both digests agree.
    static func run(package: String, inbox: String) async throws -> (bytes: UInt64, seconds: Double) {
        let port = NIOLockedValueBox<Int?>(nil)
        let digests = NIOLockedValueBox<[String]>([])
        let record: @Sendable (String) -> Void = { line in
            if line.hasPrefix(#"{"event":"listening""#), let value = field("port", in: line), let number = Int(value) {
                port.withLockedValue { $0 = number }
            }
            if line.hasPrefix(#"{"event":"done""#), let digest = field("sha256", in: line) {
                digests.withLockedValue { $0.append(digest) }
            }
        }
        let sender = ShareSender(
            configuration: try ShareSenderConfiguration(
                listen: HostPort(host: "127.0.0.1", port: 0), session: session, files: [], raw: package, waitTimeout: .seconds(30)
            ),
            events: EventLog(json: true, sink: record)
        )
        async let sent = sender.run()
        let deadline = ContinuousClock.now + .seconds(10)
        while port.withLockedValue({ $0 }) == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        guard let listening = port.withLockedValue({ $0 }) else { throw BenchmarkFailure("the share sender did not listen") }
        let receiver = ShareReceiver(
            configuration: try ShareReceiverConfiguration(
                to: "127.0.0.1:\(listening)", session: session, outputDirectory: inbox, decline: false, raw: true
            ),
            events: EventLog(json: true, sink: record)
        )
        let start = ContinuousClock.now
        let received = try await receiver.run()
        let elapsed = ContinuousClock.now - start
        let outcome = try await sent
        defer { try? FileManager.default.removeItem(atPath: inbox) }
        guard case .received = received, case .sent = outcome else {
            throw BenchmarkFailure("the share failed: receiver \(received), sender \(outcome)")
        }
        let both = digests.withLockedValue { $0 }
        guard both.count == 2, both[0] == both[1] else { throw BenchmarkFailure("the digests differ: \(both)") }
        let bytes = (try FileManager.default.attributesOfItem(atPath: package)[.size] as? NSNumber)?.uint64Value ?? 0
        let components = elapsed.components
        return (bytes, Double(components.seconds) + Double(components.attoseconds) / 1e18)
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
