/// M6 (WFD-NOTES 2): the sink's `SETUP <presentation URL>` with its RTP port in
/// `Transport`; the source's reply carries `Session: <id>;timeout=<s>` and `server_port`.
public enum M6 {
    public static func request(cseq: Int, url: String, clientPort: RTSPTransport.Ports) -> RTSPRequest {
        RTSPRequest(method: .setup, uri: url, headers: ["CSeq": String(cseq), "Transport": RTSPTransport(clientPort: clientPort).rendered])
    }

    public static func reply(cseq: Int, session: RTSPSessionHeader, transport: RTSPTransport) -> RTSPResponse {
        RTSPResponse(status: RTSPStatus.ok, cseq: cseq, headers: ["Session": session.rendered, "Transport": transport.rendered])
    }
}
