import Foundation
import Glibc
import WinteropTransport

/// Writes delivered messages under a directory as `msg-NNNNNNNN`, numbered on from the
/// highest already there, synced before they count as received (so the relay may forget
/// them), and never replacing a file.
struct DeliveredMessageWriter {
    let directory: String
    private var next: Int

    init(directory: String) throws(WriteFailure) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw WriteFailure("cannot create --out \(directory): \(error.localizedDescription)")
        }
        self.directory = directory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        next = (names.compactMap { $0.hasPrefix("msg-") ? Int($0.dropFirst(4)) : nil }.max() ?? 0) + 1
    }

    /// Writes `bytes`, syncs and links the file under the next free name; returns its path.
    mutating func write(_ bytes: [UInt8]) throws(WriteFailure) -> String {
        let temporary = "\(directory)/.receiving-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw WriteFailure("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        defer { unlink(temporary) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            guard written > 0 else {
                close(descriptor)
                throw WriteFailure("cannot write \(temporary): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else {
            close(descriptor)
            throw WriteFailure("cannot sync \(temporary): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        for _ in 0..<1000 {
            let digits = String(next)
            let path = "\(directory)/msg-\(String(repeating: "0", count: max(0, 8 - digits.count)))\(digits)"
            next += 1
            if link(temporary, path) == 0 {
                // The name is durable only once the directory is synced (then acknowledged).
                if let problem = DirectorySync.sync(directory) { throw WriteFailure(problem.message) }
                return path
            }
            guard errno == EEXIST else { throw WriteFailure("cannot store \(path): \(String(cString: strerror(errno)))") }
        }
        throw WriteFailure("cannot find a free message name in \(directory)")
    }

    struct WriteFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
