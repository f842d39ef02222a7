import MICECore
import WinteropTransport
import WinteropWire
import WinteropFormat

/// Every event `winterop mice sink` (and the `mice-sink` role of `serve`) reports: the
/// sink's whole `--json` contract. `listening` and `stopped` are ``ListenerEvent``s.
public enum MICESinkEvent: RoleEvent {
    /// A source connected to 7250.
    case connected(peer: String)
    /// A connection was refused because a source is already connected (3.1.5.2).
    case rejected(peer: String, reason: String)
    /// SESSION_REQUEST received (3.1.5.3).
    case sessionRequest(SessionRequestMessage)
    /// The PIN a source must enter (3.1.5.4).
    case pinDisplayed(pin: String)
    case dtlsComplete(MICEDTLSCompletion)
    /// PIN_CHALLENGE checked (3.1.5.6).
    case pinResult(accepted: Bool, wrongAttempts: Int)
    /// SOURCE_READY received (3.1.5.1).
    case sourceReady(SourceReadyMessage)
    /// The sink connected back to the source's RTSP port (3.1.7).
    case rtspConnected(host: String, port: Int)
    /// STOP_PROJECTION received (3.1.5.7).
    case stopProjection(sourceID: SourceID)
    /// The connection from `peer` ended.
    case closed(peer: String, reason: SinkCloseReason)
    /// The mDNS registration is announced (3.1.3).
    case advertised(name: String)
    case advertiseRenamed(from: String, to: String)
    case advertiseFailed(detail: String)
    /// Wi-Fi Direct discovery through wpa_supplicant (3.1.3, `--wpa-ctrl`).
    case wifiDirect(MICEWiFiDirectEvent)

    /// A PIN_CHALLENGE waits for the guessing limits (per-address backoff or global rate).
    case pinThrottled(peer: String, waitMilliseconds: Int, limit: PINAttemptLimiter.Limit)
    /// RTP datagrams dropped because they were not DTLS records of the session (3.1.7.1).
    case streamUndecryptable(count: Int)
    /// A TLV the decoder skipped: unknown type, or not defined for the message (2.2.7).
    case tlvIgnored(message: MICEMessageType, MICEIgnoredTLV)

    public var name: String {
        switch self {
        case .streamUndecryptable: "stream_undecryptable"
        case .tlvIgnored: "tlv_ignored"
        case .pinThrottled: "pin_throttled"
        case .connected: "connected"
        case .rejected: "rejected"
        case .sessionRequest: "session_request"
        case .pinDisplayed: "pin_displayed"
        case .dtlsComplete: "dtls_complete"
        case .pinResult: "pin_result"
        case .sourceReady: "source_ready"
        case .rtspConnected: "rtsp_connected"
        case .stopProjection: "stop_projection"
        case .closed: "closed"
        case .advertised: "advertised"
        case .advertiseRenamed: "advertise_renamed"
        case .advertiseFailed: "advertise_failed"
        case .wifiDirect(let event): event.name
        }
    }

    public var fields: [(String, JSONValue)] {
        switch self {
        case .pinThrottled(let peer, let wait, let limit):
            [("peer", .string(peer)), ("waitMs", .int(Int64(wait))), ("limit", .string(limit.rawValue))]
        case .streamUndecryptable(let count):
            [("count", .int(Int64(count)))]
        case .tlvIgnored(let message, let tlv):
            tlv.fields(in: message)
        case .connected(let peer):
            [("peer", .string(peer))]
        case .rejected(let peer, let reason):
            [("peer", .string(peer)), ("reason", .string(reason))]
        case .sessionRequest(let request):
            [
                ("friendlyName", .string(request.friendlyName)),
                ("sourceId", .hex(request.sourceID.bytes)),
                ("useDtlsStreamEncryption", .bool(request.securityOptions.contains(.useDTLSStreamEncryption))),
                ("sinkDisplaysPin", .bool(request.securityOptions.contains(.sinkDisplaysPIN))),
            ]
        case .pinDisplayed(let pin):
            [("pin", .string(pin))]
        case .dtlsComplete(let completion):
            completion.fields
        case .pinResult(let accepted, let wrongAttempts):
            [("accepted", .bool(accepted)), ("reason", .string((accepted ? PINResponseReason.pinAccepted : .wrongPIN).code)),
             ("wrongAttempts", .int(Int64(wrongAttempts)))]
        case .sourceReady(let ready):
            [("rtspPort", .int(Int64(ready.rtspPort))), ("sourceId", .hex(ready.sourceID.bytes))]
                + (ready.friendlyName.map { [("friendlyName", .string($0))] } ?? [])
        case .rtspConnected(let host, let port):
            MICERTSPPeer.fields(host: host, port: port)
        case .stopProjection(let sourceID):
            [("sourceId", .hex(sourceID.bytes))]
        case .closed(_, let reason):
            [("reason", .string(reason.code)), ("detail", .string(reason.description))]
        case .advertised(let name):
            [("name", .string(name))]
        case .advertiseRenamed(let from, let to):
            [("from", .string(from)), ("to", .string(to))]
        case .advertiseFailed(let detail):
            [("detail", .string(detail))]
        case .wifiDirect(let event):
            event.fields
        }
    }

    public var text: String {
        switch self {
        case .pinThrottled(let peer, let wait, let limit):
            "PIN attempt from \(peer) held \(wait) ms (\(limit == .address ? "too many wrong PINs from that address" : "PIN attempts limited for everyone"))"
        case .streamUndecryptable(let count):
            "dropped \(count) RTP datagrams that were not DTLS records of this session"
        case .tlvIgnored(let message, let tlv):
            tlv.text(in: message)
        case .connected(let peer):
            "source connected from \(peer)"
        case .rejected(let peer, _):
            "refused a second connection from \(peer): a source is already connected (MS-MICE 3.1.5.2)"
        case .sessionRequest(let request):
            "session request from \"\(request.friendlyName)\" (encryption: \(request.securityOptions.contains(.useDTLSStreamEncryption)), PIN: \(request.securityOptions.contains(.sinkDisplaysPIN)))"
        case .pinDisplayed(let pin):
            "PIN: \(pin)"
        case .dtlsComplete(let completion):
            completion.text
        case .pinResult(let accepted, let wrongAttempts):
            accepted ? "PIN accepted" : "wrong PIN (\(wrongAttempts) so far)"
        case .sourceReady(let ready):
            "source ready on RTSP port \(ready.rtspPort)"
        case .rtspConnected(let host, let port):
            "connected back to the source's RTSP port \(HostPort(host: host, port: port))"
        case .stopProjection:
            "the source stopped the projection"
        case .closed(let peer, let reason):
            "connection from \(peer) closed: \(reason)"
        case .advertised(let name):
            "advertised \(name) over mDNS"
        case .advertiseRenamed(let from, let to):
            "mDNS name conflict: \(from) is now \(to)"
        case .advertiseFailed(let detail):
            "mDNS advertising failed: \(detail)"
        case .wifiDirect(let event):
            event.text
        }
    }
}
