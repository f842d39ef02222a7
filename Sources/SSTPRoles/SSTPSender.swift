import Crypto
import Dispatch
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import SSTPCore
import WinteropTransport
import WinteropWire

/// One message `winterop sstp send` sends.
public struct SSTPOutgoingMessage: Sendable {
    public enum Source: Sendable {
        case file(String)
        case standardInput
        case bytes(ByteBuffer)
    }
    /// How reports name it (the file path, "-" for standard input).
    public var name: String
    public var source: Source
    /// The Message flags and fields; StreamSize is filled in when the size is known and
    /// ``SSTPSendConfiguration/streamSize`` is on.
    public var options: SSTP.MessageOptions

    public init(name: String, source: Source, options: SSTP.MessageOptions = .init()) {
        self.name = name
        self.source = source
        self.options = options
    }
}

/// What `winterop sstp send` does: connect, open one session, send messages.
public struct SSTPSendConfiguration: Sendable {
    public var to: HostPort
    public var connection: SSTP.ConnectionConfiguration
    public var targetDeviceURL: String
    public var entry: SSTP.AddressingEntry
    public var messages: [SSTPOutgoingMessage]
    /// Send the StreamSize fields when a message's size is known beforehand.
    public var streamSize: Bool
    /// Bytes read from a source at a time.
    public var chunkSize: Int
    /// Chunks read ahead of the socket.
    public var readAhead: Int = 4
    /// When not empty, the session is a fanout session to these entries (FanoutOpen to a
    /// relay server, 3.1.4.3.3) with ``entry``'s ResourceURL, instead of an Open to ``entry``.
    public var fanout: [SSTP.FanoutOpen.Entry] = []
    /// Compute each message's SHA-256 for the `sent` event (`--no-sha256` turns it off:
    /// it is most of the CPU of a large transfer).
    public var digests: Bool = true

    public init(to: HostPort, connection: SSTP.ConnectionConfiguration, targetDeviceURL: String, entry: SSTP.AddressingEntry, messages: [SSTPOutgoingMessage], streamSize: Bool = true, chunkSize: Int = 256 << 10) {
        self.to = to
        self.connection = connection
        self.targetDeviceURL = targetDeviceURL
        self.entry = entry
        self.messages = messages
        self.streamSize = streamSize
        self.chunkSize = chunkSize
    }
}

/// How often `sstp send` reports `progress`.
public enum SSTPSenderProgress {
    public static let interval = TimeAmount.milliseconds(250)
}

/// How a send ended.
public struct SSTPSendReport: Sendable {
    /// Names of the messages the peer acknowledged, in order.
    public var acknowledged: [String]
    /// Sent completely but never acknowledged (not delivered, 3.1.7.1).
    public var unacknowledged: [String]
    /// Not (completely) sent.
    public var notSent: [String]
    /// Why the connection ended, when it was not this side's orderly close.
    public var failure: String?
    public var succeeded: Bool { failure == nil && unacknowledged.isEmpty && notSent.isEmpty }

    /// One sentence for a send that did not succeed: why, and what was not delivered.
    public var failureSummary: String {
        var parts: [String] = []
        if let failure { parts.append(failure) }
        if !unacknowledged.isEmpty { parts.append("sent but not acknowledged (not delivered): \(unacknowledged.joined(separator: ", "))") }
        if !notSent.isEmpty { parts.append("not sent: \(notSent.joined(separator: ", "))") }
        return parts.joined(separator: "; ")
    }
}

