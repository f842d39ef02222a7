import Foundation
import NIOCore

/// Writing many buffers to a file with as few `writev(2)` calls as the kernel allows
/// (`IOV_MAX` buffers each), retrying `EINTR` and short writes: a message that arrived as
/// hundreds of 2 KiB Data payloads goes to its file in one call instead of hundreds.
public enum GatheredWrite {
    /// The most buffers one `writev(2)` takes on Linux (`IOV_MAX`).
    static let maximumBuffers = 1024

    /// Writes every readable byte of `buffers`, in order, to `descriptor`. Returns 0, or
    /// the `errno` of the first failure other than `EINTR` (ENOSPC, EDQUOT, EIO…).
    public static func writeAll(_ buffers: [ByteBuffer], to descriptor: Int32) -> Int32 {
        var vectors: [iovec] = []
        vectors.reserveCapacity(min(buffers.count, maximumBuffers))
        var start = 0
        while start < buffers.count {
            let end = min(start + maximumBuffers, buffers.count)
            vectors.removeAll(keepingCapacity: true)
            // `buffers` holds every storage for the duration of the call, so the addresses
            // stay valid after each closure returns (as NIO's own gathering writes do).
            for index in start..<end {
                buffers[index].withUnsafeReadableBytes { bytes in
                    if let base = bytes.baseAddress, bytes.count > 0 {
                        vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: base), iov_len: bytes.count))
                    }
                }
            }
            let failure = withExtendedLifetime(buffers) { writeAll(&vectors, to: descriptor) }
            if failure != 0 { return failure }
            start = end
        }
        return 0
    }

    /// One group of vectors, advanced past short writes until all is written.
    private static func writeAll(_ vectors: inout [iovec], to descriptor: Int32) -> Int32 {
        var first = 0
        while first < vectors.count {
            let written = vectors.withUnsafeBufferPointer { all -> Int in
                guard let base = all.baseAddress else { return 0 }
                return Foundation.writev(descriptor, base + first, Int32(all.count - first))
            }
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            // Nothing written for a non-empty request: not a state to spin in.
            if written == 0 { return EIO }
            var remaining = written
            while first < vectors.count, remaining >= vectors[first].iov_len {
                remaining -= vectors[first].iov_len
                first += 1
            }
            if remaining > 0 {
                vectors[first].iov_base = vectors[first].iov_base.map { $0 + remaining }
                vectors[first].iov_len -= remaining
            }
        }
        return 0
    }
}
