import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SSTPCore
import SSTPRoles
import Testing

/// A client device for the fanout examples (4.2.6, 4.3.3): it connects to a relay, opens
/// fanout sessions, sends messages on them and records what the relay answers. The test
/// drives it from outside its event loop; every record is read under a lock.
final class FanoutClient: SSTPApplication, @unchecked Sendable {
    struct Record {
        var established = false
        var ended = false
        /// How the connection ended (ConnectionEndCause, as text).
        var endCause = ""
        var states: [UInt32: SSTP.SessionState] = [:]
        var refused: [UInt32: SSTP.OpenResponse.ResponseId?] = [:]
        var closed: [UInt32: SSTP.Close.Reason] = [:]
        /// References acknowledged, in the order the MessageCounts came.
        var acknowledged: [UInt64] = []
        /// What was acknowledged when the peer closed each session.
        var acknowledgedAtClose: [UInt32: [UInt64]] = [:]
        /// SessionStatus reports: session, status, indexes in its FanoutOpen.
        var removed: [(session: UInt32, status: SSTP.SessionStatus.StatusId, indexes: [Int])] = []
    }

    let record = NIOLockedValueBox(Record())
    let loop: any EventLoop
    private(set) var handler: SSTPConnectionHandler!
    private var channel: (any Channel)?

    private init(loop: any EventLoop) { self.loop = loop }

    /// Connects to the relay `relayURL` at 127.0.0.1:`port` as `deviceURL`.
    static func connect(port: Int, relayURL: String, deviceURL: String, version: SSTP.Version = .v1_6) async throws -> FanoutClient {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let client = FanoutClient(loop: loop)
        var configuration = SSTP.ConnectionConfiguration(version: version, localDeviceURLs: [deviceURL])
        configuration.timers.messageAcknowledgment = .milliseconds(20)
        client.channel = try await ClientBootstrap(group: loop).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let handler = SSTPConnectionHandler(configuration: configuration, initiatedConnection: true, targetDeviceURL: relayURL, application: client)
                client.handler = handler
                try channel.pipeline.syncOperations.addHandler(handler)
            }
        }.connect(host: "127.0.0.1", port: port).get()
        try await client.waitUntil("the connection is established") { $0.established }
        return client
    }

    /// Opens a fanout session; returns its SessionId.
    func openFanout(_ entries: [SSTP.FanoutOpen.Entry], resourceURL: String = "apphandler") async throws -> UInt32 {
        let id = try await loop.submit { self.handler.openFanoutSession(resourceURL: resourceURL, entries: entries) }.get()
        return try #require(id, "FanoutOpen could not be sent")
    }

    /// Opens a session with Open (3.1.4.3); returns its SessionId.
    func open(_ entry: SSTP.AddressingEntry) async throws -> UInt32 {
        let id = try await loop.submit { self.handler.openSession(entry) }.get()
        return try #require(id, "Open could not be sent")
    }

    /// Sends one message on a 'ready' session with `reference`.
    func send(_ payload: [UInt8], on session: UInt32, reference: UInt64, userRef: String = "") async throws {
        try await loop.submit {
            try self.handler.beginMessage(sessionId: session, options: .init(userRef: userRef))
            try self.handler.sendData(sessionId: session, ByteBuffer(bytes: payload))
            try self.handler.endMessage(sessionId: session, reference: reference)
        }.get()
    }

    func close(session: UInt32) async throws {
        try await loop.submit { self.handler.closeSession(session) }.get()
    }

    func disconnect() async {
        try? await loop.submit { self.handler.close(reason: .noReason) }.get()
        try? await channel?.closeFuture.get()
    }

    /// Polls the record (every 10 ms, at most 30 s) until `condition` holds.
    func waitUntil(_ what: String, _ condition: @escaping (Record) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !record.withLockedValue({ condition($0) }) {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func ready(_ session: UInt32) async throws {
        try await waitUntil("session \(session) is ready") { $0.states[session] == .ready }
    }

    // MARK: SSTPApplication

    func connectionEstablished(_ handler: SSTPConnectionHandler, version: SSTP.Version, peerDeviceURLs: [String]) {
        record.withLockedValue { $0.established = true }
    }

    func connectionEnded(_ handler: SSTPConnectionHandler, cause: SSTP.ConnectionEndCause, unacknowledged: [SSTP.OutboundMessageList.Entry]) {
        record.withLockedValue { $0.ended = true; $0.endCause = "\(cause)" }
    }

    func sessionStateChanged(_ handler: SSTPConnectionHandler, sessionId: UInt32, direction: SSTP.SessionDirection, state: SSTP.SessionState) {
        record.withLockedValue { $0.states[sessionId] = state }
    }

    func sessionRefused(_ handler: SSTPConnectionHandler, sessionId: UInt32, response: SSTP.OpenResponse.ResponseId?) {
        record.withLockedValue { $0.refused[sessionId] = response }
    }

    func sessionClosed(_ handler: SSTPConnectionHandler, sessionId: UInt32, direction: SSTP.SessionDirection, reason: SSTP.Close.Reason, byPeer: Bool) {
        record.withLockedValue { $0.closed[sessionId] = reason; $0.states[sessionId] = nil; $0.acknowledgedAtClose[sessionId] = $0.acknowledged }
    }

    func fanoutDestinationsRemoved(_ handler: SSTPConnectionHandler, sessionId: UInt32, status: SSTP.SessionStatus.StatusId, indexes: [Int]) {
        record.withLockedValue { $0.removed.append((sessionId, status, indexes)) }
    }

    func messagesAcknowledged(_ handler: SSTPConnectionHandler, entries: [SSTP.OutboundMessageList.Entry]) {
        record.withLockedValue { $0.acknowledged += entries.map(\.reference) }
    }
}
