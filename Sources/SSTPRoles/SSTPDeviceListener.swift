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
    /// Concurrent connections; more are refused (nil: no limit).
    public var maxConnections: Int?
    /// Messages being received at once by the whole process, over all connections; a
    /// message beyond it closes its session with QuotaWouldBeExceeded.
    public var maxMessagesInProgress: Int
    /// Compute each message's SHA-256 for its `message` event (`--no-sha256` turns it off).
    public var digests: Bool = true
    /// How messages are kept on disk (`--store`).
    public var store: SSTPMessageStore = .files

    public init(
        listen: HostPort, connection: SSTP.ConnectionConfiguration, outputDirectory: String,
        flowControl: Bool = true, sync: Bool = true, lockedOutDevices: Set<String> = [],
        highWater: Int = 4 << 20, lowWater: Int = 1 << 20, maxConnections: Int? = nil,
        maxMessagesInProgress: Int = SSTPDeviceConfiguration.defaultMaxMessagesInProgress
    ) {
        self.listen = listen
        self.connection = connection
        self.outputDirectory = outputDirectory
        self.flowControl = flowControl
        self.sync = sync
        self.lockedOutDevices = lockedOutDevices
        self.highWater = highWater
        self.lowWater = lowWater
        self.maxConnections = maxConnections
        self.maxMessagesInProgress = maxMessagesInProgress
    }

    /// Default of ``maxMessagesInProgress``: each may hold up to 64 KiB of memory or one
    /// descriptor, so this bounds a process at 256 MiB or 4,096 descriptors.
    public static let defaultMaxMessagesInProgress = 4096
}

/// How `sstp listen` keeps messages (`--store`).
public enum SSTPMessageStore: String, Sendable, CaseIterable {
    /// One file per message, `msg-NNNNNNNN`.
    case files
    /// Messages up to ``SSTPSpool/messageLimit`` appended to spool files
    /// (``SSTPSpool``), many per write; larger ones in their own `msg-` file.
    case spool
}

/// A device (client role, 3.2) listening for direct connections, as the
/// ``ListenerRole`` of a ``ListenerService``: each inbound session's messages are written
/// under the output directory and reported as `message` events; a message is marked
/// complete (3.1.4.7), and so acknowledged, only once it is stored. Its goodbye is
/// ConnectClose NoReason carrying the count of what is stored (3.1.4.2.1).
public struct SSTPDeviceListener: ListenerRole {
    public let configuration: SSTPDeviceConfiguration
    let events: EventLog
    let shared: Shared

    /// State every connection of this listener shares.
    final class Shared: Sendable {
        let messageCounter: NIOLockedValueBox<Int>
        let connectionCounter = NIOLockedValueBox(0)
        /// Established connections per source device URL (NumberOfConcurrentDeviceConnections).
        let connectionsPerDevice = NIOLockedValueBox<[String: Int]>([:])
        /// Messages being received now, over every connection (bounded by
        /// ``SSTPDeviceConfiguration/maxMessagesInProgress``).
        let messagesInProgress = NIOLockedValueBox(0)

        /// Where every connection's writer queue runs (tests hold it to stop the disk).
        let storeTarget: DispatchQueue?
        /// The spool every connection appends small messages to (`--store spool`).
        let spool: MessageSpool?

        init(firstMessageNumber: Int, storeTarget: DispatchQueue?, spool: MessageSpool? = nil) {
            messageCounter = NIOLockedValueBox(firstMessageNumber - 1)
            self.storeTarget = storeTarget
            self.spool = spool
        }

        /// The next unused message number.
        func nextMessageNumber() -> Int {
            messageCounter.withLockedValue { $0 += 1; return $0 }
        }
    }

    /// A listener storing into ``SSTPDeviceConfiguration/outputDirectory``, which must
    /// exist (see ``SSTPDeviceConfiguration/init(listen:deviceURLs:outputDirectory:version:acknowledgmentDelay:flowControl:sync:lockedOutDevices:maxConnectionsPerDevice:highWater:connectTimeout:maxMessageSize:maxConnections:)``).
    /// Numbering continues after the messages already there.
    public init(configuration: SSTPDeviceConfiguration, events: EventLog) {
        self.init(configuration: configuration, events: events, storeTarget: nil)
    }

    init(configuration: SSTPDeviceConfiguration, events: EventLog, storeTarget: DispatchQueue?) {
        self.configuration = configuration
        self.events = events
        let spool = configuration.store == .spool
            ? MessageSpool(directory: configuration.outputDirectory, sync: configuration.sync, hashing: configuration.digests, target: storeTarget)
            : nil
        self.shared = Shared(firstMessageNumber: MessageNames.firstFree(in: configuration.outputDirectory), storeTarget: storeTarget, spool: spool)
    }

