import NIOCore
import PropertyBased
import Testing
import WFDCore

/// Random event sequences against both session machines. Whatever the order: every
/// request with a CSeq gets exactly one answer echoing it while the session is open, the
/// machine's own CSeqs increase, the stream starts at most once and stops only after it
/// started, and once closed a machine does nothing more.
@Suite struct SessionPropertyTests {
    struct Invariants {
        var closed = false
        var started = 0
        var stopped = 0
        var lastOwnCSeq = 0
        /// The CSeq of the machine's latest request, for a reply event.
        var pendingCSeq: Int?

        mutating func check(_ actions: [WFDAction], request: RTSPMessage?, wasClosed: Bool, _ trace: String) {
            if wasClosed {
                #expect(actions.isEmpty, "acted after closing: \(trace)")
                return
            }
            if case .request(let r)? = request, let cseq = r.cseq {
                let answers = actions.sentResponses.filter { $0.cseq == cseq }
                #expect(answers.count == 1, "request CSeq \(cseq) got \(answers.count) answers: \(trace)")
            }
            for r in actions.sentRequests {
                let cseq = r.cseq ?? -1
                #expect(cseq > lastOwnCSeq, "own CSeq did not increase: \(trace)")
                lastOwnCSeq = cseq
                pendingCSeq = cseq
            }
            for action in actions {
                switch action {
                case .startStream: started += 1
                case .stopStream:
                    stopped += 1
                    #expect(started == 1, "stopped a stream that never started: \(trace)")
                case .close: closed = true
                default: break
                }
            }
            #expect(started <= 1 && stopped <= 1, "started \(started), stopped \(stopped): \(trace)")
        }
    }

    static let sinkEvents: [String] = [
        "M1", "reply", "reply-400", "M3", "M4", "SETUP", "PLAY", "PAUSE", "TEARDOWN", "M16", "sessionReply",
        "garbage", "noCSeq", "negotiationTimer", "responseTimer", "keepAliveTimer", "stop", "idr", "closed", "advance",
    ]

    @Test func sinkMachine() async {
        await propertyCheck(count: 400, input: Gen.int(in: 0...(Self.sinkEvents.count - 1)).array(of: 0...40)) { indices in
            var clock = TestClock()
            var sink = WFDSinkStateMachine(configuration: .init())
            var invariants = Invariants()
            invariants.check(sink.connected(now: clock.now), request: nil, wasClosed: false, "connect")
            var cseq = 100
            var trace: [String] = []
            for index in indices {
                let event = Self.sinkEvents[index]
                trace.append(event)
                cseq += 1
                let wasClosed = invariants.closed
                var request: RTSPMessage?
                let now = clock.now
                let actions: [WFDAction]
                switch event {
                case "M1": request = Peer.request(.options, cseq, uri: "*", headers: ["Require": WFD.optionTag])
                case "M3": request = Peer.request(.getParameter, cseq, body: "wfd_video_formats\r\nwfd_client_rtp_ports\r\nfoo\r\n")
                case "M4": request = Peer.request(.setParameter, cseq, body: "wfd_video_formats: 00 00 01 01 00000001 00000000 00000000 00 0000 0000 00 none none\r\nwfd_presentation_URL: rtsp://h/wfd1.0/streamid=0 none\r\n")
                case "SETUP", "PLAY", "PAUSE", "TEARDOWN": request = Peer.request(.setParameter, cseq, body: "wfd_trigger_method: \(event)\r\n")
                case "M16": request = Peer.request(.getParameter, cseq, headers: ["Session": "S"])
                case "garbage": request = Peer.request(RTSPMethod("BREW"), cseq)
                case "noCSeq": request = .request(RTSPRequest(method: .options, uri: "*"))
                default: break
                }
                switch event {
                case _ where request != nil: actions = sink.messageReceived(request!, now: now)
                case "reply": actions = sink.messageReceived(Peer.reply(invariants.pendingCSeq ?? 1), now: now)
                case "reply-400": actions = sink.messageReceived(Peer.reply(invariants.pendingCSeq ?? 1, status: 400), now: now)
                case "sessionReply": actions = sink.messageReceived(Peer.reply(invariants.pendingCSeq ?? 1, headers: ["Session": "S;timeout=30", "Transport": "RTP/AVP/UDP;unicast;client_port=1028;server_port=9"]), now: now)
                case "negotiationTimer": actions = sink.timerFired(.negotiation, now: now)
                case "responseTimer": actions = sink.timerFired(.response, now: now)
                case "keepAliveTimer": actions = sink.timerFired(.keepAlive, now: now)
                case "stop": actions = sink.stopRequested(now: now)
                case "idr": actions = sink.idrNeeded(now: now)
                case "closed": actions = sink.connectionClosed()
                default:
                    clock.advance(.seconds(7))
                    actions = []
                }
                invariants.check(actions, request: request, wasClosed: wasClosed, trace.joined(separator: " "))
            }
        }
    }

