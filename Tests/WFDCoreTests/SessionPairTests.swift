import NIOCore
import Testing
import WFDCore

/// The sink and source machines driven against each other: every byte one sends is parsed
/// by the other's RTSPParser and fed to its machine; timers fire on a shared test clock.
struct SessionPair {
    enum Side { case sink, source }

    var clock = TestClock()
    var sink: WFDSinkStateMachine
    var source: WFDSourceStateMachine
    var toSource = RTSPParser()
    var toSink = RTSPParser()
    var timers: [Side: [WFDTimer: NIODeadline]] = [.sink: [:], .source: [:]]
    /// Every action each side took, in order.
    var log: [(Side, WFDAction)] = []
    /// Whether bytes still reach the other side.
    var linkUp = true

    init(sink: WFDSinkStateMachine.Configuration = .init(), source: WFDSourceStateMachine.Configuration) {
        self.sink = WFDSinkStateMachine(configuration: sink)
        self.source = WFDSourceStateMachine(configuration: source)
    }

    func actions(_ side: Side) -> [WFDAction] { log.filter { $0.0 == side }.map(\.1) }

    mutating func connect() {
        run(.sink, sink.connected(now: clock.now))
        run(.source, source.connected(now: clock.now))
    }

    /// Carries out actions, delivering sends to the other side until nothing is left.
    mutating func run(_ side: Side, _ actions: [WFDAction]) {
        var queue = actions.map { (side, $0) }
        while !queue.isEmpty {
            let (from, action) = queue.removeFirst()
            log.append((from, action))
            switch action {
            case .scheduleTimer(let timer, let deadline): timers[from]?[timer] = deadline
            case .cancelTimer(let timer): timers[from]?[timer] = nil
            case .send(let message):
                guard linkUp else { continue }
                let to: Side = from == .sink ? .source : .sink
                if to == .source { toSource.append(message.encoded()) } else { toSink.append(message.encoded()) }
                while let next = try? (to == .source ? toSource.next() : toSink.next()) {
                    let reaction = to == .source ? source.messageReceived(next, now: clock.now) : sink.messageReceived(next, now: clock.now)
                    queue += reaction.map { (to, $0) }
                }
            case .close:
                timers[from] = [:]
            default:
                break
            }
        }
    }

    /// Moves the clock to `deadline`, firing every timer due on the way in order.
    mutating func advance(_ amount: TimeAmount) {
        let end = clock.now + amount
        while true {
            let due = timers.flatMap { side, t in t.map { (side, $0.key, $0.value) } }.filter { $0.2 <= end }.min { $0.2 < $1.2 }
            guard let (side, timer, deadline) = due else { break }
            clock.now = max(clock.now, deadline)
            timers[side]?[timer] = nil
            let actions = side == .sink ? sink.timerFired(timer, now: clock.now) : source.timerFired(timer, now: clock.now)
            run(side, actions)
        }
        clock.now = end
    }
}

@Suite struct SessionPairTests {
    static let source = WFDSourceStateMachine.Configuration(
        audio: [WFDAudioCodec(format: .aac, modes: 0x01)], host: "127.0.0.1", serverPort: .init(rtp: 5004), sessionID: "00C0FFEE"
    )

    @Test func wholeExchangeM1ToM7() throws {
        var pair = SessionPair(sink: .init(rtpPort: 1028), source: Self.source)
        pair.connect()
        let sinkStream = try #require(pair.actions(.sink).startedStream)
        let sourceStream = try #require(pair.actions(.source).startedStream)
        #expect(sinkStream == sourceStream)
        #expect(sourceStream.clientPort.rtp == 1028)
        #expect(sourceStream.serverPort?.rtp == 5004)
        #expect(sourceStream.sessionID == "00C0FFEE")
        #expect(sourceStream.format.videoText == "1920x1080p60 CHP 4.2")
        #expect(sourceStream.format.audioText == "AAC 48000 Hz 2 ch")
        #expect(pair.actions(.sink).negotiated == pair.actions(.source).negotiated)
        // The order of the exchange: M1 M2 M3 M4 M5 M6 M7.
        let requests = pair.log.compactMap { side, action -> String? in
            guard case .send(.request(let r)) = action else { return nil }
            return "\(side == .sink ? "sink" : "source") \(r.method.rawValue)"
        }
        #expect(requests == ["source OPTIONS", "sink OPTIONS", "source GET_PARAMETER", "source SET_PARAMETER", "source SET_PARAMETER", "sink SETUP", "sink PLAY"])
        // Every reply was a 200 and no timer is left but the keep-alives.
        let statuses = pair.log.compactMap { _, action -> Int? in
            guard case .send(.response(let r)) = action else { return nil }
            return r.status
        }
        #expect(statuses == Array(repeating: 200, count: 7))
        #expect(pair.timers[.sink]?.keys.sorted { "\($0)" < "\($1)" } == [.keepAlive])
        #expect(pair.timers[.source]?.keys.sorted { "\($0)" < "\($1)" } == [.keepAlive])
    }

