import WinteropWire

/// Why a source ends its attempt or its session; `code` is the `closed` event's
/// reason. Every abandon path of 3.2.5–3.2.7 has its own case.
public enum SourceCloseReason: Sendable, Hashable, CustomStringConvertible {
    /// The sink does not support Miracast over Infrastructure, or its host name has a period (3.2.5.1, 2.2.8.2).
    case sinkUnusable(String)
    /// The Discovery timer expired before host name resolution completed (3.2.6).
    case discoveryTimeout
    /// Host name resolution found no address (3.2.5.3).
    case resolutionFailed(String)
    /// The TCP connection to port 7250 failed (3.2.5.4).
    case connectionFailed(String)
    /// The Control Channel Connection timer expired before the sink connected back (3.2.6).
    case controlChannelTimeout
    /// The Security Handshake Message Timer expired (3.2.6).
    case securityHandshakeTimeout
    /// The DTLS engine failed.
    case dtlsFailure(String)
    /// The sink's PIN_RESPONSE was not 0x00 (3.2.5.6).
    case pinRejected(PINResponseReason)
    /// The sink's PIN_RESPONSE hash did not match SHA-256(PIN ‖ sink IP) (3.2.5.6).
    case pinResponseHashMismatch
    /// No PIN could be obtained from the user.
    case pinUnavailable(String)
    /// An unknown or unexpected message (3.2.5.8).
    case unexpectedMessage(MICEMessageType, state: String)
    /// Bytes that are not a valid message (3.2.5.8).
    case malformedMessage(WireError)
    /// The 7250 connection closed before projection (3.2.7.1).
    case connectionLost
    /// The sink sent STOP_PROJECTION.
    case stopProjectionReceived
    /// The application disconnected: STOP_PROJECTION was sent (3.2.4.3).
    case localDisconnect
    /// The sink closed the 7250 connection during projection.
    case sinkClosed

    public var code: String {
        switch self {
        case .sinkUnusable: return "sink_unusable"
        case .discoveryTimeout: return "discovery_timeout"
        case .resolutionFailed: return "resolution_failed"
        case .connectionFailed: return "connection_failed"
        case .controlChannelTimeout: return "control_channel_timeout"
        case .securityHandshakeTimeout: return "security_handshake_timeout"
        case .dtlsFailure: return "dtls_failure"
        case .pinRejected(let reason): return reason == .wrongPIN ? "wrong_pin" : "pin_rejected"
        case .pinResponseHashMismatch: return "pin_response_hash_mismatch"
        case .pinUnavailable: return "pin_unavailable"
        case .unexpectedMessage: return "unexpected_message"
        case .malformedMessage: return "malformed_message"
        case .connectionLost: return "connection_lost"
        case .stopProjectionReceived: return "stop_projection"
        case .localDisconnect: return "local_disconnect"
        case .sinkClosed: return "sink_closed"
        }
    }

    /// Whether the attempt failed while securing the session (the DTLS handshake or its
    /// answer never came, or the sink hung up then): what a sink without PIN or DTLS
    /// support does to a source that assumed both.
    public var isSecurityPhaseFailure: Bool {
        switch self {
        case .securityHandshakeTimeout, .dtlsFailure, .connectionLost: return true
        default: return false
        }
    }

    /// Whether this ending is a failure (exit status 1) rather than a normal end of session.
    public var isFailure: Bool {
        switch self {
        case .localDisconnect, .stopProjectionReceived, .sinkClosed: return false
        default: return true
        }
    }

    public var description: String {
        switch self {
        case .sinkUnusable(let why): return "the sink cannot be used: \(why)"
        case .discoveryTimeout: return "host name resolution did not finish before the Discovery timer (MS-MICE 3.2.6)"
        case .resolutionFailed(let detail): return "host name resolution failed: \(detail) (MS-MICE 3.2.5.3)"
        case .connectionFailed(let detail): return "cannot connect to the sink: \(detail) (MS-MICE 3.2.5.4)"
        case .controlChannelTimeout: return "the sink did not connect back to the RTSP port before the Control Channel Connection timer (MS-MICE 3.2.6)"
        case .securityHandshakeTimeout: return "no answer from the sink within the Security Handshake Message Timer (MS-MICE 3.2.6)"
        case .dtlsFailure(let detail): return "DTLS failed: \(detail)"
        case .pinRejected(let reason): return "the sink answered the PIN challenge with \(reason) (MS-MICE 3.2.5.6)"
        case .pinResponseHashMismatch: return "the sink's PIN_RESPONSE hash does not match the PIN (MS-MICE 3.2.5.6)"
        case .pinUnavailable(let detail): return "no PIN: \(detail)"
        case .unexpectedMessage(let type, let state): return "\(type) is not expected in state \(state) (MS-MICE 3.2.5.8)"
        case .malformedMessage(let error): return "malformed message: \(error)"
        case .connectionLost: return "the sink closed the connection before projection (MS-MICE 3.2.7.1)"
        case .stopProjectionReceived: return "the sink stopped the projection"
        case .localDisconnect: return "disconnected; STOP_PROJECTION sent (MS-MICE 3.2.4.3)"
        case .sinkClosed: return "the sink closed the connection"
        }
    }
}
