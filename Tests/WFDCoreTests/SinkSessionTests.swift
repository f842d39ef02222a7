import NIOCore
import Testing
import WFDCore

/// Every arrow of the sink's session machine (WFD-NOTES 2, 3, 7), with an injected clock.
@Suite struct SinkSessionTests {
    static let m4Body = "wfd_video_formats: 00 00 02 10 00000000 00008000 00000000 00 0000 0000 00 none none\r\nwfd_audio_codecs: LPCM 00000002 00\r\nwfd_presentation_URL: rtsp://192.168.173.80/wfd1.0/streamid=0 none\r\nwfd_client_rtp_ports: RTP/AVP/UDP;unicast 1028 0 mode=play\r\nintel_overscan_comp: x=0, y=0\r\nwfd_uibc_setting: enable\r\n"

    var clock = TestClock()
    var sink = WFDSinkStateMachine(configuration: .init(rtpPort: 1028, parameters: [.connectorType(5), .intelText(name: "intel_friendly_name", text: "Kitchen")]))

    mutating func deliver(_ message: RTSPMessage) -> [WFDAction] {
        sink.messageReceived(message, now: clock.now)
    }

    /// Connected, M1 and M4 done: waiting for the SETUP trigger.
    mutating func negotiated() -> [WFDAction] {
        _ = sink.connected(now: clock.now)
        _ = deliver(Peer.request(.options, 1, uri: "*", headers: ["Require": WFD.optionTag]))
        _ = deliver(Peer.reply(1))
        return deliver(Peer.request(.setParameter, 3, body: Self.m4Body))
    }

    /// Through M7: playing with a 30 s session.
    mutating func playing() {
        _ = negotiated()
        _ = deliver(Peer.request(.setParameter, 4, body: "wfd_trigger_method: SETUP\r\n"))
        _ = deliver(Peer.reply(2, headers: ["Session": "6B8B4567;timeout=30", "Transport": "RTP/AVP/UDP;unicast;client_port=1028;server_port=5000-5001"]))
        _ = deliver(Peer.reply(3, headers: ["Session": "6B8B4567"]))
    }

    @Test mutating func connectWaitsForM1UnderTheNegotiationTimer() {
        let actions = sink.connected(now: clock.now)
        #expect(actions == [.scheduleTimer(.negotiation, clock.now + .seconds(30))])
        #expect(sink.state == .waitingForM1)
    }

    @Test mutating func m1IsAnsweredThenM2Sent() {
        _ = sink.connected(now: clock.now)
        // Windows puts CSeq last (WFD-NOTES 7.1).
        let actions = deliver(Peer.request(.options, 1, uri: "*", headers: ["Require": WFD.optionTag]))
        #expect(actions.sent.first?.text == "RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: org.wfa.wfd1.0, GET_PARAMETER, SET_PARAMETER\r\n\r\n")
        #expect(actions.sent.last?.text == "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nRequire: org.wfa.wfd1.0\r\n\r\n")
        #expect(actions.scheduled(.response) == clock.now + .seconds(5))
        #expect(sink.state == .capabilityExchange(.init()))
    }

    @Test mutating func m2ReplyReportsTheServerAndCancelsTheResponseTimer() {
        _ = sink.connected(now: clock.now)
        _ = deliver(Peer.request(.options, 1, uri: "*"))
        let actions = deliver(Peer.reply(1, headers: ["Server": "MSMiracastSource/10.0 guid/x"]))
        #expect(actions == [.report(.peerServer("MSMiracastSource/10.0 guid/x")), .cancelTimer(.response)])
    }

    @Test mutating func m2RefusedCloses() {
        _ = sink.connected(now: clock.now)
        _ = deliver(Peer.request(.options, 1, uri: "*"))
        #expect(deliver(Peer.reply(1, status: 406)).closeReason == .refused("M2 OPTIONS", status: 406))
    }

