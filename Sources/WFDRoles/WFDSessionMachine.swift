import NIOCore
import WFDCore

/// The events both WFD session machines take, so one handler runs either.
public protocol WFDSessionMachine: Sendable {
    mutating func connected(now: NIODeadline) -> [WFDAction]
    mutating func connectionClosed() -> [WFDAction]
    mutating func stopRequested(now: NIODeadline) -> [WFDAction]
    /// The MS-MICE peer sent STOP_PROJECTION: the stream stops at once, no RTSP goodbye.
    mutating func stopProjectionReceived() -> [WFDAction]
    mutating func messageReceived(_ message: RTSPMessage, now: NIODeadline) -> [WFDAction]
    mutating func malformedMessageReceived(_ error: RTSPDecodingError) -> [WFDAction]
    mutating func timerFired(_ timer: WFDTimer, now: NIODeadline) -> [WFDAction]
    /// The RTP receiver lost packets (the sink asks for an IDR; the source ignores it).
    mutating func idrNeeded(now: NIODeadline) -> [WFDAction]
}

extension WFDSinkStateMachine: WFDSessionMachine {}

extension WFDSourceStateMachine: WFDSessionMachine {
    public mutating func idrNeeded(now: NIODeadline) -> [WFDAction] { [] }
}
