import Dispatch
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SSTPCore
import WinteropTransport
import WinteropWire

/// Configuration of a device that accepts connections and stores each message it receives.
public struct SSTPDeviceConfiguration: Sendable {
    public var listen: HostPort
    public var connection: SSTP.ConnectionConfiguration
    /// Where messages are written, one file each.
    public var outputDirectory: String
    /// Use StopSending/StartSending when the disk falls behind (3.1.4.5); without it only
    /// TCP pushes back.
    public var flowControl: Bool
    /// fsync each message before acknowledging it.
    public var sync: Bool
    /// SourceDeviceURLs under a security lockout (ConnectRejected).
    public var lockedOutDevices: Set<String>
    /// Bytes queued for the disk above which reading stops (and sessions are blocked).
    public var highWater: Int
    /// Bytes queued below which reading resumes.
    public var lowWater: Int

    public init(
        listen: HostPort, connection: SSTP.ConnectionConfiguration, outputDirectory: String,
        flowControl: Bool = true, sync: Bool = true, lockedOutDevices: Set<String> = [],
        highWater: Int = 4 << 20, lowWater: Int = 1 << 20
    ) {
        self.listen = listen
        self.connection = connection
        self.outputDirectory = outputDirectory
        self.flowControl = flowControl
        self.sync = sync
        self.lockedOutDevices = lockedOutDevices
        self.highWater = highWater
        self.lowWater = lowWater
    }
}

/// A device (client role, 3.2) listening for direct connections: each inbound session's
/// messages are written under the output directory and reported as `message` events; a
/// message is marked complete (3.1.4.7), and so acknowledged, only once it is stored.
public final class SSTPDeviceListener: Sendable {
    public let configuration: SSTPDeviceConfiguration
    let events: EventLog
    let group: any EventLoopGroup
    let shared: Shared
    private let serverChannel = NIOLockedValueBox<Channel?>(nil)

    /// State every connection of this listener shares.
    final class Shared: Sendable {
        let messageCounter = NIOLockedValueBox(0)
        let connectionCounter = NIOLockedValueBox(0)
        /// Established connections per source device URL (NumberOfConcurrentDeviceConnections).
        let connectionsPerDevice = NIOLockedValueBox<[String: Int]>([:])
        let connections = NIOLockedValueBox<[Int: NIOLoopBound<SSTPConnectionHandler>]>([:])
        let channels = NIOLockedValueBox<[Int: Channel]>([:])
    }

    public init(configuration: SSTPDeviceConfiguration, events: EventLog, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.events = events
        self.group = group
        self.shared = Shared()
    }

    /// Binds, reports `listening`, and returns the bound address.
    @discardableResult
    public func start() async throws -> SocketAddress {
        try FileManager.default.createDirectory(atPath: configuration.outputDirectory, withIntermediateDirectories: true)
        let configuration = self.configuration
        let events = self.events
        let shared = self.shared
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 256 << 10, high: 1 << 20))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let id = shared.connectionCounter.withLockedValue { $0 += 1; return $0 }
                    let application = InboxApplication(id: id, configuration: configuration, events: events, shared: shared, eventLoop: channel.eventLoop)
                    let handler = SSTPConnectionHandler(configuration: configuration.connection, initiatedConnection: false, application: application)
                    application.handler = handler
                    shared.connections.withLockedValue { $0[id] = NIOLoopBound(handler, eventLoop: channel.eventLoop) }
                    shared.channels.withLockedValue { $0[id] = channel }
                    channel.closeFuture.whenComplete { _ in
                        _ = shared.connections.withLockedValue { $0.removeValue(forKey: id) }
                        _ = shared.channels.withLockedValue { $0.removeValue(forKey: id) }
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: configuration.listen.host, port: configuration.listen.port)
            .get()
        serverChannel.withLockedValue { $0 = channel }
        events.listening(service: "sstp-device", address: channel.localAddress)
        return channel.localAddress!
    }

    /// Closes every connection with ConnectClose NoReason (after acknowledging what is
    /// stored) and stops listening.
    public func stop() async {
        let channel = serverChannel.withLockedValue { $0 }
        try? await channel?.close()
        let connections = shared.connections.withLockedValue { Array($0.values) }
        for bound in connections {
            bound.eventLoop.execute { bound.value.close(reason: .noReason) }
        }
        // Wait (a little) for each ConnectClose to be written and the connection to end.
        let closing = shared.channels.withLockedValue { Array($0.values) }
        for channel in closing {
            let timeout = channel.eventLoop.scheduleTask(in: .seconds(5)) { channel.close(promise: nil) }
            try? await channel.closeFuture.get()
            timeout.cancel()
        }
    }

    /// Runs until the server channel closes.
    public func run() async throws {
        try await start()
        let channel = serverChannel.withLockedValue { $0 }
        try await channel?.closeFuture.get()
    }
}

