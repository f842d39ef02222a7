import Crypto
import NIOCore
import WinteropWire

/// The share receiver's stream after the IV (3.3.5, 3.3.7.4): ciphertext blocks are
/// decrypted as they arrive, except the last 48 bytes, which may be the footer; only
/// on graceful close is it known that they are, decrypted and its Remainder kept.
///
/// Holds at most 48 + 15 ciphertext bytes beyond what it hands back.
public struct SharePackageDecryptor: Sendable {
    private var cipher: ShareCipher
    /// Ciphertext not yet decrypted: the last three blocks and any partial block.
    private var held = ByteBuffer()
    /// Package bytes produced so far.
    public private(set) var packageBytes: UInt64 = 0

    public init(key: SymmetricKey, iv: some Collection<UInt8>) throws {
        cipher = try ShareCipher(direction: .decrypt, key: key, iv: iv)
    }

    /// Takes ciphertext as it arrives and appends the package bytes it can already
    /// decrypt to `output`.
    public mutating func decrypt(_ ciphertext: ByteBuffer, into output: inout ByteBuffer) throws {
        var ciphertext = ciphertext
        let total = held.readableBytes + ciphertext.readableBytes
        let ready = max(0, total - ShareProtocolFooter.size)
        let blocks = ready - ready % NFPS.blockSize
        guard blocks > 0 else {
            held.writeBuffer(&ciphertext)
            return
        }
        let before = output.readableBytes
        // Held bytes first (fewer than a footer plus a block), then straight from the input.
        let fromHeld = min(held.readableBytes - held.readableBytes % NFPS.blockSize, blocks)
        if fromHeld > 0, let slice = held.readSlice(length: fromHeld) {
            try cipher.process(slice, into: &output)
        }
        var remaining = blocks - fromHeld
        if held.readableBytes > 0, remaining > 0 {
            // A partial block is held: complete it from the input.
            let fill = NFPS.blockSize - held.readableBytes
            if let piece = ciphertext.readSlice(length: fill) {
                var block = held
                block.writeImmutableBuffer(piece)
                held.clear()
                try cipher.process(block, into: &output)
                remaining -= NFPS.blockSize
            }
        }
        if remaining > 0, let slice = ciphertext.readSlice(length: remaining) {
            try cipher.process(slice, into: &output)
        }
        held.discardReadBytes()
        held.writeBuffer(&ciphertext)
        packageBytes += UInt64(output.readableBytes - before)
    }

    /// Graceful close (3.3.7.4): the held bytes must be exactly the footer's three
    /// blocks; appends its Remainder to `output`. Throws when the stream is not whole
    /// blocks plus a footer, or the footer is invalid (as a wrong SharedSecretKey makes it).
    public mutating func finish(into output: inout ByteBuffer) throws {
        let reference = NFPS.section("3.3.7.4")
        guard held.readableBytes == ShareProtocolFooter.size else {
            throw reference.error("the stream ended with \(held.readableBytes) bytes after its last full block; a Share Protocol footer is 48 bytes")
        }
        var plain = ByteBuffer()
        try cipher.process(held, into: &plain)
        held.clear()
        let footer = try ShareProtocolFooter.decode(bytes: plain.readableBytesView)
        output.writeBytes(footer.remainder)
        packageBytes += UInt64(footer.remainder.count)
    }
}
