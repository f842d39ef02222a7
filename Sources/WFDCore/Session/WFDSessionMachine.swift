import NIOCore

/// The events both WFD session machines take (WFD-NOTES 2), so one handler runs either;
/// what the two sides do alike with a received message is written once, below.
public protocol WFDSessionMachine: Sendable {
    /// Whether the session is over (every event then returns no actions).
    var isClosed: Bool { get }
    mutating func connected(now: NIODeadline) -> [WFDAction]
    mutating func connectionClosed() -> [WFDAction]
    mutating func stopRequested(now: NIODeadline) -> [WFDAction]
    /// Pause the stream: the sink sends M9, the source the M5 PAUSE trigger.
    mutating func pauseRequested(now: NIODeadline) -> [WFDAction]
    /// Resume it: the sink sends M7, the source the M5 PLAY trigger.
    mutating func playRequested(now: NIODeadline) -> [WFDAction]
    /// The MS-MICE peer sent STOP_PROJECTION: the stream stops at once, no RTSP goodbye.
    mutating func stopProjectionReceived() -> [WFDAction]
    /// A request of the peer (RFC 2326 6), the session being open.
    mutating func requestReceived(_ request: RTSPRequest, now: NIODeadline) -> [WFDAction]
    /// A response of the peer to one of this side's requests (RFC 2326 7), the session being open.
    mutating func responseReceived(_ response: RTSPResponse, now: NIODeadline) -> [WFDAction]
    mutating func timerFired(_ timer: WFDTimer, now: NIODeadline) -> [WFDAction]
    /// The RTP receiver lost packets (the sink asks for an IDR; the source ignores it).
    mutating func idrNeeded(now: NIODeadline) -> [WFDAction]
    /// Ends the session for `reason`: stop the stream, cancel the timers, close.
    mutating func close(_ reason: WFDCloseReason) -> [WFDAction]
}

extension WFDSessionMachine {
    /// A whole RTSP message arrived: a request or a response, nothing once closed.
    public mutating func messageReceived(_ message: RTSPMessage, now: NIODeadline) -> [WFDAction] {
        if isClosed { return [] }
        switch message {
        case .request(let request): return requestReceived(request, now: now)
        case .response(let response): return responseReceived(response, now: now)
        }
    }

    /// Bytes on the connection broke RFC 2326: answer what can be answered, close when framing is lost.
    public mutating func malformedMessageReceived(_ error: RTSPDecodingError) -> [WFDAction] {
        if isClosed { return [] }
        let (actions, closes) = WFDAction.malformed(error)
        return actions + (closes ? close(.malformed(error.error)) : [])
    }
}

extension WFDSinkStateMachine: WFDSessionMachine {}

extension WFDSourceStateMachine: WFDSessionMachine {
    /// The source sends no M13: a lost packet is the sink's to report.
    public mutating func idrNeeded(now: NIODeadline) -> [WFDAction] { [] }
}