/// The resource handler of one listener connection: every inbound session is accepted,
/// and each message goes to its own file, written on a serial queue.
final class InboxApplication: SSTPApplication {
    let id: Int
    let configuration: SSTPDeviceConfiguration
    let events: EventLog
    let shared: SSTPDeviceListener.Shared
    let eventLoop: EventLoop
    weak var handler: SSTPConnectionHandler?
    private let queue: DispatchQueue
    private var sinks: [UInt32: FileSink] = [:]
    private var sessions: [UInt32: SSTP.AddressingEntry] = [:]
    private var pendingBytes = 0
    private var congested = false
    private var peerDevices: [String] = []
    private var peer: String = "?"

    init(id: Int, configuration: SSTPDeviceConfiguration, events: EventLog, shared: SSTPDeviceListener.Shared, eventLoop: EventLoop) {
        self.id = id
        self.configuration = configuration
        self.events = events
        self.shared = shared
        self.eventLoop = eventLoop
        self.queue = DispatchQueue(label: "winterop.sstp.inbox.\(id)")
    }

    func admission(for connect: SSTP.Connect, on handler: SSTPConnectionHandler) -> SSTP.ConnectAdmission {
        peer = handler.remoteAddress?.hostPortText ?? "?"
        let lockedOut = connect.sourceDeviceURLs.contains { configuration.lockedOutDevices.contains($0) }
        let existing = shared.connectionsPerDevice.withLockedValue { counts in
            connect.sourceDeviceURLs.map { counts[$0] ?? 0 }.max() ?? 0
        }
        return SSTP.ConnectAdmission(lockedOut: lockedOut, existingConnectionsFromSource: existing)
    }

    func connectionEstablished(_ handler: SSTPConnectionHandler, version: SSTP.Version, peerDeviceURLs: [String]) {
        peerDevices = peerDeviceURLs
        shared.connectionsPerDevice.withLockedValue { counts in for url in peerDeviceURLs { counts[url, default: 0] += 1 } }
        events.emit("connected", [
            ("connection", .int(Int64(id))), ("peer", .string(peer)), ("version", .string(version.description)),
            ("deviceURLs", .array(peerDeviceURLs.map { .string($0) })),
        ], text: "connection \(id) from \(peer) established (SSTP \(version), \(peerDeviceURLs.joined(separator: ", ")))")
    }

    func connectionEnded(_ handler: SSTPConnectionHandler, cause: SSTP.ConnectionEndCause, unacknowledged: [SSTP.OutboundMessageList.Entry]) {
        shared.connectionsPerDevice.withLockedValue { counts in
            for url in peerDevices {
                counts[url, default: 1] -= 1
                if counts[url] == 0 { counts[url] = nil }
            }
        }
        peerDevices = []
        for sink in sinks.values { queue.async { sink.abort() } }
        sinks = [:]
        gathered = [:]
        gatheredTotal = 0
        var fields: [(String, JSONValue)] = [("connection", .int(Int64(id))), ("peer", .string(peer))]
        let text: String
        switch cause {
        case .closedLocally(let reason, let violation):
            fields.append(("by", .string("local")))
            fields.append(("reason", .string(reason.description)))
            if let violation { fields.append(("violation", .string(violation))) }
            text = "connection \(id) closed: sent ConnectClose \(reason)\(violation.map { " (\($0))" } ?? "")"
            if violation != nil && reason != .noReason {
                events.emit("protocol_error", [("connection", .int(Int64(id))), ("reason", .string(reason.description)), ("detail", .string(violation ?? ""))],
                            text: "connection \(id): \(violation ?? "") → ConnectClose \(reason)")
            }
        case .closedByPeer(let close):
            fields.append(("by", .string("peer")))
            fields.append(("reason", .string(close.reason.description)))
            text = "connection \(id) closed by the peer: \(close.reason)"
        case .refused(let response):
            fields.append(("by", .string("peer")))
            fields.append(("reason", .string(response.responseId.description)))
            text = "connection \(id) refused: \(response.responseId)"
        case .transportLost:
            fields.append(("by", .string("transport")))
            fields.append(("reason", .string("transport lost")))
            text = "connection \(id) lost"
        }
        events.emit("connection_closed", fields, text: text)
    }

