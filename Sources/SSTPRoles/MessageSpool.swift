import Crypto
import Dispatch
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import WinteropTransport
import WinteropWire

/// `sstp listen --store spool`: small messages appended, many per write(2), to spool
/// files in the output directory, instead of a file (five syscalls) each. One writer,
/// shared by every connection of a listener, takes whatever messages are waiting, writes
/// them in one call, fsyncs once (unless `--no-fsync`) and only then reports them stored,
/// so a message is acknowledged (3.1.4.7) only after its bytes are written — the batch
/// grows with the load, so a busy listener pays one write and one fsync for hundreds of
/// messages. Layout: ``SSTPSpool``.
final class MessageSpool: @unchecked Sendable {
    /// One complete message waiting to be spooled.
    struct Record: Sendable {
        var connection: Int
        var session: UInt32
        var sequence: UInt64
        var payload: ByteBuffer
    }

    /// Where a spooled message is: its spool file and the offset of its payload.
    struct Location: Sendable {
        var path: String
        var offset: Int
        var sha256: String?
    }

    typealias Completion = @Sendable ([Result<Location, SinkFailure>]) -> Void

    private let directory: String
    private let sync: Bool
    private let hashing: Bool
    private let queue: DispatchQueue
    private let lock = NIOLock()
    /// Batches handed in and not yet taken by the writer (guarded by `lock`).
    private var waiting: [([Record], Completion)] = []
    private var draining = false

    // Confined to `queue`.
    private var descriptor: Int32 = -1
    private var path = ""
    private var size = 0
    /// The bytes of one write, reused from batch to batch (no fresh pages per batch).
    private var scratch = ByteBufferAllocator().buffer(capacity: 0)

    init(directory: String, sync: Bool, hashing: Bool, target: DispatchQueue?) {
        self.directory = directory
        self.sync = sync
        self.hashing = hashing
        self.queue = DispatchQueue(label: "winterop.sstp.spool", target: target)
    }

    /// Spools `records`; `completion` runs on the writer's queue, once the records are
    /// written (and synced), with one result per record in order.
    func append(_ records: [Record], completion: @escaping Completion) {
        let start = lock.withLock { () -> Bool in
            waiting.append((records, completion))
            guard !draining else { return false }
            draining = true
            return true
        }
        if start { queue.async { self.drain() } }
    }

    /// Writes everything waiting, batch after batch, until nothing is.
    private func drain() {
        while true {
            let batches = lock.withLock { () -> [([Record], Completion)] in
                let taken = waiting
                waiting = []
                if taken.isEmpty { draining = false }
                return taken
            }
            guard !batches.isEmpty else { return }
            let results = write(batches.flatMap { $0.0 })
            var next = 0
            for (records, completion) in batches {
                completion(Array(results[next..<next + records.count]))
                next += records.count
            }
        }
    }

    /// Appends `records` with one write and one fsync; on a failure the file is cut back
    /// to before them (a torn record never stays) and all of them fail.
    private func write(_ records: [Record]) -> [Result<Location, SinkFailure>] {
        if descriptor < 0 || size >= SSTPSpool.rollSize {
            if let failure = openNext() { return records.map { _ in .failure(failure) } }
        }
        let total = records.reduce(0) { $0 + SSTPSpool.recordHeaderSize + $1.payload.readableBytes }
        var buffer = scratch
        scratch = ByteBuffer()
        defer {
            buffer.clear()
            if buffer.capacity <= 8 << 20 { scratch = buffer }
        }
        buffer.reserveCapacity(total)
        var locations: [Location] = []
        locations.reserveCapacity(records.count)
        for record in records {
            SSTPSpool.writeHeader(
                size: record.payload.readableBytes, connection: record.connection, session: record.session,
                sequence: record.sequence, into: &buffer)
            let offset = size + buffer.writerIndex
            let digest = hashing ? record.payload.withUnsafeReadableBytes { Hex.encode(SHA256.hash(data: $0)) } : nil
            var payload = record.payload
            buffer.writeBuffer(&payload)
            locations.append(Location(path: path, offset: offset, sha256: digest))
        }
        if let failure = writeAll(buffer) ?? syncIfAsked() {
            ftruncate(descriptor, off_t(size))
            return records.map { _ in .failure(failure) }
        }
        size += buffer.readableBytes
        return locations.map { .success($0) }
    }

    private func writeAll(_ buffer: ByteBuffer) -> SinkFailure? {
        buffer.withUnsafeReadableBytes { raw -> SinkFailure? in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return SinkFailure(message: "cannot write \(path): \(String(cString: strerror(errno)))", code: errno)
                }
                offset += written
            }
            return nil
        }
    }

    private func syncIfAsked() -> SinkFailure? {
        guard sync, fsync(descriptor) != 0 else { return nil }
        return SinkFailure(message: "cannot sync \(path): \(String(cString: strerror(errno)))", code: errno)
    }

    /// The new file's directory entry is durable only once the directory is synced: without
    /// it, a crash could lose a whole spool file whose records were fsync'd and acknowledged.
    private func syncDirectoryIfAsked() -> SinkFailure? {
        guard sync, let problem = DirectorySync.sync(directory) else { return nil }
        return SinkFailure(message: problem.message, code: problem.code)
    }

    /// Starts the next spool file: a new name, never one already there (O_EXCL), so a
    /// restarted listener never writes into an earlier run's spool.
    private func openNext() -> SinkFailure? {
        if descriptor >= 0 { Foundation.close(descriptor) }
        descriptor = -1
        var number = SSTPSpool.firstFree(in: directory)
        for _ in 0..<MessageNames.attempts {
            let candidate = "\(directory)/\(SSTPSpool.name(number))"
            let fd = Foundation.open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
            if fd >= 0 {
                var header = ByteBufferAllocator().buffer(capacity: SSTPSpool.magic.count)
                header.writeBytes(SSTPSpool.magic)
                descriptor = fd
                path = candidate
                size = 0
                if let failure = writeAll(header) ?? syncIfAsked() ?? syncDirectoryIfAsked() {
                    Foundation.close(fd)
                    descriptor = -1
                    unlink(candidate)
                    return failure
                }
                size = header.readableBytes
                return nil
            }
            guard errno == EEXIST else {
                return SinkFailure(message: "cannot create \(candidate): \(String(cString: strerror(errno)))", code: errno)
            }
            number += 1
        }
        return SinkFailure(message: "cannot find a free spool name in \(directory) after \(MessageNames.attempts) tries")
    }
}
