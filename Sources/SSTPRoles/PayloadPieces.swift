import NIOCore

/// A message's payload as the Data commands brought it: slices of the bytes read, kept
/// without copying until they are written out (one copy fewer per byte on the listener).
struct PayloadPieces: Sendable {
    private(set) var pieces: [ByteBuffer] = []
    private(set) var readableBytes = 0

    init() {}

    init(_ piece: ByteBuffer) {
        append(piece)
    }

    /// Adds `piece` (an empty one is left out); returns the bytes held now.
    @discardableResult
    mutating func append(_ piece: ByteBuffer) -> Int {
        guard piece.readableBytes > 0 else { return readableBytes }
        pieces.append(piece)
        readableBytes += piece.readableBytes
        return readableBytes
    }

    /// The payload in one buffer (a copy only when there are several pieces).
    var joined: ByteBuffer {
        if pieces.count == 1 { return pieces[0] }
        var buffer = ByteBufferAllocator().buffer(capacity: readableBytes)
        for var piece in pieces { buffer.writeBuffer(&piece) }
        return buffer
    }
}
