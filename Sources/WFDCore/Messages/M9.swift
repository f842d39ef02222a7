/// M9 (WFD-NOTES 2): the sink's `PAUSE <url>` with `Session`; after the 200 the source stops
/// sending until M7 `PLAY` resumes it; a second PAUSE gets 406 (WDS `streaming_state.cpp`).
public enum M9 {
    public static func request(cseq: Int, url: String, session: String) -> RTSPRequest {
        RTSPRequest(method: .pause, uri: url, headers: ["CSeq": String(cseq), "Session": session])
    }

    public static func reply(cseq: Int, session: RTSPSessionHeader) -> RTSPResponse {
        RTSPResponse(status: RTSPStatus.ok, cseq: cseq, headers: ["Session": session.rendered])
    }
}
