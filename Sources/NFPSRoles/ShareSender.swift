import Foundation
import NFPSCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import WinteropTransport
import WinteropWire

/// `winterop nfps send`: the share sender (server role, MS-NFPS 3.2). Packs the files
/// (or takes `--raw`'s file), listens, chooses the first socket whose Socket Connect
/// header names the session, and streams the encrypted package on it.
public final class ShareSender: Sendable {
    public let configuration: ShareSenderConfiguration
    let events: EventLog
    let group: any EventLoopGroup

    public init(configuration: ShareSenderConfiguration, events: EventLog, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.events = events
        self.group = group
    }

    /// How long an accepted socket may take to send its Socket Connect header, and the
    /// chosen one its Reply header.
    static let headerTimeout = Duration.seconds(15)

    /// Runs one share to its end and reports it (`done`, `declined` or `failed`).
    public func run() async throws -> ShareSenderOutcome {
        let (packagePath, temporary) = try preparePackage()
        defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
        let size = try PackageFileReader(path: packagePath).size()
        let session = SenderSession(
            machine: ShareSenderStateMachine(totalContentSizeEstimate: size),
            sessionID: configuration.session.sessionID
        )
        let (connections, accepted) = AsyncStream<SenderListenerRole.Connection>.makeStream()
        session.onEnd = { accepted.finish() }
        let listener = ListenerService(
            configuration: SenderListenerRole.configuration(configuration.listen),
            role: SenderListenerRole(connections: accepted), events: events, eventLoopGroup: group
        )
        try await listener.bind()
        let outcome = await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                if let timeout = configuration.waitTimeout {
                    group.addTask {
                        guard (try? await Task.sleep(for: timeout)) != nil else { return }
                        session.execute(session.withMachine { $0.packageFailed("no share receiver connected within \(timeout)") })
                    }
                }
                var next = 0
                for await connection in connections {
                    next += 1
                    let id = next
                    group.addTask { await self.serve(connection, id: id, session: session, packagePath: packagePath) }
                }
                group.cancelAll()
            }
            return session.outcome ?? .failed("the listener closed")
        } onGracefulShutdown: {
            session.execute(session.withMachine { $0.packageFailed("interrupted") })
        }
        await listener.shutdown()
        switch outcome {
        case .sent: break
        case .declined: events.emit(NFPSEvent.declined)
        case .failed(let reason): events.emit(NFPSEvent.failed(reason: reason))
        }
        return outcome
    }

    /// The package file: `--raw`'s file, or an OPC package built into a temporary folder.
    private func preparePackage() throws -> (String, URL?) {
        switch configuration.content {
        case .raw(let path):
            return (path, nil)
        case .files(let files):
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("winterop-nfps-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let package = folder.appendingPathComponent("package.opc")
            do {
                try OPCPackage.build(files: files, at: package)
            } catch {
                try? FileManager.default.removeItem(at: folder)
                throw error
            }
            return (package.path, folder)
        }
    }

    /// One accepted socket (3.1.7.2): read its Socket Connect header; if chosen, run
    /// SendingBody and SendingFooter on it (3.2.7.2).
    private func serve(_ connection: SenderListenerRole.Connection, id: Int, session: SenderSession, packagePath: String) async {
        let channel = connection.channel
        session.register(id, channel)
        defer { session.unregister(id) }
        let stalled = NIOLockedValueBox<StallTimeout?>(nil)
        do {
            try await connection.executeThenClose { inbound, _ in
                var messages = inbound.makeAsyncIterator()
                // A socket that sends no header (or no Reply) in time is closed, so that
                // silent connections cannot hold the listener's places.
                var silence = channel.eventLoop.scheduleTask(in: Self.headerTimeout.timeAmount) { channel.close(promise: nil) }
                defer { silence.cancel() }
                guard case .socketConnectHeader(let header)? = try await messages.next() else { return }
                silence.cancel()
                var chosen = false
                for action in session.withMachine({ $0.socketConnectHeaderReceived(id, header) }) {
                    switch action {
                    case .sendSocketConnectHeader(_, let echo):
                        try await channel.writeAndFlush(ByteBuffer(bytes: echo.bytes))
                    case .socketSetUp(_, let type):
                        chosen = true
                        events.emit(NFPSEvent.connected(peer: channel.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?", connectionType: type))
                    case .sendShareHeader(_, let share):
                        try await channel.writeAndFlush(ByteBuffer(bytes: share.bytes))
                        events.emit(NFPSEvent.header(totalContentSizeEstimate: share.totalContentSizeEstimate, headerSize: share.headerSize))
                    default:
                        session.execute([action])
                    }
                }
                guard chosen else { return }
                silence = channel.eventLoop.scheduleTask(in: Self.headerTimeout.timeAmount) { channel.close(promise: nil) }
                guard case .replyHeader(let reply)? = try await messages.next() else {
                    session.execute(session.withMachine { $0.socketClosed(id) })
                    return
                }
                silence.cancel()
                guard session.withMachine({ $0.replyHeaderReceived(id, reply) }).contains(.sendIVAndPackage(id)) else { return }
                let progress = TransferProgress(events: events)
                progress.setTotal(session.withMachine { $0.totalContentSizeEstimate })
                let key = ShareCipher.symmetricKey(sharedSecretKey: configuration.session.sharedSecretKey)
                let limit = configuration.stallTimeout
                try await channel.eventLoop.submit {
                    try channel.pipeline.syncOperations.addHandler(SendStallWatchdog(limit: limit, stalled: stalled), position: .first)
                }.get()
                let sent = try await PackageStreaming.send(
                    packageAt: packagePath, on: channel, key: key, computesSHA256: configuration.computesSHA256, progress: progress
                ) {
                    _ = session.withMachine { $0.packageBlocksSent() }
                }
                progress.finish()
                // 3.2.7.2: footer sent → gracefully close: FIN, then wait for the receiver to close.
                let actions = session.withMachine { $0.footerSent() }
                try? await channel.close(mode: .output)
                let giveUp = channel.eventLoop.scheduleTask(in: .seconds(10)) { channel.close(promise: nil) }
                while (try? await messages.next()) != nil {}
                giveUp.cancel()
                events.emit(NFPSEvent.done(bytes: sent.bytes, sha256: sent.sha256, seconds: progress.seconds, files: []))
                session.execute(actions)
            }
        } catch let error as WireError {
            session.execute(session.withMachine { $0.malformedInput(id, error) })
        } catch let error as PackageFileError {
            session.execute(session.withMachine { $0.packageFailed(error.description) })
        } catch {
            if let stall = stalled.withLockedValue({ $0 }) {
                session.execute(session.withMachine { $0.socketClosedByFault(id, cause: stall.description) })
            } else {
                session.execute(session.withMachine { $0.socketClosed(id) })
            }
        }
    }
}

/// The share sender's one session: its state machine and the sockets the actions name.
final class SenderSession: Sendable {
    private struct Shared {
        var machine: ShareSenderStateMachine
        var channels: [Int: any Channel] = [:]
        var outcome: ShareSenderOutcome?
        var onEnd: (@Sendable () -> Void)?
    }
    private let shared: NIOLockedValueBox<Shared>
    let sessionID: UInt64

    init(machine: ShareSenderStateMachine, sessionID: UInt64) {
        var machine = machine
        _ = machine.sessionProvided(ShareSenderStateMachine.Session(sessionID: sessionID))
        self.shared = NIOLockedValueBox(Shared(machine: machine))
        self.sessionID = sessionID
    }

    /// Called once the session is over: stops accepting.
    var onEnd: (@Sendable () -> Void)? {
        get { shared.withLockedValue { $0.onEnd } }
        set { shared.withLockedValue { $0.onEnd = newValue } }
    }

    var outcome: ShareSenderOutcome? { shared.withLockedValue { $0.outcome } }

    func withMachine<T>(_ body: (inout ShareSenderStateMachine) -> T) -> T {
        shared.withLockedValue { body(&$0.machine) }
    }

    func register(_ id: Int, _ channel: any Channel) {
        shared.withLockedValue { $0.channels[id] = channel }
    }

    func unregister(_ id: Int) {
        _ = shared.withLockedValue { $0.channels.removeValue(forKey: id) }
    }

    /// Carries out the actions that concern the session rather than one socket's exchange.
    func execute(_ actions: [ShareSenderStateMachine.Action]) {
        for action in actions {
            switch action {
            case .closeSocket(let id):
                shared.withLockedValue { $0.channels[id] }?.close(promise: nil)
            case .closeAllSockets:
                let (channels, end) = shared.withLockedValue { (Array($0.channels.values), $0.onEnd) }
                end?()
                for channel in channels { channel.close(promise: nil) }
            case .terminate(let outcome):
                shared.withLockedValue { if $0.outcome == nil { $0.outcome = outcome } }
            case .closeGracefully, .sendSocketConnectHeader, .socketSetUp, .sendShareHeader, .sendIVAndPackage, .sendFooter:
                // Carried out by the chosen socket's exchange in order.
                break
            }
        }
    }
}
