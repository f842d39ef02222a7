extension SSTPRelay {
    /// The per-identity message quota of a relay (2.2.8.1 QuotaWouldBeExceeded, 2.2.9.1): how
    /// many messages and payload bytes may be stored for one IdentityURL's recipients at once.
    /// A sequence that would pass it is not stored: on a session opened with Open the resource
    /// handler faults with Close QuotaWouldBeExceeded (3.1.4.5); on a fanout session the entry
    /// faults with SessionStatus QuotaWouldBeExceeded (3.3.4.1.2) and the others go on.
    public struct IdentityQuota: Sendable, Hashable {
        /// Messages stored per identity; nil for no limit.
        public var messages: Int?
        /// Payload bytes stored per identity; nil for no limit.
        public var bytes: Int?

        public init(messages: Int? = nil, bytes: Int? = nil) {
            self.messages = messages
            self.bytes = bytes
        }

        /// What one identity has stored.
        public struct Usage: Sendable, Hashable {
            public var messages = 0
            public var bytes = 0

            mutating func add(_ size: Int) { messages += 1; bytes += size }
            mutating func remove(_ size: Int) { messages -= 1; bytes -= size }
        }

        /// Whether `copies` more messages of `size` bytes would pass the quota.
        public func wouldBeExceeded(by copies: Int, of size: Int, after usage: Usage) -> Bool {
            if let messages, usage.messages + copies > messages { return true }
            if let bytes, usage.bytes + copies * size > bytes { return true }
            return false
        }
    }
}
