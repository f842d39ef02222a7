import NIOCore

/// The connection handler's pending output: commands are encoded one after another into
/// one buffer, which goes to the channel when it reaches ``writeSize`` or at the flush.
struct OutputCoalescer {
    /// Pending bytes at which the buffer is handed to the channel: large enough that a
    /// pass of small messages costs a few writes, small enough that 1 MiB messages still
    /// reach the socket (and its writability) as they are encoded.
    static let writeSize = 256 << 10

    private var buffer: ByteBuffer?

    var isFull: Bool { (buffer?.readableBytes ?? 0) >= Self.writeSize }

    mutating func append(allocator: ByteBufferAllocator, _ encode: (inout ByteBuffer) -> Void) {
        if buffer == nil { buffer = allocator.buffer(capacity: 16 << 10) }
        encode(&buffer!)
    }

    /// The pending bytes, if any; the coalescer is empty afterwards.
    mutating func take() -> ByteBuffer? {
        guard let pending = buffer, pending.readableBytes > 0 else { return nil }
        buffer = nil
        return pending
    }
}