/// The device role that sends (client role, 3.2).
public enum SSTPSender {
    /// Connects, sends every message, waits for the acknowledgments and reports `done`.
    /// Graceful shutdown (SIGINT/SIGTERM under ``RoleRunner/client(name:logger:_:)``)
    /// ends the connection with ConnectClose NoReason; what was not acknowledged by then
    /// is reported as such.
    public static func send(_ configuration: SSTPSendConfiguration, events: EventLog, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> SSTPSendReport {
        let loop = group.next()
        let promise = loop.makePromise(of: SSTPSendReport.self)
        let queue = DispatchQueue(label: "winterop.sstp.sender")
        let channel: any Channel
        do {
            channel = try await SSTPConnectionHandler.connect(
                to: configuration.to, group: loop, connectTimeout: .seconds(30),
                writeBufferWaterMark: .init(low: 256 << 10, high: 1 << 20)
            ) { channel in
                let application = SenderApplication(configuration: configuration, events: events, promise: promise, eventLoop: channel.eventLoop, queue: queue)
                let handler = SSTPConnectionHandler(configuration: configuration.connection, initiatedConnection: true, targetDeviceURL: configuration.targetDeviceURL, application: application)
                application.handler = handler
                return handler
            }.get()
        } catch {
            throw SSTPSendError.cannotConnect(configuration.to, "\(error)")
        }
        channel.closeFuture.whenComplete { _ in
            // If the connection ended without a report (it always reports), fail clearly;
            // through the reader queue, after the report the application queued there.
            queue.async { promise.fail(SSTPSendError.connectionClosed) }
        }
        let report = try await withGracefulShutdownHandler {
            try await promise.futureResult.get()
        } onGracefulShutdown: {
            channel.eventLoop.execute {
                guard let handler = try? channel.pipeline.syncOperations.handler(type: SSTPConnectionHandler.self) else { return }
                handler.close(reason: .noReason)
            }
        }
        events.emit(SSTPSenderEvent.done(report, total: configuration.messages.count))
        return report
    }
}

public enum SSTPSendError: Error, CustomStringConvertible {
    case connectionClosed
    case cannotConnect(HostPort, String)
    public var description: String {
        switch self {
        case .connectionClosed: "the connection closed before the send finished"
        case .cannotConnect(let address, let reason): "cannot connect to \(address): \(reason)"
        }
    }
}

/// Reads one message's bytes on a serial queue, a chunk at a time.
final class MessageReader: @unchecked Sendable {
    private let queue: DispatchQueue
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var bytes: ByteBuffer?
    private var hasher = SHA256()
    /// The size when known before reading (regular files, in-memory bytes).
    let knownSize: UInt64?

    private let hashing: Bool

    init(source: SSTPOutgoingMessage.Source, queue: DispatchQueue, hashing: Bool = true) throws {
        self.queue = queue
        self.hashing = hashing
        switch source {
        case .file(let path):
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw SinkFailure(message: "cannot open \(path): \(String(cString: strerror(errno)))") }
            descriptor = fd
            ownsDescriptor = true
            var info = stat()
            if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG {
                knownSize = UInt64(info.st_size)
            } else {
                knownSize = nil
            }
        case .standardInput:
            descriptor = 0
            ownsDescriptor = false
            knownSize = nil
        case .bytes(let buffer):
            descriptor = -1
            ownsDescriptor = false
            bytes = buffer
            knownSize = UInt64(buffer.readableBytes)
        }
    }

    /// Reads up to `count` bytes on the queue; an empty buffer is the end.
    func read(_ count: Int, allocator: ByteBufferAllocator, completion: @escaping @Sendable (Result<ByteBuffer, SinkFailure>) -> Void) {
        queue.async {
            if var bytes = self.bytes {
                let chunk = bytes.readSlice(length: min(count, bytes.readableBytes)) ?? ByteBuffer()
                self.bytes = bytes
                if self.hashing { chunk.withUnsafeReadableBytes { self.hasher.update(bufferPointer: $0) } }
                completion(.success(chunk))
                return
            }
            var buffer = allocator.buffer(capacity: count)
            var failure: SinkFailure?
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
                while true {
                    let n = Foundation.read(self.descriptor, raw.baseAddress!, count)
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 {
                        failure = SinkFailure(message: "read failed: \(String(cString: strerror(errno)))")
                        return 0
                    }
                    return n
                }
            }
            if let failure {
                completion(.failure(failure))
                return
            }
            if self.hashing { buffer.withUnsafeReadableBytes { self.hasher.update(bufferPointer: $0) } }
            completion(.success(buffer))
        }
    }

    /// The SHA-256 of everything read (call after the end).
    func digest(_ completion: @escaping @Sendable (String) -> Void) {
        queue.async {
            let digest = Hex.encode(self.hasher.finalize())
            if self.ownsDescriptor { close(self.descriptor) }
            completion(digest)
        }
    }
}

