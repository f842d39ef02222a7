/// Why a DTLS operation failed. Every failure of this module, including malformed input
/// from the network, is reported as a `DTLSError`; nothing here traps on input.
public struct DTLSError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is, so the MS-MICE layer can choose its reaction.
    public enum Kind: Sendable, Equatable {
        /// The bytes are not a sequence of whole, well-formed DTLS records (RFC 6347 4.1).
        case malformedRecord
        /// OpenSSL rejected the handshake (a fatal alert, received or sent); the endpoint is unusable.
        case handshakeFailed
        /// A handshake record arrived, or `start()` was called, after the handshake completed.
        /// MS-MICE 3.1.5.5: a SECURITY_HANDSHAKE after completion is ignored and the TCP
        /// connection torn down.
        case handshakeAlreadyComplete
        /// Application data was sealed, opened or received before the handshake completed.
        case handshakeNotComplete
        /// A record that OpenSSL discarded: it does not authenticate (tampered, or another
        /// epoch's keys) or it is a replay. DTLS drops such records silently (RFC 6347 4.1.2.7).
        case recordRejected
        /// A plaintext that does not fit one record (more than 16384 bytes) or is empty.
        case invalidPlaintextSize
        /// The peer closed the DTLS connection (close_notify), or `close()` was called.
        case closed
        /// A certificate or private key that cannot be generated, read or used.
        case certificate
        /// A configuration OpenSSL does not accept (SRTP profile list, MTU).
        case configuration
        /// The API was used out of order (for example `receiveHandshake` before a client's `start()`).
        case misuse
    }

    public var kind: Kind
    /// A sentence saying what failed, followed by OpenSSL's error queue when it had entries.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "DTLS: \(message)" }
}
