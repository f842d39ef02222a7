import NIOCore
import Testing
import WinteropWire
@testable import WinteropMDNS

/// Transition tests of the sans-IO responder (RFC 6762), one rule each, time injected.
@Suite struct ResponderTests {
    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
    static let instance = MDNSServiceInstance(instanceName: "TV", serviceType: "_display._tcp", port: 7250, txt: ["container_id={0000}"])
    static let sinkLocal = try! DNSName(["sink", "local"])
    static let service = try! DNSName(["_display", "_tcp", "local"])
    static let tvName = try! DNSName(["TV", "_display", "_tcp", "local"])
    static let peer = try! SocketAddress(ipAddress: "192.0.2.10", port: 5353)
    static let legacyPeer = try! SocketAddress(ipAddress: "192.0.2.10", port: 40000)

    static func makeResponder(seed: UInt64 = 1) -> MDNSResponder {
        let set = try! MDNSRecordSet(instances: [instance], hostName: sinkLocal, addresses: [.a([192, 0, 2, 1])])
        return MDNSResponder(recordSet: set, random: SplitMix64(seed: seed))
    }

    static func sent(_ actions: [MDNSResponder.Action]) -> [(DNSMessage, MDNSDestination)] {
        actions.compactMap { if case .send(let m, let d) = $0 { (m, d) } else { nil } }
    }

    static func events(_ actions: [MDNSResponder.Action]) -> [MDNSResponderEvent] {
        actions.compactMap { if case .event(let e) = $0 { e } else { nil } }
    }

    /// Runs the timer until `state` is running; returns the time it got there.
    static func runToRunning(_ responder: inout MDNSResponder, from start: NIODeadline = t0) -> NIODeadline {
        var now = start
        _ = responder.start(now: now)
        while responder.state != .running, let next = responder.nextDeadline {
            now = next
            _ = responder.timerFired(now: now)
        }
        return now
    }

    static func query(_ questions: [DNSQuestion], known: [DNSResourceRecord] = [], id: UInt16 = 0, truncated: Bool = false) -> DNSMessage {
        DNSMessage(header: DNSHeader(id: id, isResponse: false, truncated: truncated), questions: questions, answers: known)
    }

    static func response(_ records: [DNSResourceRecord]) -> DNSMessage {
        DNSMessage(header: DNSHeader(isResponse: true, authoritativeAnswer: true), answers: records)
    }

    // MARK: Probing (8.1)

    @Test func startWaitsUpTo250msThenProbes() throws {
        var responder = Self.makeResponder()
        let actions = responder.start(now: Self.t0)
        #expect(Self.events(actions) == [.probing("TV._display._tcp.local"), .probing("sink.local")])
        #expect(Self.sent(actions).isEmpty)
        let first = try #require(responder.nextDeadline)
        #expect(first >= Self.t0 && first <= Self.t0 + .milliseconds(250))
    }

    @Test func threeProbes250msApartThenTwoAnnouncementsOneSecondApart() throws {
        var responder = Self.makeResponder()
        _ = responder.start(now: Self.t0)
        var now = try #require(responder.nextDeadline)
        for index in 0..<3 {
            let actions = responder.timerFired(now: now)
            let probes = Self.sent(actions)
            #expect(probes.count == 1)
            let probe = try #require(probes.first)
            #expect(probe.1 == .multicast)
            #expect(!probe.0.header.isResponse)
            #expect(probe.0.questions.map(\.name) == [Self.tvName, Self.sinkLocal])
            #expect(probe.0.questions.allSatisfy { $0.type == .any })
            // QU on the first probe only (8.1).
            #expect(probe.0.questions.allSatisfy { $0.unicastResponse == (index == 0) })
            // Proposed records in the authority section (8.2).
            #expect(Set(probe.0.authorities.map(\.type)) == [.srv, .txt, .a])
            #expect(responder.nextDeadline == now + .milliseconds(250))
            now = now + .milliseconds(250)
        }
        // 250 ms after the third probe: the first announcement.
        let first = responder.timerFired(now: now)
        let announcement = try #require(Self.sent(first).first)
        #expect(announcement.0.header == DNSHeader(id: 0, isResponse: true, authoritativeAnswer: true))
        #expect(announcement.0.questions.isEmpty)
        #expect(Set(announcement.0.answers.map(\.type)) == [.ptr, .srv, .txt, .a])
        // Cache-flush on unique records only (10.2).
        #expect(announcement.0.answers.allSatisfy { $0.cacheFlush == ($0.type != .ptr) })
        #expect(Self.events(first).isEmpty)
        #expect(responder.nextDeadline == now + .seconds(1))
        // One second later: the second announcement, then running.
        let second = responder.timerFired(now: now + .seconds(1))
        #expect(Self.sent(second).count == 1)
        #expect(Self.events(second) == [.announced(name: "TV._display._tcp.local")])
        #expect(responder.state == .running)
        #expect(responder.nextDeadline == nil)
    }