/// The sender's side above the connection: one session, messages one after another.
final class SenderApplication: SSTPApplication {
    let configuration: SSTPSendConfiguration
    let events: EventLog
    let promise: EventLoopPromise<SSTPSendReport>
    let eventLoop: EventLoop
    weak var handler: SSTPConnectionHandler?
    private let queue: DispatchQueue
    private var sessionId: UInt32?
    private var sessionState: SSTP.SessionState?
    private var next = 0
    private var reader: MessageReader?
    /// Chunks read ahead of the socket, oldest first; an empty one is the end of the message.
    private var chunks = CircularBuffer<ByteBuffer>()
    /// Reads asked of the reader queue and not back yet.
    private var readsInFlight = 0
    /// The end of the current message has been read (later reads return nothing).
    private var endRead = false
    /// Bytes of a message of known size not yet asked of the reader.
    private var unrequested: UInt64?
    /// Which message the reads in flight belong to (stale completions are dropped).
    private var readGeneration = 0
    private var dataSentInMessage = false
    /// Small files read whole ahead of their turn, by message index.
    private var preloaded: [Int: PreloadedMessage] = [:]
    /// Messages below this index have been asked of the preloader.
    private var preloadRequested = 0
    private var preloadInFlight = false
    /// Payload bytes written, for `progress`.
    private var bytesSent = 0
    private var progressStart: NIODeadline?
    private var lastProgress: NIODeadline?
    /// Messages sent whole: always the first ones, `0..<sentCount` (in order, one at a time).
    private var sentCount = 0
    private var acknowledged: [Int] = []
    /// Fanout destinations the relay reported lost (3.2.5.8).
    private var lostDestinations: [String] = []
    private var failure: String?
    private var finishing = false

    init(configuration: SSTPSendConfiguration, events: EventLog, promise: EventLoopPromise<SSTPSendReport>, eventLoop: EventLoop, queue: DispatchQueue) {
        self.queue = queue
        self.configuration = configuration
        self.events = events
        self.promise = promise
        self.eventLoop = eventLoop
    }

    func connectionEstablished(_ handler: SSTPConnectionHandler, version: SSTP.Version, peerDeviceURLs: [String]) {
        events.emit(SSTPSenderEvent.connected(peer: configuration.to.description, version: version, deviceURLs: peerDeviceURLs))
        sessionId = configuration.fanout.isEmpty
            ? handler.openSession(configuration.entry)
            : handler.openFanoutSession(resourceURL: configuration.entry.resourceURL, entries: configuration.fanout)
        if sessionId == nil {
            failure = "could not open a session"
            handler.close(reason: .internalError)
        }
    }

    func sessionStateChanged(_ handler: SSTPConnectionHandler, sessionId: UInt32, direction: SSTP.SessionDirection, state: SSTP.SessionState) {
        guard direction == .outbound, sessionId == self.sessionId else { return }
        let wasOpening = sessionState == nil
        sessionState = state
        if wasOpening {
            events.emit(SSTPSenderEvent.sessionOpened(session: sessionId, state: state))
        } else {
            if !perMessageLinesHidden { events.emit(SSTPSenderEvent.flowControl(session: sessionId, state: state)) }
        }
        pump()
    }

    func sessionRefused(_ handler: SSTPConnectionHandler, sessionId: UInt32, response: SSTP.OpenResponse.ResponseId?) {
        failure = response.map { "the peer refused the session: OpenResponse \($0)" } ?? "no OpenResponse in time (session establishment timer)"
        handler.close(reason: .noReason)
    }

    func sessionClosed(_ handler: SSTPConnectionHandler, sessionId: UInt32, direction: SSTP.SessionDirection, reason: SSTP.Close.Reason, byPeer: Bool) {
        guard byPeer, sessionId == self.sessionId else { return }
        failure = "the peer closed the session (\(reason))"
        sessionState = nil
        handler.close(reason: .noReason)
    }

