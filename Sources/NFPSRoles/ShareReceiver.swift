import Crypto
import Foundation
import NFPSCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import WinteropTransport
import WinteropWire

/// How a share receiver's session ends.
public enum ShareReceiverOutcome: Sendable, Hashable {
    /// The package arrived; the files it unpacked to (or the raw package file).
    case received([String])
    /// `--decline`: the Abort flag was sent and echoed (4.2).
    case declined
    case failed(String)
}

/// `winterop nfps receive`: the share receiver (client role, MS-NFPS 3.3). Connects to
/// every address in parallel (3.1.7.1), keeps the first socket whose echo is identical,
/// then receives, decrypts and stores the package as it arrives, and unpacks it.
public final class ShareReceiver: Sendable {
    public let configuration: ShareReceiverConfiguration
    let events: EventLog
    let group: any EventLoopGroup
    typealias Machine = ShareReceiverStateMachine<ContinuousClock.Instant>
    typealias Connection = NIOAsyncChannel<ReceiverInbound, ByteBuffer>

    public init(configuration: ShareReceiverConfiguration, events: EventLog, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.events = events
        self.group = group
    }

    public func run() async throws -> ShareReceiverOutcome {
        let output = URL(fileURLWithPath: configuration.outputDirectory)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let machine = Machine(configuration: .init(
            sessionID: configuration.session.sessionID,
            targets: configuration.targets.enumerated().map { index, target in
                Machine.Target(index: index, connectionType: target.connectionType, isAllZeros: target.isAllZeros)
            },
            decline: configuration.decline, setupTimeout: configuration.setupTimeout
        ))
        let (spawns, spawner) = AsyncStream<ReceiverSession.Spawn>.makeStream()
        let session = ReceiverSession(machine: machine, spawner: spawner)
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                session.execute(session.withMachine { $0.tapAndSendFilesActivated(now: .now) })
                for await spawn in spawns {
                    switch spawn {
                    case .connect(let attempt, let target):
                        group.addTask { await self.attempt(attempt, to: self.configuration.targets[target.index], session: session) }
                    case .timer(let deadline, let fire):
                        group.addTask {
                            guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
                            session.execute(session.withMachine(fire))
                        }
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            session.execute(session.withMachine { $0.packageFailed("interrupted") })
        }
        let outcome = session.outcome ?? .failed("the receiver stopped")
        switch outcome {
        case .received: break
        case .declined: events.emit(NFPSEvent.declined)
        case .failed(let reason): events.emit(NFPSEvent.failed(reason: reason))
        }
        return outcome
    }

    /// At most 4 reads (of up to ``readSize`` each) wait for the receiving task; beyond that
    /// the socket is not read, and the kernel's buffer and TCP's window hold the rest. Keeps
    /// the receiver's memory flat when the machine is busy and the writer falls behind.
    static let inbound = Connection.Configuration(backPressureStrategy: .init(lowWatermark: 2, highWatermark: 4))

    /// The largest socket read: 1 MiB, so that a GiB takes about a thousand reads, hand-offs
    /// and file writes rather than four thousand (the receiver reads whatever the socket
    /// holds, usually a full buffer).
    static let readSize = 1 << 20

    /// One connect attempt (3.1.7.1): connect, send the Socket Connect header, wait for
    /// the echo; the attempt that wins goes on to receive the package.
    private func attempt(_ id: Int, to target: ShareReceiverConfiguration.Target, session: ReceiverSession) async {
        let connection: Connection
        do {
            connection = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(2))
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64 << 10, initial: Self.readSize, maximum: Self.readSize))
                .connect(host: target.address.host, port: target.address.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(
                            IdleStateHandler(readTimeout: self.configuration.stallTimeout.timeAmount),
                            ReadTimeoutHandler(limit: self.configuration.stallTimeout),
                            ByteToMessageHandler(ReceiverFrameDecoder())
                        )
                        return try Connection(wrappingChannelSynchronously: channel, configuration: Self.inbound)
                    }
                }
        } catch {
            session.execute(session.withMachine { $0.connectFailed(id, now: .now) })
            return
        }
        let channel = connection.channel
        session.register(id, channel)
        var received: ReceivedPackage?
        do {
            received = try await connection.executeThenClose { inbound, _ in
                var messages = inbound.makeAsyncIterator()
                for action in session.withMachine({ $0.connectSucceeded(id) }) {
                    if case .sendSocketConnectHeader(_, let header) = action {
                        try await channel.writeAndFlush(ByteBuffer(bytes: header.bytes))
                    } else {
                        session.execute([action])
                    }
                }
                guard case .socketConnectHeader(let echo)? = try await messages.next() else {
                    session.execute(session.withMachine { $0.socketGracefullyClosed(id, now: .now) })
                    return nil
                }
                var won = false
                for action in session.withMachine({ $0.socketConnectHeaderReceived(id, echo, now: .now) }) {
                    if case .socketSetUp(_, let type) = action {
                        won = true
                        events.emit(NFPSEvent.connected(peer: "\(target.address)", connectionType: type))
                    } else {
                        session.execute([action])
                    }
                }
                guard won else { return nil }
                return try await receive(&messages, on: channel, attempt: id, session: session)
            }
        } catch let error as WireError {
            session.execute(session.withMachine { $0.malformedInput(id, error, now: .now) })
        } catch {
            // A reset or a silent peer: before the echo a failed attempt, retried (3.1.7.1);
            // on the session socket a socket closed due to fault (3.3.7.3).
            session.execute(session.withMachine { $0.connectFailed(id, now: .now) })
        }
        session.unregister(id)
        if let received {
            await finish(received, session: session)
        } else if session.wonBy(id) {
            // The chosen socket's exchange ended without an outcome: never leave the session hanging.
            session.complete(.failed("the transfer ended before the package was complete"))
        }
    }

    /// ReplyHeaderAndReceivingIV and ReceivingPackage (3.3.7.2, 3.3.5, 3.3.7.4) on the
    /// chosen socket: decrypts and stores as blocks arrive; returns once the sender has
    /// closed gracefully and the footer checked out, or nil when the receiver was abandoned.
    private func receive(
        _ messages: inout NIOAsyncChannelInboundStream<ReceiverInbound>.AsyncIterator, on channel: any Channel,
        attempt id: Int, session: ReceiverSession
    ) async throws -> ReceivedPackage? {
        let partial = URL(fileURLWithPath: configuration.outputDirectory)
            .appendingPathComponent(".winterop-nfps-\(UUID().uuidString).partial")
        let progress = TransferProgress(events: events)
        var store: PackageStore?
        do {
            while true {
                let message: ReceiverInbound?
                do {
                    message = try await messages.next()
                } catch let error as WireError {
                    throw error
                } catch let stall as StallTimeout {
                    session.execute(session.withMachine { $0.socketClosedByFault(id, cause: stall.description) })
                    break
                } catch {
                    session.execute(session.withMachine { $0.socketClosedByFault(id) })
                    break
                }
                guard let message else {
                    // 3.3.7.4: a graceful close.
                    let actions = session.withMachine { $0.socketGracefullyClosed(id, now: .now) }
                    guard actions.contains(.finishPackage), let finishing = store else {
                        session.execute(actions)
                        break
                    }
                    let result = try await finishing.finish()
                    progress.finish()
                    return ReceivedPackage(partial: partial, bytes: result.bytes, sha256: result.sha256, seconds: progress.seconds)
                }
                switch message {
                case .socketConnectHeader:
                    session.execute(session.withMachine { $0.malformedInput(id, NFPS.section("3.3.7.2").error("a second Socket Connect header"), now: .now) })
                case .shareHeader(let header):
                    for action in session.withMachine({ $0.shareHeaderReceived(id, header) }) {
                        switch action {
                        case .reportShareHeader(let share):
                            events.emit(NFPSEvent.header(totalContentSizeEstimate: share.totalContentSizeEstimate, headerSize: share.headerSize))
                            progress.setTotal(share.totalContentSizeEstimate)
                        case .sendReplyHeader(_, let reply):
                            try await channel.writeAndFlush(ByteBuffer(bytes: reply.bytes))
                        default:
                            session.execute([action])
                        }
                    }
                case .iv(let iv):
                    for action in session.withMachine({ $0.ivReceived(id, iv) }) {
                        if case .startDecrypting(let iv) = action {
                            let key = ShareCipher.symmetricKey(sharedSecretKey: configuration.session.sharedSecretKey)
                            store = try PackageStore(path: partial.path, key: key, iv: iv, computesSHA256: configuration.computesSHA256)
                        } else {
                            session.execute([action])
                        }
                    }
                case .ciphertext(let piece):
                    guard let current = store else {
                        session.execute(session.withMachine { $0.malformedInput(id, NFPS.section("3.3.7.2").error("data before the IV"), now: .now) })
                        break
                    }
                    try await current.take(piece)
                    progress.update(current.bytes)
                }
                if session.isOver { break }
            }
        } catch {
            await store?.abandon()
            try? FileManager.default.removeItem(at: partial)
            let reason = "\(error)"
            session.execute(session.withMachine { machine in
                // A footer that does not check out comes after the graceful close (3.3.7.4).
                if case .completed = machine.state { return machine.packageFailed(reason) }
                if let error = error as? WireError { return machine.malformedInput(id, error, now: .now) }
                return machine.packageFailed(reason)
            })
            return nil
        }
        await store?.abandon()
        try? FileManager.default.removeItem(at: partial)
        return nil
    }

    /// After the socket is closed: unpack the package (or keep it, `--raw`), report `done`.
    private func finish(_ package: ReceivedPackage, session: ReceiverSession) async {
        let output = URL(fileURLWithPath: configuration.outputDirectory)
        defer { try? FileManager.default.removeItem(at: package.partial) }
        // Interrupted meanwhile: keep nothing.
        guard session.outcome == nil else { return }
        do {
            let files: [String]
            if configuration.raw {
                let target = output.appendingPathComponent(ShareReceiverConfiguration.rawFileName)
                _ = try? FileManager.default.removeItem(at: target)
                try FileManager.default.moveItem(at: package.partial, to: target)
                files = [ShareReceiverConfiguration.rawFileName]
            } else {
                files = try OPCPackage.unpack(package.partial, into: output)
            }
            events.emit(NFPSEvent.done(bytes: package.bytes, sha256: package.sha256, seconds: package.seconds, files: files))
            session.complete(.received(files))
        } catch {
            session.complete(.failed("\(error)"))
        }
    }
}

