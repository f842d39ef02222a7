import WFDCore
import WinteropTransport
import WinteropWire
import WinteropFormat

/// The projection events both MS-MICE roles report (DESIGN.md, Projection): the role's
/// `--json` contract for the WFD session.
public enum WFDEvent: RoleEvent {
    /// M4 fixed the formats.
    case negotiated(WFDStreamFormat)
    /// M7 done: RTP flows to (source) or from (sink) this port.
    case streamStarted(rtpPort: Int, encrypted: Bool)
    /// At most once a second while the stream runs.
    case streamStats(packets: Int, bytes: Int, lost: Int, reordered: Int)
    /// The final counts; `lost` and `reordered` only where they are known (the sink).
    case streamEnded(reason: String, packets: Int, bytes: Int, lost: Int? = nil, reordered: Int? = nil)
    /// M13 (WFD-NOTES 7.5): the sink sent it after loss, the source received it.
    case idrRequested
    /// M9 PAUSE done: the stream stops, the session stays.
    case streamPaused
    /// M7 PLAY after a pause: the stream flows again.
    case streamResumed

    public var name: String {
        switch self {
        case .negotiated: "wfd_negotiated"
        case .streamStarted: "stream_started"
        case .streamStats: "stream_stats"
        case .streamEnded: "stream_ended"
        case .idrRequested: "idr_requested"
        case .streamPaused: "stream_paused"
        case .streamResumed: "stream_resumed"
        }
    }

    public var fields: [(String, JSONValue)] {
        switch self {
        case .negotiated(let format):
            [("video", .string(format.videoText)), ("audio", .string(format.audioText)), ("rtpPort", format.rtpPort.map { .int(Int64($0)) } ?? .null)]
        case .streamStarted(let port, let encrypted):
            [("rtpPort", .int(Int64(port))), ("encrypted", .bool(encrypted))]
        case .streamStats(let packets, let bytes, let lost, let reordered):
            [("packets", .int(Int64(packets))), ("bytes", .int(Int64(bytes))), ("lost", .int(Int64(lost))), ("reordered", .int(Int64(reordered)))]
        case .streamEnded(let reason, let packets, let bytes, let lost, let reordered):
            [("reason", .string(reason)), ("packets", .int(Int64(packets))), ("bytes", .int(Int64(bytes)))]
                + (lost.map { [("lost", .int(Int64($0)))] } ?? []) + (reordered.map { [("reordered", .int(Int64($0)))] } ?? [])
        case .idrRequested, .streamPaused, .streamResumed:
            []
        }
    }

    public var text: String {
        switch self {
        case .negotiated(let format):
            "negotiated video \(format.videoText), audio \(format.audioText)" + (format.rtpPort.map { ", RTP port \($0)" } ?? "")
        case .streamStarted(let port, let encrypted):
            "stream started on RTP port \(port)\(encrypted ? " (DTLS)" : "")"
        case .streamStats(let packets, let bytes, let lost, let reordered):
            "stream: \(packets) packets, \(bytes) bytes, \(lost) lost, \(reordered) reordered"
        case .streamEnded(let reason, let packets, let bytes, let lost, let reordered):
            "stream ended (\(reason)) after \(packets) packets, \(bytes) bytes"
                + (lost.map { ", \($0) lost" } ?? "") + (reordered.map { ", \($0) reordered" } ?? "")
        case .idrRequested:
            "IDR picture requested (M13)"
        case .streamPaused:
            "stream paused (M9)"
        case .streamResumed:
            "stream resumed (M7)"
        }
    }
}
