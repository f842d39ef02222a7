extension SSTP {
    /// OutboundMessageList (3.1.1.2): message sequences sent on the connection, oldest first,
    /// until a MessageCount acknowledges them (3.1.5.19). What is left when the transport
    /// goes is not delivered (3.1.7.1).
    public struct OutboundMessageList: Sendable {
        /// One sent message sequence.
        public struct Entry: Sendable, Hashable {
            /// Position on this connection, counting from 1.
            public var sequence: UInt64
            public var sessionId: UInt32
            /// The higher layer's handle for the data (a file, a queue row).
            public var reference: UInt64

            public init(sequence: UInt64, sessionId: UInt32, reference: UInt64) {
                self.sequence = sequence
                self.sessionId = sessionId
                self.reference = reference
            }
        }

        private var entries = FIFO<Entry>()
        private var nextSequence: UInt64 = 1

        public init() {}

        public var count: Int { entries.count }
        public var all: [Entry] { entries.elements }

        /// Adds a sequence as the most recently sent (3.1.4.6, on EndMessage).
        public mutating func append(sessionId: UInt32, reference: UInt64) -> Entry {
            let entry = Entry(sequence: nextSequence, sessionId: sessionId, reference: reference)
            nextSequence += 1
            entries.append(entry)
            return entry
        }

        /// Removes the `count` oldest entries (3.1.5.19); nil when fewer were outstanding.
        public mutating func acknowledge(_ count: UInt32) -> [Entry]? {
            guard Int(count) <= entries.count else { return nil }
            return entries.removeFirst(Int(count))
        }

        /// Removes everything: what transport loss leaves undelivered (3.1.7.1).
        public mutating func removeAll() -> [Entry] {
            entries.removeFirst(entries.count)
        }
    }
}