    func openReceived(_ handler: SSTPConnectionHandler, sessionId: UInt32, entry: SSTP.AddressingEntry) -> SSTP.ResourceHandlerAvailability {
        sessions[sessionId] = entry
        events.emit("session_opened", [
            ("connection", .int(Int64(id))), ("session", .integer(sessionId)), ("resourceURL", .string(entry.resourceURL)),
            ("identityURL", .string(entry.identityURL)), ("deviceURL", .string(entry.deviceURL)),
        ], text: "session \(sessionId) opened for \(entry)")
        return congested && configuration.flowControl ? .notReady : .ready
    }

    func sessionClosed(_ handler: SSTPConnectionHandler, sessionId: UInt32, direction: SSTP.SessionDirection, reason: SSTP.Close.Reason, byPeer: Bool) {
        guard direction == .inbound else { return }
        sessions[sessionId] = nil
        events.emit("session_closed", [("connection", .int(Int64(id))), ("session", .integer(sessionId)), ("reason", .string(reason.description))],
                    text: "session \(sessionId) closed (\(reason))")
    }

    func messageStarted(_ handler: SSTPConnectionHandler, sessionId: UInt32, message: SSTP.Message) {
        let number = shared.messageCounter.withLockedValue { $0 += 1; return $0 }
        let sink = FileSink(temporaryPath: "\(configuration.outputDirectory)/.incoming-\(number).part")
        sinks[sessionId] = sink
        finalNames[sessionId] = String(format: "msg-%08d", number)
        queue.async { sink.open() }
    }

    private var finalNames: [UInt32: String] = [:]

    /// Payload gathered per session and handed to the writer queue in blocks, so that the
    /// disk sees few large writes and the event loop few hops.
    private var gathered: [UInt32: ByteBuffer] = [:]
    private static let block = 256 << 10

    func messageData(_ handler: SSTPConnectionHandler, sessionId: UInt32, payload: ByteBuffer) {
        guard sinks[sessionId] != nil else { return }
        var payload = payload
        let count = payload.readableBytes
        if var block = gathered.removeValue(forKey: sessionId) {
            block.writeBuffer(&payload)
            gathered[sessionId] = block
        } else {
            var block = ByteBufferAllocator().buffer(capacity: max(count, 16 << 10))
            block.writeBuffer(&payload)
            gathered[sessionId] = block
        }
        gatheredTotal += count
        if let block = gathered[sessionId], block.readableBytes >= Self.block {
            dispatch(sessionId)
        } else if gatheredTotal > configuration.highWater / 2 {
            // Many sessions each holding a partial block: write them all, so that memory
            // stays bounded by the high-water mark whatever the number of sessions.
            for id in gathered.keys.sorted() { dispatch(id) }
        }
    }

    private var gatheredTotal = 0

    /// Sends what was gathered for `sessionId` to its file.
    private func dispatch(_ sessionId: UInt32) {
        guard let sink = sinks[sessionId], let block = gathered.removeValue(forKey: sessionId) else { return }
        let count = block.readableBytes
        gatheredTotal -= count
        guard count > 0 else { return }
        pendingBytes += count
        let loop = NIOLoopBound(self, eventLoop: eventLoop)
        queue.async {
            sink.write(block)
            loop.eventLoop.execute { loop.value.written(count) }
        }
        if pendingBytes > configuration.highWater && !congested { setCongested(true) }
    }

