import SSTPCore

extension SSTPRelay {
    /// The receiving side of one inbound fanout session (3.3.1, 3.3.4.1.2, 3.3.5.6): the
    /// FanoutAddressingList with each entry's ResourceHandlerAvailability, and the
    /// AggregateResourceHandlerAvailability that drives StartSending / StopSending.
    /// Multi-drop only: entries with a remote RelayURL are refused (SingleHopSupported false).
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
            let isLocal = { (entry: SSTP.FanoutOpen.Entry) in entry.relayURL.isEmpty || localDeviceURLs.contains(entry.relayURL) }
            if !multidropSupported, open.entries.contains(where: isLocal) { return .noFanoutEntries }
            if !singleHopSupported, open.entries.contains(where: { !isLocal($0) }) { return .fanoutNotSupported }
            if open.resourceURL.caseInsensitiveCompare("grooveWanDPP") == .orderedSame { return .noResource }
            if !open.entries.allSatisfy(isValid) { return .unknown }
            return .okStopSending
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

        /// Entries faulted (QuotaWouldBeExceeded or LockedOut, 3.3.4.1.2): SessionStatus to the
        /// originator (one with FanoutDeviceIndexes in 1.6, one per entry in 1.5), the entries
        /// become unavailable, and Close EmptySession when none is left.
        public mutating func faulted(indexes: [Int], status: SSTP.SessionStatus.StatusId) -> [Action] {
            let hit = indexes.filter { availability.indices.contains($0) && availability[$0] != .unavailable }
            guard !hit.isEmpty else { return [] }
            var actions: [Action]
            if indexedStatus {
                let first = entries[hit[0]]
                actions = [.sessionStatus(SSTP.SessionStatus(
                    sessionId: sessionId, statusId: status, deviceURL: first.deviceURL, identityURL: first.identityURL,
                    fanoutDeviceIndexes: hit.map { UInt16($0) }
                ))]
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
    }
}
