import NIOCore
import WinteropWire

/// The Multicast DNS responder (RFC 6762), sans-IO: events in, actions out, time injected.
///
/// It probes for its unique names (8.1), breaks ties with simultaneous probers (8.2),
/// renames on conflict (9), announces (8.3), answers queries — multicast, unicast for QU
/// questions (5.4), legacy unicast for resolvers not on port 5353 (6.7) — with known-answer
/// suppression (7.1) and DNS-SD additional records (RFC 6763 12), and says goodbye (10.1).
///
/// After each event, the owner sends the returned messages, reports the events and
/// arranges for ``timerFired(now:)`` to be called at ``nextDeadline``.
public struct MDNSResponder: Sendable {
    public enum Action: Sendable, Hashable {
        case send(DNSMessage, to: MDNSDestination)
        case event(MDNSResponderEvent)
    }

    /// Where the responder is (RFC 6762 8).
    public enum State: Sendable, Hashable {
        /// Not started.
        case idle
        /// Sending the three probes (8.1); `probesSent` so far, the next step due at `next`.
        case probing(probesSent: Int, next: NIODeadline)
        /// Announcing (8.3); `announcementsSent` so far, the next due at `next`.
        case announcing(announcementsSent: Int, next: NIODeadline)
        /// Names are ours: answering queries.
        case running
        /// Goodbyes sent (10.1) or stopped before announcing.
        case stopped
    }

    /// Probes are 250 ms apart (8.1).
    public static let probeInterval = TimeAmount.milliseconds(250)
    /// Three probes (8.1).
    public static let probeCount = 3
    /// Announcements are one second apart, at least two (8.3).
    public static let announcementInterval = TimeAmount.seconds(1)
    public static let announcementCount = 2
    /// Legacy unicast answers carry TTLs of at most 10 s (6.7).
    public static let legacyUnicastMaximumTTL: UInt32 = 10
    /// The mDNS port (RFC 6762 2); queries from other ports are legacy (6.7).
    public static let port = 5353

    public private(set) var state: State = .idle
    public private(set) var recordSet: MDNSRecordSet
    private var random: SplitMix64
    /// Responses held back to aggregate answers (6), with when they are due.
    private var pending: [(due: NIODeadline, message: DNSMessage, destination: MDNSDestination, events: [MDNSResponderEvent])] = []
    /// When each record was last multicast, for rate limiting (6) and the QU rule (5.4).
    private var lastMulticast: [RecordKey: NIODeadline] = [:]
    /// Times of recent conflicts, for the rate limit of 8.1 (15 in 10 s → wait 5 s).
    private var conflictTimes: [NIODeadline] = []

    struct RecordKey: Hashable, Sendable {
        var name: DNSName
        var type: DNSRecordType
        var rdata: [UInt8]
        init(_ record: DNSResourceRecord) {
            name = record.name
            type = record.type
            rdata = DNSMessageEncoder.canonicalRDATA(record.data)
        }
    }

    public init(recordSet: MDNSRecordSet, random: SplitMix64 = SplitMix64()) {
        self.recordSet = recordSet
        self.random = random
    }

    /// When ``timerFired(now:)`` must next be called, if at all.
    public var nextDeadline: NIODeadline? {
        var deadlines = pending.map(\.due)
        switch state {
        case .probing(_, let next), .announcing(_, let next): deadlines.append(next)
        case .idle, .running, .stopped: break
        }
        return deadlines.min()
    }

    // MARK: Events

    /// The owner starts the responder: the first probe goes out after a random 0–250 ms (8.1).
    public mutating func start(now: NIODeadline) -> [Action] {
        switch state {
        case .idle:
            state = .probing(probesSent: 0, next: now + randomDelay(0...250))
            return probingEvents()
        case .probing, .announcing, .running, .stopped:
            return []
        }
    }

