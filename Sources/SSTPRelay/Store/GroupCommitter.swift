import Dispatch
import NIOConcurrencyHelpers
import SSTPRelayCore

extension SSTPRelay {
    /// One request to a store: rows to insert, ids to delete, identity registrations to keep
    /// and (shared store) claims to give up.
    public struct StoreWrite: Sendable {
        public var insert: [StoredMessage]
        public var delete: [Int64]
        public var register: [Registration]
        public var release: [Int64]
        public init(insert: [StoredMessage] = [], delete: [Int64] = [], register: [Registration] = [], release: [Int64] = []) {
            self.insert = insert
            self.delete = delete
            self.register = register
            self.release = release
        }
    }

    /// A committed write: the ids its inserted messages have in the store, in order.
    public typealias StoreCompletion = @Sendable (Result<[Int64], RelayStoreError>) -> Void

    /// The group commits of a store so far: how many, how many writes they held, how long they took.
    public struct CommitStatistics: Sendable, Hashable {
        public var batches = 0
        public var writes = 0
        public var largestBatch = 0
        public var seconds: Double = 0

        mutating func record(writes count: Int, elapsed: Duration) {
            batches += 1
            writes += count
            largestBatch = max(largestBatch, count)
            let (s, attoseconds) = elapsed.components
            seconds += Double(s) + Double(attoseconds) / 1e18
        }
    }

    /// What the relay needs of its durable store (SQLite or PostgreSQL).
    public protocol MessageStore: Sendable {
        /// Every stored message, in id (receive) order.
        func load() throws(RelayStoreError) -> [StoredMessage]
        /// Every identity registration kept (3.3.5.17).
        func loadRegistrations() throws(RelayStoreError) -> [Registration]
        /// Queues `write` for the next group commit; `completion` runs once it is committed (or failed).
        func submit(_ write: StoreWrite, completion: @escaping StoreCompletion)
        var commitStatistics: CommitStatistics { get }
        /// Waits until every write submitted so far is committed (or failed): the last
        /// acknowledgments' deletions and released claims outlive a graceful stop.
        func finish()
        /// Several relay processes share this store and act as one relay
        /// (``SSTPRelayCore/SSTPRelay/CoreConfiguration/sharedStore``).
        var isShared: Bool { get }
        /// How many messages the store holds.
        func storedCount() throws(RelayStoreError) -> Int
    }

    /// Group commit: one writer queue takes what every connection asked for and commits it
    /// in one transaction, so durability costs a commit per batch, not per message. A
    /// caller's completion runs only after the commit that holds its write.
    final class GroupCommitter: Sendable {
        private struct Queued {
            var write: StoreWrite
            var completion: StoreCompletion
        }

        private struct State {
            var queued: [Queued] = []
            var draining = false
        }

        private let writer: DispatchQueue
        private let state = NIOLockedValueBox(State())
        private let statistics = NIOLockedValueBox(CommitStatistics())
        /// Commits a batch in one transaction (on the writer queue): per write, its inserts' ids.
        private let commit: @Sendable ([StoreWrite]) -> Result<[[Int64]], RelayStoreError>

        init(label: String, commit: @escaping @Sendable ([StoreWrite]) -> Result<[[Int64]], RelayStoreError>) {
            writer = DispatchQueue(label: label)
            self.commit = commit
        }

        func submit(_ write: StoreWrite, completion: @escaping StoreCompletion) {
            let start = state.withLockedValue { state -> Bool in
                state.queued.append(Queued(write: write, completion: completion))
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if start { writer.async { self.drain() } }
        }

        var commitStatistics: CommitStatistics { statistics.withLockedValue { $0 } }

        /// Returns once the writer queue ran everything submitted before the call, or after
        /// `timeout` (a commit to a database that stopped answering may never return).
        @discardableResult
        func waitUntilIdle(timeout: DispatchTimeInterval = .seconds(10)) -> Bool {
            let idle = DispatchSemaphore(value: 0)
            writer.async { idle.signal() }
            return idle.wait(timeout: .now() + timeout) == .success
        }

        /// Commits batch after batch until nothing is queued.
        private func drain() {
            while true {
                let batch = state.withLockedValue { state -> [Queued] in
                    let batch = state.queued
                    state.queued = []
                    if batch.isEmpty { state.draining = false }
                    return batch
                }
                guard !batch.isEmpty else { return }
                let start = ContinuousClock.now
                let result = commit(batch.map(\.write))
                let elapsed = ContinuousClock.now - start
                statistics.withLockedValue { $0.record(writes: batch.count, elapsed: elapsed) }
                for (index, queued) in batch.enumerated() { queued.completion(result.map { $0[index] }) }
            }
        }
    }
}

extension SSTPRelay.MessageStore {
    /// Awaits the commit of `write`; the ids of its inserted messages.
    @discardableResult
    public func write(_ write: SSTPRelay.StoreWrite) async throws(SSTPRelay.RelayStoreError) -> [Int64] {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<[Int64], SSTPRelay.RelayStoreError>, Never>) in
            submit(write) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }
}