    @Test mutating func m3AnswersEveryNameInOrderAndNoneForTheUnknown() {
        _ = sink.connected(now: clock.now)
        _ = deliver(Peer.request(.options, 1, uri: "*"))
        let names = ["wfd_video_formats", "wfd_audio_codecs", "wfd_client_rtp_ports", "wfd_connector_type", "intel_friendly_name", "wfdx_rotation_capability", "microsoft_cursor", "wfd_content_protection"]
        let actions = deliver(Peer.request(.getParameter, 2, body: names.joined(separator: "\r\n") + "\r\n"))
        let reply = actions.sentResponses.first
        #expect(reply?.status == 200)
        #expect(reply?.headers["Content-Type"] == "text/parameters")
        let answers = reply?.parameters
        #expect(answers?.names == names)
        #expect(answers?["wfd_client_rtp_ports"] == "RTP/AVP/UDP;unicast 1028 0 mode=play")
        #expect(answers?["wfd_connector_type"] == "05")
        #expect(answers?["intel_friendly_name"] == "Kitchen")
        #expect(answers?["wfdx_rotation_capability"] == "none")
        #expect(answers?["microsoft_cursor"] == "none")
        #expect(answers?["wfd_video_formats"] == WFDSinkStateMachine.Configuration.defaultVideoFormats.rendered)
        #expect(answers?["wfd_audio_codecs"] == "AAC 00000001 00, LPCM 00000003 00")
    }

    @Test mutating func m4IsAcceptedWithUnknownLines() {
        let actions = negotiated()
        #expect(actions.sentResponses.map(\.status) == [200])
        #expect(actions.sentResponses.first?.cseq == 3)
        #expect(actions.negotiated == WFDStreamFormat(video: WFDVideoMode(table: .vesa, bit: 15), profile: "CHP", level: "4.2", audio: WFDAudioCodec(format: .lpcm, modes: 2), rtpPort: 1028))
        #expect(sink.state == .capabilityExchange(.init(format: actions.negotiated, presentationURL: "rtsp://192.168.173.80/wfd1.0/streamid=0")))
    }

    @Test mutating func m4WithABadKnownLineIsStillAccepted() {
        _ = negotiated()
        let actions = deliver(Peer.request(.setParameter, 9, body: "wfd_audio_codecs: MP3 1 00\r\n"))
        #expect(actions.sentResponses.map(\.status) == [200])
        #expect(actions.contains { if case .report(.parameterIgnored) = $0 { return true } else { return false } })
    }

    @Test mutating func m4BeforeM1IsNotValidInThisState() {
        _ = sink.connected(now: clock.now)
        #expect(deliver(Peer.request(.setParameter, 3, body: Self.m4Body)).sentResponses.map(\.status) == [455])
    }

