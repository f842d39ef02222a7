import Crypto
import Foundation
import NFPSCore
import NIOConcurrencyHelpers
import NIOCore
import WinteropWire

/// The package's bytes through the cipher (3.2.7.2): a cipher thread reads the file a
/// piece at a time into a small buffer that stays in its core's cache, runs the one CBC
/// chain over it into a chunk buffer, and hands each full chunk to the event loop, which
/// writes it while the next one is read and encrypted. With the digest (unless
/// `--no-sha256`) a read-ahead thread reads and hashes whole chunks, which the cipher
/// encrypts in place, so that hashing and encryption run at once. Memory stays at
/// ``window`` chunks whatever the package size: a buffer is refilled once the socket took it.
enum PackageStreaming {
    /// Plaintext read, encrypted and written per step: large enough to amortise the
    /// per-step costs (a read, a hand-off to the event loop, a socket write), small
    /// enough to keep memory flat.
    static let chunkSize = 1 << 20
    /// Chunk buffers: read ahead (with the digest), being encrypted, or handed to the
    /// event loop and not yet on the wire. Measured on two cores: fewer buffers stay in
    /// cache (6 were slower than 4), and 3 left the cipher waiting for the socket.
    static let window = 4

    /// Sends the IV, every complete block and the footer on `channel` (3.2.7.2),
    /// calling `blocksSent` between the blocks and the footer. Returns the package's
    /// size and SHA-256 (nil unless `computesSHA256`).
    static func send(
        packageAt path: String, on channel: any Channel, key: SymmetricKey, computesSHA256: Bool,
        progress: TransferProgress, blocksSent: () -> Void
    ) async throws -> (bytes: UInt64, sha256: String?) {
        let iv = ShareCipher.randomIV()
        let start = try SharePackageEncryptor(key: key, iv: iv)
        let ivWritten = channel.eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(ByteBuffer(bytes: iv), promise: ivWritten)
        let bulk = BulkScheduling(channel.eventLoop)
        defer { bulk.end() }
        let pipeline = SendPipeline(path: path, channel: channel, computesSHA256: computesSHA256, progress: progress)
        let (blocks, digest) = try await withCheckedThrowingContinuation { continuation in
            pipeline.start(start) { continuation.resume(with: $0) }
        }
        var encryptor = blocks
        blocksSent()
        var footer = channel.allocator.buffer(capacity: ShareProtocolFooter.size)
        try encryptor.finish(into: &footer)
        try await channel.writeAndFlush(footer)
        try await ivWritten.futureResult.get()
        return (encryptor.packageBytes, digest)
    }

    static func hashing(_ hasher: SHA256, _ chunk: ByteBuffer) async -> SHA256 {
        var hasher = hasher
        chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        return hasher
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        Hex.encode(digest)
    }
}

/// One package's send pipeline (``PackageStreaming``): its threads and the chunk
/// buffers they pass round (free → filled → encrypted → written → free).
final class SendPipeline: @unchecked Sendable {
    /// A chunk buffer's state on its way to the cipher.
    enum Read: Sendable {
        case plaintext(ByteBuffer)
        /// Encrypted as it was read (without the digest).
        case ciphertext(ByteBuffer)
        /// The end of the file, with its SHA-256 when asked for.
        case end(sha256: String?)
        case failed(any Error)
    }

    /// What the cipher thread reads the file through without the digest: small enough to
    /// stay in the core's cache between the read and the cipher.
    static let stageSize = 256 << 10

    let path: String
    let channel: any Channel
    let computesSHA256: Bool
    let progress: TransferProgress
    /// Chunk buffers free to fill: at first all of them, then each one the event loop
    /// has written. Never shared with NIO meanwhile, so refilled in place.
    private let free: HandOff<ByteBuffer>
    /// Chunks the read-ahead thread filled, in file order (with the digest only).
    private let filled = HandOff<Read>()
    /// The first write failure (the socket closed by fault, or by the stall watchdog).
    private let writeFailure = NIOLockedValueBox<(any Error)?>(nil)
    private let stage = UnsafeMutableRawBufferPointer.allocate(byteCount: SendPipeline.stageSize, alignment: 64)

    init(path: String, channel: any Channel, computesSHA256: Bool, progress: TransferProgress) {
        self.path = path
        self.channel = channel
        self.computesSHA256 = computesSHA256
        self.progress = progress
        free = HandOff((0..<PackageStreaming.window).map { _ in
            channel.allocator.buffer(capacity: PackageStreaming.chunkSize)
        })
    }

    deinit { stage.deallocate() }

    /// Starts the threads; `done` gets the encryptor after the last complete block
    /// (every write of them finished) and the digest, or the first failure.
    func start(
        _ encryptor: SharePackageEncryptor,
        done: @escaping @Sendable (Result<(SharePackageEncryptor, String?), any Error>) -> Void
    ) {
        guard computesSHA256 else {
            // Reading costs a tenth of encrypting: in line, no hand-off to wait for.
            return PipelineThread.start("nfps-cipher", .critical) {
                var filler: ChunkFiller
                do throws(PackageFileError) {
                    filler = try ChunkFiller(path: self.path, hashing: false)
                } catch {
                    return self.encrypt(encryptor, done: done) { _ in .failed(error) }
                }
                self.encrypt(encryptor, done: done) { encryptor in
                    withoutActuallyEscaping({ try encryptor.encrypt($0, into: &$1) }) { self.fill(&filler, encrypt: $0) }
                }
            }
        }
        // Hashing costs about as much as encrypting: on its own thread, at once.
        PipelineThread.start("nfps-read", .critical) { self.readAhead() }
        PipelineThread.start("nfps-cipher", .critical) { self.encrypt(encryptor, done: done) { _ in self.filled.take() } }
    }

