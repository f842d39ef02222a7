/// M3 (WFD-NOTES 2): the source's `GET_PARAMETER` naming the parameters it wants, one a
/// line; the sink answers every name (`none` for what it lacks, 3).
public enum M3 {
    public static func request(cseq: Int, names: [String]) -> RTSPRequest {
        RTSPRequest(method: .getParameter, uri: WFD.controlURI, headers: ["CSeq": String(cseq), "Content-Type": "text/parameters"],
                    body: WFDParameterList(names: names).body)
    }

    public static func reply(cseq: Int, parameters: WFDParameterList) -> RTSPResponse {
        RTSPResponse(status: RTSPStatus.ok, cseq: cseq, headers: ["Content-Type": "text/parameters"], body: parameters.body)
    }

    /// What a source asks when nothing else is configured: the R1 names it uses, plus the
    /// Windows extensions a sink may support (WFD-NOTES 3 "What Windows asks").
    public static let defaultNames = [
        "wfd_video_formats", "wfd_audio_codecs", "wfd_client_rtp_ports", "wfd_display_edid",
        "wfd_connector_type", "wfd_uibc_capability", "wfd_content_protection", "wfd_idr_request_capability",
        "wfd_standby_resume_capability", "intel_friendly_name", "microsoft_rtcp_capability",
    ]
}
