/// M4 (WFD-NOTES 2): the source's `SET_PARAMETER` with the chosen formats,
/// `wfd_presentation_URL` and `wfd_client_rtp_ports`.
public enum M4 {
    public static func request(cseq: Int, parameters: [WFDParameter]) -> RTSPRequest {
        RTSPRequest(method: .setParameter, uri: WFD.controlURI, headers: ["CSeq": String(cseq), "Content-Type": "text/parameters"],
                    body: WFDParameterList(parameters).body)
    }
}
