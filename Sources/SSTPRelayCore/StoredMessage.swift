import NIOCore
import SSTPCore

extension SSTPRelay {
    /// A message sequence held for one recipient (1.3.5.2.1) until the recipient device
    /// acknowledges it (MessageCount, 3.1.5.19), or a delivery timer discards it (3.3.6).
    public struct StoredMessage: Sendable, Hashable {
        /// Store key; increasing in receive order, so per recipient it is the delivery order.
        public var id: Int64
        public var recipient: Recipient
        /// The Message command that began the sequence: its flags and fields are delivered
        /// as received (SessionId and MessageCount are the delivery session's own).
        public var message: SSTP.Message
        public var payload: [UInt8]
        /// When the Offline Device Delivery Data TTL or Ephemeral timer (3.3.2) discards it.
        public var expiry: NIODeadline?

        public init(id: Int64, recipient: Recipient, message: SSTP.Message, payload: [UInt8], expiry: NIODeadline? = nil) {
            self.id = id
            self.recipient = recipient
            self.message = message
            self.payload = payload
            self.expiry = expiry
        }

        /// The options of the delivered Message: those of the received one (1.3.5.2.1).
        public var deliveryOptions: SSTP.MessageOptions { message.relayedOptions }
    }
}

extension SSTP.Message {
    /// The A, G, D, E, S and F fields of a received Message, for the Message that carries
    /// the sequence on (a delivery, 1.3.5.2.1, or a single-hop forward, 3.3.5.12.1.2).
    public var relayedOptions: SSTP.MessageOptions {
        SSTP.MessageOptions(
            track: track, acknowledgeImmediately: acknowledgeImmediately, doNotDeliverIfOffline: doNotDeliverIfOffline,
            userRef: userRef, ephemeral: ephemeral, streamSize: streamSize, fragmentation: fragmentation
        )
    }
}
