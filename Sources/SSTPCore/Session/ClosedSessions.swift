extension SSTP {
    /// Inbound sessions this device closed itself (3.1.4.4, a fault, a limit): the peer may
    /// still have Message, Data and EndMessage for them on the wire, sent before our Close
    /// reached it, and those are dropped instead of counted as unknown-session commands
    /// (which would close the whole connection). Bounded: the oldest are forgotten first.
    struct ClosedSessions: Sendable {
        static let capacity = 256
        private var ids: Set<UInt32> = []
        private var order = FIFO<UInt32>()

        func contains(_ id: UInt32) -> Bool { ids.contains(id) }

        mutating func insert(_ id: UInt32) {
            guard ids.insert(id).inserted else { return }
            order.append(id)
            if order.count > Self.capacity, let oldest = order.removeFirst(1).first {
                ids.remove(oldest)
            }
        }

        /// The peer opened the SessionId again: it is a live session once more.
        mutating func remove(_ id: UInt32) {
            ids.remove(id)
        }
    }
}
