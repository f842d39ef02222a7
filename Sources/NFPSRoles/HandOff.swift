import Foundation
import NIOCore

/// A first-in first-out hand-off between two stages of a transfer's pipeline: `put`
/// never blocks, `take` waits for an element (a thread, or a task without holding its
/// thread). Bounded by its use: each pipeline stage circulates a fixed set of buffers
/// through a pair of hand-offs (free and filled), so no more than that set is ever in
/// memory.
///
/// `close()` wakes every waiter; after it `take` returns nil and `put` drops its element,
/// so that a failing stage stops the others.
final class HandOff<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    /// Taken elements leave it (`popFirst`): nothing here keeps a reference to them.
    private var elements: CircularBuffer<Element>
    /// The task waiting in the async `take` (one consumer at a time).
    private var waiter: CheckedContinuation<Element?, Never>?
    private var closed = false

    init(_ elements: [Element] = []) {
        self.elements = CircularBuffer(elements)
    }

    func put(_ element: consuming Element) {
        condition.lock()
        guard !closed else { return condition.unlock() }
        if let waiter = waiter.take() {
            condition.unlock()
            return waiter.resume(returning: element)
        }
        elements.append(element)
        condition.signal()
        condition.unlock()
    }

    /// The oldest element, waiting for one; nil once closed.
    func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while elements.isEmpty, !closed { condition.wait() }
        guard !closed else { return nil }
        return elements.popFirst()
    }

    /// ``take()`` for a task: suspends instead of blocking its thread (Swift's
    /// cooperative pool has as many threads as cores).
    func take() async -> Element? {
        await withCheckedContinuation { continuation in
            condition.lock()
            if closed {
                condition.unlock()
                continuation.resume(returning: nil)
            } else if let element = elements.popFirst() {
                condition.unlock()
                continuation.resume(returning: element)
            } else {
                precondition(waiter == nil, "HandOff takes one waiting task at a time")
                waiter = continuation
                condition.unlock()
            }
        }
    }

    func close() {
        condition.lock()
        closed = true
        elements.removeAll()
        let waiter = waiter.take()
        condition.broadcast()
        condition.unlock()
        waiter?.resume(returning: nil)
    }
}