    @Test func timerBeforeItsDeadlineDoesNothing() throws {
        var responder = Self.makeResponder()
        _ = responder.start(now: Self.t0)
        let next = try #require(responder.nextDeadline)
        #expect(responder.timerFired(now: next - .nanoseconds(1)).isEmpty)
    }

    @Test func conflictWhileProbingRenamesTheInstance() throws {
        var responder = Self.makeResponder()
        _ = responder.start(now: Self.t0)
        let now = try #require(responder.nextDeadline)
        _ = responder.timerFired(now: now)
        let other = DNSResourceRecord(name: Self.tvName, cacheFlush: true, ttl: 120, data: .srv(priority: 0, weight: 0, port: 9, target: try DNSName(["other", "local"])))
        let actions = responder.messageReceived(Self.response([other]), from: Self.peer, now: now + .milliseconds(10))
        #expect(Self.events(actions) == [
            .renamed(from: "TV._display._tcp.local", to: "TV (2)._display._tcp.local"),
            .probing("TV (2)._display._tcp.local"), .probing("sink.local"),
        ])
        guard case .probing(0, _) = responder.state else { Issue.record("not probing again: \(responder.state)"); return }
        let next = try #require(responder.nextDeadline)
        let probe = try #require(Self.sent(responder.timerFired(now: next)).first)
        #expect(probe.0.questions.first?.name == (try DNSName(["TV (2)", "_display", "_tcp", "local"])))
    }

    @Test func hostNameConflictRenamesTheHostAndRetargetsSRV() throws {
        var responder = Self.makeResponder()
        _ = responder.start(now: Self.t0)
        let other = DNSResourceRecord(name: Self.sinkLocal, cacheFlush: true, ttl: 120, data: .a([192, 0, 2, 99]))
        let actions = responder.messageReceived(Self.response([other]), from: Self.peer, now: Self.t0)
        #expect(Self.events(actions).first == .renamed(from: "sink.local", to: "sink-2.local"))
        let records = try responder.recordSet.records().map(\.record)
        #expect(records.contains { $0.data == .srv(priority: 0, weight: 0, port: 7250, target: try! DNSName(["sink-2", "local"])) })
    }

    @Test func identicalRecordsAreNotConflicts() throws {
        var responder = Self.makeResponder()
        _ = responder.start(now: Self.t0)
        // Our own record looped back, or the system responder's identical host record.
        let same = DNSResourceRecord(name: Self.sinkLocal, cacheFlush: true, ttl: 120, data: .a([192, 0, 2, 1]))
        #expect(responder.messageReceived(Self.response([same]), from: Self.peer, now: Self.t0).isEmpty)
        // Another type for the host name (the system responder's AAAA) is not ours to defend.
        let other = DNSResourceRecord(name: Self.sinkLocal, cacheFlush: true, ttl: 120, data: .aaaa([UInt8](repeating: 1, count: 16)))
        #expect(responder.messageReceived(Self.response([other]), from: Self.peer, now: Self.t0).isEmpty)
        guard case .probing = responder.state else { Issue.record("\(responder.state)"); return }
    }

    @Test func responsesNotFromPort5353AreIgnored() {
        var responder = Self.makeResponder()
        _ = responder.start(now: Self.t0)
        let other = DNSResourceRecord(name: Self.sinkLocal, cacheFlush: true, ttl: 120, data: .a([192, 0, 2, 99]))
        #expect(responder.messageReceived(Self.response([other]), from: Self.legacyPeer, now: Self.t0).isEmpty)
    }

    @Test func otherOpcodesAndResponseCodesAreIgnored() {
        var responder = Self.makeResponder()
        _ = responder.start(now: Self.t0)
        let other = DNSResourceRecord(name: Self.sinkLocal, cacheFlush: true, ttl: 120, data: .a([192, 0, 2, 99]))
        var message = Self.response([other])
        message.header.opcode = 4
        #expect(responder.messageReceived(message, from: Self.peer, now: Self.t0).isEmpty)
        message.header.opcode = 0
        message.header.responseCode = 3
        #expect(responder.messageReceived(message, from: Self.peer, now: Self.t0).isEmpty)
    }

    @Test func fifteenConflictsInTenSecondsDelayProbingFiveSeconds() throws {
        var responder = Self.makeResponder()
        _ = responder.start(now: Self.t0)
        var now = Self.t0
        for _ in 0..<15 {
            now = now + .milliseconds(100)
            let name = try responder.recordSet.instanceName(0)
            let other = DNSResourceRecord(name: name, cacheFlush: true, ttl: 120, data: .txt([Array("x".utf8)]))
            _ = responder.messageReceived(Self.response([other]), from: Self.peer, now: now)
        }
        #expect(responder.nextDeadline == now + .seconds(5))
        #expect(responder.recordSet.instances[0].instanceName == "TV (16)")
    }

    // MARK: Simultaneous probes (8.2)

    func probeFrom(_ records: [DNSResourceRecord]) -> DNSMessage {
        DNSMessage(header: DNSHeader(isResponse: false), questions: [DNSQuestion(name: Self.sinkLocal, type: .any)], authorities: records)
    }

    @Test func losingTheTieBreakDefersProbingOneSecond() throws {
        var responder = Self.makeResponder()
        _ = responder.start(now: Self.t0)
        _ = responder.timerFired(now: try #require(responder.nextDeadline))
        // Their address 192.0.2.200 is lexicographically later than ours (192.0.2.1): they win.
        let theirs = DNSResourceRecord(name: Self.sinkLocal, cacheFlush: true, ttl: 120, data: .a([192, 0, 2, 200]))
        let now = Self.t0 + .milliseconds(300)
        #expect(responder.messageReceived(probeFrom([theirs]), from: Self.peer, now: now).isEmpty)
        #expect(responder.state == .probing(probesSent: 0, next: now + .seconds(1)))
    }

    @Test func winningOrTyingTheTieBreakChangesNothing() throws {
        for address: [UInt8] in [[192, 0, 2, 0], [192, 0, 2, 1]] {
            var responder = Self.makeResponder()
            _ = responder.start(now: Self.t0)
            _ = responder.timerFired(now: try #require(responder.nextDeadline))
            let before = responder.state
            let theirs = DNSResourceRecord(name: Self.sinkLocal, cacheFlush: true, ttl: 120, data: .a(address))
            _ = responder.messageReceived(probeFrom([theirs]), from: Self.peer, now: Self.t0 + .milliseconds(300))
            #expect(responder.state == before)
        }
    }

    @Test func tieBreakOrderRules() {
        #expect(MDNSResponder.compareTiebreak([[1]], [[2]]) == -1)
        #expect(MDNSResponder.compareTiebreak([[2]], [[1]]) == 1)
        #expect(MDNSResponder.compareTiebreak([[1]], [[1]]) == 0)
        #expect(MDNSResponder.compareTiebreak([[1]], [[1], [0]]) == -1)
    }

    @Test func queriesWhileProbingAreNotAnswered() {
        var responder = Self.makeResponder()
        _ = responder.start(now: Self.t0)
        let actions = responder.messageReceived(Self.query([DNSQuestion(name: Self.sinkLocal, type: .a)]), from: Self.peer, now: Self.t0)
        #expect(actions.isEmpty)
    }

    // MARK: Conflict after announcing (9)

    @Test func conflictWhileRunningResetsToProbing() {
        var responder = Self.makeResponder()
        let now = Self.runToRunning(&responder)
        let other = DNSResourceRecord(name: Self.tvName, cacheFlush: true, ttl: 4500, data: .txt([Array("other".utf8)]))
        let actions = responder.messageReceived(Self.response([other]), from: Self.peer, now: now + .seconds(5))
        #expect(Self.events(actions).contains(.probing("TV._display._tcp.local")))
        guard case .probing(0, _) = responder.state else { Issue.record("\(responder.state)"); return }
    }

    @Test func goodbyeRecordsAreNotConflicts() {
        var responder = Self.makeResponder()
        let now = Self.runToRunning(&responder)
        let other = DNSResourceRecord(name: Self.tvName, cacheFlush: true, ttl: 0, data: .txt([Array("other".utf8)]))
        #expect(responder.messageReceived(Self.response([other]), from: Self.peer, now: now).isEmpty)
        #expect(responder.state == .running)
    }

    // MARK: Answering (6)

    @Test func sharedAnswersWait20To120msAndCarryDNSSDAdditionals() throws {
        var responder = Self.makeResponder()
        let now = Self.runToRunning(&responder) + .seconds(10)
        let actions = responder.messageReceived(Self.query([DNSQuestion(name: Self.service, type: .ptr)]), from: Self.peer, now: now)
        #expect(actions.isEmpty)
        let due = try #require(responder.nextDeadline)
        #expect(due >= now + .milliseconds(20) && due <= now + .milliseconds(120))
        let released = responder.timerFired(now: due)
        let (response, destination) = try #require(Self.sent(released).first)
        #expect(destination == .multicast)
        #expect(response.header.id == 0 && response.header.isResponse && response.header.authoritativeAnswer)
        #expect(response.questions.isEmpty)
        #expect(response.answers == [DNSResourceRecord(name: Self.service, ttl: 4500, data: .ptr(Self.tvName))])
        // RFC 6763 12.1: SRV, TXT and the host's address.
        #expect(Set(response.additionals.map(\.type)) == [.srv, .txt, .a])
        #expect(Self.events(released) == [.answered(question: "_display._tcp.local PTR", to: "multicast")])
    }

    @Test func uniqueAnswersGoAtOnce() throws {
        var responder = Self.makeResponder()
        let now = Self.runToRunning(&responder) + .seconds(10)
        let actions = responder.messageReceived(Self.query([DNSQuestion(name: Self.tvName, type: .srv)]), from: Self.peer, now: now)
        let (response, destination) = try #require(Self.sent(actions).first)
        #expect(destination == .multicast)
        #expect(response.answers.map(\.type) == [.srv])
        // RFC 6763 12.2: the target's address.
        #expect(response.additionals.map(\.type) == [.a])
    }

    @Test func truncatedQueriesWait400To500ms() throws {
        var responder = Self.makeResponder()
        let now = Self.runToRunning(&responder) + .seconds(10)
        _ = responder.messageReceived(Self.query([DNSQuestion(name: Self.tvName, type: .srv)], truncated: true), from: Self.peer, now: now)
        let due = try #require(responder.nextDeadline)
        #expect(due >= now + .milliseconds(400) && due <= now + .milliseconds(500))
    }

    @Test func questionsForOtherNamesAreNotAnswered() throws {
        var responder = Self.makeResponder()
        let now = Self.runToRunning(&responder)
        let actions = responder.messageReceived(Self.query([DNSQuestion(name: try DNSName(["other", "local"]), type: .a)]), from: Self.peer, now: now)
        #expect(actions.isEmpty && responder.nextDeadline == nil)
    }

    @Test func missingTypeOfAnOwnedNameGetsNSEC() throws {
        var responder = Self.makeResponder()
        let now = Self.runToRunning(&responder) + .seconds(10)
        let actions = responder.messageReceived(Self.query([DNSQuestion(name: Self.sinkLocal, type: .aaaa)]), from: Self.peer, now: now)
        let (response, _) = try #require(Self.sent(actions).first)
        #expect(response.answers == [DNSResourceRecord(name: Self.sinkLocal, cacheFlush: true, ttl: 120, data: .nsec(next: Self.sinkLocal, types: [.a]))])
    }

    @Test func quQuestionIsAnsweredByUnicastWhenRecentlyMulticast() throws {
        var responder = Self.makeResponder()
        let now = Self.runToRunning(&responder) + .seconds(5)
        let actions = responder.messageReceived(Self.query([DNSQuestion(name: Self.sinkLocal, type: .a, unicastResponse: true)]), from: Self.peer, now: now)
        let (response, destination) = try #require(Self.sent(actions).first)
        #expect(destination == .unicast(Self.peer))
        #expect(response.header.id == 0 && response.questions.isEmpty)
        #expect(response.answers.first?.cacheFlush == true)
        #expect(Self.events(actions) == [.answered(question: "sink.local A", to: "192.0.2.10:5353")])
    }

    @Test func quQuestionIsMulticastWhenNotMulticastForAQuarterOfTheTTL() throws {
        var responder = Self.makeResponder()
        // The A record's TTL is 120 s: after 31 s it is due for a multicast refresh (5.4).
        let now = Self.runToRunning(&responder) + .seconds(31)
        let actions = responder.messageReceived(Self.query([DNSQuestion(name: Self.sinkLocal, type: .a, unicastResponse: true)]), from: Self.peer, now: now)
        #expect(Self.sent(actions).first?.1 == .multicast)
    }

    @Test func quQuestionFromThisHostIsMulticast() throws {
        var responder = Self.makeResponder()
        let now = Self.runToRunning(&responder) + .seconds(5)
        let local = try SocketAddress(ipAddress: "127.0.0.1", port: 5353)
        let actions = responder.messageReceived(Self.query([DNSQuestion(name: Self.sinkLocal, type: .a, unicastResponse: true)]), from: local, now: now)
        #expect(Self.sent(actions).first?.1 == .multicast)
    }

    @Test func legacyUnicastQueryGetsIDQuestionShortTTLAndNoCacheFlush() throws {
        var responder = Self.makeResponder()
        let now = Self.runToRunning(&responder) + .seconds(10)
        let question = DNSQuestion(name: Self.service, type: .ptr)
        let actions = responder.messageReceived(Self.query([question], id: 0x1234), from: Self.legacyPeer, now: now)
        let (response, destination) = try #require(Self.sent(actions).first)
        #expect(destination == .unicast(Self.legacyPeer))
        #expect(response.header.id == 0x1234)
        #expect(response.questions == [question])
        #expect(!response.answers.isEmpty && !response.additionals.isEmpty)
        for record in response.answers + response.additionals {
            #expect(record.ttl <= 10)
            #expect(!record.cacheFlush)
        }
    }

    @Test func knownAnswerSuppression() throws {
        var responder = Self.makeResponder()
        let now = Self.runToRunning(&responder) + .seconds(10)
        let ptr = DNSResourceRecord(name: Self.service, ttl: 4500, data: .ptr(Self.tvName))
        // The querier holds the PTR with more than half its TTL: nothing to say (7.1).
        var quiet = ptr
        quiet.ttl = 2250
        #expect(responder.messageReceived(Self.query([DNSQuestion(name: Self.service, type: .ptr)], known: [quiet]), from: Self.peer, now: now).isEmpty)
        #expect(responder.nextDeadline == nil)
        // Less than half: answered.
        var stale = ptr
        stale.ttl = 2249
        _ = responder.messageReceived(Self.query([DNSQuestion(name: Self.service, type: .ptr)], known: [stale]), from: Self.peer, now: now)
        #expect(responder.nextDeadline != nil)
    }

    @Test func sameRecordIsNotMulticastTwiceWithinOneSecond() throws {
        var responder = Self.makeResponder()
        let now = Self.runToRunning(&responder) + .seconds(10)
        let question = DNSQuestion(name: Self.tvName, type: .srv)
        #expect(Self.sent(responder.messageReceived(Self.query([question]), from: Self.peer, now: now)).count == 1)
        #expect(Self.sent(responder.messageReceived(Self.query([question]), from: Self.peer, now: now + .milliseconds(900))).isEmpty)
        #expect(Self.sent(responder.messageReceived(Self.query([question]), from: Self.peer, now: now + .milliseconds(1000))).count == 1)
    }

    @Test func probeDefenceIsImmediateEvenRightAfterAMulticast() throws {
        var responder = Self.makeResponder()
        let now = Self.runToRunning(&responder)
        // Another host probes for our host name 300 ms after our last announcement.
        let theirs = DNSResourceRecord(name: Self.sinkLocal, cacheFlush: true, ttl: 120, data: .a([192, 0, 2, 50]))
        let actions = responder.messageReceived(probeFrom([theirs]), from: Self.peer, now: now + .milliseconds(300))
        let (response, destination) = try #require(Self.sent(actions).first)
        #expect(destination == .multicast)
        #expect(response.answers.contains { $0.data == .a([192, 0, 2, 1]) })
    }

    // MARK: Goodbye (10.1)

    @Test func shutdownSendsGoodbyesWithTTLZero() throws {
        var responder = Self.makeResponder()
        let now = Self.runToRunning(&responder)
        let actions = responder.shutdown(now: now)
        let (goodbye, destination) = try #require(Self.sent(actions).first)
        #expect(destination == .multicast)
        #expect(goodbye.answers.count == 5)
        #expect(goodbye.answers.allSatisfy { $0.ttl == 0 })
        #expect(Self.events(actions) == [.goodbye("TV._display._tcp.local")])
        #expect(responder.state == .stopped)
        #expect(responder.shutdown(now: now).isEmpty)
        #expect(responder.messageReceived(Self.query([DNSQuestion(name: Self.sinkLocal, type: .a)]), from: Self.peer, now: now).isEmpty)
    }

    @Test func shutdownWhileProbingSaysNothing() {
        var responder = Self.makeResponder()
        _ = responder.start(now: Self.t0)
        #expect(responder.shutdown(now: Self.t0).isEmpty)
        #expect(responder.state == .stopped)
    }

    @Test func shutdownDropsHeldBackAnswers() {
        var responder = Self.makeResponder()
        let now = Self.runToRunning(&responder) + .seconds(10)
        _ = responder.messageReceived(Self.query([DNSQuestion(name: Self.service, type: .ptr)]), from: Self.peer, now: now)
        #expect(responder.nextDeadline != nil)
        _ = responder.shutdown(now: now)
        #expect(responder.nextDeadline == nil)
    }

    // MARK: Names

    @Test func conflictNames() {
        #expect(MDNSRecordSet.nextName("TV", separator: " (", closing: ")", limit: 63) == "TV (2)")
        #expect(MDNSRecordSet.nextName("TV (2)", separator: " (", closing: ")", limit: 63) == "TV (3)")
        #expect(MDNSRecordSet.nextName("TV (x)", separator: " (", closing: ")", limit: 63) == "TV (x) (2)")
        #expect(MDNSRecordSet.nextName("sink-9", separator: "-", closing: "", limit: 63) == "sink-10")
        let long = String(repeating: "é", count: 31)  // 62 bytes
        let next = MDNSRecordSet.nextName(long, separator: " (", closing: ")", limit: 63)
        #expect(next.utf8.count <= 63 && next.hasSuffix(" (2)"))
    }

    @Test func recordSetFollowsRFC6763() throws {
        let set = try MDNSRecordSet(instances: [Self.instance], hostName: Self.sinkLocal, addresses: [.a([192, 0, 2, 1])])
        let records = try set.records()
        #expect(records.contains { $0.record.data == .ptr(Self.tvName) && !$0.unique && $0.record.ttl == 4500 })
        #expect(records.contains { $0.record.data == .srv(priority: 0, weight: 0, port: 7250, target: Self.sinkLocal) && $0.unique && $0.record.ttl == 120 })
        #expect(records.contains { $0.record.data == .txt([Array("container_id={0000}".utf8)]) && $0.unique })
        // RFC 6763 9: service type enumeration.
        #expect(records.contains { $0.record.name == (try! DNSName(["_services", "_dns-sd", "_udp", "local"])) && $0.record.data == .ptr(Self.service) })
        // RFC 6763 6.1: no TXT strings → one empty string.
        var empty = Self.instance
        empty.txt = []
        let emptySet = try MDNSRecordSet(instances: [empty], hostName: Self.sinkLocal, addresses: [])
        #expect(try emptySet.records().contains { $0.record.data == .txt([[]]) })
        #expect(throws: EncodingError.self) {
            var long = Self.instance
            long.instanceName = String(repeating: "x", count: 64)
            _ = try MDNSRecordSet(instances: [long], hostName: Self.sinkLocal, addresses: [])
        }
    }
}