    /// The relay lost some fanout destinations (SessionStatus, 3.2.5.8): the others go on.
    func fanoutDestinationsRemoved(_ handler: SSTPConnectionHandler, sessionId: UInt32, status: SSTP.SessionStatus.StatusId, indexes: [Int]) {
        let lost = indexes.compactMap { configuration.fanout.indices.contains($0) ? configuration.fanout[$0] : nil }
        let names = lost.map { "\($0.identityURL) \($0.deviceURL)\($0.relayURL.isEmpty ? "" : "@\($0.relayURL)")" }
        lostDestinations += names.filter { !lostDestinations.contains($0) }
        let acked = Set(acknowledged)
        let unacknowledged = (0..<sentCount).filter { !acked.contains($0) }.map { configuration.messages[$0].name }
        events.emit(SSTPSenderEvent.destinationsLost(session: sessionId, status: status.description, destinations: names, unacknowledged: unacknowledged))
    }

    func writabilityChanged(_ handler: SSTPConnectionHandler, isWritable: Bool) {
        if isWritable { pump() }
    }

    /// Sends as much as flow control (session 'ready') and the channel (writable) allow.
    private func pump() {
        guard let handler, let sessionId, !finishing else { return }
        // One flush for everything this pass writes (small messages: hundreds per write),
        // and one write of their `sent` events.
        handler.batchingFlushes { pumpMessages(handler: handler, sessionId: sessionId) }
        if !sentReports.isEmpty {
            events.emit(all: sentReports)
            sentReports = []
        }
    }

    /// `sent` events of the messages sent whole in this pump pass.
    private var sentReports: [SSTPSenderEvent] = []

    private func pumpMessages(handler: SSTPConnectionHandler, sessionId: UInt32) {
        // A full OutboundMessageList waits for acknowledgments (they pump again).
        while sessionState == .ready && handler.isWritable && !handler.machine.outboundListIsFull {
            if reader == nil {
                guard next < configuration.messages.count else {
                    finishIfDone()
                    return
                }
                let message = configuration.messages[next]
                requestPreload()
                switch preloaded.removeValue(forKey: next) {
                case nil:
                    return  // the preloader answers, then pumps
                case .small(let payload, let digest)?:
                    do {
                        try sendWhole(payload, sha256: digest, sessionId: sessionId, handler: handler)
                    } catch {
                        failure = "\(error)"
                        handler.close(reason: .internalError)
                        return
                    }
                    continue
                case .stream?:
                    break
                }
                do {
                    reader = try MessageReader(source: message.source, queue: queue, hashing: configuration.digests)
                } catch {
                    failure = "\(message.name): \((error as? SinkFailure)?.message ?? "\(error)")"
                    handler.close(reason: .noReason)
                    return
                }
                do {
                    try handler.beginMessage(sessionId: sessionId, options: options(next, size: reader?.knownSize))
                } catch {
                    failure = "\(error)"
                    handler.close(reason: .internalError)
                    return
                }
                dataSentInMessage = false
                chunks.removeAll()
                endRead = false
                readsInFlight = 0
                unrequested = reader?.knownSize
                readGeneration += 1
            }
            requestReads()
            guard let chunk = chunks.popFirst() else { return }
            do {
                if chunk.readableBytes > 0 {
                    try handler.sendData(sessionId: sessionId, chunk)
                    dataSentInMessage = true
                    bytesSent += chunk.readableBytes
                    reportProgress()
                } else {
                    // The end: an empty message still carries one (empty) Data command.
                    if !dataSentInMessage { try handler.sendData(sessionId: sessionId, chunk) }
                    let index = next
                    try handler.endMessage(sessionId: sessionId, reference: UInt64(index))
                    sentCount += 1
                    let name = configuration.messages[index].name
                    let events = self.events
                    let quiet = perMessageLinesHidden
                    let hashing = configuration.digests
                    reader?.digest { digest in
                        if !quiet { events.emit(SSTPSenderEvent.sent(message: index, name: name, sha256: hashing ? digest : nil)) }
                    }
                    reader = nil
                    next += 1
                }
            } catch {
                failure = "\(error)"
                handler.close(reason: .internalError)
                return
            }
        }
    }

