import Crypto
import Foundation
import NFPSCore
import NIOConcurrencyHelpers
import NIOCore
import WinteropWire

/// The package's bytes through the cipher, in three stages that run at once (3.2.7.2):
/// a read-ahead thread reads the file (and hashes it, unless `--no-sha256`), a cipher
/// thread runs the one CBC chain over the chunks in order, and the event loop writes
/// the ciphertext. Memory stays at ``readAhead`` plaintext and ``window`` ciphertext
/// chunks whatever the package size: each stage waits for a free buffer from the next.
enum PackageStreaming {
    /// Plaintext read, encrypted and written per step: large enough to amortise the
    /// per-step costs (a read, a hand-off to the event loop, a socket write), small
    /// enough to keep memory flat.
    static let chunkSize = Int(ProcessInfo.processInfo.environment["WO_NFPS_CHUNK"] ?? "") ?? (1 << 20)
    /// Plaintext chunks read ahead of the cipher.
    static let readAhead = Int(ProcessInfo.processInfo.environment["WO_NFPS_RA"] ?? "") ?? 3
    /// Ciphertext chunks handed to the event loop and not yet on the wire.
    static let window = Int(ProcessInfo.processInfo.environment["WO_NFPS_WIN"] ?? "") ?? 4

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

/// One package's send pipeline (``PackageStreaming``): the read-ahead and cipher
/// threads and the buffers they pass each other.
final class SendPipeline: @unchecked Sendable {
    /// A read-ahead buffer's state, from the reader to the cipher.
    enum Read: Sendable {
        case chunk(index: Int, count: Int)
        /// The end of the file, with its SHA-256 when asked for.
        case end(sha256: String?)
        case failed(PackageFileError)
    }

    let path: String
    let channel: any Channel
    let computesSHA256: Bool
    let progress: TransferProgress
    /// The read-ahead buffers: owned by this pipeline, passed by index (never shared
    /// with NIO, so that they are refilled in place).
    private let plaintext: UnsafeMutableRawBufferPointer
    /// Read-ahead buffers free to fill, and filled ones in file order.
    private let freeChunks: HandOff<Int>
    private let readChunks = HandOff<Read>()
    /// Ciphertext buffers back from the event loop once written.
    private let freeCiphertext: HandOff<ByteBuffer>
    /// The first write failure (the socket closed by fault, or by the stall watchdog).
    private let writeFailure = NIOLockedValueBox<(any Error)?>(nil)

    init(path: String, channel: any Channel, computesSHA256: Bool, progress: TransferProgress) {
        self.path = path
        self.channel = channel
        self.computesSHA256 = computesSHA256
        self.progress = progress
        plaintext = .allocate(byteCount: PackageStreaming.chunkSize * PackageStreaming.readAhead, alignment: 64)
        freeChunks = HandOff(Array(0..<PackageStreaming.readAhead))
        freeCiphertext = HandOff((0..<PackageStreaming.window).map { _ in
            channel.allocator.buffer(capacity: PackageStreaming.chunkSize + NFPS.blockSize)
        })
    }

    deinit { plaintext.deallocate() }

    /// Starts both threads; `done` gets the encryptor after the last complete block
    /// (every write of them finished) and the digest, or the first failure.
    func start(
        _ encryptor: SharePackageEncryptor,
        done: @escaping @Sendable (Result<(SharePackageEncryptor, String?), any Error>) -> Void
    ) {
        PipelineThread.start("nfps-read", .throughput) { self.readAhead() }
        PipelineThread.start("nfps-cipher", .criticalPath) { self.encrypt(encryptor, done: done) }
    }

    private func chunk(_ index: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: plaintext[(index * PackageStreaming.chunkSize)..<((index + 1) * PackageStreaming.chunkSize)])
    }

    /// The read-ahead thread: fills free buffers in file order, hashing as it goes.
    private func readAhead() {
        let reader: PackageFileReader
        do {
            reader = try PackageFileReader(path: path)
        } catch {
            readChunks.put(.failed(error))
            return
        }
        var hasher = computesSHA256 ? SHA256() : nil
        while let index = freeChunks.take() {
            let buffer = chunk(index)
            let count: Int
            do {
                count = try reader.read(into: buffer)
            } catch {
                readChunks.put(.failed(error))
                return
            }
            guard count > 0 else {
                readChunks.put(.end(sha256: hasher.map { PackageStreaming.hex($0.finalize()) }))
                return
            }
            hasher?.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            readChunks.put(.chunk(index: index, count: count))
        }
    }

    /// The cipher thread: the CBC chain over the chunks in order, each handed to the
    /// event loop as soon as it is encrypted.
    private func encrypt(
        _ start: SharePackageEncryptor,
        done: @Sendable (Result<(SharePackageEncryptor, String?), any Error>) -> Void
    ) {
        var encryptor = start
        defer {
            // Stops the reader whatever happened.
            freeChunks.close()
        }
        func fail(_ error: any Error) {
            freeCiphertext.close()
            done(.failure(writeFailure.withLockedValue { $0 } ?? error))
        }
        while let read = readChunks.take() {
            switch read {
            case .failed(let error):
                return fail(error)
            case .end(let digest):
                // Every ciphertext buffer back: every block is on the socket.
                for _ in 0..<PackageStreaming.window {
                    guard freeCiphertext.take() != nil else { return fail(ChannelError.ioOnClosedChannel) }
                }
                return done(.success((encryptor, digest)))
            case .chunk(let index, let count):
                guard var ciphertext = freeCiphertext.take() else { return fail(ChannelError.ioOnClosedChannel) }
                ciphertext.clear()
                do {
                    try encryptor.encrypt(UnsafeRawBufferPointer(rebasing: chunk(index)[..<count]), into: &ciphertext)
                } catch {
                    return fail(error)
                }
                freeChunks.put(index)
                progress.update(encryptor.packageBytes)
                // The buffer travels in a box that the write's callback empties, and goes
                // back one event-loop turn later, once NIO has let go of it too: reused
                // only when nothing else holds it, so `clear()` never reallocates.
                let written = Returning(ciphertext)
                channel.writeAndFlush(ciphertext).whenComplete { result in
                    switch result {
                    case .success:
                        self.channel.eventLoop.execute { written.give(to: self.freeCiphertext) }
                    case .failure(let error):
                        self.writeFailure.withLockedValue { if $0 == nil { $0 = error } }
                        self.freeCiphertext.close()
                    }
                }
                ciphertext = ByteBuffer()
            }
        }
        fail(ChannelError.ioOnClosedChannel)
    }
}

/// A ciphertext buffer on its way back to the cipher thread, held by nothing else.
private final class Returning: @unchecked Sendable {
    private var buffer: ByteBuffer?
    init(_ buffer: ByteBuffer) { self.buffer = buffer }
    /// Called once, on the event loop.
    func give(to free: HandOff<ByteBuffer>) {
        guard let buffer = buffer.take() else { return }
        free.put(buffer)
    }
}