    @Test mutating func setupTriggerSendsM6ToThePresentationURL() {
        _ = negotiated()
        let actions = deliver(Peer.request(.setParameter, 4, body: "wfd_trigger_method: SETUP\r\n"))
        #expect(actions.sentResponses.map(\.status) == [200])
        #expect(actions.sentRequests.first?.message.text == "SETUP rtsp://192.168.173.80/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 2\r\nTransport: RTP/AVP/UDP;unicast;client_port=1028\r\n\r\n")
        if case .settingUp(_, let cseq) = sink.state { #expect(cseq == 2) } else { Issue.record("not setting up: \(sink.state)") }
    }

    @Test mutating func triggersInTheWrongStateAre455() {
        _ = sink.connected(now: clock.now)
        _ = deliver(Peer.request(.options, 1, uri: "*"))
        #expect(deliver(Peer.request(.setParameter, 4, body: "wfd_trigger_method: PLAY\r\n")).sentResponses.map(\.status) == [455])
        #expect(deliver(Peer.request(.setParameter, 5, body: "wfd_trigger_method: BOGUS\r\n")).sentResponses.map(\.status) == [400])
    }

    @Test mutating func m6ReplyGivesTheSessionAndSendsM7() {
        _ = negotiated()
        _ = deliver(Peer.request(.setParameter, 4, body: "wfd_trigger_method: SETUP\r\n"))
        let actions = deliver(Peer.reply(2, headers: ["Transport": "RTP/AVP/UDP;unicast;client_port=1028;server_port=5001-5003;ssrc=1a2b", "Session": "6B8B4567;timeout=30"]))
        #expect(actions.sentRequests.first?.message.text == "PLAY rtsp://192.168.173.80/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 3\r\nSession: 6B8B4567\r\n\r\n")
        guard case .starting(_, let stream, let timeout, _) = sink.state else {
            Issue.record("not starting: \(sink.state)")
            return
        }
        #expect(timeout == .seconds(30))
        #expect(stream.serverPort == RTSPTransport.Ports(rtp: 5001, rtcp: 5003), "odd, non-consecutive server ports are taken as they are")
        #expect(stream.clientPort.rtp == 1028)
    }

    @Test mutating func m6ReplyWithoutTimeoutUsesTheDefault() {
        _ = negotiated()
        _ = deliver(Peer.request(.setParameter, 4, body: "wfd_trigger_method: SETUP\r\n"))
        _ = deliver(Peer.reply(2, headers: ["Session": "abc"]))
        let actions = deliver(Peer.reply(3))
        #expect(actions.scheduled(.keepAlive) == clock.now + .seconds(60))
    }

    @Test mutating func m6ReplyWithoutSessionOrRefusedCloses() {
        var other = self
        _ = negotiated()
        _ = deliver(Peer.request(.setParameter, 4, body: "wfd_trigger_method: SETUP\r\n"))
        #expect(deliver(Peer.reply(2)).closeReason == .negotiationFailed("the M6 reply has no usable Session header"))
        _ = other.negotiated()
        _ = other.deliver(Peer.request(.setParameter, 4, body: "wfd_trigger_method: SETUP\r\n"))
        #expect(other.deliver(Peer.reply(2, status: 461)).closeReason == .refused("M6 SETUP", status: 461))
    }

    @Test mutating func m7ReplyStartsTheStreamAndTheSessionTimer() {
        _ = negotiated()
        _ = deliver(Peer.request(.setParameter, 4, body: "wfd_trigger_method: SETUP\r\n"))
        _ = deliver(Peer.reply(2, headers: ["Session": "6B8B4567;timeout=30", "Transport": "RTP/AVP/UDP;unicast;client_port=1028;server_port=5000"]))
        let actions = deliver(Peer.reply(3, headers: ["Session": "6B8B4567"]))
        #expect(actions.contains(.cancelTimer(.negotiation)))
        #expect(actions.scheduled(.keepAlive) == clock.now + .seconds(30))
        #expect(actions.startedStream?.sessionID == "6B8B4567")
        #expect(actions.startedStream?.format.video?.description == "1280x1024p60")
    }

    @Test mutating func keepAlivesHoldTheSessionAndTheirLossTearsDown() {
        playing()
        // M16 every 25 s: the timer firing at the first expiry finds the session renewed.
        clock.advance(.seconds(25))
        let m16 = deliver(Peer.request(.getParameter, 5, headers: ["Session": "6B8B4567"]))
        #expect(m16.sentResponses.map(\.status) == [200])
        clock.advance(.seconds(5))
        #expect(sink.timerFired(.keepAlive, now: clock.now) == [.scheduleTimer(.keepAlive, clock.now + .seconds(25))])
        // Nothing more from the source: at the new expiry the sink tears down.
        clock.advance(.seconds(25))
        let expired = sink.timerFired(.keepAlive, now: clock.now)
        #expect(expired.contains(.stopStream))
        #expect(expired.sentRequests.first?.method == .teardown)
        #expect(expired.closeReason == .keepAliveExpired)
        #expect(sink.isClosed)
    }

    @Test mutating func teardownTriggerSendsM8AndItsReplyCloses() {
        playing()
        let actions = deliver(Peer.request(.setParameter, 6, body: "wfd_trigger_method: TEARDOWN\r\n"))
        #expect(actions.sentResponses.map(\.status) == [200])
        #expect(actions.contains(.stopStream))
        #expect(actions.sentRequests.first?.message.text == "TEARDOWN rtsp://192.168.173.80/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 4\r\nSession: 6B8B4567\r\n\r\n")
        let done = deliver(Peer.reply(4))
        #expect(done.closeReason == .teardown)
        #expect(!done.contains(.stopStream), "the stream was stopped once already")
    }

    @Test mutating func teardownBeforePlayStopsNoStream() {
        _ = negotiated()
        _ = deliver(Peer.request(.setParameter, 4, body: "wfd_trigger_method: SETUP\r\n"))
        _ = deliver(Peer.reply(2, headers: ["Session": "6B8B4567;timeout=30"]))
        let actions = deliver(Peer.request(.setParameter, 5, body: "wfd_trigger_method: TEARDOWN\r\n"))
        #expect(actions.sentRequests.first?.method == .teardown)
        #expect(!actions.contains(.stopStream), "M7 had not been answered: nothing streams")
        var early = SinkSessionTests()
        _ = early.negotiated()
        _ = early.deliver(Peer.request(.setParameter, 4, body: "wfd_trigger_method: SETUP\r\n"))
        #expect(early.deliver(Peer.request(.setParameter, 5, body: "wfd_trigger_method: TEARDOWN\r\n")).closeReason == .teardown, "no Session yet: just close")
    }

    @Test mutating func teardownWithoutAnM8ReplyClosesAfterTheResponseTimeout() {
        playing()
        _ = sink.stopRequested(now: clock.now)
        clock.advance(.seconds(5))
        #expect(sink.timerFired(.response, now: clock.now).closeReason == .teardown)
    }

    @Test mutating func localStopBeforeASessionClosesAtOnce() {
        _ = negotiated()
        #expect(sink.stopRequested(now: clock.now).closeReason == .stopped)
    }

    @Test mutating func lossAsksForOneIDRAtATime() {
        playing()
        let first = sink.idrNeeded(now: clock.now)
        #expect(first.sentRequests.first?.message.text == "SET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 4\r\nContent-Type: text/parameters\r\nContent-Length: 17\r\n\r\nwfd_idr_request\r\n")
        #expect(first.last == .report(.idrRequested), "the sink's idr_requested event")
        #expect(sink.idrNeeded(now: clock.now).isEmpty, "one M13 outstanding at a time")
        _ = deliver(Peer.reply(4))
        #expect(!sink.idrNeeded(now: clock.now).isEmpty)
        var early = SinkSessionTests()
        _ = early.negotiated()
        #expect(early.sink.idrNeeded(now: early.clock.now).isEmpty, "no M13 before PLAY")
        // M7 sent, its reply not read yet, while the first datagrams already came: M13 goes.
        _ = early.deliver(Peer.request(.setParameter, 4, body: "wfd_trigger_method: SETUP\r\n"))
        _ = early.deliver(Peer.reply(2, headers: ["Session": "6B8B4567;timeout=30"]))
        #expect(early.sink.idrNeeded(now: early.clock.now).sentRequests.first?.method == .setParameter)
    }

    @Test mutating func unansweredM13IsDroppedNotFatal() {
        playing()
        _ = sink.idrNeeded(now: clock.now)
        clock.advance(.seconds(6))
        #expect(sink.timerFired(.response, now: clock.now) == [.cancelTimer(.response)])
        #expect(!sink.isClosed)
    }

    @Test mutating func unansweredM2Closes() {
        _ = sink.connected(now: clock.now)
        _ = deliver(Peer.request(.options, 1, uri: "*"))
        clock.advance(.seconds(5))
        #expect(sink.timerFired(.response, now: clock.now).closeReason == .responseTimeout("M2 OPTIONS"))
    }

    @Test mutating func negotiationTimeoutCloses() {
        _ = negotiated()
        clock.advance(.seconds(30))
        #expect(sink.timerFired(.negotiation, now: clock.now).closeReason == .negotiationTimeout)
    }

    @Test mutating func requestsTheSinkDoesNotServe() {
        _ = sink.connected(now: clock.now)
        #expect(deliver(Peer.request(.setup, 1, uri: "rtsp://x/wfd1.0/streamid=0")).sentResponses.map(\.status) == [405])
        #expect(deliver(Peer.request(RTSPMethod("RECORD"), 2)).sentResponses.map(\.status) == [501])
        let noCSeq = deliver(.request(RTSPRequest(method: .options, uri: "*")))
        #expect(noCSeq.sentResponses.map(\.status) == [400])
        #expect(noCSeq.sentResponses.first?.cseq == nil)
    }

    @Test mutating func malformedBytes() throws {
        _ = sink.connected(now: clock.now)
        var parser = RTSPParser()
        parser.append(Array("GET_PARAMETER * RTSP/1.0\r\nCSeq: 8\r\nbroken\r\n\r\n".utf8))
        do {
            _ = try parser.next()
        } catch {
            let actions = sink.malformedMessageReceived(error)
            #expect(actions.sentResponses.map(\.status) == [400])
            #expect(actions.closeReason == nil, "garbage never stops the sink while framing holds")
        }
        parser.append(Array("OPTIONS * RTSP/1.0\r\nContent-Length: x\r\n\r\n".utf8))
        do {
            _ = try parser.next()
        } catch {
            #expect(sink.malformedMessageReceived(error).closeReason != nil)
        }
    }

    @Test mutating func connectionLossStopsTheStream() {
        playing()
        let actions = sink.connectionClosed()
        #expect(actions.first == .stopStream)
        #expect(actions.closeReason == .peerClosed)
        #expect(deliver(Peer.request(.options, 9, uri: "*")).isEmpty, "closed: nothing more")
        #expect(sink.timerFired(.keepAlive, now: clock.now).isEmpty)
    }

    @Test mutating func stopProjectionStopsAtOnceWithoutM8() {
        playing()
        let actions = sink.stopProjectionReceived()
        #expect(actions.first == .stopStream)
        #expect(actions.sent.isEmpty)
        #expect(actions.closeReason == .stopProjection)
    }

    @Test mutating func setParameterAfterPlayIsReported() {
        playing()
        let actions = deliver(Peer.request(.setParameter, 7, body: "microsoft_latency_management_capability: low\r\n"))
        #expect(actions.sentResponses.map(\.status) == [200])
        #expect(actions.contains { if case .report(.parametersChanged) = $0 { return true } else { return false } })
    }

    /// M5 PAUSE → M9 → 200: paused; M5 PLAY → M7 → 200: playing again (WFD-NOTES 2).
    @Test mutating func pauseAndPlayTriggersPauseAndResume() {
        playing()
        let pause = deliver(Peer.request(.setParameter, 7, body: "wfd_trigger_method: PAUSE\r\n"))
        #expect(pause.sentResponses.map(\.status) == [200])
        #expect(pause.sentRequests.first?.message.text == "PAUSE rtsp://192.168.173.80/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 4\r\nSession: 6B8B4567\r\n\r\n")
        #expect(deliver(Peer.reply(4, headers: ["Session": "6B8B4567"])).first == .pauseStream)
        guard case .paused = sink.state else { Issue.record("not paused: \(sink.state)"); return }
        #expect(deliver(Peer.request(.setParameter, 8, body: "wfd_trigger_method: PAUSE\r\n")).sentRequests.isEmpty, "paused already: no second M9")
        #expect(sink.idrNeeded(now: clock.now).isEmpty, "no M13 while paused")
        let play = deliver(Peer.request(.setParameter, 9, body: "wfd_trigger_method: PLAY\r\n"))
        #expect(play.sentResponses.map(\.status) == [200])
        #expect(play.sentRequests.first?.message.text == "PLAY rtsp://192.168.173.80/wfd1.0/streamid=0 RTSP/1.0\r\nCSeq: 5\r\nSession: 6B8B4567\r\n\r\n")
        #expect(deliver(Peer.reply(5, headers: ["Session": "6B8B4567"])).first == .resumeStream)
        guard case .playing = sink.state else { Issue.record("not playing: \(sink.state)"); return }
        #expect(deliver(Peer.request(.setParameter, 10, body: "wfd_trigger_method: PLAY\r\n")).sentRequests.isEmpty, "playing already: no M7")
    }

    /// A refused M9 (406: the source is paused already) leaves the stream playing.
    @Test mutating func aRefusedPauseKeepsPlaying() {
        playing()
        _ = sink.pauseRequested(now: clock.now)
        let refused = deliver(Peer.reply(4, status: 406))
        #expect(refused.contains(.report(.rejected(method: "M9 PAUSE", status: 406))))
        #expect(!refused.contains(.pauseStream))
        guard case .playing = sink.state else { Issue.record("not playing: \(sink.state)"); return }
    }

    /// Paused, the session still needs the source's requests; a stop tears it down with M8.
    @Test mutating func aPausedSessionExpiresAndStops() {
        playing()
        _ = sink.pauseRequested(now: clock.now)
        _ = deliver(Peer.reply(4))
        clock.advance(.seconds(20))
        _ = deliver(Peer.request(.getParameter, 8))  // M16 re-arms the 30 s
        clock.advance(.seconds(20))
        #expect(sink.timerFired(.keepAlive, now: clock.now) == [.scheduleTimer(.keepAlive, clock.now + .seconds(10))])
        var other = self
        let stop = other.sink.stopRequested(now: other.clock.now)
        #expect(stop.first == .stopStream)
        #expect(stop.sentRequests.first?.method == .teardown)
        clock.advance(.seconds(10))
        let expired = sink.timerFired(.keepAlive, now: clock.now)
        #expect(expired.closeReason == .keepAliveExpired)
        #expect(expired.contains(.stopStream))
    }
}
