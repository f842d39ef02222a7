import WinteropWire

/// A message on the RTSP connection broke RFC 2326 or a limit of ``RTSPLimits``.
///
/// ``reaction`` says what the receiver does: when the message's extent was still known the
/// parser has skipped it and the stream goes on (a request gets the 4xx/5xx answer); when
/// framing is lost (no usable `Content-Length`, a header section beyond the limit) the only
/// safe answer is to close the connection, after the status if the peer can take one.
public struct RTSPDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reaction: Sendable, Hashable {
        /// The message was skipped; answer a request with this status and carry on.
        case respond(status: Int)
        /// Framing is lost: answer a request with this status, then close.
        case close(status: Int)

        public var status: Int {
            switch self {
            case .respond(let s), .close(let s): return s
            }
        }
    }

    public var error: WireError
    public var reaction: Reaction
    /// The message's CSeq, when it could be read (the answer must echo it).
    public var cseq: Int?
    /// Whether the bad message was a request (only requests can be answered).
    public var isRequest: Bool

    public init(_ error: WireError, reaction: Reaction, cseq: Int? = nil, isRequest: Bool) {
        self.error = error
        self.reaction = reaction
        self.cseq = cseq
        self.isRequest = isRequest
    }

    /// Whether the connection must close.
    public var closesConnection: Bool {
        if case .close = reaction { return true }
        return false
    }

    /// The answer to send, when there is one to send: a request with a readable CSeq
    /// (RFC 2326 12.17 needs it in the response).
    public var answer: RTSPResponse? {
        guard isRequest, let cseq else { return nil }
        return RTSPResponse(status: reaction.status, cseq: cseq)
    }

    public var description: String { error.description }
}