    /// The service that binds, serves and shuts this listener down.
    public func service(eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, service: String = "sstp-device") -> ListenerService {
        ListenerService(
            configuration: ListenerConfiguration(
                service: service, address: configuration.listen, maxConnections: configuration.maxConnections,
                writeBufferWaterMark: .init(low: 256 << 10, high: 1 << 20)
            ),
            role: self, events: events, eventLoopGroup: eventLoopGroup
        )
    }

    public func initialize(_ channel: any Channel) throws {
        let id = shared.connectionCounter.withLockedValue { $0 += 1; return $0 }
        let application = InboxApplication(id: id, configuration: configuration, events: events, shared: shared, eventLoop: channel.eventLoop)
        let handler = SSTPConnectionHandler(configuration: configuration.connection, initiatedConnection: false, application: application)
        application.handler = handler
        // Reads of up to 1 MiB (NIO's default stops at 64 KiB): a bulk sender's bytes
        // come in a few reads per message instead of sixteen.
        try channel.syncOptions?.setOption(.recvAllocator, value: Self.receiveAllocator)
        try channel.pipeline.syncOperations.addHandler(handler)
    }

    static let receiveAllocator = AdaptiveRecvByteBufferAllocator(minimum: 4 << 10, initial: 64 << 10, maximum: 1 << 20)

    /// ConnectClose NoReason, after acknowledging what is stored (its MessageCount, 3.1.4.2.1).
    public func sayGoodbye(_ channel: any Channel, reason: GoodbyeReason) {
        channel.eventLoop.execute {
            guard let handler = try? channel.pipeline.syncOperations.handler(type: SSTPConnectionHandler.self) else {
                channel.close(promise: nil)
                return
            }
            handler.close(reason: .noReason)
        }
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
        self.queue = DispatchQueue(label: "winterop.sstp.inbox.\(id)", target: shared.storeTarget)
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
        events.emit(SSTPDeviceEvent.connected(connection: id, peer: peer, version: version, deviceURLs: peerDeviceURLs))
    }

    func connectionEnded(_ handler: SSTPConnectionHandler, cause: SSTP.ConnectionEndCause, unacknowledged: [SSTP.OutboundMessageList.Entry]) {
        shared.connectionsPerDevice.withLockedValue { counts in
            for url in peerDevices {
                counts[url, default: 1] -= 1
                if counts[url] == 0 { counts[url] = nil }
            }
        }
        peerDevices = []
        let count = sinks.count
        shared.messagesInProgress.withLockedValue { $0 -= count }
        for sink in sinks.values { queue.async { sink.abort() } }
        sinks = [:]
        gathered = [:]
        gatheredTotal = 0
        spilled = []
        let end: SSTPDeviceEvent.End
        switch cause {
        case .closedLocally(let reason, let violation):
            end = .local(reason, violation: violation)
            if let violation, reason != .noReason {
                events.emit(SSTPDeviceEvent.protocolError(connection: id, session: nil, reason: reason.description, detail: violation))
            }
        case .closedByPeer(let close):
            end = .peer(close)
        case .refused(let response):
            end = .refused(response.responseId)
        case .transportLost:
            end = .transport
        }
        events.emit(SSTPDeviceEvent.connectionClosed(connection: id, peer: peer, end: end))
    }

    func sessionViolation(_ handler: SSTPConnectionHandler, sessionId: UInt32, reason: SSTP.Close.Reason, detail: String) {
        events.emit(SSTPDeviceEvent.protocolError(connection: id, session: sessionId, reason: reason.description, detail: detail))
    }

    func openReceived(_ handler: SSTPConnectionHandler, sessionId: UInt32, entry: SSTP.AddressingEntry) -> SSTP.ResourceHandlerAvailability {
        sessions[sessionId] = entry
        events.emit(SSTPDeviceEvent.sessionOpened(connection: id, session: sessionId, entry: entry))
        return congested && configuration.flowControl ? .notReady : .ready
    }

    func sessionClosed(_ handler: SSTPConnectionHandler, sessionId: UInt32, direction: SSTP.SessionDirection, reason: SSTP.Close.Reason, byPeer: Bool) {
        guard direction == .inbound else { return }
        sessions[sessionId] = nil
        events.emit(SSTPDeviceEvent.sessionClosed(connection: id, session: sessionId, reason: reason))
    }

