import Crypto
import NIOCore

/// The share sender's stream after the Reply header (3.2.7.2): every complete block of
/// the package encrypted and sent, then the Share Protocol footer holding the 0–15
/// bytes left over, encrypted as three more blocks of the same chain.
///
/// Feed the package in chunks of any size; only a partial block (< 16 bytes) is held
/// between calls, so memory stays constant whatever the package size.
public struct SharePackageEncryptor: Sendable {
    private var cipher: ShareCipher
    /// Package bytes that do not yet fill a block.
    private var partial: [UInt8] = []
    /// Package bytes taken so far.
    public private(set) var packageBytes: UInt64 = 0

    public init(key: SymmetricKey, iv: some Collection<UInt8>) throws {
        cipher = try ShareCipher(direction: .encrypt, key: key, iv: iv)
    }

    /// Encrypts the complete blocks `chunk` makes (with any bytes held from before) and
    /// appends their ciphertext to `output`.
    public mutating func encrypt(_ chunk: ByteBuffer, into output: inout ByteBuffer) throws {
        try chunk.withUnsafeReadableBytes { try encrypt($0, into: &output) }
    }

    /// ``encrypt(_:into:)`` over raw bytes (a read-ahead buffer), encrypted in place
    /// into `output` with no intermediate copy.
    public mutating func encrypt(_ bytes: UnsafeRawBufferPointer, into output: inout ByteBuffer) throws {
        var rest = bytes[...]
        packageBytes += UInt64(bytes.count)
        if !partial.isEmpty {
            let take = min(NFPS.blockSize - partial.count, rest.count)
            partial += rest.prefix(take)
            rest = rest.dropFirst(take)
            guard partial.count == NFPS.blockSize else { return }
            try partial.withUnsafeBytes { try cipher.process($0, into: &output) }
            partial.removeAll(keepingCapacity: true)
        }
        let whole = rest.count - rest.count % NFPS.blockSize
        if whole > 0 {
            try cipher.process(UnsafeRawBufferPointer(rebasing: rest.prefix(whole)), into: &output)
        }
        partial += rest.dropFirst(whole)
    }

    /// ``encrypt(_:into:)`` in place: `buffer`'s readable bytes become the ciphertext of
    /// the complete blocks they make (with any bytes held from before); bytes that do not
    /// fill a block leave it and are held. No copy unless bytes were held.
    public mutating func encrypt(inPlace buffer: inout ByteBuffer) throws {
        guard partial.isEmpty else {
            // Bytes held from before shift the block boundaries: not in place.
            var output = ByteBuffer()
            try encrypt(buffer, into: &output)
            buffer = output
            return
        }
        let count = buffer.readableBytes
        let whole = count - count % NFPS.blockSize
        packageBytes += UInt64(count)
        if let tail = buffer.getBytes(at: buffer.readerIndex + whole, length: count - whole) {
            partial = tail
        }
        buffer.moveWriterIndex(to: buffer.readerIndex + whole)
        try buffer.withUnsafeMutableReadableBytes { try cipher.process(inPlace: $0) }
    }

    /// The end of the package: appends the encrypted footer (48 bytes) (3.2.7.2).
    public mutating func finish(into output: inout ByteBuffer) throws {
        // `partial` is below a block, so the footer always exists.
        guard let footer = ShareProtocolFooter(remainder: partial) else { return }
        partial.removeAll()
        try footer.bytes.withUnsafeBytes { try cipher.process($0, into: &output) }
    }
}
