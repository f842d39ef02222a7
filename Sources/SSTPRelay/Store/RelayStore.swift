import Dispatch
import Foundation
import GRDB
import NIOConcurrencyHelpers
import NIOCore
import SSTPCore
import SSTPRelayCore

extension SSTPRelay {
    /// The durable message store: SQLite through GRDB in WAL mode with
    /// `synchronous = FULL`, so a committed transaction survives power loss. One writer
    /// queue takes what every connection asked for and commits it in one transaction
    /// (group commit): durability costs a commit per batch, not per message. A caller's
    /// completion runs only after the commit that holds its write.
    public final class RelayStore: Sendable {
        /// One request: rows to insert, ids to delete and identity registrations to keep.
        public struct Write: Sendable {
            public var insert: [StoredMessage]
            public var delete: [Int64]
            public var register: [Registration]
            public init(insert: [StoredMessage] = [], delete: [Int64] = [], register: [Registration] = []) {
                self.insert = insert
                self.delete = delete
                self.register = register
            }
        }

        private struct Queued {
            var write: Write
            var completion: @Sendable (Result<Void, RelayStoreError>) -> Void
        }

        private struct State {
            var queued: [Queued] = []
            var draining = false
        }

        private let database: DatabaseQueue
        private let writer = DispatchQueue(label: "winterop.sstp-relay.store")
        private let state = NIOLockedValueBox(State())
        /// Sizes of the commits so far (for tests and figures).
        private let batchCounter = NIOLockedValueBox(CommitStatistics())

        /// Opens (creating) the store at `path`.
        public init(path: String) throws(RelayStoreError) {
            var configuration = Configuration()
            configuration.journalMode = .wal
            // Another process (a relay being replaced) may hold the file a moment longer.
            configuration.busyMode = .timeout(10)
            do {
                database = try DatabaseQueue(path: path, configuration: configuration)
                // Set after opening (GRDB's WAL set-up chooses NORMAL): every commit
                // reaches the disk before it returns.
                try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
                try database.write { db in
                    try db.execute(sql: """
                        CREATE TABLE IF NOT EXISTS message (
                            id INTEGER PRIMARY KEY,
                            resource TEXT NOT NULL,
                            identity TEXT NOT NULL,
                            device TEXT NOT NULL,
                            command BLOB NOT NULL,
                            payload BLOB NOT NULL,
                            expires_at REAL
                        )
                        """)
                    try db.execute(sql: """
                        CREATE TABLE IF NOT EXISTS registration (
                            identity TEXT NOT NULL,
                            device TEXT NOT NULL,
                            PRIMARY KEY (identity, device)
                        ) WITHOUT ROWID
                        """)
                }
            } catch {
                throw RelayStoreError("cannot open the relay store \(path): \(Self.text(error))")
            }
        }

        /// The journal mode and synchronous level in force (WAL and FULL = 2).
        public func pragmas() throws -> (journalMode: String, synchronous: Int) {
            try database.read { db in
                (try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "", try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1)
            }
        }

        /// Every stored message, in id (receive) order.
        public func load(now: NIODeadline = .now(), wallNow: Date = Date()) throws(RelayStoreError) -> [StoredMessage] {
            do {
                return try database.read { db in
                    try Row.fetchAll(db, sql: "SELECT id, resource, identity, device, command, payload, expires_at FROM message ORDER BY id").map { row in
                        let expires: Double? = row["expires_at"]
                        return StoredMessage(
                            id: row["id"],
                            recipient: Recipient(resourceURL: row["resource"], identityURL: row["identity"], deviceURL: row["device"]),
                            message: try MessageRecord.message(from: [UInt8](row["command"] as Data)),
                            payload: [UInt8](row["payload"] as Data),
                            expiry: expires.map { MessageRecord.deadline($0, now: now, wallNow: wallNow) }
                        )
                    }
                }
            } catch {
                throw RelayStoreError("cannot read the relay store: \(Self.text(error))")
            }
        }

        /// Every identity registration kept (3.3.5.17).
        public func loadRegistrations() throws(RelayStoreError) -> [Registration] {
            do {
                return try database.read { db in
                    try Row.fetchAll(db, sql: "SELECT identity, device FROM registration ORDER BY identity, device").map { row in
                        Registration(identityURL: row["identity"], deviceURL: row["device"])
                    }
                }
            } catch {
                throw RelayStoreError("cannot read the relay store's registrations: \(Self.text(error))")
            }
        }

        /// Queues `write` for the next group commit; `completion` runs on the writer queue
        /// once it is committed (or failed).
        public func submit(_ write: Write, completion: @escaping @Sendable (Result<Void, RelayStoreError>) -> Void) {
            let start = state.withLockedValue { state -> Bool in
                state.queued.append(Queued(write: write, completion: completion))
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if start { writer.async { self.drain() } }
        }

        /// Awaits the commit of `write`.
        public func write(_ write: Write) async throws(RelayStoreError) {
            let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, RelayStoreError>, Never>) in
                submit(write) { continuation.resume(returning: $0) }
            }
            try result.get()
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
                batchCounter.withLockedValue { $0.record(writes: batch.count, elapsed: elapsed) }
                for queued in batch { queued.completion(result) }
            }
        }

        private func commit(_ writes: [Write]) -> Result<Void, RelayStoreError> {
            let now = NIODeadline.now(), wallNow = Date()
            do {
                try database.write { db in
                    let insert = try db.makeStatement(sql: "INSERT OR REPLACE INTO message (id, resource, identity, device, command, payload, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
                    let delete = try db.makeStatement(sql: "DELETE FROM message WHERE id = ?")
                    let register = try db.makeStatement(sql: "INSERT OR IGNORE INTO registration (identity, device) VALUES (?, ?)")
                    for write in writes {
                        for m in write.insert {
                            let expires = m.expiry.map { MessageRecord.wallClock($0, now: now, wallNow: wallNow) }
                            try insert.execute(arguments: [
                                m.id, m.recipient.resourceURL, m.recipient.identityURL, m.recipient.deviceURL,
                                Data(try MessageRecord.command(of: m.message)), Data(m.payload), expires,
                            ])
                        }
                        for id in write.delete { try delete.execute(arguments: [id]) }
                        for r in write.register { try register.execute(arguments: [r.identityURL, r.deviceURL]) }
                    }
                }
                return .success(())
            } catch {
                return .failure(RelayStoreError("cannot write the relay store: \(Self.text(error))"))
            }
        }

        /// Commits and writes committed so far.
        public var commitStatistics: CommitStatistics { batchCounter.withLockedValue { $0 } }

        /// The group commits so far: how many, how many writes they held, how long they took.
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

        private static func text(_ error: any Error) -> String {
            if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
            return "\(error)"
        }
    }
}
