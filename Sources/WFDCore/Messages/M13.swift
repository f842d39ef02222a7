/// M13 (WFD-NOTES 2, 7.5): the sink asks for an IDR picture, `SET_PARAMETER
/// rtsp://localhost/wfd1.0` with the bare line `wfd_idr_request` (no Session header, as
/// lazycast sends it and Windows accepts).
public enum M13 {
    public static let parameterName = "wfd_idr_request"

    public static func request(cseq: Int) -> RTSPRequest {
        RTSPRequest(method: .setParameter, uri: WFD.controlURI, headers: ["CSeq": String(cseq), "Content-Type": "text/parameters"],
                    body: WFDParameterList(names: [parameterName]).body)
    }
}
