/// M16 (WFD-NOTES 2): the source's keep-alive, `GET_PARAMETER rtsp://localhost/wfd1.0`
/// with `Session` and an **empty body** (that is all that tells it from M3).
public enum M16 {
    public static func request(cseq: Int, session: String) -> RTSPRequest {
        RTSPRequest(method: .getParameter, uri: WFD.controlURI, headers: ["CSeq": String(cseq), "Session": session])
    }
}
