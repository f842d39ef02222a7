/// M1 (WFD-NOTES 2): the source's `OPTIONS *` with `Require: org.wfa.wfd1.0`, and the
/// sink's reply listing only what a sink serves (a longer `Public` made a source leave, 7.2).
public enum M1 {
    public static func request(cseq: Int) -> RTSPRequest {
        RTSPRequest(method: .options, uri: "*", headers: ["CSeq": String(cseq), "Require": WFD.optionTag])
    }

    public static func reply(cseq: Int) -> RTSPResponse {
        RTSPResponse(status: RTSPStatus.ok, cseq: cseq, headers: ["Public": "\(WFD.optionTag), GET_PARAMETER, SET_PARAMETER"])
    }
}
