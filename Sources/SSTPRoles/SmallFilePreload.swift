import Crypto
import Foundation
import NIOCore
import WinteropWire

/// A message read whole before its turn, so that many small files cost one hop to the
/// reader queue per batch instead of several per file.
enum PreloadedMessage: Sendable {
    /// The whole payload and its SHA-256 (empty when digests are off).
    case small(ByteBuffer, sha256: String)
    /// Too large, not a regular file, or not a file: read as a stream in its turn.
    case stream

    /// Files up to this size are read whole ahead of their turn.
    static let limit = 64 << 10
    /// Messages asked for in one batch.
    static let batch = 256

    /// Reads `source` whole when it is a regular file of at most ``limit`` bytes. Runs on
    /// the sender's reader queue. A file that cannot be opened is left to the stream path,
    /// which reports why.
    static func load(_ source: SSTPOutgoingMessage.Source, hashing: Bool) -> PreloadedMessage {
        if case .bytes(let buffer) = source, buffer.readableBytes <= limit {
            // Already in memory (`--stdin-messages`): only the digest is left to do.
            return .small(buffer, sha256: hashing ? buffer.withUnsafeReadableBytes { Hex.encode(SHA256.hash(data: $0)) } : "")
        }
        guard case .file(let path) = source else { return .stream }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .stream }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size <= limit else { return .stream }
        let size = Int(info.st_size)
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        var failed = false
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
            var offset = 0
            while offset < size {
                let n = read(fd, raw.baseAddress! + offset, size - offset)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failed = true; break }
                if n == 0 { break }
                offset += n
            }
            return offset
        }
        guard !failed else { return .stream }
        let digest = hashing ? buffer.withUnsafeReadableBytes { Hex.encode(SHA256.hash(data: $0)) } : ""
        return .small(buffer, sha256: digest)
    }
}
