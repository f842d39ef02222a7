import NIOCore
import Testing
import WFDCore

/// Every arrow of the source's session machine (WFD-NOTES 2, 7), with an injected clock.
@Suite struct SourceSessionTests {
    /// A Windows sink's M3 answer (MC issue #103 video, LC ports).
    static let m3Reply = "wfd_video_formats: 40 00 01 10 0001bdeb 051557ff 00000fff 10 0000 001f 11 0780 0438, 02 10 0001bdeb 155557ff 00000fff 10 0000 001f 11 0780 0438\r\nwfd_audio_codecs: LPCM 00000003 00, AAC 0000000f 00\r\nwfd_client_rtp_ports: RTP/AVP/UDP;unicast 1028 0 mode=play\r\nwfd_content_protection: none\r\n"

    var clock = TestClock()
    var source = WFDSourceStateMachine(configuration: .init(
        audio: [WFDAudioCodec(format: .aac, modes: 0x01)], host: "10.0.0.5",
        serverPort: .init(rtp: 5000, rtcp: 5001), sessionID: "6B8B4567"
    ))

    mutating func deliver(_ message: RTSPMessage) -> [WFDAction] {
        source.messageReceived(message, now: clock.now)
    }

    /// M1, M2 and M3 done: M4 (CSeq 3) sent.
    mutating func m4Sent() -> [WFDAction] {
        _ = source.connected(now: clock.now)
        _ = deliver(Peer.reply(1, headers: ["Public": "org.wfa.wfd1.0, GET_PARAMETER, SET_PARAMETER"]))
        _ = deliver(Peer.request(.options, 1, uri: "*", headers: ["Require": WFD.optionTag]))
        return deliver(Peer.reply(2, headers: ["Content-Type": "text/parameters"], body: Self.m3Reply))
    }

    /// Through M5: waiting for the sink's M6.
    mutating func waitingForSetup() {
        _ = m4Sent()
        _ = deliver(Peer.reply(3))
        _ = deliver(Peer.reply(4))
    }

    mutating func playing() -> [WFDAction] {
        waitingForSetup()
        _ = deliver(Peer.request(.setup, 2, uri: "rtsp://10.0.0.5/wfd1.0/streamid=0", headers: ["Transport": "RTP/AVP/UDP;unicast;client_port=1028"]))
        return deliver(Peer.request(.play, 3, uri: "rtsp://10.0.0.5/wfd1.0/streamid=0", headers: ["Session": "6B8B4567"]))
    }

    @Test mutating func connectSendsM1() {
        let actions = source.connected(now: clock.now)
        #expect(actions.sent.first?.text == "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nRequire: org.wfa.wfd1.0\r\n\r\n")
        #expect(actions.scheduled(.negotiation) == clock.now + .seconds(30))
        #expect(actions.scheduled(.response) == clock.now + .seconds(5))
    }

    @Test mutating func m3WaitsForBothOptionsExchanges() {
        _ = source.connected(now: clock.now)
        let m2 = deliver(Peer.request(.options, 1, uri: "*", headers: ["Require": WFD.optionTag]))
        #expect(m2.sent.map(\.text) == ["RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: org.wfa.wfd1.0, SETUP, TEARDOWN, PLAY, PAUSE, GET_PARAMETER, SET_PARAMETER\r\n\r\n"])
        let m1Reply = deliver(Peer.reply(1))
        let m3 = m1Reply.sentRequests.first
        #expect(m3?.method == .getParameter)
        #expect(m3?.cseq == 2)
        #expect(m3?.parameters.names == M3.defaultNames)
    }

    @Test mutating func m1RefusedCloses() {
        _ = source.connected(now: clock.now)
        #expect(deliver(Peer.reply(1, status: 400)).closeReason == .refused("M1 OPTIONS", status: 400))
    }