/// A package received and checked, still in its hidden file.
struct ReceivedPackage: Sendable {
    var partial: URL
    var bytes: UInt64
    var sha256: String?
    var seconds: Double
}

/// The share receiver's one session: its state machine, the sockets and timers its
/// actions name, and the outcome.
final class ReceiverSession: Sendable {
    typealias Machine = ShareReceiverStateMachine<ContinuousClock.Instant>

    /// Work the session asks its task group to start.
    enum Spawn: Sendable {
        case connect(Int, Machine.Target)
        case timer(ContinuousClock.Instant, @Sendable (inout Machine) -> [Machine.Action])
    }

    private struct Shared {
        var machine: Machine
        var channels: [Int: any Channel] = [:]
        var outcome: ShareReceiverOutcome?
    }
    private let shared: NIOLockedValueBox<Shared>
    private let spawner: AsyncStream<Spawn>.Continuation

    init(machine: Machine, spawner: AsyncStream<Spawn>.Continuation) {
        self.shared = NIOLockedValueBox(Shared(machine: machine))
        self.spawner = spawner
    }

    var outcome: ShareReceiverOutcome? { shared.withLockedValue { $0.outcome } }
    var isOver: Bool {
        switch shared.withLockedValue({ $0.machine.state }) {
        case .abandoned, .declined: return true
        default: return false
        }
    }

