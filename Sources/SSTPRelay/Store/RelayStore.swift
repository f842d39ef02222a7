import Foundation
import GRDB
import NIOConcurrencyHelpers
import NIOCore
import SSTPCore
import SSTPRelayCore

extension SSTPRelay {
    /// The durable message store: SQLite through GRDB in WAL mode with
    /// `synchronous = FULL`, so a committed transaction survives power loss, written with
    /// group commits (``GroupCommitter``).
    public final class RelayStore: MessageStore {
        public typealias Write = StoreWrite

        private let database: DatabaseQueue
        private let committer: GroupCommitter

        /// Opens (creating) the store at `path`.
        public init(path: String) throws(RelayStoreError) {
            var configuration = Configuration()
            configuration.journalMode = .wal
            // Another process (a relay being replaced) may hold the file a moment longer.
            configuration.busyMode = .timeout(10)
            let database: DatabaseQueue
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
            self.database = database
            committer = GroupCommitter(label: "winterop.sstp-relay.store") { writes in Self.commit(writes, to: database) }
        }

        /// The journal mode and synchronous level in force (WAL and FULL = 2).
        public func pragmas() throws -> (journalMode: String, synchronous: Int) {
            try database.read { db in
                (try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "", try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1)
            }
        }

        /// Every stored message, in id (receive) order.
        public func load() throws(RelayStoreError) -> [StoredMessage] {
            try load(now: .now(), wallNow: Date())
        }

        /// Every stored message, its expiry measured from `now` / `wallNow`.
        public func load(now: NIODeadline, wallNow: Date) throws(RelayStoreError) -> [StoredMessage] {
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

        public func submit(_ write: Write, completion: @escaping StoreCompletion) {
            committer.submit(write, completion: completion)
        }

        public func finish() { committer.waitUntilIdle() }

        /// One relay process per SQLite file.
        public var isShared: Bool { false }

        public func storedCount() throws(RelayStoreError) -> Int {
            do { return try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message") ?? 0 } } catch {
                throw RelayStoreError("cannot read the relay store: \(Self.text(error))")
            }
        }

        /// Commits and writes committed so far.
        public var commitStatistics: CommitStatistics { committer.commitStatistics }

        private static func commit(_ writes: [Write], to database: DatabaseQueue) -> Result<[[Int64]], RelayStoreError> {
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
                return .success(writes.map { $0.insert.map(\.id) })
            } catch {
                return .failure(RelayStoreError("cannot write the relay store: \(Self.text(error))"))
            }
        }

        private static func text(_ error: any Error) -> String {
            if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
            return "\(error)"
        }
    }
}