    @Test mutating func m3ReplyPicksTheFormatAndSendsM4() {
        let actions = m4Sent()
        let m4 = actions.sentRequests.first
        #expect(m4?.method == .setParameter)
        #expect(m4?.cseq == 3)
        #expect(String(decoding: m4?.body ?? [], as: UTF8.self) == "wfd_video_formats: 00 00 02 10 00000100 00000000 00000000 10 0000 001f 11 none none\r\nwfd_audio_codecs: AAC 00000001 00\r\nwfd_presentation_URL: rtsp://10.0.0.5/wfd1.0/streamid=0 none\r\nwfd_client_rtp_ports: RTP/AVP/UDP;unicast 1028 0 mode=play\r\n")
        #expect(actions.negotiated?.videoText == "1920x1080p60 CHP 4.2")
        #expect(actions.negotiated?.audioText == "AAC 48000 Hz 2 ch")
        #expect(actions.negotiated?.rtpPort == 1028)
    }

    @Test mutating func noCommonFormatOrNoPortsCloses() {
        _ = source.connected(now: clock.now)
        _ = deliver(Peer.reply(1))
        _ = deliver(Peer.request(.options, 1, uri: "*"))
        let none = deliver(Peer.reply(2, body: "wfd_video_formats: none\r\nwfd_client_rtp_ports: RTP/AVP/UDP;unicast 1028 0 mode=play\r\n"))
        guard case .negotiationFailed = none.closeReason else {
            Issue.record("expected a failed negotiation, got \(String(describing: none.closeReason))")
            return
        }
        var other = SourceSessionTests()
        _ = other.source.connected(now: other.clock.now)
        _ = other.deliver(Peer.reply(1))
        _ = other.deliver(Peer.request(.options, 1, uri: "*"))
        let noPorts = other.deliver(Peer.reply(2, body: "wfd_video_formats: 00 00 01 01 00000001 00000000 00000000 00 0000 0000 00 none none\r\n"))
        #expect(noPorts.closeReason == .negotiationFailed("the sink's M3 reply has no usable wfd_client_rtp_ports"))
    }

    @Test mutating func m4ReplySendsTheSetupTrigger() {
        _ = m4Sent()
        let actions = deliver(Peer.reply(3))
        #expect(String(decoding: actions.sentRequests.first?.body ?? [], as: UTF8.self) == "wfd_trigger_method: SETUP\r\n")
        #expect(actions.sentRequests.first?.cseq == 4)
        _ = deliver(Peer.reply(4))
        guard case .waitingForSetup = source.state else {
            Issue.record("not waiting for SETUP: \(source.state)")
            return
        }
    }

    @Test mutating func m6IsAnsweredWithSessionTimeoutAndServerPort() {
        waitingForSetup()
        let actions = deliver(Peer.request(.setup, 2, uri: "rtsp://10.0.0.5/wfd1.0/streamid=0", headers: ["Transport": "RTP/AVP/UDP;unicast;client_port=19000-19001"]))
        #expect(actions.sent.first?.text == "RTSP/1.0 200 OK\r\nCSeq: 2\r\nSession: 6B8B4567;timeout=30\r\nTransport: RTP/AVP/UDP;unicast;client_port=19000-19001;server_port=5000-5001\r\n\r\n")
    }

    @Test mutating func m6WithoutTransportIs461AndOutOfTurnIs455() {
        waitingForSetup()
        #expect(deliver(Peer.request(.setup, 2, uri: "rtsp://x/wfd1.0/streamid=0")).sentResponses.map(\.status) == [461])
        var early = SourceSessionTests()
        _ = early.source.connected(now: early.clock.now)
        #expect(early.deliver(Peer.request(.setup, 2, headers: ["Transport": "RTP/AVP/UDP;unicast;client_port=1"])).sentResponses.map(\.status) == [455])
    }

    @Test mutating func m7StartsTheStreamToTheM6ClientPort() {
        waitingForSetup()
        _ = deliver(Peer.request(.setup, 2, headers: ["Transport": "RTP/AVP/UDP;unicast;client_port=19000"]))
        #expect(deliver(Peer.request(.play, 3, headers: ["Session": "other"])).sentResponses.map(\.status) == [454])
        let actions = deliver(Peer.request(.play, 4, headers: ["Session": "6B8B4567"]))
        #expect(actions.sentResponses.first?.headers["Range"] == "npt=now-")
        // The port of M6, not the one M3 advertised (WFD-NOTES 7.7).
        #expect(actions.startedStream?.clientPort == RTSPTransport.Ports(rtp: 19000))
        #expect(actions.scheduled(.keepAlive) == clock.now + .seconds(25))
        #expect(actions.contains(.cancelTimer(.negotiation)))
    }