    /// The Message fields of message `index`: the last asks for its acknowledgment at once
    /// (3.1.4.7, <15>), so the send ends within a round trip instead of the receiver's
    /// 5 s timer; StreamSize when the size is known.
    private func options(_ index: Int, size: UInt64?) -> SSTP.MessageOptions {
        var options = configuration.messages[index].options
        if index == configuration.messages.count - 1 { options.acknowledgeImmediately = true }
        // The queue drains after this message (the next one is not read yet): it asks for
        // its acknowledgment at once too, so that what is sent is not held for the
        // receiver's timer while this side waits for its reader (issue 10).
        if index + 1 < configuration.messages.count, preloaded[index + 1] == nil { options.acknowledgeImmediately = true }
        // The message that fills the OutboundMessageList asks for its acknowledgment at
        // once, so the send does not stall for the receiver's timer.
        if let handler, let count = handler.machine.established?.outboundMessages.count,
           count + 1 >= handler.machine.configuration.maximumOutboundMessages {
            options.acknowledgeImmediately = true
        }
        if configuration.streamSize, let size {
            options.streamSize = SSTP.Message.StreamSize(byteStreamSize: size, sessionSize: size, messageSize: size)
        }
        return options
    }

    /// Sends message `next`, read whole beforehand: Message, Data, EndMessage.
    private func sendWhole(_ payload: ByteBuffer, sha256: String, sessionId: UInt32, handler: SSTPConnectionHandler) throws(SSTP.UsageError) {
        let index = next
        try handler.beginMessage(sessionId: sessionId, options: options(index, size: UInt64(payload.readableBytes)))
        try handler.sendData(sessionId: sessionId, payload)
        try handler.endMessage(sessionId: sessionId, reference: UInt64(index))
        sentCount += 1
        bytesSent += payload.readableBytes
        next += 1
        if !perMessageLinesHidden {
            sentReports.append(SSTPSenderEvent.sent(message: index, name: configuration.messages[index].name, sha256: configuration.digests ? sha256 : nil))
        }
        reportProgress()
    }

    /// Keeps the next ``PreloadedMessage/batch`` messages read (when small) or classified,
    /// one hop to the reader queue per batch.
    private func requestPreload() {
        guard !preloadInFlight, preloadRequested < configuration.messages.count,
              preloadRequested - next < PreloadedMessage.batch / 2 || preloaded[next] == nil
        else { return }
        let range = max(preloadRequested, next)..<min(max(preloadRequested, next) + PreloadedMessage.batch, configuration.messages.count)
        preloadRequested = range.upperBound
        preloadInFlight = true
        let sources = range.map { configuration.messages[$0].source }
        let hashing = configuration.digests
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        queue.async {
            let loaded = sources.map { PreloadedMessage.load($0, hashing: hashing) }
            bound.eventLoop.execute {
                let me = bound.value
                me.preloadInFlight = false
                for (index, message) in zip(range, loaded) { me.preloaded[index] = message }
                me.pump()
            }
        }
    }

    /// Keeps ``SSTPSendConfiguration/readAhead`` chunks of the current message read or
    /// being read, so reading and hashing (on the reader queue) overlap sending.
    private func requestReads() {
        guard let reader else { return }
        let generation = readGeneration
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        while !endRead && readsInFlight + chunks.count < configuration.readAhead {
            var count = configuration.chunkSize
            if let remaining = unrequested {
                guard remaining > 0 else {
                    // A file of known size needs no read to find its end: once its
                    // last bytes are in, the end follows them.
                    if readsInFlight == 0 {
                        endRead = true
                        chunks.append(ByteBuffer())
                    }
                    return
                }
                count = Int(min(UInt64(count), remaining))
                unrequested = remaining - UInt64(count)
            }
            readsInFlight += 1
            reader.read(count, allocator: ByteBufferAllocator()) { result in
                bound.eventLoop.execute {
                    let me = bound.value
                    guard generation == me.readGeneration else { return }
                    me.readsInFlight -= 1
                    switch result {
                    case .success(let chunk):
                        // Reads past the end come back empty too: keep only the first.
                        guard !me.endRead else { return }
                        if chunk.readableBytes == 0 { me.endRead = true }
                        me.chunks.append(chunk)
                        me.pump()
                    case .failure(let failure):
                        me.failure = failure.message
                        me.handler?.close(reason: .noReason)
                    }
                }
            }
        }
    }

