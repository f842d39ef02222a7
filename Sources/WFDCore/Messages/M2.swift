/// M2 (WFD-NOTES 2): the sink's `OPTIONS *`, and the source's reply with every method it
/// serves (Windows adds `Server: MSMiracastSource/<ver> guid/<uuid>`, MS-WFDPE 2.5.1.1).
public enum M2 {
    public static func request(cseq: Int) -> RTSPRequest {
        RTSPRequest(method: .options, uri: "*", headers: ["CSeq": String(cseq), "Require": WFD.optionTag])
    }

    public static func reply(cseq: Int, server: String? = nil) -> RTSPResponse {
        var headers: RTSPHeaders = ["Public": "\(WFD.optionTag), SETUP, TEARDOWN, PLAY, PAUSE, GET_PARAMETER, SET_PARAMETER"]
        if let server { headers.append("Server", server) }
        return RTSPResponse(status: RTSPStatus.ok, cseq: cseq, headers: headers)
    }
}