    @Test mutating func keepAliveEveryTimeoutMinusFive() {
        _ = playing()
        clock.advance(.seconds(25))
        let actions = source.timerFired(.keepAlive, now: clock.now)
        #expect(actions.sentRequests.first?.message.text == "GET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 5\r\nSession: 6B8B4567\r\n\r\n")
        #expect(actions.scheduled(.keepAlive) == clock.now + .seconds(25))
        #expect(deliver(Peer.reply(5)) == [.cancelTimer(.response)])
    }

    @Test func configuredKeepAlive() {
        var m = WFDSourceStateMachine(configuration: .init(host: "h", serverPort: .init(rtp: 1), sessionID: "s", keepAliveInterval: .seconds(10)))
        #expect(m.configuration.keepAlive == .seconds(10))
        #expect(m.stopRequested(now: TestClock().now).contains(.sendStopProjection))
    }

    @Test mutating func unansweredKeepAliveEndsTheSession() {
        _ = playing()
        clock.advance(.seconds(25))
        _ = source.timerFired(.keepAlive, now: clock.now)
        clock.advance(.seconds(5))
        let actions = source.timerFired(.response, now: clock.now)
        #expect(actions.contains(.stopStream))
        #expect(actions.closeReason == .keepAliveExpired)
    }

    @Test mutating func m13AsksTheEncoderForAnIDR() {
        _ = playing()
        let actions = deliver(Peer.request(.setParameter, 4, body: "wfd_idr_request\r\n"))
        #expect(actions == [.send(Peer.reply(4)), .sendIDR])
    }

    @Test mutating func stopSendsTeardownTriggerThenStopProjectionAfterM8() {
        _ = playing()
        let stop = source.stopRequested(now: clock.now)
        #expect(String(decoding: stop.sentRequests.first?.body ?? [], as: UTF8.self) == "wfd_trigger_method: TEARDOWN\r\n")
        #expect(stop.scheduled(.teardown) == clock.now + .seconds(2))
        #expect(stop.contains(.cancelTimer(.keepAlive)))
        _ = deliver(Peer.reply(5))
        let m8 = deliver(Peer.request(.teardown, 5, headers: ["Session": "6B8B4567"]))
        #expect(m8.sentResponses.first?.headers["Connection"] == "close")
        #expect(m8.contains(.stopStream))
        #expect(m8.contains(.sendStopProjection))
        #expect(m8.closeReason == .stopped)
    }

    @Test mutating func stopWithoutM8WaitsTwoSeconds() {
        _ = playing()
        _ = source.stopRequested(now: clock.now)
        clock.advance(.seconds(2))
        let actions = source.timerFired(.teardown, now: clock.now)
        #expect(actions.prefix(2) == [.stopStream, .sendStopProjection])
        #expect(actions.closeReason == .stopped)
    }

    @Test mutating func stopAnsweredByAClose() {
        _ = playing()
        _ = source.stopRequested(now: clock.now)
        #expect(source.connectionClosed().contains(.sendStopProjection))
    }

    @Test mutating func stopBeforePlayStopsNoStream() {
        waitingForSetup()
        _ = deliver(Peer.request(.setup, 2, headers: ["Transport": "RTP/AVP/UDP;unicast;client_port=1028"]))
        _ = source.stopRequested(now: clock.now)
        clock.advance(.seconds(2))
        let actions = source.timerFired(.teardown, now: clock.now)
        #expect(!actions.contains(.stopStream), "the stream never started")
        #expect(actions.contains(.sendStopProjection))
    }

    @Test mutating func stopBeforeASession() {
        _ = m4Sent()
        let actions = source.stopRequested(now: clock.now)
        #expect(actions.first == .sendStopProjection)
        #expect(actions.closeReason == .stopped)
    }

    @Test mutating func sinksStopProjectionStopsTheStream() {
        _ = playing()
        let actions = source.stopProjectionReceived()
        #expect(actions.first == .stopStream)
        #expect(!actions.contains(.sendStopProjection))
        #expect(actions.closeReason == .stopProjection)
    }