    @Test func keepAlivesHoldTheSessionForTenMinutes() {
        var pair = SessionPair(source: Self.source)
        pair.connect()
        pair.advance(.seconds(600))
        #expect(!pair.sink.isClosed)
        #expect(!pair.source.isClosed)
        let m16s = pair.actions(.source).sentRequests.filter { $0.method == .getParameter && $0.body.isEmpty }
        #expect(m16s.count == 24, "one M16 every 25 s")
    }

    @Test func sinkTearsDownWhenKeepAlivesStop() {
        var pair = SessionPair(source: Self.source)
        pair.connect()
        pair.advance(.seconds(20))
        pair.linkUp = false
        pair.advance(.seconds(40))
        #expect(pair.actions(.sink).closeReason == .keepAliveExpired)
        #expect(pair.actions(.sink).contains(.stopStream))
        #expect(pair.actions(.source).closeReason == .keepAliveExpired, "the source's M16 went unanswered too")
    }

    @Test func sourceStopRunsTheTeardownTriggerM8ThenStopProjection() {
        var pair = SessionPair(source: Self.source)
        pair.connect()
        pair.advance(.seconds(30))
        pair.run(.source, pair.source.stopRequested(now: pair.clock.now))
        let source = pair.actions(.source)
        #expect(source.contains(.sendStopProjection))
        #expect(source.closeReason == .stopped)
        #expect(pair.actions(.sink).closeReason == .teardown)
        #expect(pair.actions(.sink).sentRequests.last?.method == .teardown)
        #expect(pair.timers[.sink]?.isEmpty == true)
        #expect(pair.timers[.source]?.isEmpty == true)
    }

    @Test func sinkStopEndsBothSides() {
        var pair = SessionPair(source: Self.source)
        pair.connect()
        pair.run(.sink, pair.sink.stopRequested(now: pair.clock.now))
        #expect(pair.actions(.source).closeReason == .teardown)
        #expect(pair.actions(.sink).closeReason == .teardown)
    }

    /// The source's PAUSE trigger pauses both sides (M5, M9); its PLAY trigger resumes both (M5, M7).
    @Test func pauseAndResumeBetweenTheMachines() {
        var pair = SessionPair(source: Self.source)
        pair.connect()
        pair.run(.source, pair.source.pauseRequested(now: pair.clock.now))
        #expect(pair.actions(.sink).contains(.pauseStream))
        #expect(pair.actions(.source).contains(.pauseStream))
        pair.run(.source, pair.source.playRequested(now: pair.clock.now))
        #expect(pair.actions(.sink).contains(.resumeStream))
        #expect(pair.actions(.source).contains(.resumeStream))
        guard case .playing = pair.sink.state, case .playing = pair.source.state else {
            Issue.record("not both playing: \(pair.sink.state) \(pair.source.state)")
            return
        }
    }

    @Test func idrRequestReachesTheEncoder() {
        var pair = SessionPair(source: Self.source)
        pair.connect()
        pair.run(.sink, pair.sink.idrNeeded(now: pair.clock.now))
        #expect(pair.actions(.source).contains(.sendIDR))
    }

    @Test func noCommonFormatStopsAtM4() {
        let cbpLevel31 = WFDSinkStateMachine.Configuration(videoFormats: WFDVideoFormats(native: 0, codecs: [
            WFDH264Codec(profiles: 0x01, levels: 0x01, cea: 0x01, vesa: 0, hh: 0),
        ]))
        var source = Self.source
        source.video = WFDH264Codec(profiles: 0x02, levels: 0x10, cea: 0x1FFFF, vesa: 0, hh: 0)
        var pair = SessionPair(sink: cbpLevel31, source: source)
        pair.connect()
        guard case .negotiationFailed = pair.actions(.source).closeReason else {
            Issue.record("expected a failed negotiation: \(String(describing: pair.actions(.source).closeReason))")
            return
        }
    }
}