    /// A timer the owner scheduled at ``nextDeadline`` fired.
    public mutating func timerFired(now: NIODeadline) -> [Action] {
        var actions = releasePending(now: now)
        switch state {
        case .probing(let sent, let next) where next <= now:
            if sent < Self.probeCount {
                // 8.1: a probe, QU on the first, then 250 ms to the next.
                actions.append(.send(probe(unicastResponse: sent == 0), to: .multicast))
                state = .probing(probesSent: sent + 1, next: now + Self.probeInterval)
            } else {
                // 8.1: 250 ms after the third probe without conflict, the names are ours; 8.3: announce.
                actions += announce(now: now, sent: 0)
            }
        case .announcing(let sent, let next) where next <= now:
            actions += announce(now: now, sent: sent)
        case .idle, .probing, .announcing, .running, .stopped:
            break
        }
        return actions
    }

    /// A message arrived from `source` (its IP and UDP port).
    public mutating func messageReceived(_ message: DNSMessage, from source: SocketAddress, now: NIODeadline) -> [Action] {
        // 18.3, 18.11: other opcodes and non-zero response codes are silently ignored.
        guard message.header.opcode == 0, message.header.responseCode == 0 else { return [] }
        if message.header.isResponse {
            // 11: responses not from port 5353 are silently ignored.
            guard source.port == Self.port else { return [] }
            return responseReceived(message, now: now)
        }
        return queryReceived(message, from: source, now: now)
    }

    /// Graceful shutdown: goodbye packets (TTL 0) for everything announced (10.1).
    public mutating func shutdown(now: NIODeadline) -> [Action] {
        switch state {
        case .announcing, .running:
            pending.removeAll()
            state = .stopped
            let records = ownedRecords().map { owned -> DNSResourceRecord in
                var record = owned.record
                record.ttl = 0
                return record
            }
            var actions: [Action] = [.send(DNSMessage(header: Self.responseHeader(), answers: records), to: .multicast)]
            actions += recordSet.instances.indices.compactMap { index in
                (try? recordSet.instanceName(index)).map { .event(.goodbye($0.description)) }
            }
            return actions
        case .idle, .probing:
            pending.removeAll()
            state = .stopped
            return []
        case .stopped:
            return []
        }
    }

    // MARK: Responses (conflicts)

    mutating func responseReceived(_ message: DNSMessage, now: NIODeadline) -> [Action] {
        suppressDuplicateAnswers(seen: message.answers + message.additionals, now: now)
        let ours = ownedRecords().filter(\.unique).map(\.record)
        let uniqueNames = Set(ours.map(\.name))
        var conflicted: [DNSName] = []
        for record in message.answers + message.additionals where record.ttl > 0 && uniqueNames.contains(record.name) {
            let sameType = ours.filter { $0.name == record.name && $0.type == record.type && $0.recordClass == record.recordClass }
            // 9: a conflict is a record of our unique name, type and class with other data.
            // Identical records (our own, looped back, or the system responder's for the
            // same host and address) are not conflicts.
            guard !sameType.isEmpty, !sameType.contains(where: { $0.isSameRecord(as: record) }) else { continue }
            if !conflicted.contains(record.name) { conflicted.append(record.name) }
        }
        guard !conflicted.isEmpty else { return [] }
        switch state {
        case .probing:
            // 8.1: a response for a name being probed: choose a new name and probe again.
            return renameAndProbe(conflicted, now: now)
        case .announcing, .running:
            // 9: a conflict after probing: reset to probing; the other host will defend
            // its records, and the conflict during probing then renames.
            state = .probing(probesSent: 0, next: now + randomDelay(0...250))
            return probingEvents()
        case .idle, .stopped:
            return []
        }
    }

    /// 7.4: an answer we are holding back that another responder has just multicast, with
    /// at least the TTL we would give, counts as sent.
    mutating func suppressDuplicateAnswers(seen: [DNSResourceRecord], now: NIODeadline) {
        guard !pending.isEmpty else { return }
        var kept: [(due: NIODeadline, message: DNSMessage, destination: MDNSDestination, events: [MDNSResponderEvent])] = []
        for var item in pending {
            guard case .multicast = item.destination else {
                kept.append(item)
                continue
            }
            let duplicates = item.message.answers.filter { answer in
                seen.contains { $0.isSameRecord(as: answer) && $0.ttl >= answer.ttl }
            }
            for record in duplicates { lastMulticast[RecordKey(record)] = now }
            item.message.answers.removeAll { answer in duplicates.contains { $0.isSameRecord(as: answer) } }
            if !item.message.answers.isEmpty { kept.append(item) }
        }
        pending = kept
    }

