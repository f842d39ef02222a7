import MICECore
import WinteropTransport
import WinteropWire
import WinteropFormat

/// Every event `winterop mice source` reports: the source's whole `--json` contract.
/// Its RTSP listener reports ``ListenerEvent/listening(service:host:port:)`` as
/// `mice-source-rtsp`.
public enum MICESourceEvent: RoleEvent {
    /// The sink's host name resolved (3.2.5.1).
    case resolved(host: String, addresses: [String])
    /// The 7250 connection is up (3.2.5.3).
    case connected(peer: String, local: String)
    /// SESSION_REQUEST sent (3.2.5.4).
    case sessionRequest(options: SecurityOptions)
    case dtlsComplete(MICEDTLSCompletion)
    /// PIN_RESPONSE received (3.2.5.6).
    case pinResult(accepted: Bool, reason: PINResponseReason)
    /// SOURCE_READY sent (3.2.5.4).
    case sourceReady(rtspPort: Int)
    /// The sink connected to the RTSP port (3.2.5.7).
    case rtspConnected(host: String, port: Int)
    /// STOP_PROJECTION received from the sink.
    case stopProjection
    /// The attempt or the session ended.
    case closed(SourceCloseReason)

    /// The secured attempt failed with assumed capabilities; the plain flow follows (`--fallback-plain`).
    case fallback(after: SourceCloseReason)
    /// A TLV the decoder skipped: unknown type, or not defined for the message (2.2.7).
    case tlvIgnored(message: MICEMessageType, MICEIgnoredTLV)

    public var name: String {
        switch self {
        case .tlvIgnored: "tlv_ignored"
        case .fallback: "fallback"
        case .resolved: "resolved"
        case .connected: "connected"
        case .sessionRequest: "session_request"
        case .dtlsComplete: "dtls_complete"
        case .pinResult: "pin_result"
        case .sourceReady: "source_ready"
        case .rtspConnected: "rtsp_connected"
        case .stopProjection: "stop_projection"
        case .closed: "closed"
        }
    }

    public var fields: [(String, JSONValue)] {
        switch self {
        case .fallback(let reason):
            [("after", .string(reason.code)), ("flow", .string("plain"))]
        case .tlvIgnored(let message, let tlv):
            tlv.fields(in: message)
        case .resolved(let host, let addresses):
            [("host", .string(host)), ("addresses", .array(addresses.map { .string($0) }))]
        case .connected(let peer, let local):
            [("peer", .string(peer)), ("local", .string(local))]
        case .sessionRequest(let options):
            [
                ("useDtlsStreamEncryption", .bool(options.contains(.useDTLSStreamEncryption))),
                ("sinkDisplaysPin", .bool(options.contains(.sinkDisplaysPIN))),
            ]
        case .dtlsComplete(let completion):
            completion.fields
        case .pinResult(let accepted, let reason):
            [("accepted", .bool(accepted)), ("reason", .string(reason.code))]
        case .sourceReady(let rtspPort):
            [("rtspPort", .int(Int64(rtspPort)))]
        case .rtspConnected(let host, let port):
            MICERTSPPeer.fields(host: host, port: port)
        case .stopProjection:
            [("by", .string("sink"))]
        case .closed(let reason):
            [("reason", .string(reason.code)), ("detail", .string(reason.description))]
        }
    }

    public var text: String {
        switch self {
        case .fallback(let reason):
            "the secured attempt failed (\(reason.code)); trying the plain flow (SOURCE_READY first), as --fallback-plain asks"
        case .tlvIgnored(let message, let tlv):
            tlv.text(in: message)
        case .resolved(let host, let addresses):
            "\(host) is \(addresses.joined(separator: ", "))"
        case .connected(let peer, _):
            "connected to the sink at \(peer)"
        case .sessionRequest:
            "sent SESSION_REQUEST (PIN entry)"
        case .dtlsComplete(let completion):
            completion.text
        case .pinResult(let accepted, let reason):
            accepted ? "the sink accepted the PIN" : "the sink refused the PIN: \(reason)"
        case .sourceReady(let rtspPort):
            "sent SOURCE_READY for RTSP port \(rtspPort)"
        case .rtspConnected(let host, let port):
            "the sink connected to the RTSP port from \(HostPort(host: host, port: port))"
        case .stopProjection:
            "the sink stopped the projection"
        case .closed(let reason):
            "closed: \(reason)"
        }
    }
}
