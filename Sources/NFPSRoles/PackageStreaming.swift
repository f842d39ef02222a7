import Crypto
import NFPSCore
import NIOCore
import WinteropWire

/// The package's bytes through the cipher with the socket writes overlapped: a chunk
/// is encrypted (and hashed, concurrently, unless `--no-sha256`) while the previous ones are being written
/// by the event loop; at most ``window`` chunks are in flight, so memory stays at a
/// few chunks whatever the package size.
enum PackageStreaming {
    /// Plaintext read and encrypted per step: large enough to amortise the per-step
    /// costs (a read, a task hop, a socket write), small enough to keep memory flat.
    static let chunkSize = 1 << 20
    /// Chunks written but not yet on the wire.
    static let window = 3

    /// Sends the IV, every complete block and the footer on `channel` (3.2.7.2),
    /// calling `blocksSent` between the blocks and the footer. Returns the package's
    /// size and SHA-256 (nil unless `computesSHA256`).
    static func send(
        _ reader: borrowing PackageFileReader, on channel: any Channel, key: SymmetricKey, computesSHA256: Bool,
        progress: TransferProgress, blocksSent: () -> Void
    ) async throws -> (bytes: UInt64, sha256: String?) {
        let iv = ShareCipher.randomIV()
        var encryptor = try SharePackageEncryptor(key: key, iv: iv)
        var hasher = computesSHA256 ? SHA256() : nil
        var inFlight: [(write: EventLoopFuture<Void>, buffer: ByteBuffer)] = []
        inFlight.append((channel.writeAndFlush(ByteBuffer(bytes: iv)), ByteBuffer()))
        let allocator = channel.allocator
        // Buffers come back once written and are refilled in place: no new storage (and
        // no fresh pages to fault in) per chunk.
        var spare: [ByteBuffer] = []
        var chunk = allocator.buffer(capacity: chunkSize)
        while true {
            try reader.read(into: &chunk, upTo: chunkSize)
            guard chunk.readableBytes > 0 else { break }
            var ciphertext = spare.popLast() ?? allocator.buffer(capacity: chunkSize + NFPS.blockSize)
            ciphertext.clear()
            if let state = hasher {
                let plain = chunk
                async let hashed = hashing(state, plain)
                try encryptor.encrypt(plain, into: &ciphertext)
                hasher = await hashed
            } else {
                try encryptor.encrypt(chunk, into: &ciphertext)
            }
            inFlight.append((channel.writeAndFlush(ciphertext), ciphertext))
            while inFlight.count > window {
                let (write, buffer) = inFlight.removeFirst()
                try await write.get()
                spare.append(buffer)
            }
            progress.update(encryptor.packageBytes)
        }
        blocksSent()
        var footer = allocator.buffer(capacity: ShareProtocolFooter.size)
        try encryptor.finish(into: &footer)
        inFlight.append((channel.writeAndFlush(footer), footer))
        for (write, _) in inFlight { try await write.get() }
        return (encryptor.packageBytes, hasher.map { hex($0.finalize()) })
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
