/// A first-in first-out list with O(1) amortized append and removal at the front:
/// the shape of both message lists (3.1.1.2), which grow at one end and are
/// acknowledged from the other.
struct FIFO<Element: Sendable>: Sendable {
    private var storage: [Element] = []
    private var head = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { count == 0 }

    mutating func append(_ element: Element) { storage.append(element) }

    /// The element `offset` places from the oldest.
    subscript(offset: Int) -> Element {
        get { storage[head + offset] }
        set { storage[head + offset] = newValue }
    }

    /// Removes and returns the `n` oldest elements (`n` ≤ ``count``).
    mutating func removeFirst(_ n: Int) -> [Element] {
        let removed = Array(storage[head..<(head + n)])
        discardFirst(n)
        return removed
    }

    /// Removes the `n` oldest elements (`n` ≤ ``count``) without returning them.
    mutating func discardFirst(_ n: Int) {
        head += n
        if head > 64 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
    }

    var elements: [Element] { Array(storage[head...]) }
}