    func messageStarted(_ handler: SSTPConnectionHandler, sessionId: UInt32, message: SSTP.Message) {
        let limit = configuration.maxMessagesInProgress
        let admitted = shared.messagesInProgress.withLockedValue { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard admitted else {
            // No room for one more message in this process: the resource handler faults
            // the session (3.1.4.5); the sender may send it again later.
            events.emit(SSTPDeviceEvent.messageLimit(connection: id, session: sessionId, limit: limit))
            handler.setAvailability(sessionId: sessionId, .fault(.quotaWouldBeExceeded))
            return
        }
        let sink = FileSink(directory: configuration.outputDirectory, connection: id, session: sessionId, hashing: configuration.digests)
        sinks[sessionId] = sink
    }

    /// Takes the sink of `sessionId` out of the messages in progress.
    private func removeSink(_ sessionId: UInt32) -> FileSink? {
        guard let sink = sinks.removeValue(forKey: sessionId) else { return nil }
        shared.messagesInProgress.withLockedValue { $0 -= 1 }
        return sink
    }

    /// Payload gathered per session and handed to the writer queue in blocks, so that the
    /// disk sees few large writes and the event loop few hops.
    private var gathered: [UInt32: PayloadPieces] = [:]
    private static let block = 256 << 10

    func messageData(_ handler: SSTPConnectionHandler, sessionId: UInt32, payload: ByteBuffer) {
        guard sinks[sessionId] != nil else { return }
        let count = payload.readableBytes
        let blockBytes = gathered[sessionId, default: PayloadPieces()].append(payload)
        gatheredTotal += count
        if blockBytes >= blockLimit(sessionId) {
            dispatch(sessionId)
        } else if gatheredTotal > configuration.highWater / 2 {
            // Many sessions each holding a partial block: write them all, so that memory
            // stays bounded by the high-water mark whatever the number of sessions.
            for id in gathered.keys.sorted() { dispatch(id) }
        }
    }

    private var gatheredTotal = 0

    /// Sessions whose current message went (in part) to its own file: with a spool,
    /// the ones that outgrew ``SSTPSpool/messageLimit``.
    private var spilled: Set<UInt32> = []

    /// Gathered bytes at which a session's block goes to its file: with a spool, a
    /// message stays in memory (bound for the spool) until it passes the spool's limit.
    private func blockLimit(_ sessionId: UInt32) -> Int {
        shared.spool != nil && !spilled.contains(sessionId) ? SSTPSpool.messageLimit + 1 : Self.block
    }

    /// Sends what was gathered for `sessionId` to its file.
    private func dispatch(_ sessionId: UInt32) {
        guard let sink = sinks[sessionId], let block = gathered.removeValue(forKey: sessionId) else { return }
        if shared.spool != nil { spilled.insert(sessionId) }
        let count = block.readableBytes
        gatheredTotal -= count
        guard count > 0 else { return }
        pendingBytes += count
        let loop = NIOLoopBound(self, eventLoop: eventLoop)
        queue.async {
            let failure = sink.write(block)
            loop.eventLoop.execute { loop.value.written(count, sessionId: sessionId, sink: sink, failure: failure) }
        }
        if pendingBytes > configuration.highWater && !congested { setCongested(true) }
    }

    private func written(_ count: Int) {
        pendingBytes -= count
        if congested && pendingBytes < configuration.lowWater { setCongested(false) }
    }

    private func written(_ count: Int, sessionId: UInt32, sink: FileSink, failure: SinkFailure?) {
        written(count)
        // A write failed mid-message (disk full, I/O error): the message can never be
        // stored, so the resource handler faults its session (3.1.4.5) with the Close
        // reason that says why; the core aborts the message (its partial file goes) and the
        // sender learns it at once instead of after sending the rest. A failure found
        // after EndMessage is handled when the message is finished (see stored).
        if let failure, sinks[sessionId] === sink, let handler {
            events.emit(SSTPDeviceEvent.storeFailed(connection: id, session: sessionId, error: failure.message))
            handler.setAvailability(sessionId: sessionId, .fault(failure.closeReason))
        }
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
        // The last gathered bytes travel with the finish: one hop to the writer queue and
        // one back per message (a small message is nothing but its last block).
        let tail = gathered.removeValue(forKey: entry.sessionId)
        let count = tail?.readableBytes ?? 0
        gatheredTotal -= count
        guard let sink = removeSink(entry.sessionId) else { return }
        pendingBytes += count
        if shared.spool != nil, spilled.remove(entry.sessionId) == nil {
            // Never written to its file (nothing was opened): the message goes to the spool.
            spool(entry, payload: tail?.joined ?? ByteBuffer())
            return
        }
        let directory = configuration.outputDirectory
        let sync = configuration.sync
        let shared = self.shared
        let loop = NIOLoopBound(self, eventLoop: eventLoop)
        queue.async {
            if let tail, count > 0 { sink.write(tail) }
            let result = sink.finish(in: directory, sync: sync, nextNumber: shared.nextMessageNumber)
            let size = sink.size
            loop.eventLoop.execute {
                let me = loop.value
                me.written(count)
                me.stored(entry, size: size, result: result)
            }
        }
        if pendingBytes > configuration.highWater && !congested { setCongested(true) }
    }

    /// Messages received during this pass of the event loop, bound for the spool in one batch.
    private var spoolBatch: [(entry: SSTP.InboundMessageList.Entry, record: MessageSpool.Record)] = []

    /// Adds a complete message to this pass's spool batch; the batch goes to the spool
    /// writer once the pass (all the messages of this read) is done.
    private func spool(_ entry: SSTP.InboundMessageList.Entry, payload: ByteBuffer) {
        spoolBatch.append((entry, MessageSpool.Record(connection: id, session: entry.sessionId, sequence: entry.sequence, payload: payload)))
        if spoolBatch.count == 1 {
            let loop = NIOLoopBound(self, eventLoop: eventLoop)
            eventLoop.execute { loop.value.submitSpoolBatch() }
        }
        if pendingBytes > configuration.highWater && !congested { setCongested(true) }
    }

    private func submitSpoolBatch() {
        guard let spool = shared.spool, !spoolBatch.isEmpty else { return }
        let batch = spoolBatch
        spoolBatch = []
        let loop = NIOLoopBound(self, eventLoop: eventLoop)
        spool.append(batch.map(\.record)) { results in
            loop.eventLoop.execute {
                let me = loop.value
                let finish = {
                    var reports: [SSTPDeviceEvent] = []
                    for ((entry, record), result) in zip(batch, results) {
                        let size = record.payload.readableBytes
                        me.written(size)
                        me.stored(entry, size: size, result: result.map { FileSink.Stored(path: $0.path, sha256: $0.sha256, offset: $0.offset) }, reports: &reports)
                    }
                    me.events.emit(all: reports)
                }
                // One flush for the batch's acknowledgments.
                if let handler = me.handler { handler.batchingFlushes(finish) } else { finish() }
            }
        }
    }

    private func stored(_ entry: SSTP.InboundMessageList.Entry, size: Int, result: Result<FileSink.Stored, SinkFailure>) {
        var reports: [SSTPDeviceEvent] = []
        stored(entry, size: size, result: result, reports: &reports)
        events.emit(all: reports)
    }

    /// Reports a message stored (adding its event to `reports`) and completes it, or
    /// reports the failure and closes the connection.
    private func stored(_ entry: SSTP.InboundMessageList.Entry, size: Int, result: Result<FileSink.Stored, SinkFailure>, reports: inout [SSTPDeviceEvent]) {
        guard let handler else { return }
        switch result {
        case .success(let stored):
            reports.append(SSTPDeviceEvent.message(SSTPDeviceEvent.StoredMessage(
                connection: id, session: entry.sessionId, sequence: entry.sequence, entry: sessions[entry.sessionId],
                size: size, sha256: stored.sha256, message: entry.message, path: stored.path, offset: stored.offset
            )))
            // Stored under its final name: now it may be acknowledged (3.1.4.7).
            handler.resourceHandlerCompleted(sequence: entry.sequence)
        case .failure(let failure):
            // Before the close, whose connection_closed event comes after these.
            events.emit(all: reports + [SSTPDeviceEvent.storeFailed(connection: id, session: entry.sessionId, error: failure.message)])
            reports = []
            // The message can never be completed, and the acknowledgments of everything
            // after it wait behind it (3.1.4.2.1): close the connection with InternalError,
            // acknowledging what is stored, so the peer sends the rest again.
            handler.close(reason: .internalError)
        }
    }

    func messageAborted(_ handler: SSTPConnectionHandler, sessionId: UInt32) {
        spilled.remove(sessionId)
        gatheredTotal -= gathered.removeValue(forKey: sessionId)?.readableBytes ?? 0
        if let sink = removeSink(sessionId) { queue.async { sink.abort() } }
    }
}
