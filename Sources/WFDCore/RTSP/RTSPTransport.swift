import WinteropWire

/// The `Transport` header of SETUP and its reply (RFC 2326 12.39), as M6 uses it:
/// `RTP/AVP/UDP;unicast;client_port=p[-p+1]`, the reply adding `server_port=a[-b]`
/// (WFD-NOTES 2; Windows may give odd, non-consecutive server ports and `ssrc=`, 7.6).
public struct RTSPTransport: Sendable, Hashable {
    /// A port or a port pair (`a-b`, not necessarily consecutive).
    public struct Ports: Sendable, Hashable, CustomStringConvertible {
        public var rtp: UInt16
        public var rtcp: UInt16?
        public init(rtp: UInt16, rtcp: UInt16? = nil) {
            self.rtp = rtp
            self.rtcp = rtcp
        }
        public var description: String { rtcp.map { "\(rtp)-\($0)" } ?? "\(rtp)" }
    }

    /// `RTP/AVP/UDP` (RTP/AVP means UDP too).
    public var profile: String
    /// `unicast` in WFD.
    public var castMode: String?
    public var clientPort: Ports?
    public var serverPort: Ports?
    /// Every other parameter (`ssrc=`, `mode=`…), kept in order.
    public var otherParameters: [String]

    public init(profile: String = "RTP/AVP/UDP", castMode: String? = "unicast", clientPort: Ports?, serverPort: Ports? = nil, otherParameters: [String] = []) {
        self.profile = profile
        self.castMode = castMode
        self.clientPort = clientPort
        self.serverPort = serverPort
        self.otherParameters = otherParameters
    }

    public static func parse(_ value: String) throws(WireError) -> RTSPTransport {
        let reference = WFD.rtsp("12.39")
        // Only the first transport of a list is considered (WFD offers one).
        let first = value.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)[0]
        var parts = first.split(separator: ";", omittingEmptySubsequences: false).map { $0.rtspTrimmed }
        let profile = parts.removeFirst()
        guard profile.hasPrefix("RTP/AVP") else {
            throw reference.error("transport \"\(profile)\" is not RTP/AVP")
        }
        var transport = RTSPTransport(profile: profile, castMode: nil, clientPort: nil)
        for part in parts {
            if part == "unicast" || part == "multicast" {
                transport.castMode = part
            } else if part.hasPrefix("client_port=") {
                transport.clientPort = try ports(part.dropFirst(12), reference)
            } else if part.hasPrefix("server_port=") {
                transport.serverPort = try ports(part.dropFirst(12), reference)
            } else {
                transport.otherParameters.append(part)
            }
        }
        return transport
    }

    static func ports(_ text: Substring, _ reference: SpecReference) throws(WireError) -> Ports {
        let pair = text.split(separator: "-", omittingEmptySubsequences: false)
        guard pair.count <= 2 else { throw reference.error("port range \"\(text)\" is not p or p-q") }
        let rtp: UInt16 = try ParameterScanner.decimal(pair[0], field: "port", reference: reference)
        let rtcp: UInt16? = pair.count == 2 ? try ParameterScanner.decimal(pair[1], field: "port", reference: reference) : nil
        return Ports(rtp: rtp, rtcp: rtcp)
    }

    public var rendered: String {
        var parts = [profile]
        if let castMode { parts.append(castMode) }
        if let clientPort { parts.append("client_port=\(clientPort)") }
        if let serverPort { parts.append("server_port=\(serverPort)") }
        parts += otherParameters
        return parts.joined(separator: ";")
    }
}

/// The `Session` header (RFC 2326 12.37): `id[;timeout=seconds]`.
public struct RTSPSessionHeader: Sendable, Hashable {
    public var id: String
    public var timeoutSeconds: Int?

    public init(id: String, timeoutSeconds: Int? = nil) {
        self.id = id
        self.timeoutSeconds = timeoutSeconds
    }

    public static func parse(_ value: String) throws(WireError) -> RTSPSessionHeader {
        let reference = WFD.rtsp("12.37")
        let parts = value.split(separator: ";", omittingEmptySubsequences: false).map { $0.rtspTrimmed }
        guard let id = parts.first, !id.isEmpty, !id.contains(" ") else {
            throw reference.error("session identifier \"\(value)\" is empty")
        }
        var header = RTSPSessionHeader(id: id)
        for part in parts.dropFirst() where part.lowercased().hasPrefix("timeout=") {
            let seconds: UInt32 = try ParameterScanner.decimal(part.dropFirst(8), field: "timeout", reference: reference)
            guard seconds > 0 else { throw reference.error("timeout=0") }
            header.timeoutSeconds = Int(seconds)
        }
        return header
    }

    public var rendered: String {
        timeoutSeconds.map { "\(id);timeout=\($0)" } ?? id
    }
}
