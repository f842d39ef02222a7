import NIOCore
import SSTPCore
import WinteropTransport
import WinteropWire

/// The NIO shell around ``SSTP/ConnectionStateMachine``: splits the byte stream into
/// commands, feeds them to the state machine, writes what it sends, runs its timers and
/// tells the ``SSTPApplication`` what happened. Everything runs on the channel's event loop.
public final class SSTPConnectionHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    public private(set) var machine: SSTP.ConnectionStateMachine
    public let application: SSTPApplication
    /// The target device this side connects to when it initiated the transport (3.1.4.1).
    private let targetDeviceURL: String?
    private var context: ChannelHandlerContext?
    private var framer = SSTP.CommandFramer()
    private var inReadLoop = false
    private var needsFlush = false
    /// Inside ``batchingFlushes(_:)``: writes wait for its single flush.
    private var batching = false
    private var readingPaused = false
    private var readPending = false
    /// Unsent output is above the high-water mark (accepting side only).
    private var outputBlocked = false
    private var acknowledgmentTimer: Scheduled<Void>?
    private var connectionTimer: Scheduled<Void>?
    private var sessionTimers: [UInt32: Scheduled<Void>] = [:]
    /// The one deadline the core asked for (idle Noops, connect timeout): see
    /// ``SSTP/ConnectionStateMachine/hitDeadline(now:)``.
    private var deadlineTimer: Scheduled<Void>?

    /// Remote address, for events.
    public private(set) var remoteAddress: SocketAddress?

    public init(configuration: SSTP.ConnectionConfiguration, initiatedConnection: Bool, targetDeviceURL: String? = nil, application: SSTPApplication) {
        self.machine = SSTP.ConnectionStateMachine(configuration: configuration, initiatedConnection: initiatedConnection)
        self.application = application
        self.targetDeviceURL = targetDeviceURL
    }

    public var eventLoop: EventLoop? { context?.eventLoop }
    public var isWritable: Bool { context?.channel.isWritable ?? false }

    // MARK: Channel events

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context: context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private var started = false
    private func start(context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        remoteAddress = context.channel.remoteAddress
        schedule(deadline: machine.transportActive(now: context.eventLoop.now))
        if machine.initiatedConnection, let target = targetDeviceURL {
            perform { (m: inout SSTP.ConnectionStateMachine) throws(SSTP.UsageError) in try m.connect(targetDeviceURL: target) }
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        cancelAllTimers()
        execute(machine.transportLost())
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        cancelAllTimers()
        self.context = nil
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let incoming = unwrapInboundIn(data)
        machine.bytesReceived(now: context.eventLoop.now)
        inReadLoop = true
        defer { inReadLoop = false }
        do {
            try framer.process(incoming) { frame in
                guard isOpenForInput else { return }
                commandFrameReceived(frame)
            }
        } catch {
            execute(machine.malformedCommandReceived(error))
        }
    }

    /// One whole command from the decoder: decoded at the negotiated version, then given
    /// to the state machine (a Connect with the application's admission facts, 3.1.5.1).
    private func commandFrameReceived(_ frame: ByteBuffer) {
        let command: SSTP.Command
        do {
            command = try SSTP.CommandStream.decode(frame: frame, version: machine.version)
        } catch {
            execute(machine.malformedCommandReceived(error))
            return
        }
        if case .data(let data) = command {
            // The hot path (hundreds per message): the payload straight to the application.
            switch machine.dataCommandReceived(data) {
            case .payload(let sessionId, let payload): application.messageData(self, sessionId: sessionId, payload: payload)
            case .actions(let actions): execute(actions)
            }
        } else if case .connect(let connect) = command {
            execute(machine.commandReceived(command, admission: application.admission(for: connect, on: self)))
        } else {
            execute(machine.commandReceived(command))
        }
    }

    private var isOpenForInput: Bool {
        switch machine.state {
        case .aborting, .closed, .modifying: return false
        case .transportLayerConnected, .connecting, .established: return true
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        flushIfNeeded()
        context.fireChannelReadComplete()
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        // An accepting device stops reading from a peer that does not read its replies:
        // unsent output above the channel's high-water mark holds further input, so a
        // client that floods Opens and never reads cannot grow this side's memory.
        // Output that stays blocked past the core's output stall limit closes the connection.
        if !machine.initiatedConnection {
            let blocked = !context.channel.isWritable
            if blocked != outputBlocked {
                outputBlocked = blocked
                let now = context.eventLoop.now
                schedule(deadline: blocked ? machine.outputBlocked(now: now) : machine.outputUnblocked(now: now))
            }
            if !outputBlocked { readIfAllowed() }
        }
        application.writabilityChanged(self, isWritable: context.channel.isWritable)
        flushIfNeeded()
        context.fireChannelWritabilityChanged()
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    public func read(context: ChannelHandlerContext) {
        if readingPaused || outputBlocked {
            readPending = true
        } else {
            context.read()
        }
    }

    /// Issues the read held back while paused or blocked, once neither holds.
    private func readIfAllowed() {
        guard !readingPaused, !outputBlocked, readPending, let context else { return }
        readPending = false
        context.read()
    }

    // MARK: Back-pressure

    /// Stops reading from the socket: TCP then pushes back on the peer.
    public func pauseReading() {
        readingPaused = true
    }

    /// Reads again.
    public func resumeReading() {
        guard readingPaused else { return }
        readingPaused = false
        readIfAllowed()
    }

    // MARK: Higher-layer requests (3.1.4)

    /// Opens a session to `entry`; nil when the connection cannot.
    @discardableResult
    public func openSession(_ entry: SSTP.AddressingEntry) -> UInt32? {
        var id: UInt32?
        perform { (m: inout SSTP.ConnectionStateMachine) throws(SSTP.UsageError) in
            let (sessionId, actions) = try m.openSession(entry)
            id = sessionId
            return actions
        }
        return id
    }

    /// Opens a fanout session to a relay server (3.1.4.3.3); nil when the connection cannot.
    @discardableResult
    public func openFanoutSession(resourceURL: String, entries: [SSTP.FanoutOpen.Entry]) -> UInt32? {
        var id: UInt32?
        perform { (m: inout SSTP.ConnectionStateMachine) throws(SSTP.UsageError) in
            let (sessionId, actions) = try m.openFanoutSession(resourceURL: resourceURL, entries: entries)
            id = sessionId
            return actions
        }
        return id
    }

    public func beginMessage(sessionId: UInt32, options: SSTP.MessageOptions) throws(SSTP.UsageError) {
        let actions = try machine.beginMessage(sessionId: sessionId, options: options)
        execute(actions)
        flushIfNeeded()
    }

    /// Sends payload of the current sequence; the caller keeps an eye on ``isWritable``.
    public func sendData(sessionId: UInt32, _ payload: ByteBuffer) throws(SSTP.UsageError) {
        let action = try machine.sendData(sessionId: sessionId, payload)
        execute([action])
    }

    public func endMessage(sessionId: UInt32, reference: UInt64) throws(SSTP.UsageError) {
        let (_, actions) = try machine.endMessage(sessionId: sessionId, reference: reference)
        execute(actions)
        flushIfNeeded()
    }

    /// The resource handler finished with a received sequence (3.1.4.7).
    public func resourceHandlerCompleted(sequence: UInt64) {
        // A message stored after the connection ended cannot be acknowledged any more (3.1.7.1).
        guard machine.isEstablished else { return }
        perform { (m: inout SSTP.ConnectionStateMachine) throws(SSTP.UsageError) in try m.resourceHandlerCompleted(sequence: sequence) }
    }

    /// Flow control for an inbound session (3.1.4.5).
    public func setAvailability(sessionId: UInt32, _ availability: SSTP.ResourceHandlerAvailability) {
        guard machine.sessionState(sessionId)?.0 == .inbound else { return }
        perform { (m: inout SSTP.ConnectionStateMachine) throws(SSTP.UsageError) in try m.resourceHandlerAvailabilityChanged(sessionId: sessionId, availability) }
    }

    /// Sends a Noop now: its MessageCount acknowledges every sequence completed so far (3.1.4.2.1).
    public func acknowledgeNow() {
        perform { (m: inout SSTP.ConnectionStateMachine) throws(SSTP.UsageError) in try m.sendNoop() }
    }

    public func closeSession(_ id: UInt32, reason: SSTP.Close.Reason = .noReason) {
        perform { (m: inout SSTP.ConnectionStateMachine) throws(SSTP.UsageError) in try m.closeSession(id, reason: reason) }
    }

    // MARK: Relay server and registration (3.2.4.1.3, 3.3.5)

    /// A relay server's reply to a command it took (AttachResponse, RegisterResponse, …).
    public func sendRelayReply(_ command: SSTP.Command) {
        perform { (m: inout SSTP.ConnectionStateMachine) throws(SSTP.UsageError) in try m.sendRelayReply(command) }
    }

    /// A relay accepted a FanoutOpen (3.3.5.6): OkStopSending, the session 'suspended'.
    public func acceptFanoutSession(_ sessionId: UInt32, entry: SSTP.AddressingEntry) {
        perform { (m: inout SSTP.ConnectionStateMachine) throws(SSTP.UsageError) in try m.fanoutSessionAccepted(sessionId: sessionId, entry: entry) }
    }

    /// Sends Register on a new register session (3.2.4.1.3); nil when it cannot.
    @discardableResult
    public func register(registrationToken: [UInt8]) -> UInt32? {
        var id: UInt32?
        perform { (m: inout SSTP.ConnectionStateMachine) throws(SSTP.UsageError) in
            let (eventId, actions) = try m.register(registrationToken: registrationToken)
            id = eventId
            return actions
        }
        return id
    }

    /// Closes the connection with ConnectClose (3.1.4.2).
    public func close(reason: SSTP.ConnectClose.Reason = .noReason) {
        execute(machine.close(reason: reason))
        flushIfNeeded()
    }

    public func flush() { flushIfNeeded() }

    /// Runs `body` (many sends) with flushes held back, then flushes once: the socket
    /// sees one large write instead of one per command.
    public func batchingFlushes<T>(_ body: () throws -> T) rethrows -> T {
        let outer = batching
        batching = true
        defer {
            batching = outer
            if !outer { flushIfNeeded() }
        }
        return try body()
    }

    private func perform(_ body: (inout SSTP.ConnectionStateMachine) throws(SSTP.UsageError) -> [SSTP.ConnectionAction]) {
        do {
            let actions = try body(&machine)
            execute(actions)
        } catch {
            EventLog.diagnostic("SSTP: \(error)")
        }
        flushIfNeeded()
    }

    // MARK: Actions

    private func execute(_ actions: [SSTP.ConnectionAction]) {
        for action in actions { execute(action) }
    }

    private func execute(_ action: SSTP.ConnectionAction) {
        switch action {
        case .send(let command):
            let version = machine.version
            write { buffer in
                let start = buffer.writerIndex
                do {
                    try command.encode(into: &buffer, version: version)
                } catch {
                    buffer.moveWriterIndex(to: start)
                    EventLog.diagnostic("SSTP: cannot encode \(command.commandId): \(error)")
                }
            }
        case .sendData(let sessionId, let payload):
            write { SSTP.Data.writeCommands(sessionId: sessionId, payload: payload, into: &$0) }
        case .sendConnectCloseAndTerminate(let close):
            guard let context else { return }
            // After everything already encoded, in the same write.
            output.append(allocator: context.channel.allocator) { try? close.encode(into: &$0) }
            let buffer = output.take() ?? ByteBuffer()
            cancelAllTimers()
            let channel = context.channel
            needsFlush = false
            if channel.isWritable {
                context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
            } else {
                // The peer is not reading: the goodbye would wait behind everything unsent
                // forever. Offer it and close at once.
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
                context.close(promise: nil)
            }
        case .terminateTransport:
            cancelAllTimers()
            context?.close(promise: nil)
        case .startTimer(let timer):
            start(timer)
        case .cancelTimer(let timer):
            cancel(timer)
        case .connectionEstablished(let version, let urls):
            // From the connect timeout to the idle timers.
            if let loop = context?.eventLoop { schedule(deadline: machine.nextDeadline(after: loop.now)) }
            application.connectionEstablished(self, version: version, peerDeviceURLs: urls)
        case .connectionEnded(let cause, let unacknowledged):
            application.connectionEnded(self, cause: cause, unacknowledged: unacknowledged)
        case .openReceived(let id, let entry):
            let availability = application.openReceived(self, sessionId: id, entry: entry)
            if let actions = try? machine.resourceHandlerAvailabilityChanged(sessionId: id, availability) {
                execute(actions)
            }
        case .sessionStateChanged(let id, let direction, let state):
            application.sessionStateChanged(self, sessionId: id, direction: direction, state: state)
        case .sessionRefused(let id, let response):
            application.sessionRefused(self, sessionId: id, response: response)
        case .sessionClosed(let id, let direction, let reason, let byPeer):
            application.sessionClosed(self, sessionId: id, direction: direction, reason: reason, byPeer: byPeer)
        case .fanoutDestinationsRemoved(let id, let status, let indexes):
            application.fanoutDestinationsRemoved(self, sessionId: id, status: status, indexes: indexes)
        case .sessionViolation(let id, let reason, let detail):
            application.sessionViolation(self, sessionId: id, reason: reason, detail: detail)
        case .messageStarted(let id, let message):
            application.messageStarted(self, sessionId: id, message: message)
        case .messageData(let id, let payload):
            application.messageData(self, sessionId: id, payload: payload)
        case .messageReceived(let entry):
            application.messageReceived(self, entry: entry)
        case .messageAborted(let id):
            application.messageAborted(self, sessionId: id)
        case .messagesAcknowledged(let entries):
            application.messagesAcknowledged(self, entries: entries)
        case .commandForHigherLayer(let command):
            application.commandForHigherLayer(self, command: command)
        }
    }

    /// Commands encoded and not yet handed to the channel: everything one pass sends
    /// (hundreds of small messages, each Message, Data and EndMessage) goes out as few
    /// large writes, not three buffers per message.
    private var output = OutputCoalescer()

    /// Encodes into the pending output; hands it to the channel once it is large.
    private func write(_ encode: (inout ByteBuffer) -> Void) {
        guard let context else { return }
        output.append(allocator: context.channel.allocator, encode)
        needsFlush = true
        if output.isFull { writeOutput() }
    }

    /// Hands the pending output to the channel (not flushed).
    private func writeOutput() {
        guard let context, let buffer = output.take() else { return }
        machine.bytesSent(now: context.eventLoop.now)
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    private func flushIfNeeded() {
        guard needsFlush, !inReadLoop, !batching, let context else { return }
        needsFlush = false
        writeOutput()
        context.flush()
    }

    // MARK: Timers

    private func start(_ timer: SSTP.Timer) {
        guard let context else { return }
        let timers = machine.configuration.timers
        let loop = context.eventLoop
        switch timer {
        case .messageAcknowledgment:
            acknowledgmentTimer?.cancel()
            acknowledgmentTimer = loop.assumeIsolated().scheduleTask(in: TimeAmount(timers.messageAcknowledgment)) { [weak self] in
                guard let self else { return }
                self.acknowledgmentTimer = nil
                self.execute(self.machine.messageAcknowledgmentTimerFired())
                self.flushIfNeeded()
            }
        case .connectionEstablishment:
            guard let duration = timers.connectionEstablishment else { return }
            connectionTimer?.cancel()
            connectionTimer = loop.assumeIsolated().scheduleTask(in: TimeAmount(duration)) { [weak self] in
                guard let self else { return }
                self.connectionTimer = nil
                self.execute(self.machine.connectionEstablishmentTimerFired())
                self.flushIfNeeded()
            }
        case .sessionEstablishment(let id):
            guard let duration = timers.sessionEstablishment else { return }
            sessionTimers[id]?.cancel()
            sessionTimers[id] = loop.assumeIsolated().scheduleTask(in: TimeAmount(duration)) { [weak self] in
                guard let self else { return }
                self.sessionTimers[id] = nil
                self.execute(self.machine.sessionEstablishmentTimerFired(id))
                self.flushIfNeeded()
            }
        }
    }

    private func cancel(_ timer: SSTP.Timer) {
        switch timer {
        case .messageAcknowledgment:
            acknowledgmentTimer?.cancel()
            acknowledgmentTimer = nil
        case .connectionEstablishment:
            connectionTimer?.cancel()
            connectionTimer = nil
        case .sessionEstablishment(let id):
            sessionTimers.removeValue(forKey: id)?.cancel()
        }
    }

    private func cancelAllTimers() {
        acknowledgmentTimer?.cancel()
        acknowledgmentTimer = nil
        connectionTimer?.cancel()
        connectionTimer = nil
        for timer in sessionTimers.values { timer.cancel() }
        sessionTimers = [:]
        deadlineTimer?.cancel()
        deadlineTimer = nil
    }

    /// Arms the core's next deadline (the core never returns one in the past); when it
    /// comes, the core decides what is due and the next one.
    private func schedule(deadline: NIODeadline?) {
        deadlineTimer?.cancel()
        deadlineTimer = nil
        guard let deadline, let context else { return }
        let loop = context.eventLoop
        deadlineTimer = loop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            guard let self else { return }
            self.deadlineTimer = nil
            // The loop's clock: virtual on an EmbeddedEventLoop, so tests advance it.
            let outcome = self.machine.hitDeadline(now: loop.now)
            self.execute(outcome.actions)
            self.flushIfNeeded()
            if self.context != nil { self.schedule(deadline: outcome.next) }
        }
    }
}
