import Foundation
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO
import SSTPRelayCore
import WinteropTransport

extension SSTPRelay {
    /// One relay process's part in a shared PostgreSQL store: it listens for the store's
    /// notifications (``PostgresRelayStore/channel``) on a connection of its own, claims the
    /// messages stored for devices attached to it — each row claimed by one relay at a time
    /// (`FOR UPDATE SKIP LOCKED`, then `claimed_by` and a lease) — and renews the lease of
    /// what it holds. A relay that dies holds nothing once its lease expired: the next claim
    /// of another relay the device is attached to (on attach, on a notification, or on the
    /// periodic claim every third of a lease) takes those messages over.
    public final class PostgresClaims: Sendable {
        /// This relay process's id in `claimed_by`.
        public let relay = UUID().uuidString
        private let connection: PostgresConnection
        private let lease: Duration
        private struct State {
            var running = false
            /// Devices to claim for on the next round.
            var wanted: Set<String> = []
            var tasks: [Task<Void, Never>] = []
        }
        private let state = NIOLockedValueBox(State())

        /// What the relay does with a claim or a notification.
        public struct Delegate: Sendable {
            /// The devices attached to this relay now.
            public var attachedDevices: @Sendable () -> [String]
            /// Messages claimed, oldest first.
            public var claimed: @Sendable ([StoredMessage]) -> Void
            /// Registrations another relay kept.
            public var registered: @Sendable ([Registration]) -> Void
            public init(attachedDevices: @escaping @Sendable () -> [String], claimed: @escaping @Sendable ([StoredMessage]) -> Void, registered: @escaping @Sendable ([Registration]) -> Void) {
                self.attachedDevices = attachedDevices
                self.claimed = claimed
                self.registered = registered
            }
        }
        private let delegate = NIOLockedValueBox<Delegate?>(nil)

        init(configuration: PostgresConnection.Configuration, eventLoop: any EventLoop, lease: Duration) throws {
            connection = try PostgresConnection.connect(on: eventLoop, configuration: configuration, id: 2, logger: PostgresRelayStore.logger).wait()
            self.lease = lease
        }

        deinit {
            let connection = connection
            connection.close().whenComplete { _ in _ = connection }
        }

        /// Starts listening and renewing. Once the LISTEN is in force the attached devices
        /// are claimed for, so that nothing stored before it goes unnoticed.
        public func start(_ delegate: Delegate) {
            self.delegate.withLockedValue { $0 = delegate }
            let listener = Task { [self] in
                do {
                    try await connection.listen(on: PostgresRelayStore.channel) { notifications in
                        claim(delegate.attachedDevices())
                        for try await notification in notifications { noticed(notification.payload) }
                    }
                } catch {
                    if !Task.isCancelled { EventLog.diagnostic("sstp relay: the PostgreSQL notifications stopped: \(PostgresRelayStore.text(error)); claims go on every \(lease / 3)") }
                }
            }
            let renewer = Task { [self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: lease / 3)
                    await renew()
                    claim(delegate.attachedDevices())
                }
            }
            state.withLockedValue { $0.tasks = [listener, renewer] }
        }

        private var leaseSeconds: Double { Double(lease.components.seconds) + Double(lease.components.attoseconds) / 1e18 }

        /// Stops listening and renewing.
        public func stop() {
            for task in state.withLockedValue({ $0.tasks }) { task.cancel() }
        }

        /// Claims, in the background, what is stored for `devices`; requests made while a
        /// claim runs are gathered into the next one.
        public func claim(_ devices: [String]) {
            guard !devices.isEmpty else { return }
            let start = state.withLockedValue { state -> Bool in
                state.wanted.formUnion(devices)
                guard !state.running else { return false }
                state.running = true
                return true
            }
            guard start else { return }
            Task { [self] in
                while true {
                    let devices = state.withLockedValue { state -> [String] in
                        let devices = state.wanted.sorted()
                        state.wanted = []
                        if devices.isEmpty { state.running = false }
                        return devices
                    }
                    guard !devices.isEmpty else { return }
                    await claimNow(devices)
                }
            }
        }

        private func noticed(_ payload: String) {
            let fields = payload.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard let delegate = delegate.withLockedValue({ $0 }) else { return }
            switch fields.first {
            case "m" where fields.count == 2:
                if delegate.attachedDevices().contains(fields[1]) { claim([fields[1]]) }
            case "r" where fields.count == 3:
                delegate.registered([Registration(identityURL: fields[1], deviceURL: fields[2])])
            default:
                break
            }
        }

        /// One claim: every row for `devices` nobody holds (or whose holder's lease expired),
        /// skipping rows another relay is claiming this instant.
        private func claimNow(_ devices: [String]) async {
            let query: PostgresQuery = """
                UPDATE message SET claimed_by = \(relay), claim_expires = now() + make_interval(secs => \(leaseSeconds))
                WHERE id IN (SELECT id FROM message WHERE device = ANY(\(devices))
                    AND (claimed_by IS NULL OR claim_expires < now()) ORDER BY id FOR UPDATE SKIP LOCKED)
                RETURNING \(unescaped: PostgresRelayStore.columns)
                """
            do {
                let result = try await connection.query(query, logger: PostgresRelayStore.logger).get()
                let messages = try PostgresRelayStore.messages(result.rows)
                if !messages.isEmpty { delegate.withLockedValue { $0 }?.claimed(messages) }
            } catch {
                EventLog.diagnostic("sstp relay: cannot claim stored messages: \(PostgresRelayStore.text(error))")
            }
        }

        /// Extends the lease of everything this relay holds.
        private func renew() async {
            do {
                _ = try await connection.query(
                    "UPDATE message SET claim_expires = now() + make_interval(secs => \(leaseSeconds)) WHERE claimed_by = \(relay)",
                    logger: PostgresRelayStore.logger
                ).get()
            } catch {
                EventLog.diagnostic("sstp relay: cannot renew the claims on stored messages: \(PostgresRelayStore.text(error))")
            }
        }
    }
}