    private func written(_ count: Int) {
        pendingBytes -= count
        if congested && pendingBytes < configuration.lowWater { setCongested(false) }
    }

    private func setCongested(_ value: Bool) {
        congested = value
        guard let handler else { return }
        if value { handler.pauseReading() } else { handler.resumeReading() }
        if configuration.flowControl {
            for sessionId in sessions.keys.sorted() {
                handler.setAvailability(sessionId: sessionId, value ? .notReady : .ready)
            }
        }
    }

    func messageReceived(_ handler: SSTPConnectionHandler, entry: SSTP.InboundMessageList.Entry) {
        dispatch(entry.sessionId)
        guard let sink = sinks.removeValue(forKey: entry.sessionId), let name = finalNames.removeValue(forKey: entry.sessionId) else { return }
        let path = "\(configuration.outputDirectory)/\(name)"
        let sync = configuration.sync
        let loop = NIOLoopBound(self, eventLoop: eventLoop)
        queue.async {
            let result = sink.finish(finalPath: path, sync: sync)
            let size = sink.size
            loop.eventLoop.execute { loop.value.stored(entry, path: path, size: size, result: result) }
        }
    }

    private func stored(_ entry: SSTP.InboundMessageList.Entry, path: String, size: Int, result: Result<String, SinkFailure>) {
        guard let handler else { return }
        switch result {
        case .success(let digest):
            let message = entry.message
            let addressing = sessions[entry.sessionId]
            var flags: [(String, JSONValue)] = [
                ("track", .bool(message.track)), ("acknowledgeImmediately", .bool(message.acknowledgeImmediately)),
                ("doNotDeliverIfOffline", .bool(message.doNotDeliverIfOffline)),
            ]
            if let e = message.ephemeral { flags.append(("ttl", .integer(e.ttl))) }
            if let s = message.streamSize {
                flags.append(("streamSize", .object([
                    ("byteStreamSize", .integer(s.byteStreamSize)), ("sessionSize", .integer(s.sessionSize)), ("messageSize", .integer(s.messageSize)),
                ])))
            }
            if let f = message.fragmentation {
                flags.append(("fragmentation", .object([
                    ("numFragments", .integer(f.numFragments)), ("thisFragment", .integer(f.thisFragment)),
                    ("fragmentId", .string(f.fragmentId)), ("fragmentOffset", .integer(f.fragmentOffset)),
                ])))
            }
            events.emit("message", [
                ("connection", .int(Int64(id))), ("session", .integer(entry.sessionId)), ("sequence", .integer(entry.sequence)),
                ("resourceURL", .string(addressing?.resourceURL ?? "")), ("identityURL", .string(addressing?.identityURL ?? "")),
                ("deviceURL", .string(addressing?.deviceURL ?? "")), ("size", .int(Int64(size))), ("sha256", .string(digest)),
                ("userRef", .string(message.userRef)), ("flags", .object(flags)), ("path", .string(path)),
            ], text: "message \(entry.sequence) on session \(entry.sessionId): \(size) bytes, sha256 \(digest) → \(path)")
            // Stored: now it may be acknowledged (3.1.4.7).
            handler.resourceHandlerCompleted(sequence: entry.sequence)
        case .failure(let failure):
            events.emit("store_failed", [("connection", .int(Int64(id))), ("session", .integer(entry.sessionId)), ("error", .string(failure.message))],
                        text: "cannot store message on session \(entry.sessionId): \(failure.message)")
            // The resource handler has failed: the session is closed, the message never acknowledged.
            handler.setAvailability(sessionId: entry.sessionId, .fault(.internalError))
        }
    }

    func messageAborted(_ handler: SSTPConnectionHandler, sessionId: UInt32) {
        finalNames[sessionId] = nil
        gatheredTotal -= gathered.removeValue(forKey: sessionId)?.readableBytes ?? 0
        if let sink = sinks.removeValue(forKey: sessionId) { queue.async { sink.abort() } }
    }
}
