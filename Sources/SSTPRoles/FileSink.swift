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

    /// Syncs (when asked), closes and renames into `finalPath`; returns the SHA-256 in hex.
    func finish(finalPath: String, sync: Bool) -> Result<String, SinkFailure> {
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
        guard rename(temporaryPath, finalPath) == 0 else {
            let message = "cannot rename to \(finalPath): \(String(cString: strerror(errno)))"
            unlink(temporaryPath)
            return .failure(SinkFailure(message: message))
        }
        return .success(hasher.finalize().map { String(format: "%02x", $0) }.joined())
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
