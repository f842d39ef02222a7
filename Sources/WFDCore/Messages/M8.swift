/// M8 (WFD-NOTES 2): the sink's `TEARDOWN <url>` with `Session`; the 200 ends the session.
public enum M8 {
    public static func request(cseq: Int, url: String, session: String, body: WFDParameterList? = nil) -> RTSPRequest {
        var headers: RTSPHeaders = ["CSeq": String(cseq), "Session": session]
        if body != nil { headers.append("Content-Type", "text/parameters") }
        return RTSPRequest(method: .teardown, uri: url, headers: headers, body: body?.body ?? [])
    }

    public static func reply(cseq: Int, session: String) -> RTSPResponse {
        RTSPResponse(status: RTSPStatus.ok, cseq: cseq, headers: ["Session": session, "Connection": "close"])
    }
}
