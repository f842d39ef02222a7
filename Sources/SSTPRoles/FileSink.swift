import Crypto
import Foundation
import NIOCore
import SSTPCore
import WinteropTransport
import WinteropWire

/// Where one received message goes on disk: a temporary file written, hashed and, once
/// the sequence ends, synced and linked into place. A message stays in memory until it
/// passes ``memoryLimit``, so small messages (and half-sent ones) hold no descriptor
/// until they are complete. Confined to its connection's serial writer queue (never
/// touched from two threads at once).
final class FileSink: @unchecked Sendable {
    /// `.incoming-<connection>-<session>.part` in the output directory, named only when
    /// needed (a message bound for the spool never is).
    private(set) lazy var temporaryPath = "\(directory)/.incoming-\(connection)-\(session).part"
    private let directory: String
    private let connection: Int
    private let session: UInt32
    private var descriptor: Int32 = -1
    private var hasher = SHA256()
    private(set) var size = 0
    private(set) var failure: String?
    /// The errno of the first failed write (ENOSPC, EDQUOT, EIO…), 0 while none failed.
    private(set) var failureCode: Int32 = 0
    /// What is kept in memory before the file is opened.
    static let memoryLimit = 64 << 10
    private var held: ByteBuffer?

    /// Whether the SHA-256 is computed (off with `--no-sha256`).
    private let hashing: Bool

    init(directory: String, connection: Int, session: UInt32, hashing: Bool = true) {
        self.directory = directory
        self.connection = connection
        self.session = session
        self.hashing = hashing
    }

    /// Opens the temporary file and writes what was held in memory.
    private func openFile() {
        descriptor = Foundation.open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            failureCode = errno
            failure = "cannot create \(temporaryPath): \(String(cString: strerror(errno)))"
            return
        }
        if let held {
            self.held = nil
            writeOut([held])
        }
    }

    /// Adds payload; returns the failure, if writing it (or anything before) failed.
    @discardableResult
    func write(_ buffer: ByteBuffer) -> SinkFailure? {
        write(PayloadPieces(buffer))
    }

    /// Adds payload pieces in order; returns the failure, if writing them (or anything
    /// before) failed.
    @discardableResult
    func write(_ payload: PayloadPieces) -> SinkFailure? {
        guard failure == nil else { return currentFailure }
        if hashing {
            for piece in payload.pieces { piece.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) } }
        }
        size += payload.readableBytes
        if descriptor < 0 && size <= Self.memoryLimit {
            if held == nil { held = ByteBufferAllocator().buffer(capacity: payload.readableBytes) }
            for var piece in payload.pieces { held?.writeBuffer(&piece) }
            return nil
        }
        if descriptor < 0 { openFile() }
        writeOut(payload.pieces)
        return currentFailure
    }

    private var currentFailure: SinkFailure? {
        failure.map { SinkFailure(message: $0, code: failureCode) }
    }

    /// The pieces as the Data commands brought them, in one writev(2) per 1024.
    private func writeOut(_ pieces: [ByteBuffer]) {
        guard failure == nil else { return }
        let code = GatheredWrite.writeAll(pieces, to: descriptor)
        if code != 0 {
            failureCode = code
            failure = "cannot write \(temporaryPath): \(String(cString: strerror(code)))"
        }
    }

    /// Where a finished message went.
    struct Stored: Sendable {
        var path: String
        var sha256: String?
        /// Where the payload starts in `path` (a spool file), nil for a file of its own.
        var offset: Int? = nil
    }

    /// Syncs (when asked), closes and links the file into `directory` under the next free
    /// message name, never replacing a file already there (a name taken, by an earlier
    /// run or another program, moves on to the next number); returns its name and SHA-256.
    func finish(in directory: String, sync: Bool, nextNumber: () -> Int) -> Result<Stored, SinkFailure> {
        if descriptor < 0 && failure == nil { openFile() }
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
                // The name is durable only once the directory is synced (then acknowledged).
                if sync, let problem = DirectorySync.sync(directory) {
                    return .failure(SinkFailure(message: problem.message, code: problem.code))
                }
                return .success(Stored(path: path, sha256: hashing ? Hex.encode(hasher.finalize()) : nil))
            }
            guard errno == EEXIST else {
                return .failure(SinkFailure(message: "cannot store \(path): \(String(cString: strerror(errno)))"))
            }
        }
        return .failure(SinkFailure(message: "cannot find a free message name in \(directory) after \(MessageNames.attempts) tries"))
    }

    func abort() {
        held = nil
        if descriptor >= 0 {
            Foundation.close(descriptor)
            descriptor = -1
        }
        unlink(temporaryPath)
    }
}

struct SinkFailure: Error {
    var message: String
    var code: Int32 = 0

    /// The Close ReasonId of the resource handler's fault, one of the three 3.1.4.5 allows
    /// (2.2.9.1): a full disk or quota is QuotaWouldBeExceeded, any other failure
    /// InternalError.
    var closeReason: SSTP.Close.Reason {
        code == ENOSPC || code == EDQUOT ? .quotaWouldBeExceeded : .internalError
    }
}
