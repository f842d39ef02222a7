/// M5 (WFD-NOTES 2): the source's `SET_PARAMETER` with `wfd_trigger_method`; the sink
/// answers 200, then sends what it was asked for (SETUP → M6, TEARDOWN → M8, PLAY → M7).
public enum M5 {
    public static func request(cseq: Int, trigger: WFDTriggerMethod) -> RTSPRequest {
        M4.request(cseq: cseq, parameters: [.triggerMethod(trigger)])
    }
}