    static let sourceEvents: [String] = [
        "reply", "reply-400", "M3reply", "M2", "M6", "M6bad", "M7", "M7wrong", "M8", "M13", "PAUSE", "noCSeq",
        "negotiationTimer", "responseTimer", "keepAliveTimer", "teardownTimer", "stop", "closed", "advance",
    ]

    @Test func sourceMachine() async {
        await propertyCheck(count: 400, input: Gen.int(in: 0...(Self.sourceEvents.count - 1)).array(of: 0...40)) { indices in
            var clock = TestClock()
            var source = WFDSourceStateMachine(configuration: .init(host: "h", serverPort: .init(rtp: 9), sessionID: "S"))
            var invariants = Invariants()
            invariants.check(source.connected(now: clock.now), request: nil, wasClosed: false, "connect")
            var cseq = 100
            var trace: [String] = []
            for index in indices {
                let event = Self.sourceEvents[index]
                trace.append(event)
                cseq += 1
                let wasClosed = invariants.closed
                var request: RTSPMessage?
                let now = clock.now
                let actions: [WFDAction]
                switch event {
                case "M2": request = Peer.request(.options, cseq, uri: "*")
                case "M6": request = Peer.request(.setup, cseq, headers: ["Transport": "RTP/AVP/UDP;unicast;client_port=1028"])
                case "M6bad": request = Peer.request(.setup, cseq)
                case "M7": request = Peer.request(.play, cseq, headers: ["Session": "S"])
                case "M7wrong": request = Peer.request(.play, cseq, headers: ["Session": "T"])
                case "M8": request = Peer.request(.teardown, cseq, headers: ["Session": "S"])
                case "M13": request = Peer.request(.setParameter, cseq, body: "wfd_idr_request\r\n")
                case "PAUSE": request = Peer.request(.pause, cseq, headers: ["Session": "S"])
                case "noCSeq": request = .request(RTSPRequest(method: .play, uri: "*"))
                default: break
                }
                switch event {
                case _ where request != nil: actions = source.messageReceived(request!, now: now)
                case "reply": actions = source.messageReceived(Peer.reply(invariants.pendingCSeq ?? 1), now: now)
                case "reply-400": actions = source.messageReceived(Peer.reply(invariants.pendingCSeq ?? 1, status: 400), now: now)
                case "M3reply": actions = source.messageReceived(Peer.reply(invariants.pendingCSeq ?? 1, body: SourceSessionTests.m3Reply), now: now)
                case "negotiationTimer": actions = source.timerFired(.negotiation, now: now)
                case "responseTimer": actions = source.timerFired(.response, now: now)
                case "keepAliveTimer": actions = source.timerFired(.keepAlive, now: now)
                case "teardownTimer": actions = source.timerFired(.teardown, now: now)
                case "stop": actions = source.stopRequested(now: now)
                case "closed": actions = source.connectionClosed()
                default:
                    clock.advance(.seconds(7))
                    actions = []
                }
                invariants.check(actions, request: request, wasClosed: wasClosed, trace.joined(separator: " "))
                if actions.contains(.sendStopProjection) {
                    #expect(actions.closeReason == .stopped, "STOP_PROJECTION only on a local stop: \(trace)")
                }
            }
        }
    }
}