    @Test mutating func sinkTeardownEndsTheSession() {
        _ = playing()
        let actions = deliver(Peer.request(.teardown, 4, headers: ["Session": "6B8B4567"], body: "microsoft_teardown_reason: C00D4278 timeout\r\n"))
        #expect(actions.sentResponses.map(\.status) == [200])
        #expect(actions.contains(.stopStream))
        #expect(!actions.contains(.sendStopProjection))
        #expect(actions.closeReason == .teardown)
    }

    @Test mutating func negotiationTimeoutAndLaterTimers() {
        _ = m4Sent()
        clock.advance(.seconds(30))
        #expect(source.timerFired(.negotiation, now: clock.now).closeReason == .negotiationTimeout)
        #expect(source.timerFired(.keepAlive, now: clock.now).isEmpty)
    }

    @Test mutating func otherRequestsWhilePlaying() {
        _ = playing()
        #expect(deliver(Peer.request(.getParameter, 5)).sentResponses.map(\.status) == [200])
        #expect(deliver(Peer.request(RTSPMethod("ANNOUNCE"), 6)).sentResponses.map(\.status) == [501])
    }

    /// M9 pauses the sender, a second M9 gets 406 (WDS), M7 resumes it (WFD-NOTES 2).
    @Test mutating func m9PausesAndM7Resumes() throws {
        _ = playing()
        #expect(deliver(Peer.request(.pause, 4, headers: ["Session": "other"])).sentResponses.map(\.status) == [454])
        let pause = deliver(Peer.request(.pause, 5, headers: ["Session": "6B8B4567"]))
        #expect(pause.sentResponses.map(\.status) == [200])
        #expect(pause.last == .pauseStream)
        #expect(source.state == .paused(try #require(Self.stream(source))))
        #expect(deliver(Peer.request(.pause, 6, headers: ["Session": "6B8B4567"])).sentResponses.map(\.status) == [406])
        // M16 keeps going while paused.
        clock.advance(.seconds(25))
        #expect(source.timerFired(.keepAlive, now: clock.now).sentRequests.first?.method == .getParameter)
        let play = deliver(Peer.request(.play, 7, headers: ["Session": "6B8B4567"]))
        #expect(play.sentResponses.map(\.status) == [200])
        #expect(play.last == .resumeStream)
        guard case .playing = source.state else { Issue.record("not playing: \(source.state)"); return }
    }

    static func stream(_ source: WFDSourceStateMachine) -> WFDStream? {
        switch source.state {
        case .playing(let s), .paused(let s): s
        default: nil
        }
    }

    @Test mutating func m9BeforePlayIsNotValid() {
        waitingForSetup()
        #expect(deliver(Peer.request(.pause, 2, headers: ["Session": "6B8B4567"])).sentResponses.map(\.status) == [455])
    }

    /// The source's own PAUSE / PLAY triggers; a refused trigger does not end the session.
    @Test mutating func pauseAndPlayTriggers() throws {
        _ = playing()
        let pause = source.pauseRequested(now: clock.now)
        #expect(pause.sentRequests.first?.body == Array("wfd_trigger_method: PAUSE\r\n".utf8))
        #expect(source.playRequested(now: clock.now).isEmpty, "nothing to resume while playing")
        let cseq = try #require(pause.sentRequests.first?.cseq)
        #expect(deliver(Peer.reply(cseq, status: 406)).closeReason == nil)
        _ = deliver(Peer.request(.pause, 4, headers: ["Session": "6B8B4567"]))
        let play = source.playRequested(now: clock.now)
        #expect(play.sentRequests.first?.body == Array("wfd_trigger_method: PLAY\r\n".utf8))
        clock.advance(.seconds(6))
        #expect(source.timerFired(.response, now: clock.now).closeReason == nil, "an unanswered trigger does not end the session")
        let stop = source.stopRequested(now: clock.now)
        #expect(stop.sentRequests.first?.body == Array("wfd_trigger_method: TEARDOWN\r\n".utf8))
        clock.advance(.seconds(2))
        #expect(source.timerFired(.teardown, now: clock.now).first == .stopStream, "a paused stream is stopped")
    }
}