@Suite struct ServiceConfigurationTests {
    @Test func miracastSinkInstanceFollowsMSMICE313() throws {
        let instance = MDNSServiceInstance.miracastSink(friendlyName: "Living Room TV", containerID: "{0F0E0D0C-0B0A-0908-0706-050403020100}", hostName: "sink")
        #expect(instance.serviceType == "_display._tcp" && instance.domain == "local" && instance.port == 7250)
        #expect(instance.txt == ["container_id={0F0E0D0C-0B0A-0908-0706-050403020100}"])
        let set = try MDNSResponderService.recordSet(instances: [instance], addresses: [try SocketAddress(ipAddress: "192.0.2.1", port: 0)])
        // The bare host name of MS-MICE 2.2.8.2 is advertised in .local.
        #expect(set.hostName == (try DNSName(["sink", "local"])))
        #expect(try set.instanceName(0).description == "Living Room TV._display._tcp.local")
        #expect(try set.records().contains { $0.record.data == .a([192, 0, 2, 1]) })
    }

    @Test func invalidNamesAreReportedAsSuch() {
        let long = MDNSServiceInstance.miracastSink(friendlyName: String(repeating: "x", count: 64), containerID: "{}")
        #expect(throws: MDNSError.self) { try MDNSResponderService.recordSet(instances: [long], addresses: []) }
        let badHost = MDNSServiceInstance.miracastSink(friendlyName: "TV", containerID: "{}", hostName: "a..b")
        #expect(throws: MDNSError.self) { try MDNSResponderService.recordSet(instances: [badHost], addresses: []) }
    }
}

