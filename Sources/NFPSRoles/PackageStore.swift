import Crypto
import Foundation
import NFPSCore
import NIOConcurrencyHelpers
import NIOCore

/// Ciphertext going, decrypted, to its hidden file (3.3.5): the receiving task hands
/// each piece as it arrives to a writer thread that decrypts it, hashes it (unless
/// `--no-sha256`) and writes it, so that the task only passes buffers and the socket
/// is read while the file is written. Memory stays at ``depth`` pieces: the task waits,
/// suspended (holding no thread), while that many are queued.
final class PackageStore {
    /// Ciphertext pieces queued for the writer.
    static let depth = 4

    enum Piece: Sendable {
        case ciphertext(ByteBuffer)
        /// Graceful close: the held bytes are the footer (3.3.7.4).
        case end
    }

    /// Places in the writer's queue: one taken per piece, given back once it is written.
    private let places: HandOff<Void>
    private let pieces = HandOff<Piece>()
    /// The writer's outcome once it saw `.end` or failed.
    private let outcome = HandOff<Result<ReceivedBytes, any Error>>()
    /// Put once by the writer thread as it ends, whatever ended it.
    private let stopped = HandOff<Void>()
    private let written: NIOLockedValueBox<UInt64>
    /// Package bytes written so far.
    var bytes: UInt64 { written.withLockedValue { $0 } }

    init(path: String, key: SymmetricKey, iv: [UInt8], computesSHA256: Bool) throws {
        let sink = try PackageFileSink(
            path: path, decryptor: try SharePackageDecryptor(key: key, iv: iv), computesSHA256: computesSHA256
        )
        places = HandOff(Array(repeating: (), count: Self.depth))
        written = sink.written
        let (places, pieces, outcome, stopped) = (places, pieces, outcome, stopped)
        PipelineThread.start("nfps-write", .bulk) {
            defer { stopped.put(()) }
            sink.drain(pieces, returningTo: places, outcome: outcome)
        }
    }

    /// The transfer is abandoned: the writer stops after the piece in hand, and this
    /// returns once its thread has ended. The process may exit right after, and a thread
    /// still inside OpenSSL then would meet the locks its exit handler destroys (the
    /// writer crashed so, in `pthread_rwlock_unlock`, when a sender reset mid-stream).
    func abandon() async {
        pieces.close()
        places.close()
        _ = await stopped.take()
    }

    /// Abandoned or finished: the writer thread stops.
    deinit {
        pieces.close()
        places.close()
    }

    /// Queues `ciphertext` for the writer; waits while ``depth`` pieces are queued.
    func take(_ ciphertext: ByteBuffer) async throws {
        guard await places.take() != nil else { throw await failure() }
        pieces.put(.ciphertext(ciphertext))
    }

    /// Graceful close: the footer's Remainder written, returns the package's size and
    /// digest once everything is (3.3.7.4).
    func finish() async throws -> ReceivedBytes {
        pieces.put(.end)
        guard let result = await outcome.take() else { throw PackageFileError("the package file's writer stopped") }
        return try result.get()
    }

    /// Why the writer stopped.
    private func failure() async -> any Error {
        guard case .failure(let error)? = await outcome.take() else { return PackageFileError("the package file's writer stopped") }
        return error
    }
}

/// A package's size and SHA-256 (nil with `--no-sha256`), once written.
struct ReceivedBytes: Sendable {
    var bytes: UInt64
    var sha256: String?
}

/// The writer thread's end of a ``PackageStore``: the decryption, the hidden file and the digest.
private final class PackageFileSink: @unchecked Sendable {
    private let writer: PackageFileWriter
    private var decryptor: SharePackageDecryptor
    private var hasher: SHA256?
    let written = NIOLockedValueBox<UInt64>(0)

    init(path: String, decryptor: SharePackageDecryptor, computesSHA256: Bool) throws(PackageFileError) {
        writer = try PackageFileWriter(path: path)
        self.decryptor = decryptor
        hasher = computesSHA256 ? SHA256() : nil
    }

    func drain(_ pieces: HandOff<PackageStore.Piece>, returningTo places: HandOff<Void>, outcome: HandOff<Result<ReceivedBytes, any Error>>) {
        // Reused for every piece: decrypted into in place, written, cleared.
        var plain = ByteBuffer()
        do {
            while let piece = pieces.take() {
                plain.clear()
                switch piece {
                case .ciphertext(let ciphertext):
                    plain.reserveCapacity(ciphertext.readableBytes + NFPS.blockSize)
                    try decryptor.decrypt(ciphertext, into: &plain)
                    try store(plain)
                    places.put(())
                case .end:
                    try decryptor.finish(into: &plain)
                    try store(plain)
                    outcome.put(.success(ReceivedBytes(bytes: decryptor.packageBytes, sha256: hasher.map { PackageStreaming.hex($0.finalize()) })))
                    return
                }
            }
        } catch {
            outcome.put(.failure(error))
            places.close()
        }
    }

    private func store(_ plain: ByteBuffer) throws(PackageFileError) {
        guard plain.readableBytes > 0 else { return }
        try writer.write(plain)
        plain.withUnsafeReadableBytes { hasher?.update(bufferPointer: $0) }
        written.withLockedValue { $0 = decryptor.packageBytes }
    }
}