    mutating func renameAndProbe(_ names: [DNSName], now: NIODeadline) -> [Action] {
        var actions: [Action] = []
        for name in names {
            if let renamed = try? recordSet.rename(name) {
                actions.append(.event(.renamed(from: renamed.from, to: renamed.to)))
            }
        }
        // 8.1: after 15 conflicts within 10 seconds, wait 5 seconds before probing again.
        conflictTimes = conflictTimes.filter { now - $0 < .seconds(10) } + [now]
        let delay = conflictTimes.count >= 15 ? TimeAmount.seconds(5) : randomDelay(0...250)
        state = .probing(probesSent: 0, next: now + delay)
        return actions + probingEvents()
    }

    // MARK: Queries

    mutating func queryReceived(_ query: DNSMessage, from source: SocketAddress, now: NIODeadline) -> [Action] {
        switch state {
        case .probing(let sent, _):
            return simultaneousProbeReceived(query, probesSent: sent, now: now)
        case .announcing, .running:
            return answer(query, from: source, now: now)
        case .idle, .stopped:
            return []
        }
    }

    /// 8.2: another host probes for a name we are probing: compare the proposed records;
    /// if ours are lexicographically earlier we lost and probe again one second later.
    mutating func simultaneousProbeReceived(_ query: DNSMessage, probesSent: Int, now: NIODeadline) -> [Action] {
        guard !query.authorities.isEmpty else { return [] }
        let ours = ownedRecords().filter(\.unique).map(\.record)
        for name in Set(query.authorities.map(\.name)) where ours.contains(where: { $0.name == name }) {
            let mine = Self.tiebreakOrder(ours.filter { $0.name == name })
            let theirs = Self.tiebreakOrder(query.authorities.filter { $0.name == name })
            if Self.compareTiebreak(mine, theirs) < 0 {
                state = .probing(probesSent: 0, next: now + .seconds(1))
                return []
            }
        }
        return []
    }