@Suite struct DuplicateAnswerSuppressionTests {
    /// 7.4: another responder multicasts the answer we were holding back: ours is not sent.
    @Test func anotherRespondersIdenticalAnswerCountsAsSent() throws {
        var responder = ResponderTests.makeResponder()
        let now = ResponderTests.runToRunning(&responder) + .seconds(10)
        _ = responder.messageReceived(ResponderTests.query([DNSQuestion(name: ResponderTests.service, type: .ptr)]), from: ResponderTests.peer, now: now)
        #expect(responder.nextDeadline != nil)
        let same = DNSResourceRecord(name: ResponderTests.service, ttl: 4500, data: .ptr(ResponderTests.tvName))
        _ = responder.messageReceived(ResponderTests.response([same]), from: ResponderTests.peer, now: now + .milliseconds(5))
        #expect(responder.nextDeadline == nil)
    }

    @Test func aLowerTTLDoesNotSuppress() throws {
        var responder = ResponderTests.makeResponder()
        let now = ResponderTests.runToRunning(&responder) + .seconds(10)
        _ = responder.messageReceived(ResponderTests.query([DNSQuestion(name: ResponderTests.service, type: .ptr)]), from: ResponderTests.peer, now: now)
        let due = try #require(responder.nextDeadline)
        let stale = DNSResourceRecord(name: ResponderTests.service, ttl: 100, data: .ptr(ResponderTests.tvName))
        _ = responder.messageReceived(ResponderTests.response([stale]), from: ResponderTests.peer, now: now + .milliseconds(5))
        #expect(ResponderTests.sent(responder.timerFired(now: due)).count == 1)
    }
}

