import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import SSTPCore
import SSTPRelayCore
import WinteropTransport

extension SSTPRelay {
    /// The message store in PostgreSQL (`--store postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`):
    /// the same tables and the same group commits as ``RelayStore``, each batch one
    /// transaction whose COMMIT returns once the server flushed it (synchronous_commit on,
    /// PostgreSQL's default). One relay process per database: message ids are its own.
    public final class PostgresRelayStore: MessageStore {
        private let connection: PostgresConnection
        private let committer: GroupCommitter
        static let logger: Logger = {
            var logger = Logger(label: "winterop.sstp-relay.postgres")
            logger.logLevel = .error
            return logger
        }()

        /// Connects to the database of `url` and creates the tables if missing.
        public init(url: String, eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()) throws(RelayStoreError) {
            let configuration: PostgresConnection.Configuration
            do { configuration = try Self.configuration(url) } catch { throw RelayStoreError(error.description) }
            let shown = Self.redacted(url)
            let connection: PostgresConnection
            do {
                connection = try PostgresConnection.connect(on: eventLoop, configuration: configuration, id: 1, logger: Self.logger).wait()
                for table in [
                    "CREATE TABLE IF NOT EXISTS message (id BIGINT PRIMARY KEY, resource TEXT NOT NULL, identity TEXT NOT NULL, device TEXT NOT NULL, command BYTEA NOT NULL, payload BYTEA NOT NULL, expires_at DOUBLE PRECISION)",
                    "CREATE TABLE IF NOT EXISTS registration (identity TEXT NOT NULL, device TEXT NOT NULL, PRIMARY KEY (identity, device))",
                ] {
                    _ = try connection.query(PostgresQuery(unsafeSQL: table), logger: Self.logger).wait()
                }
            } catch {
                throw RelayStoreError("cannot open the PostgreSQL store \(shown): \(Self.text(error))")
            }
            self.connection = connection
            committer = GroupCommitter(label: "winterop.sstp-relay.postgres") { writes in Self.commit(writes, on: connection) }
        }

        deinit {
            // The closure holds the connection until it is closed (postgres-nio asserts it is).
            let connection = connection
            connection.close().whenComplete { _ in _ = connection }
        }

        public func load() throws(RelayStoreError) -> [StoredMessage] {
            let now = NIODeadline.now(), wallNow = Date()
            do {
                let result = try connection.query("SELECT id, resource, identity, device, command, payload, expires_at FROM message ORDER BY id", logger: Self.logger).wait()
                return try result.rows.map { row in
                    let (id, resource, identity, device, command, payload, expires) = try row.decode((Int64, String, String, String, ByteBuffer, ByteBuffer, Double?).self)
                    return StoredMessage(
                        id: id, recipient: Recipient(resourceURL: resource, identityURL: identity, deviceURL: device),
                        message: try MessageRecord.message(from: Array(command.readableBytesView)),
                        payload: Array(payload.readableBytesView),
                        expiry: expires.map { MessageRecord.deadline($0, now: now, wallNow: wallNow) }
                    )
                }
            } catch {
                throw RelayStoreError("cannot read the PostgreSQL store: \(Self.text(error))")
            }
        }

        public func loadRegistrations() throws(RelayStoreError) -> [Registration] {
            do {
                let result = try connection.query("SELECT identity, device FROM registration ORDER BY identity, device", logger: Self.logger).wait()
                return try result.rows.map { row in
                    let (identity, device) = try row.decode((String, String).self)
                    return Registration(identityURL: identity, deviceURL: device)
                }
            } catch {
                throw RelayStoreError("cannot read the PostgreSQL store's registrations: \(Self.text(error))")
            }
        }

        public func submit(_ write: StoreWrite, completion: @escaping @Sendable (Result<Void, RelayStoreError>) -> Void) {
            committer.submit(write, completion: completion)
        }

        public var commitStatistics: CommitStatistics { committer.commitStatistics }

        /// One batch in one transaction: every statement is sent at once (pipelined), then
        /// each answer awaited in order; any failure rolls the whole batch back.
        private static func commit(_ writes: [StoreWrite], on connection: PostgresConnection) -> Result<Void, RelayStoreError> {
            let now = NIODeadline.now(), wallNow = Date()
            do {
                var queries: [PostgresQuery] = ["BEGIN"]
                for write in writes {
                    for m in write.insert {
                        let expires = m.expiry.map { MessageRecord.wallClock($0, now: now, wallNow: wallNow) }
                        let command = ByteBuffer(bytes: try MessageRecord.command(of: m.message)), payload = ByteBuffer(bytes: m.payload)
                        queries.append("""
                            INSERT INTO message (id, resource, identity, device, command, payload, expires_at)
                            VALUES (\(m.id), \(m.recipient.resourceURL), \(m.recipient.identityURL), \(m.recipient.deviceURL), \(command), \(payload), \(expires))
                            ON CONFLICT (id) DO UPDATE SET resource = EXCLUDED.resource, identity = EXCLUDED.identity, device = EXCLUDED.device,
                            command = EXCLUDED.command, payload = EXCLUDED.payload, expires_at = EXCLUDED.expires_at
                            """)
                    }
                    for id in write.delete { queries.append("DELETE FROM message WHERE id = \(id)") }
                    for r in write.register {
                        queries.append("INSERT INTO registration (identity, device) VALUES (\(r.identityURL), \(r.deviceURL)) ON CONFLICT DO NOTHING")
                    }
                }
                queries.append("COMMIT")
                let answers = queries.map { connection.query($0, logger: logger) }
                for answer in answers { _ = try answer.wait() }
                return .success(())
            } catch {
                _ = try? connection.query("ROLLBACK", logger: logger).wait()
                return .failure(RelayStoreError("cannot write the PostgreSQL store: \(text(error))"))
            }
        }

        /// The connection settings of `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`.
        static func configuration(_ url: String) throws(RoleFailure) -> PostgresConnection.Configuration {
            guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
                  let host = components.host, !host.isEmpty, let user = components.user, !user.isEmpty else {
                throw .usage("sstp relay: --store postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, not \"\(redacted(url))\"")
            }
            let database = String(components.path.drop { $0 == "/" })
            return PostgresConnection.Configuration(
                host: host, port: components.port ?? 5432, username: user, password: components.password,
                database: database.isEmpty ? nil : database, tls: .disable
            )
        }

        /// `url` without its password, for messages.
        static func redacted(_ url: String) -> String {
            guard var components = URLComponents(string: url), components.password != nil else { return url }
            components.password = "…"
            return components.string ?? "postgres://…"
        }

        private static func text(_ error: any Error) -> String {
            if let error = error as? PSQLError {
                if let message = error.serverInfo?[.message] { return message }
                return "\(error.code)"
            }
            return NetworkErrorText.plain(error)
        }
    }
}
