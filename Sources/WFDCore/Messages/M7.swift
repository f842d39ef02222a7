/// M7 (WFD-NOTES 2): the sink's `PLAY <url>` with `Session`; after the 200 media flows.
public enum M7 {
    public static func request(cseq: Int, url: String, session: String) -> RTSPRequest {
        RTSPRequest(method: .play, uri: url, headers: ["CSeq": String(cseq), "Session": session])
    }

    public static func reply(cseq: Int, session: RTSPSessionHeader) -> RTSPResponse {
        RTSPResponse(status: RTSPStatus.ok, cseq: cseq, headers: ["Session": session.rendered, "Range": "npt=now-"])
    }
}