@Suite struct QueryCoverageTests {
    @Test func serviceTypeEnumerationIsAnswered() throws {
        var responder = ResponderTests.makeResponder()
        let now = ResponderTests.runToRunning(&responder) + .seconds(10)
        let enumeration = try DNSName(["_services", "_dns-sd", "_udp", "local"])
        _ = responder.messageReceived(ResponderTests.query([DNSQuestion(name: enumeration, type: .ptr)]), from: ResponderTests.peer, now: now)
        let due = try #require(responder.nextDeadline)
        let (response, _) = try #require(ResponderTests.sent(responder.timerFired(now: due)).first)
        #expect(response.answers == [DNSResourceRecord(name: enumeration, ttl: 4500, data: .ptr(ResponderTests.service))])
    }

    @Test func anyQuestionGetsEveryTypeOfTheName() throws {
        var responder = ResponderTests.makeResponder()
        let now = ResponderTests.runToRunning(&responder) + .seconds(10)
        let actions = responder.messageReceived(ResponderTests.query([DNSQuestion(name: ResponderTests.tvName, type: .any)]), from: ResponderTests.peer, now: now)
        let (response, _) = try #require(ResponderTests.sent(actions).first)
        #expect(Set(response.answers.map(\.type)) == [.srv, .txt])
        #expect(response.additionals.map(\.type) == [.a])
    }