    /// The next free buffer filled from the file, or with the ciphertext of the next
    /// chunk when `encrypt` is given; nil once the pipeline is closed.
    private func fill(_ filler: inout ChunkFiller, encrypt: ChunkFiller.Encrypt? = nil) -> Read? {
        guard var buffer = free.take() else { return nil }
        do {
            guard try filler.fill(&buffer, encrypt: encrypt, through: stage) else {
                free.put(buffer)
                return .end(sha256: filler.sha256())
            }
            return encrypt == nil ? .plaintext(buffer) : .ciphertext(buffer)
        } catch {
            return .failed(error)
        }
    }

    /// The read-ahead thread (with the digest): fills free buffers in file order.
    private func readAhead() {
        var filler: ChunkFiller
        do {
            filler = try ChunkFiller(path: path, hashing: computesSHA256)
        } catch {
            return filled.put(.failed(error))
        }
        while let read = fill(&filler) {
            filled.put(read)
            guard case .plaintext = read else { return }
        }
        // The pipeline was closed (a write failed): the cipher stops too.
        filled.close()
    }

    /// The cipher thread: the CBC chain over the chunks `next` gives, in place, each
    /// handed to the event loop as soon as it is encrypted.
    private func encrypt(
        _ start: SharePackageEncryptor,
        done: @Sendable (Result<(SharePackageEncryptor, String?), any Error>) -> Void,
        next: (inout SharePackageEncryptor) -> Read?
    ) {
        var encryptor = start
        defer {
            // Stops the read-ahead thread whatever happened.
            filled.close()
        }
        func fail(_ error: any Error) {
            free.close()
            done(.failure(writeFailure.withLockedValue { $0 } ?? error))
        }
        while let read = next(&encryptor) {
            switch read {
            case .failed(let error):
                return fail(error)
            case .end(let digest):
                // Every buffer back: every block is on the socket.
                for _ in 0..<PackageStreaming.window {
                    guard free.take() != nil else { return fail(ChannelError.ioOnClosedChannel) }
                }
                return done(.success((encryptor, digest)))
            case .plaintext(var chunk):
                do {
                    try encryptor.encrypt(inPlace: &chunk)
                } catch {
                    return fail(error)
                }
                send(chunk, encryptor.packageBytes)
            case .ciphertext(let chunk):
                send(chunk, encryptor.packageBytes)
            }
        }
        fail(ChannelError.ioOnClosedChannel)
    }

    /// Hands an encrypted chunk to the event loop; its buffer comes back to ``free``
    /// once written.
    private func send(_ chunk: ByteBuffer, _ packageBytes: UInt64) {
        progress.update(packageBytes)
        // The buffer travels in a box that the write's callback empties, and goes back one
        // event-loop turn later, once NIO has let go of it too: reused only when nothing
        // else holds it, so refilling it never reallocates.
        let written = Returning(chunk)
        channel.writeAndFlush(chunk).whenComplete { result in
            switch result {
            case .success:
                self.channel.eventLoop.execute { written.give(to: self.free) }
            case .failure(let error):
                self.writeFailure.withLockedValue { if $0 == nil { $0 = error } }
                self.free.close()
            }
        }
    }
}

/// The package file read into chunk buffers in order, hashed as it goes when asked.
private struct ChunkFiller: ~Copyable {
    private let reader: PackageFileReader
    private var hasher: SHA256?

    init(path: String, hashing: Bool) throws(PackageFileError) {
        reader = try PackageFileReader(path: path)
        hasher = hashing ? SHA256() : nil
    }

    typealias Encrypt = (UnsafeRawBufferPointer, inout ByteBuffer) throws -> Void

    /// Replaces `buffer`'s bytes with the next chunk of the file, or, when `encrypt` is
    /// given, with what it makes of the chunk read piece by piece through `stage`; false
    /// at the end of the file.
    mutating func fill(_ buffer: inout ByteBuffer, encrypt: Encrypt?, through stage: UnsafeMutableRawBufferPointer) throws -> Bool {
        buffer.clear()
        guard let encrypt else {
            try read(into: &buffer, PackageStreaming.chunkSize)
            return buffer.readableBytes > 0
        }
        var total = 0
        while total < PackageStreaming.chunkSize {
            let count = try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: stage[..<min(stage.count, PackageStreaming.chunkSize - total)]))
            guard count > 0 else { break }
            let piece = UnsafeRawBufferPointer(rebasing: stage[..<count])
            hasher?.update(bufferPointer: piece)
            try encrypt(piece, &buffer)
            total += count
        }
        return total > 0
    }

    private mutating func read(into buffer: inout ByteBuffer, _ count: Int) throws(PackageFileError) {
        var failure: PackageFileError?
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { target in
            do throws(PackageFileError) {
                return try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: target[..<count]))
            } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        buffer.withUnsafeReadableBytes { hasher?.update(bufferPointer: $0) }
    }

    /// The digest of everything read, once at the end; nil without hashing.
    mutating func sha256() -> String? {
        hasher.take().map { PackageStreaming.hex($0.finalize()) }
    }
}

/// A chunk buffer on its way back to be refilled, held by nothing else.
private final class Returning: @unchecked Sendable {
    private var buffer: ByteBuffer?
    init(_ buffer: ByteBuffer) { self.buffer = buffer }
    /// Called once, on the event loop.
    func give(to free: HandOff<ByteBuffer>) {
        guard let buffer = buffer.take() else { return }
        free.put(buffer)
    }
}
