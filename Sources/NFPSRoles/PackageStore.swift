import Crypto
import Foundation
import NFPSCore
import NIOConcurrencyHelpers
import NIOCore

/// Decrypted package bytes going to their hidden file (3.3.5): the receiving task
/// decrypts each piece as it arrives while a writer thread hashes (unless `--no-sha256`)
/// and writes the pieces before it, so decryption and file writes overlap. Memory stays
/// at ``depth`` plaintext buffers, reused in place: the writer hands each one back.
final class PackageStore {
    /// Plaintext buffers between the decryption and the writer.
    static let depth = 3

    enum Piece: Sendable {
        case bytes(ByteBuffer)
        case end
    }

    private var decryptor: SharePackageDecryptor
    private let free: HandOff<ByteBuffer>
    private let written = HandOff<Piece>()
    /// The writer's outcome once it saw `.end` or failed: the digest, or the write error.
    private let outcome = HandOff<Result<String?, PackageFileError>>()
    var bytes: UInt64 { decryptor.packageBytes }

    init(path: String, key: SymmetricKey, iv: [UInt8], computesSHA256: Bool) throws {
        decryptor = try SharePackageDecryptor(key: key, iv: iv)
        let sink = try PackageFileSink(path: path)
        free = HandOff((0..<Self.depth).map { _ in ByteBuffer() })
        let (free, written, outcome) = (free, written, outcome)
        let thread = Thread { sink.drain(written, returningTo: free, hashing: computesSHA256, outcome: outcome) }
        thread.name = "nfps-write"
        thread.start()
    }

    /// Abandoned or finished: the writer thread stops.
    deinit {
        written.close()
        free.close()
    }

    /// Decrypts `ciphertext` into a free buffer and passes it to the writer; waits only
    /// when the writer is ``depth`` pieces behind.
    func take(_ ciphertext: ByteBuffer) throws {
        guard var plain = free.take() else { throw writeFailure() }
        plain.clear()
        plain.reserveCapacity(ciphertext.readableBytes + NFPS.blockSize)
        try decryptor.decrypt(ciphertext, into: &plain)
        guard plain.readableBytes > 0 else { return free.put(consume plain) }
        written.put(.bytes(consume plain))
    }

    /// Graceful close: the footer's Remainder, then the digest once everything is
    /// written (3.3.7.4).
    func finish() throws -> (bytes: UInt64, sha256: String?) {
        var tail = ByteBuffer()
        try decryptor.finish(into: &tail)
        written.put(.bytes(tail))
        written.put(.end)
        guard let result = outcome.take() else { throw writeFailure() }
        return (decryptor.packageBytes, try result.get())
    }

    private func writeFailure() -> any Error {
        PackageFileError("the package file's writer stopped")
    }
}

/// The writer thread's end of a ``PackageStore``: the hidden file and the digest.
private final class PackageFileSink: @unchecked Sendable {
    private let writer: PackageFileWriter

    init(path: String) throws(PackageFileError) {
        writer = try PackageFileWriter(path: path)
    }

    func drain(
        _ pieces: HandOff<PackageStore.Piece>, returningTo free: HandOff<ByteBuffer>, hashing: Bool,
        outcome: HandOff<Result<String?, PackageFileError>>
    ) {
        var hasher = hashing ? SHA256() : nil
        while let piece = pieces.take() {
            // Taken out of the piece, so that once written this is its one reference
            // and the decryption refills it in place.
            guard var plain = Self.bytes(of: consume piece) else {
                outcome.put(.success(hasher.map { PackageStreaming.hex($0.finalize()) }))
                return
            }
            do {
                try writer.write(plain)
            } catch {
                outcome.put(.failure(error))
                free.close()
                return
            }
            plain.withUnsafeReadableBytes { hasher?.update(bufferPointer: $0) }
            free.put(consume plain)
        }
    }

    private static func bytes(of piece: consuming PackageStore.Piece) -> ByteBuffer? {
        switch consume piece {
        case .bytes(let plain): return plain
        case .end: return nil
        }
    }
}
