import Foundation

/// Bytes from a live source (a child process's pipe) handed from the thread that reads
/// them to the event loop that sends them, without blocking the loop: ``take()`` never
/// waits, ``put(_:)`` waits while `limit` bytes are held, so a source that runs ahead of
/// the stream's pace is held back by its pipe instead of filling memory.
public final class LiveStreamBuffer: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var held = 0
    private var ended = false
    private let limit: Int

    public init(limit: Int = 4 << 20) {
        self.limit = limit
    }

    /// Adds bytes; waits while the buffer is full. Returns at once after ``end()``.
    public func put(_ bytes: [UInt8]) {
        condition.lock()
        defer { condition.unlock() }
        while held >= limit && !ended { condition.wait() }
        guard !ended else { return }
        chunks.append(bytes)
        held += bytes.count
    }

    /// The source is done (or the reader gives up): what is held can still be taken.
    public func end() {
        condition.lock()
        ended = true
        condition.broadcast()
        condition.unlock()
    }

    /// Everything held now; empty when nothing is ready yet, nil once ended and drained.
    public func take() -> [UInt8]? {
        condition.lock()
        defer { condition.unlock() }
        if chunks.isEmpty { return ended ? nil : [] }
        let all = chunks.count == 1 ? chunks[0] : Array(chunks.joined())
        chunks.removeAll(keepingCapacity: true)
        held = 0
        condition.broadcast()
        return all
    }
}
