import WinteropWire

/// Why a sink ends a 7250 connection; `code` is the `closed` event's reason.
public enum SinkCloseReason: Sendable, Hashable, CustomStringConvertible {
    /// The Session Establishment Timer expired (3.1.6).
    case sessionEstablishmentTimeout
    /// The Security Handshake Message Timer expired (3.1.6).
    case securityHandshakeTimeout
    /// A message the current state does not expect (3.1.5.5, 3.1.5.8).
    case unexpectedMessage(MICEMessageType, state: String)
    /// Bytes that are not a valid message (3.1.5.8).
    case malformedMessage(WireError)
    /// The DTLS engine refused the handshake or a record.
    case dtlsFailure(String)
    /// A PIN_CHALLENGE when none was expected: PIN_RESPONSE 0x02 and teardown (3.1.5.6).
    case unexpectedPINChallenge
    /// Too many wrong PINs on one connection.
    case tooManyWrongPINs(Int)
    /// The connect-back to the source's RTSP port failed (3.1.7.2).
    case rtspConnectionFailed(String)
    /// The RTSP connection was lost (3.1.7).
    case rtspConnectionLost
    /// The source sent STOP_PROJECTION (3.1.5.7).
    case stopProjectionReceived
    /// The higher layer asked to disconnect: STOP_PROJECTION was sent (3.1.4).
    case localDisconnect
    /// The source closed the TCP connection (3.1.7).
    case peerClosed
    /// A new connection replaced this one (3.1.5.2).
    case replaced
    /// SOURCE_READY from a source that did not pair by PIN, on a sink that shows PINs
    /// and does not allow unpaired sources (our default; MS-MICE permits them).
    case unpairedSource

    /// A stable identifier for events.
    public var code: String {
        switch self {
        case .sessionEstablishmentTimeout: return "session_establishment_timeout"
        case .securityHandshakeTimeout: return "security_handshake_timeout"
        case .unexpectedMessage: return "unexpected_message"
        case .malformedMessage: return "malformed_message"
        case .dtlsFailure: return "dtls_failure"
        case .unexpectedPINChallenge: return "unexpected_pin_challenge"
        case .tooManyWrongPINs: return "too_many_wrong_pins"
        case .rtspConnectionFailed: return "rtsp_connection_failed"
        case .rtspConnectionLost: return "rtsp_connection_lost"
        case .stopProjectionReceived: return "stop_projection"
        case .localDisconnect: return "local_disconnect"
        case .peerClosed: return "peer_closed"
        case .replaced: return "replaced"
        case .unpairedSource: return "unpaired_source"
        }
    }

    public var description: String {
        switch self {
        case .sessionEstablishmentTimeout: return "the Session Establishment Timer expired (MS-MICE 3.1.6)"
        case .securityHandshakeTimeout: return "no SECURITY_HANDSHAKE answer within 1 second (MS-MICE 3.1.6)"
        case .unexpectedMessage(let type, let state): return "\(type) is not expected in state \(state) (MS-MICE 3.1.5.8)"
        case .malformedMessage(let error): return "malformed message: \(error)"
        case .dtlsFailure(let detail): return "DTLS failed: \(detail)"
        case .unexpectedPINChallenge: return "PIN_CHALLENGE was not expected; answered 0x02 (MS-MICE 3.1.5.6)"
        case .tooManyWrongPINs(let count): return "\(count) wrong PINs on one connection"
        case .rtspConnectionFailed(let detail): return "could not connect back to the source's RTSP port: \(detail) (MS-MICE 3.1.7.2)"
        case .rtspConnectionLost: return "the RTSP connection to the source was lost (MS-MICE 3.1.7)"
        case .stopProjectionReceived: return "the source stopped the projection (MS-MICE 3.1.5.7)"
        case .localDisconnect: return "disconnected locally; STOP_PROJECTION sent (MS-MICE 3.1.4)"
        case .peerClosed: return "the source closed the connection (MS-MICE 3.1.7)"
        case .replaced: return "a new connection replaced this one (MS-MICE 3.1.5.2)"
        case .unpairedSource: return "SOURCE_READY without PIN pairing; this sink projects only paired sources (start it with --allow-unpaired to accept them)"
        }
    }
}
