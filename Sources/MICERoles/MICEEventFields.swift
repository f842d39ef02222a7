import MICECore
import WinteropFormat
import WinteropTransport

// The fields and lines the sink's and the source's events share (MICESinkEvents.swift,
// MICESourceEvents.swift): one rendering, so the two `--json` contracts cannot drift.

extension MICEDTLSCompletion {
    /// The `dtls_complete` fields both roles report.
    var fields: [(String, JSONValue)] {
        [("protocol", .string(protocolVersion)), ("cipher", .string(cipher))]
            + (srtpProfile.map { [("srtpProfile", .string($0))] } ?? [])
    }

    var text: String { "DTLS handshake complete: \(protocolVersion) \(cipher)" }
}

extension MICEIgnoredTLV {
    /// The `tlv_ignored` fields both roles report (2.2.7).
    func fields(in message: MICEMessageType) -> [(String, JSONValue)] {
        [("message", .string(message.description)), ("type", .int(Int64(type))), ("length", .int(Int64(length))), ("reason", .string(reason.rawValue))]
    }

    func text(in message: MICEMessageType) -> String {
        "skipped TLV type \(type) (\(length) bytes) in \(message): \(reason == .unknownType ? "unknown type" : "not defined for this message")"
    }
}

/// The other end of the RTSP connection (3.1.7, 3.2.5.7), as both `rtsp_connected` events report it.
enum MICERTSPPeer {
    static func fields(host: String, port: Int) -> [(String, JSONValue)] {
        [("peer", .string(HostPort(host: host, port: port).description)), ("host", .string(host)), ("port", .int(Int64(port)))]
    }
}
