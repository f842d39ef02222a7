import NIOCore

/// A message's payload as the Data commands brought it: slices of the bytes read, kept
/// without copying until they are written out (one copy fewer per byte on the listener).
struct PayloadPieces: Sendable {
    private(set) var pieces: [ByteBuffer] = []
    private(set) var readableBytes = 0

    init() {}

    mutating func append(_ piece: ByteBuffer) {
        guard piece.readableBytes > 0 else { return }
        pieces.append(piece)
        readableBytes += piece.readableBytes
    }

    /// The payload in one buffer (a copy only when there are several pieces).
    var joined: ByteBuffer {
        if pieces.count == 1 { return pieces[0] }
        var buffer = ByteBufferAllocator().buffer(capacity: readableBytes)
        for var piece in pieces { buffer.writeBuffer(&piece) }
        return buffer
    }
}
