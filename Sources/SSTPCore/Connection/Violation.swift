extension SSTP {
    /// What the peer did wrong, and at which level the spec reacts: the whole connection
    /// (ConnectClose, 3.1.4.2) or one session (Close, 3.1.4.4), as swift-nio-http2 tells
    /// connection errors from stream errors.
    public enum Violation: Error, Sendable, Hashable, CustomStringConvertible {
        /// The connection ends with ConnectClose `reason`.
        case connection(ConnectClose.Reason, String)
        /// Only session `sessionId` ends, with Close `reason`; the connection goes on.
        case session(sessionId: UInt32, Close.Reason, String)

        public var description: String {
            switch self {
            case .connection(_, let text): text
            case .session(_, _, let text): text
            }
        }
    }
}
