import SSTPCore

extension SSTPRelay {
    /// The receiving side of one inbound fanout session (3.3.1, 3.3.4.1.2, 3.3.5.6): the
    /// FanoutAddressingList with each entry's ResourceHandlerAvailability, and the
    /// AggregateResourceHandlerAvailability that drives StartSending / StopSending.
    /// Entries with a remote RelayURL are single-hop targets: their availability follows the
    /// outbound single-hop session that carries them (3.3.5.6.1, 3.3.5.7).
    public struct FanoutReceiver: Sendable, Hashable {
        /// One FanoutAddressingList entry's ResourceHandlerAvailability; `unavailable` once a
        /// fault removed it (3.3.4.1.2: marked unavailable, never deleted).
        public enum Availability: Sendable, Hashable {
            case ready, notReady, unavailable
        }

        /// The session receiver's state (3.1.1.3).
        public enum State: Sendable, Hashable {
            case suspended, ready, blocked
        }

        /// What the shell sends for this session.
        public enum Action: Sendable, Hashable {
            /// OpenResponse StartSending or StopSending (3.3.4.1.2 table).
            case openResponse(SSTP.OpenResponse.ResponseId)
            case sessionStatus(SSTP.SessionStatus)
            /// Close EmptySession: every entry is unavailable (3.3.4.1.2).
            case closeEmptySession
        }

        public let sessionId: UInt32
        public let resourceURL: String
        /// FanoutAddressingList: in the FanoutOpen's order, nothing added or deleted (3.3.1).
        public let entries: [SSTP.FanoutOpen.Entry]
        public private(set) var availability: [Availability]
        public private(set) var state: State = .suspended
        /// SSTP 1.6 originators get faults as FanoutDeviceIndexes (3.3.4.1.2, <18>).
        public let indexedStatus: Bool

        /// The ResponseId 3.3.5.6 prescribes, in its order: no entries → Ok; a local entry
        /// without multi-drop → NoFanoutEntries; a remote one without single-hop →
        /// FanoutNotSupported; `grooveWanDPP` → NoResource; an entry that fails
        /// validation → Unknown; otherwise OkStopSending (and the session is 'suspended').
        public static func responseId(
            for open: SSTP.FanoutOpen, localDeviceURLs: [String], multidropSupported: Bool, singleHopSupported: Bool,
            isValid: (SSTP.FanoutOpen.Entry) -> Bool
        ) -> SSTP.OpenResponse.ResponseId {
            if open.entries.isEmpty { return .ok }
            let isLocal = { (entry: SSTP.FanoutOpen.Entry) in Self.isLocal(entry, localDeviceURLs: localDeviceURLs) }
            if !multidropSupported, open.entries.contains(where: isLocal) { return .noFanoutEntries }
            if !singleHopSupported, open.entries.contains(where: { !isLocal($0) }) { return .fanoutNotSupported }
            if open.resourceURL.lowercased() == "groovewandpp" { return .noResource }
            if !open.entries.allSatisfy(isValid) { return .unknown }
            return .okStopSending
        }

        /// A local multi-drop target: an empty RelayURL or one of this relay's LocalDeviceURLs (3.3.5.6).
        public static func isLocal(_ entry: SSTP.FanoutOpen.Entry, localDeviceURLs: [String]) -> Bool {
            entry.relayURL.isEmpty || localDeviceURLs.contains(entry.relayURL)
        }

        /// A session accepted with OkStopSending: 'suspended', every entry 'notReady' (3.3.5.6).
        public init(open: SSTP.FanoutOpen, version: SSTP.Version) {
            sessionId = open.sessionId
            resourceURL = open.resourceURL
            entries = open.entries
            availability = Array(repeating: .notReady, count: open.entries.count)
            indexedStatus = version == .v1_6
        }

        var aggregate: Availability {
            let live = availability.filter { $0 != .unavailable }
            return live.allSatisfy { $0 == .ready } ? .ready : .notReady
        }

        /// The higher layer changed entry `index`'s ResourceHandlerAvailability to ready or notReady (3.3.4.1.2).
        public mutating func availabilityChanged(index: Int, ready: Bool) -> [Action] {
            guard availability.indices.contains(index), availability[index] != .unavailable else { return [] }
            availability[index] = ready ? .ready : .notReady
            return aggregateChanged()
        }

        /// Entries faulted (3.3.4.1.2): SessionStatus to the originator, the entries become
        /// unavailable, and Close EmptySession when none is left. For QuotaWouldBeExceeded or
        /// LockedOut the SessionStatus names the resource handler (one per entry in 1.5); for
        /// DNSLookupFailed, HostNotReachable or ConnectionClosed `relayURL` names the failed
        /// remote relay in DeviceURL (1.5: one SessionStatus for the relay). In 1.6 one
        /// SessionStatus lists every entry in FanoutDeviceIndexes, with both URLs empty
        /// (2.2.8.1, <18>).
        public mutating func faulted(indexes: [Int], status: SSTP.SessionStatus.StatusId, relayURL: String = "") -> [Action] {
            let hit = indexes.filter { availability.indices.contains($0) && availability[$0] != .unavailable }
            guard !hit.isEmpty else { return [] }
            var actions: [Action]
            if indexedStatus {
                actions = [.sessionStatus(SSTP.SessionStatus(
                    sessionId: sessionId, statusId: status, deviceURL: "", identityURL: "", fanoutDeviceIndexes: hit.map { UInt16($0) }
                ))]
            } else if status.concernsRelay {
                actions = [.sessionStatus(SSTP.SessionStatus(sessionId: sessionId, statusId: status, deviceURL: relayURL, identityURL: ""))]
            } else {
                actions = hit.map { .sessionStatus(SSTP.SessionStatus(sessionId: sessionId, statusId: status, deviceURL: entries[$0].deviceURL, identityURL: entries[$0].identityURL)) }
            }
            for index in hit { availability[index] = .unavailable }
            if availability.allSatisfy({ $0 == .unavailable }) { return actions + [.closeEmptySession] }
            return actions + aggregateChanged()
        }

        /// The session-receiver table of 3.3.4.1.2 for a new aggregate.
        private mutating func aggregateChanged() -> [Action] {
            switch (state, aggregate) {
            case (.suspended, .ready), (.blocked, .ready):
                state = .ready
                return [.openResponse(.startSending)]
            case (.ready, .notReady):
                state = .blocked
                return [.openResponse(.stopSending)]
            default:
                return []
            }
        }

        /// Entries still taking messages (multi-drop: each gets its own stored copy, 3.3.5.12.1.1).
        public var availableEntries: [SSTP.FanoutOpen.Entry] {
            zip(entries, availability).filter { $0.1 != .unavailable }.map(\.0)
        }

        /// Whether entry `index` still takes messages.
        public func isAvailable(_ index: Int) -> Bool {
            availability.indices.contains(index) && availability[index] != .unavailable
        }
    }
}