    /// Without `--json` on a terminal, progress is one line on standard error, rewritten
    /// in place (flow-control changes are left to `--json`).
    private let progressLine = isatty(STDERR_FILENO) != 0

    /// On that terminal, a send of several messages shows the progress line and the
    /// final count instead of a line per message and per flow-control change.
    private var perMessageLinesHidden: Bool { progressLine && !events.json && configuration.messages.count > 1 }

    /// A `progress` event (with `--json`), or the terminal's progress line, when the last
    /// is ``SSTPSenderProgress/interval`` old.
    private func reportProgress(final: Bool = false) {
        guard events.json || progressLine else { return }
        let now = eventLoop.now
        let start = progressStart ?? now
        progressStart = start
        if !final, let last = lastProgress, now - last < SSTPSenderProgress.interval { return }
        lastProgress = now
        let progress = SSTPSenderEvent.progress(
            bytes: bytesSent, sent: sentCount, acknowledged: acknowledged.count, total: configuration.messages.count,
            seconds: Double((now - start).nanoseconds) / 1e9)
        if events.json {
            events.emit(progress)
        } else {
            FileHandle.standardError.writeText("\r" + progress.text + "\u{1B}[K" + (final ? "\n" : ""))
        }
    }

    func messagesAcknowledged(_ handler: SSTPConnectionHandler, entries: [SSTP.OutboundMessageList.Entry]) {
        var reports: [SSTPSenderEvent] = []
        for entry in entries {
            let index = Int(entry.reference)
            acknowledged.append(index)
            if !perMessageLinesHidden { reports.append(SSTPSenderEvent.acknowledged(message: index, name: configuration.messages[index].name)) }
        }
        events.emit(all: reports)
        reportProgress()
        finishIfDone()
        pump()
    }

    private func finishIfDone() {
        guard !finishing, next == configuration.messages.count, acknowledged.count == configuration.messages.count, let handler else { return }
        finishing = true
        if let sessionId, sessionState != nil { handler.closeSession(sessionId) }
        handler.close(reason: .noReason)
    }

    func connectionEnded(_ handler: SSTPConnectionHandler, cause: SSTP.ConnectionEndCause, unacknowledged: [SSTP.OutboundMessageList.Entry]) {
        if progressLine && !events.json && lastProgress != nil { reportProgress(final: true) }
        let names = configuration.messages.map(\.name)
        let acked = Set(acknowledged)
        var report = SSTPSendReport(
            acknowledged: acknowledged.map { names[$0] },
            unacknowledged: (0..<sentCount).filter { !acked.contains($0) }.map { names[$0] },
            notSent: Array(names[sentCount...]),
            failure: failure
        )
        switch cause {
        case .closedLocally(let reason, let violation):
            if let violation { report.failure = report.failure ?? "closed with \(reason): \(violation)" }
        case .closedByPeer(let close):
            if !report.succeeded || !finishing {
                report.failure = report.failure ?? "the peer closed the connection (\(close.reason)\(close.returnTime.map { ", return in \($0) s" } ?? ""))"
            }
        case .refused(let response) where response.responseId == .wrongDevice:
            // A WrongDevice ConnectResponse carries no TargetDeviceURLs (2.2.3.1): say what to check.
            report.failure = "the peer refused the connection: WrongDevice (\(configuration.targetDeviceURL) is not one of its device URLs; "
                + "use one the listener prints when it starts (\"accepts Connect for …\", its --device-url) as --target-device)"
        case .refused(let response):
            report.failure = "the peer refused the connection: \(response.responseId)\(response.retryTime.map { ", retry in \($0) s" } ?? "")"
        case .transportLost:
            if !finishing || !report.succeeded { report.failure = report.failure ?? "the connection was lost" }
        }
        if report.failure == nil, !lostDestinations.isEmpty {
            report.failure = "the relay lost fanout destinations: \(lostDestinations.joined(separator: ", ")) (see destinations_lost)"
        }
        // After the reader queue's pending `sent` events, so that reports come in order.
        let promise = self.promise
        let finished = report
        queue.async { promise.succeed(finished) }
    }
}
