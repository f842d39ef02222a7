import Crypto
import Foundation
import NIOCore

/// Where one received message goes on disk: a temporary file written, hashed and, once
/// the sequence ends, synced and renamed into place. Confined to its connection's serial
/// writer queue (never touched from two threads at once).
final class FileSink: @unchecked Sendable {
    let temporaryPath: String
    private var descriptor: Int32 = -1
    private var hasher = SHA256()
    private(set) var size = 0
    private(set) var failure: String?

    init(temporaryPath: String) {
        self.temporaryPath = temporaryPath
    }

    func open() {
        descriptor = Foundation.open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if descriptor < 0 { failure = "cannot create \(temporaryPath): \(String(cString: strerror(errno)))" }
    }

    func write(_ buffer: ByteBuffer) {
        guard failure == nil else { return }
        buffer.withUnsafeReadableBytes { raw in
            hasher.update(bufferPointer: raw)
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = "cannot write \(temporaryPath): \(String(cString: strerror(errno)))"
                    return
                }
                offset += written
            }
        }
        size += buffer.readableBytes
    }

    /// Where a finished message went.
    struct Stored: Sendable {
        var path: String
        var sha256: String
    }

    /// Syncs (when asked), closes and links the file into `directory` under the next free
    /// message name, never replacing a file already there (a name taken, by an earlier
    /// run or another program, moves on to the next number); returns its name and SHA-256.
    func finish(in directory: String, sync: Bool, nextNumber: () -> Int) -> Result<Stored, SinkFailure> {
        if let failure {
            abort()
            return .failure(SinkFailure(message: failure))
        }
        if sync && fsync(descriptor) != 0 {
            let message = "cannot sync \(temporaryPath): \(String(cString: strerror(errno)))"
            abort()
            return .failure(SinkFailure(message: message))
        }
        Foundation.close(descriptor)
        descriptor = -1
        defer { unlink(temporaryPath) }
        for _ in 0..<MessageNames.attempts {
            let path = "\(directory)/\(MessageNames.name(nextNumber()))"
            // link(2) fails with EEXIST instead of replacing: the message never overwrites.
            if link(temporaryPath, path) == 0 {
                return .success(Stored(path: path, sha256: hasher.finalize().map { String(format: "%02x", $0) }.joined()))
            }
            guard errno == EEXIST else {
                return .failure(SinkFailure(message: "cannot store \(path): \(String(cString: strerror(errno)))"))
            }
        }
        return .failure(SinkFailure(message: "cannot find a free message name in \(directory) after \(MessageNames.attempts) tries"))
    }

    func abort() {
        if descriptor >= 0 {
            Foundation.close(descriptor)
            descriptor = -1
        }
        unlink(temporaryPath)
    }
}

struct SinkFailure: Error {
    var message: String
}
