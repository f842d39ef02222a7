import NIOCore
import WFDCore

/// A clock that starts at an arbitrary instant and moves only when told.
struct TestClock {
    var now = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
    mutating func advance(_ amount: TimeAmount) { now = now + amount }
}

extension Array where Element == WFDAction {
    /// The messages among the actions.
    var sent: [RTSPMessage] {
        compactMap { if case .send(let m) = $0 { return m } else { return nil } }
    }

    var sentRequests: [RTSPRequest] {
        sent.compactMap { if case .request(let r) = $0 { return r } else { return nil } }
    }

    var sentResponses: [RTSPResponse] {
        sent.compactMap { if case .response(let r) = $0 { return r } else { return nil } }
    }

    var closeReason: WFDCloseReason? {
        compactMap { if case .close(let r) = $0 { return r } else { return nil } }.first
    }

    func scheduled(_ timer: WFDTimer) -> NIODeadline? {
        compactMap { if case .scheduleTimer(timer, let d) = $0 { return d } else { return nil } }.last
    }

    var startedStream: WFDStream? {
        compactMap { if case .startStream(let s) = $0 { return s } else { return nil } }.first
    }

    var negotiated: WFDStreamFormat? {
        compactMap { if case .report(.negotiated(let f)) = $0 { return f } else { return nil } }.first
    }

    func contains(_ action: WFDAction) -> Bool { self.contains { $0 == action } }
}

extension RTSPMessage {
    var text: String { String(decoding: encoded(), as: UTF8.self) }
}

extension RTSPRequest {
    var parameters: WFDParameterList { (try? WFDParameterList(body: body)) ?? WFDParameterList() }
}

extension RTSPResponse {
    var parameters: WFDParameterList { (try? WFDParameterList(body: body)) ?? WFDParameterList() }
}

/// Requests as a source or sink would send them.
enum Peer {
    static func request(_ method: RTSPMethod, _ cseq: Int, uri: String = WFD.controlURI, headers: RTSPHeaders = [:], body: String = "") -> RTSPMessage {
        var all = headers
        all.append("CSeq", String(cseq))
        if !body.isEmpty { all.append("Content-Type", "text/parameters") }
        return .request(RTSPRequest(method: method, uri: uri, headers: all, body: Array(body.utf8)))
    }

    static func reply(_ cseq: Int, status: Int = 200, headers: RTSPHeaders = [:], body: String = "") -> RTSPMessage {
        .response(RTSPResponse(status: status, cseq: cseq, headers: headers, body: Array(body.utf8)))
    }
}
