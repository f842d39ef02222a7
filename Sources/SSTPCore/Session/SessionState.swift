extension SSTP {
    /// SessionState (3.1.1.3), kept by originator and receiver alike.
    public enum SessionState: String, Sendable, Hashable, CustomStringConvertible {
        case opening, suspended, ready, blocked
        public var description: String { rawValue }
    }

    /// MessageReceiver state of an inbound session (3.1.1.3, 3.1.5.10–3.1.5.12).
    public enum MessageReceiverState: String, Sendable, Hashable {
        /// Between message sequences: a Message may come.
        case waiting
        /// A Message came: Data must follow.
        case ready
        /// Data came: more Data or EndMessage.
        case buffering
    }

    /// ResourceHandlerAvailability (3.1.1.3, 3.1.4.5): the higher layer's readiness to take
    /// data for an inbound session's addressing entry.
    public enum ResourceHandlerAvailability: Sendable, Hashable {
        case ready
        case notReady
        /// Gone or refused; the Close sent carries the reason, one of NoReason,
        /// QuotaWouldBeExceeded or InternalError (3.1.4.5).
        case fault(Close.Reason)
    }

    /// Who opened a session.
    public enum SessionDirection: String, Sendable, Hashable {
        /// This device sent the Open or FanoutOpen (session originator).
        case outbound
        /// The peer did (session receiver).
        case inbound
    }

    /// A session this device originated.
    struct OutboundSession: Sendable {
        enum Addressing: Sendable {
            case single(AddressingEntry)
            /// OutboundFanoutAddressingList: entries in order, and which are still active (3.1.5.8).
            case fanout(resourceURL: String, entries: [FanoutOpen.Entry], active: [Bool])
        }
        var state: SessionState
        var addressing: Addressing
        /// A Message was sent and its EndMessage not yet.
        var inMessage = false
    }

    /// A session the peer originated.
    struct InboundSession: Sendable {
        var state: SessionState
        var addressingEntry: AddressingEntry
        var receiver: MessageReceiverState
        /// The Message of the sequence being received (receiver 'ready' or 'buffering').
        var currentMessage: Message?
        /// Payload bytes of that sequence so far (against ``SSTP/ConnectionConfiguration/maximumMessageSize``).
        var receivedBytes = 0
    }
}
