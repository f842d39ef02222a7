extension SSTP {
    /// The timers a connection runs. The Message Acknowledgment Timer is the spec's (3.1.2.1,
    /// 5 seconds); the others are the optional application timers of appendix note <11>,
    /// with the Groove products' values as defaults.
    public struct TimerConfiguration: Sendable, Hashable {
        /// Message Acknowledgment Timer (3.1.2.1): 5 s in the Groove products (<12>).
        public var messageAcknowledgment: Duration = .seconds(5)
        /// Connection Establishment Timer (<11>): from Connect sent to ConnectResponse; on
        /// expiry ConnectClose ResponseTimeout. Application-dependent; 3 minutes here, the
        /// Groove Server 2010 Transport Connection Timer. nil disables it.
        public var connectionEstablishment: Duration? = .seconds(180)
        /// Session Establishment Timer (<11>): from Open or FanoutOpen sent to OpenResponse;
        /// on expiry the session is closed. 3 minutes in Groove Server 2010.
        public var sessionEstablishment: Duration? = .seconds(180)
        /// Outbound Idle Timer (<11>): no command sent for this long sends a Noop. 10 minutes in Groove clients.
        public var outboundIdle: Duration? = .seconds(600)
        /// Inbound Idle Timer (<11>): no command received for this long sends a Noop. 10 minutes in Groove clients.
        public var inboundIdle: Duration? = .seconds(600)
        /// Connect timeout (issue 8, an application limit): a transport connection that is
        /// not 'established' this long after it came up is closed (ConnectClose
        /// ResponseTimeout), so silent connections cannot pile up. nil disables it.
        public var connectTimeout: Duration? = .seconds(30)
        /// Output stall timeout (issue 8, an application limit): a connection whose unsent
        /// output stays above the high-water mark this long (the peer does not read what
        /// it is sent) is closed with ConnectClose ResponseTimeout. nil disables it.
        public var outputStall: Duration? = .seconds(30)

        public init() {}
    }

    /// A timer the state machine asks its shell to start or cancel.
    public enum Timer: Sendable, Hashable {
        /// 3.1.2.1, one per connection.
        case messageAcknowledgment
        /// <11>, while 'connecting' on the initiating side.
        case connectionEstablishment
        /// <11>, while an outbound session is 'opening'.
        case sessionEstablishment(UInt32)
    }
}