    func withMachine<T>(_ body: (inout Machine) -> T) -> T {
        shared.withLockedValue { body(&$0.machine) }
    }

    /// Whether `id` is the session socket (set up on it).
    func wonBy(_ id: Int) -> Bool {
        switch shared.withLockedValue({ $0.machine.state }) {
        case .replyHeaderAndReceivingIV(let socket, _), .receivingPackage(let socket, _): return socket == id
        case .completed: return shared.withLockedValue { $0.outcome == nil }
        default: return false
        }
    }

    func register(_ id: Int, _ channel: any Channel) {
        let late = shared.withLockedValue { shared -> Bool in
            shared.channels[id] = channel
            return shared.outcome != nil
        }
        if late { channel.close(promise: nil) }
    }

    func unregister(_ id: Int) {
        _ = shared.withLockedValue { $0.channels.removeValue(forKey: id) }
    }

    /// The session is over: stop spawning, close what is left.
    func complete(_ outcome: ShareReceiverOutcome) {
        let channels = shared.withLockedValue { shared -> [any Channel] in
            if shared.outcome == nil { shared.outcome = outcome }
            return Array(shared.channels.values)
        }
        for channel in channels { channel.close(promise: nil) }
        spawner.finish()
    }

    /// Carries out the actions that concern the session rather than one socket's exchange.
    func execute(_ actions: [Machine.Action]) {
        for action in actions {
            switch action {
            case .connect(let id, let target):
                spawner.yield(.connect(id, target))
            case .close(let id):
                shared.withLockedValue { $0.channels[id] }?.close(promise: nil)
            case .scheduleRetry(let id, let deadline):
                spawner.yield(.timer(deadline) { $0.retryTimerFired(id) })
            case .scheduleSecondWave(let deadline):
                spawner.yield(.timer(deadline) { $0.secondWaveTimerFired() })
            case .scheduleSetupDeadline(let deadline):
                spawner.yield(.timer(deadline) { $0.setupDeadlineFired() })
            case .declined:
                complete(.declined)
            case .abandon(let reason):
                complete(.failed(reason))
            case .sendSocketConnectHeader, .socketSetUp, .reportShareHeader, .sendReplyHeader, .startDecrypting, .finishPackage:
                // Carried out in order by the socket's own exchange.
                break
            }
        }
    }
}
