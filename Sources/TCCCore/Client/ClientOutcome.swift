import WinteropWire

/// How a client's one request ended (3.1): what it tells the higher layer.
public enum ClientOutcome: Sendable, Hashable {
    /// BringUpSuccessResponse (3.1.5.1), or a BringUpSuccessResponseUnpaired that
    /// verified and decrypted (3.1.5.2, `unpaired`).
    case settings(BringUpSuccessResponse, unpaired: Bool)
    /// BringUpFailureResponse (3.1.5.3).
    case failure(BringUpFailureResponse)
    /// A BringUpStartRequest or ProtocolErrorResponse came from the server (3.1.5.4).
    case protocolFailure(MessageId, ProtocolErrorResponse?)
    /// A message that cannot be parsed (3.1.5.5).
    case protocolError(WireError)
    /// A BringUpSuccessResponseUnpaired that could not be verified or decrypted (3.1.5.2).
    case securityFailure(String)
    /// MessageTimer expired (3.1.6).
    case timedOut
    /// The transport channel went away (3.1.7.1).
    case transportFailure
    /// The higher layer cancelled (3.1.4.1).
    case cancelled

    /// Whether the request got the settings.
    public var succeeded: Bool {
        if case .settings = self { return true }
        return false
    }
}