    @Test func namesCompareCaseInsensitively() throws {
        var responder = ResponderTests.makeResponder()
        let now = ResponderTests.runToRunning(&responder) + .seconds(10)
        let actions = responder.messageReceived(ResponderTests.query([DNSQuestion(name: try DNSName(["SINK", "Local"]), type: .a)]), from: ResponderTests.peer, now: now)
        #expect(ResponderTests.sent(actions).first?.0.answers.first?.data == .a([192, 0, 2, 1]))
    }
}

@Suite struct MultipleInstancesTests {
    @Test func twoInstancesOfOneTypeShareTheEnumerationAndBothAnswerABrowse() throws {
        let first = MDNSServiceInstance.miracastSink(friendlyName: "One", containerID: "{1}")
        let second = MDNSServiceInstance(instanceName: "Two", serviceType: "_display._tcp", port: 7251, txt: [])
        let set = try MDNSRecordSet(instances: [first, second], hostName: ResponderTests.sinkLocal, addresses: [.a([192, 0, 2, 1])])
        let records = try set.records().map(\.record)
        #expect(records.filter { $0.name.firstLabelText == "_services" }.count == 1)
        var responder = MDNSResponder(recordSet: set, random: SplitMix64(seed: 3))
        let now = ResponderTests.runToRunning(&responder) + .seconds(10)
        _ = responder.messageReceived(ResponderTests.query([DNSQuestion(name: ResponderTests.service, type: .ptr)]), from: ResponderTests.peer, now: now)
        let due = try #require(responder.nextDeadline)
        let (response, _) = try #require(ResponderTests.sent(responder.timerFired(now: due)).first)
        #expect(Set(response.answers.compactMap { if case .ptr(let name) = $0.data { name.firstLabelText } else { nil } }) == ["One", "Two"])
        // Both instances' SRV and TXT, and the host address once.
        #expect(response.additionals.filter { $0.type == .srv }.count == 2)
        #expect(response.additionals.filter { $0.type == .txt }.count == 2)
        #expect(response.additionals.filter { $0.type == .a }.count == 1)
    }
}
