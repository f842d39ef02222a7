import NIOCore

/// One side's own requests: its CSeq counter (each side numbers its own requests and
/// echoes the peer's, WFD-NOTES 2) and the requests still waiting for their reply, with
/// the deadline of each (the `.response` timer).
struct WFDRequestTracker<Request: Hashable & Sendable>: Sendable {
    private var nextCSeq = 1
    private var outstanding: [Int: (request: Request, deadline: NIODeadline)] = [:]
    let timeout: TimeAmount

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    /// The CSeq of a new request, now waiting for its reply.
    mutating func allocate(_ request: Request, now: NIODeadline) -> Int {
        let cseq = nextCSeq
        nextCSeq += 1
        outstanding[cseq] = (request, now + timeout)
        return cseq
    }

    /// The request a reply answers, nil when it answers nothing we asked.
    mutating func replied(_ cseq: Int?) -> Request? {
        guard let cseq else { return nil }
        return outstanding.removeValue(forKey: cseq)?.request
    }

    func isWaiting(for request: Request) -> Bool {
        outstanding.values.contains { $0.request == request }
    }

    /// Removes and returns the requests whose deadline has passed.
    mutating func expire(now: NIODeadline) -> [Request] {
        let late = outstanding.filter { $0.value.deadline <= now }
        for cseq in late.keys { outstanding[cseq] = nil }
        return late.sorted { $0.key < $1.key }.map(\.value.request)
    }

    mutating func removeAll() { outstanding = [:] }

    /// The `.response` timer for the earliest deadline, or its cancellation.
    var timerAction: WFDAction {
        guard let earliest = outstanding.values.map(\.deadline).min() else { return .cancelTimer(.response) }
        return .scheduleTimer(.response, earliest)
    }
}

extension RTSPMessage {
    /// A reply without a body.
    static func status(_ status: Int, _ cseq: Int) -> RTSPMessage {
        RTSPResponse(status: status, cseq: cseq).message
    }
}

extension WFDAction {
    /// Answers a request with an error status and reports it.
    static func reject(_ request: RTSPRequest, _ cseq: Int, _ status: Int) -> [WFDAction] {
        [.send(.status(status, cseq)), .report(.rejected(method: request.method.rawValue, status: status))]
    }

    /// RFC 2326 12.17: CSeq is required; the 400 cannot echo one (AOSP answers 400 too).
    static func rejectWithoutCSeq(_ request: RTSPRequest) -> [WFDAction] {
        [.send(RTSPResponse(status: RTSPStatus.badRequest).message), .report(.rejected(method: request.method.rawValue, status: RTSPStatus.badRequest))]
    }

    /// The actions that end a session: stop the stream if it runs, cancel every timer, close.
    static func closing(_ reason: WFDCloseReason, streaming: Bool) -> [WFDAction] {
        (streaming ? [.stopStream] : []) + WFDTimer.allCases.map { .cancelTimer($0) } + [.close(reason)]
    }

    /// Answers what a malformed message allows, and closes when framing is lost.
    static func malformed(_ error: RTSPDecodingError) -> (actions: [WFDAction], closes: Bool) {
        var actions: [WFDAction] = error.answer.map { [.send($0.message)] } ?? []
        if !error.closesConnection {
            actions.append(.report(.rejected(method: "?", status: error.reaction.status)))
        }
        return (actions, error.closesConnection)
    }
}
