import Foundation
import NIOCore

/// A first-in first-out hand-off between two threads of a transfer's pipeline: `put`
/// never blocks, `take` waits for an element. Bounded by its use: each pipeline stage
/// circulates a fixed set of buffers through a pair of hand-offs (free and filled), so
/// no more than that set is ever in memory.
///
/// `close()` wakes every waiter; after it `take` returns nil and `put` drops its element,
/// so that a failing stage stops the others.
final class HandOff<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    /// Taken elements leave it (`popFirst`): nothing here keeps a reference to them.
    private var elements: CircularBuffer<Element>
    private var closed = false

    init(_ elements: [Element] = []) {
        self.elements = CircularBuffer(elements)
    }

    func put(_ element: consuming Element) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        elements.append(element)
        condition.signal()
    }

    /// The oldest element, waiting for one; nil once closed.
    func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while elements.isEmpty, !closed { condition.wait() }
        guard !closed else { return nil }
        return elements.popFirst()
    }

    func close() {
        condition.lock()
        closed = true
        elements.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