    static func tiebreakOrder(_ records: [DNSResourceRecord]) -> [[UInt8]] {
        records.map { record in
            var key: [UInt8] = []
            key += [UInt8(record.recordClass.rawValue >> 8), UInt8(record.recordClass.rawValue & 0xFF)]
            key += [UInt8(record.type.rawValue >> 8), UInt8(record.type.rawValue & 0xFF)]
            key += DNSMessageEncoder.canonicalRDATA(record.data)
            return key
        }.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// -1 when `mine` loses, 0 when identical, 1 when `mine` wins (8.2.1: the first record
    /// that differs decides, later data wins; a host with records left over wins).
    static func compareTiebreak(_ mine: [[UInt8]], _ theirs: [[UInt8]]) -> Int {
        for (a, b) in zip(mine, theirs) where a != b {
            return a.lexicographicallyPrecedes(b) ? -1 : 1
        }
        if mine.count == theirs.count { return 0 }
        return mine.count < theirs.count ? -1 : 1
    }

    mutating func answer(_ query: DNSMessage, from source: SocketAddress, now: NIODeadline) -> [Action] {
        let legacy = source.port != Self.port
        let owned = ownedRecords()
        let probe = !query.authorities.isEmpty
        var multicastAnswers: [DNSResourceRecord] = []
        var unicastAnswers: [DNSResourceRecord] = []
        var multicastQuestions: [String] = []
        var unicastQuestions: [String] = []
        var anyShared = false
        for question in query.questions {
            var matches = owned.filter { question.isAnswered(by: $0.record) }
            // 6.1: a unique name we own asked for a type we do not have: answer with NSEC.
            if matches.isEmpty, question.recordClass == .internet || question.recordClass == .any,
               let nsec = negativeAnswer(for: question.name, owned: owned) {
                matches = [MDNSOwnedRecord(record: nsec, unique: true)]
            }
            // 7.1: known-answer suppression: the querier already holds the record with at
            // least half its TTL left.
            matches.removeAll { match in
                query.answers.contains { known in known.isSameRecord(as: match.record) && known.ttl >= match.record.ttl / 2 }
            }
            guard !matches.isEmpty else { continue }
            if matches.contains(where: { !$0.unique }) { anyShared = true }
            // 5.4: a QU question is answered by unicast if the records were multicast within
            // a quarter of their TTL; otherwise by multicast, to refresh every cache.
            let recentlyMulticast = matches.allSatisfy { match in
                guard let last = lastMulticast[RecordKey(match.record)] else { return false }
                return now - last < .seconds(Int64(match.record.ttl / 4))
            }
            // A querier on this host shares port 5353 with us (SO_REUSEPORT): a unicast
            // reply to it might land on any socket bound there, so it gets multicast.
            if legacy || (question.unicastResponse && recentlyMulticast && !isOnThisHost(source)) {
                unicastAnswers += matches.map(\.record)
                unicastQuestions.append("\(question.name) \(question.type)")
            } else {
                multicastAnswers += matches.map(\.record)
                multicastQuestions.append("\(question.name) \(question.type)")
            }
        }
        var actions: [Action] = []
        if !unicastAnswers.isEmpty {
            var response = DNSMessage(
                header: Self.responseHeader(),
                answers: Self.deduplicated(unicastAnswers),
                additionals: additionalRecords(for: unicastAnswers, owned: owned)
            )
            if legacy {
                // 6.7: the query's ID, its questions repeated, TTLs at most 10 s, no cache-flush bits.
                response.header.id = query.header.id
                response.header.recursionDesired = query.header.recursionDesired
                response.questions = query.questions.map {
                    DNSQuestion(name: $0.name, type: $0.type, recordClass: $0.recordClass, unicastResponse: false)
                }
                response.answers = response.answers.map(Self.legacy)
                response.additionals = response.additionals.map(Self.legacy)
            }
            let destination = MDNSDestination.unicast(source)
            actions.append(.send(response, to: destination))
            actions += unicastQuestions.map { .event(.answered(question: $0, to: destination.description)) }
        }
        if !multicastAnswers.isEmpty {
            // 6: rate limit: a record is not multicast again within one second (250 ms for probe defence).
            let interval: TimeAmount = probe ? .milliseconds(250) : .seconds(1)
            let answers = Self.deduplicated(multicastAnswers).filter { record in
                guard let last = lastMulticast[RecordKey(record)] else { return true }
                return now - last >= interval
            }
            guard !answers.isEmpty else { return actions }
            let response = DNSMessage(
                header: Self.responseHeader(), answers: answers,
                additionals: additionalRecords(for: answers, owned: owned)
            )
            // 6: unique answers go out at once (probe defence too); shared ones after
            // 20–120 ms; 7.2: 400–500 ms when the querier said more known answers follow.
            let delay: TimeAmount
            if probe { delay = .zero }
            else if query.header.truncated { delay = randomDelay(400...500) }
            else if anyShared { delay = randomDelay(20...120) }
            else { delay = .zero }
            let events = multicastQuestions.map { MDNSResponderEvent.answered(question: $0, to: "multicast") }
            if delay == .zero {
                noteMulticast(response, now: now)
                actions.append(.send(response, to: .multicast))
                actions += events.map { .event($0) }
            } else {
                pending.append((now + delay, response, .multicast, events))
            }
        }
        return actions
    }

    /// RFC 6763 12.1: PTR answers bring the instance's SRV and TXT and the host's
    /// addresses; 12.2: SRV answers bring the addresses; RFC 6762 6.2: an A answer brings
    /// the AAAA records and vice versa. Records already in the answer are left out.
    func additionalRecords(for answers: [DNSResourceRecord], owned: [MDNSOwnedRecord]) -> [DNSResourceRecord] {
        var additional: [DNSResourceRecord] = []
        var hosts: [DNSName] = []
        for answer in answers {
            switch answer.data {
            case .ptr(let instance):
                for record in owned.map(\.record) where record.name == instance && (record.type == .srv || record.type == .txt) {
                    additional.append(record)
                    if case .srv(_, _, _, let target) = record.data { hosts.append(target) }
                }
            case .srv(_, _, _, let target):
                hosts.append(target)
            case .a, .aaaa:
                hosts.append(answer.name)
            default:
                break
            }
        }
        for host in hosts {
            additional += owned.map(\.record).filter { $0.name == host && ($0.type == .a || $0.type == .aaaa) }
        }
        return Self.deduplicated(additional).filter { record in !answers.contains { $0.isSameRecord(as: record) } }
    }

    /// 6.1: NSEC asserting which types exist for a unique name we own.
    func negativeAnswer(for name: DNSName, owned: [MDNSOwnedRecord]) -> DNSResourceRecord? {
        let records = owned.filter { $0.unique && $0.record.name == name }
        guard let first = records.first else { return nil }
        let types = Array(Set(records.map(\.record.type))).sorted { $0.rawValue < $1.rawValue }
        return DNSResourceRecord(name: first.record.name, cacheFlush: true, ttl: first.record.ttl, data: .nsec(next: first.record.name, types: types))
    }

    // MARK: Helpers

    mutating func announce(now: NIODeadline, sent: Int) -> [Action] {
        // 8.3: an unsolicited response with every record, unique ones with cache-flush set.
        let response = DNSMessage(header: Self.responseHeader(), answers: ownedRecords().map(\.record))
        noteMulticast(response, now: now)
        var actions: [Action] = [.send(response, to: .multicast)]
        if sent + 1 >= Self.announcementCount {
            state = .running
            actions += recordSet.instances.indices.compactMap { index in
                (try? recordSet.instanceName(index)).map { .event(.announced(name: $0.description)) }
            }
        } else {
            state = .announcing(announcementsSent: sent + 1, next: now + Self.announcementInterval)
        }
        return actions
    }

    /// 8.1: the probe: one ANY question per unique name, our proposed records in the
    /// authority section (for 8.2 tie-breaking).
    func probe(unicastResponse: Bool) -> DNSMessage {
        let names = (try? recordSet.uniqueNames()) ?? []
        let records = ownedRecords().filter(\.unique).map(\.record)
        return DNSMessage(
            header: DNSHeader(isResponse: false),
            questions: names.map { DNSQuestion(name: $0, type: .any, unicastResponse: unicastResponse) },
            authorities: records
        )
    }

    func probingEvents() -> [Action] {
        ((try? recordSet.uniqueNames()) ?? []).map { .event(.probing($0.description)) }
    }

    func ownedRecords() -> [MDNSOwnedRecord] {
        (try? recordSet.records()) ?? []
    }

    mutating func releasePending(now: NIODeadline) -> [Action] {
        var actions: [Action] = []
        var kept: [(due: NIODeadline, message: DNSMessage, destination: MDNSDestination, events: [MDNSResponderEvent])] = []
        for item in pending {
            if item.due <= now {
                if case .multicast = item.destination { noteMulticast(item.message, now: now) }
                actions.append(.send(item.message, to: item.destination))
                actions += item.events.map { .event($0) }
            } else {
                kept.append(item)
            }
        }
        pending = kept
        return actions
    }

    mutating func noteMulticast(_ message: DNSMessage, now: NIODeadline) {
        for record in message.answers + message.additionals {
            lastMulticast[RecordKey(record)] = now
        }
    }

    mutating func randomDelay(_ milliseconds: ClosedRange<Int64>) -> TimeAmount {
        .milliseconds(Int64.random(in: milliseconds, using: &random))
    }

    /// Whether `address` is a loopback address or one of those we advertise.
    func isOnThisHost(_ address: SocketAddress) -> Bool {
        guard let text = address.ipAddress else { return false }
        if text.hasPrefix("127.") || text == "::1" { return true }
        return recordSet.addresses.contains { $0.socketAddress()?.ipAddress == text }
    }

    /// 18: QR and AA set, ID zero, no questions.
    static func responseHeader() -> DNSHeader {
        DNSHeader(id: 0, isResponse: true, authoritativeAnswer: true)
    }

    static func legacy(_ record: DNSResourceRecord) -> DNSResourceRecord {
        var record = record
        record.cacheFlush = false
        record.ttl = min(record.ttl, legacyUnicastMaximumTTL)
        return record
    }

    static func deduplicated(_ records: [DNSResourceRecord]) -> [DNSResourceRecord] {
        var result: [DNSResourceRecord] = []
        for record in records where !result.contains(where: { $0.isSameRecord(as: record) }) {
            result.append(record)
        }
        return result
    }
}
