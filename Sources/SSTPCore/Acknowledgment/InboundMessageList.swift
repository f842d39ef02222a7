extension SSTP {
    /// InboundMessageList (3.1.1.2): message sequences received on the connection, oldest
    /// first, each 'processing' until its resource handler completes it (3.1.4.7). The
    /// MessageCount a device sends is the run of 'complete' entries at the old end, which
    /// are then removed (3.1.4.2.1).
    public struct InboundMessageList: Sendable {
        /// The processing disposition of an entry.
        public enum Disposition: Sendable, Hashable { case processing, complete }

        /// One received message sequence and the metadata 3.1.1.2 keeps with it.
        public struct Entry: Sendable, Hashable {
            /// Position on this connection, counting from 1: the handle the resource handler completes.
            public var sequence: UInt64
            public var sessionId: UInt32
            /// The Message command that began the sequence (flags, Ephemeral, StreamSize, Fragmentation).
            public var message: Message
            public var disposition: Disposition

            public init(sequence: UInt64, sessionId: UInt32, message: Message, disposition: Disposition) {
                self.sequence = sequence
                self.sessionId = sessionId
                self.message = message
                self.disposition = disposition
            }
        }

        private var entries = FIFO<Entry>()
        private var nextSequence: UInt64 = 1
        /// Length of the run of 'complete' entries at the old end, kept as entries complete
        /// (so completing is O(1) amortised, not a walk of the whole run).
        public private(set) var completedRunLength = 0
        /// Whether that run holds a sequence sent with AcknowledgeImmediately (<15>).
        public private(set) var completedRunAcknowledgesImmediately = false

        public init() {}

        public var count: Int { entries.count }
        public var all: [Entry] { entries.elements }

        /// Adds a sequence as the most recently received, 'processing' (3.1.5.12).
        public mutating func append(sessionId: UInt32, message: Message) -> Entry {
            let entry = Entry(sequence: nextSequence, sessionId: sessionId, message: message, disposition: .processing)
            nextSequence += 1
            entries.append(entry)
            return entry
        }

        /// Marks an entry 'complete' (3.1.4.7). False when no 'processing' entry has that sequence.
        public mutating func complete(sequence: UInt64) -> Bool {
            guard let first = entries.isEmpty ? nil : entries[0].sequence, sequence >= first else { return false }
            let offset = Int(sequence - first)
            guard offset < entries.count, entries[offset].disposition == .processing else { return false }
            entries[offset].disposition = .complete
            // 3.1.4.7's set: the entries older than the first one not 'complete'.
            while completedRunLength < entries.count, entries[completedRunLength].disposition == .complete {
                if entries[completedRunLength].message.acknowledgeImmediately { completedRunAcknowledgesImmediately = true }
                completedRunLength += 1
            }
            return true
        }

        /// Counts the oldest run of 'complete' entries and removes it: the MessageCount to send (3.1.4.2.1).
        public mutating func takeAcknowledgmentCount() -> UInt32 {
            let taken = min(completedRunLength, Int(UInt32.max))
            entries.discardFirst(taken)
            completedRunLength -= taken
            completedRunAcknowledgesImmediately = false
            if completedRunLength > 0 {
                for offset in 0..<completedRunLength where entries[offset].message.acknowledgeImmediately {
                    completedRunAcknowledgesImmediately = true
                }
            }
            return UInt32(taken)
        }
    }
}
