import Crypto
import Dispatch
import NIOCore
import NIOPosix
import ServiceLifecycle
import SSTPCore
import SSTPRoles
import WinteropTransport
import WinteropWire
import SSTPRelayCore

/// `winterop sstp receive`: a device (client role, 3.2) that connects to its relay,
/// registers its identities and accepts the relay's delivery sessions (1.3.5.2.1). Each
/// message is written (and synced) before it is marked complete, so the relay removes it
/// only once it is safe here (3.1.4.7, 3.1.5.19).
public enum SSTPReceiver {
    /// Runs until `exitAfter` messages arrived (then ConnectClose carries their
    /// acknowledgment, 3.1.4.2.1) or until graceful shutdown; returns the count received.
    public static func receive(_ configuration: SSTPReceiveConfiguration, events: EventLog, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> Int {
        var writer: DeliveredMessageWriter?
        if let directory = configuration.outputDirectory {
            do { writer = try DeliveredMessageWriter(directory: directory) } catch { throw RoleFailure.usage("sstp receive: \(error.description)") }
        }
        let loop = group.next()
        let promise = loop.makePromise(of: Int.self)
        let channel: any Channel
        do {
            channel = try await SSTPConnectionHandler.connect(to: configuration.relay, group: loop, connectTimeout: .seconds(30)) { [writer] channel in
                let application = ReceiverApplication(configuration: configuration, events: events, writer: writer, promise: promise, eventLoop: channel.eventLoop)
                let handler = SSTPConnectionHandler(configuration: configuration.connection, initiatedConnection: true, targetDeviceURL: configuration.relayURL, application: application)
                application.handler = handler
                return handler
            }.get()
        } catch {
            let failure = RoleFailure.peer("sstp receive: cannot connect to \(configuration.relay): \(NetworkErrorText.plain(error))")
            promise.fail(failure)
            throw failure
        }
        channel.closeFuture.whenComplete { _ in promise.fail(RoleFailure.peer("sstp receive: the relay closed the connection")) }
        let received = try await withGracefulShutdownHandler {
            try await promise.futureResult.get()
        } onGracefulShutdown: {
            channel.eventLoop.execute {
                guard let handler = try? channel.pipeline.syncOperations.handler(type: SSTPConnectionHandler.self) else { return }
                handler.close(reason: .noReason)
            }
        }
        events.emit(SSTPReceiveEvent.done(received: received))
        return received
    }
}

/// The receiver's connection, on its event loop.
final class ReceiverApplication: WholeMessageAssembly {
    let configuration: SSTPReceiveConfiguration
    let events: EventLog
    /// The `message` events, written per burst.
    private let messageEvents: EventBatch
    var writer: DeliveredMessageWriter?
    let promise: EventLoopPromise<Int>
    let eventLoop: any EventLoop
    weak var handler: SSTPConnectionHandler?
    private var entries: [UInt32: SSTP.AddressingEntry] = [:]
    var receiving: [UInt32: ByteBuffer] = [:]
    private var registrations: [UInt32: String] = [:]
    private var received = 0
    private var closing = false

    init(configuration: SSTPReceiveConfiguration, events: EventLog, writer: DeliveredMessageWriter?, promise: EventLoopPromise<Int>, eventLoop: any EventLoop) {
        self.configuration = configuration
        self.events = events
        messageEvents = EventBatch(events, loop: eventLoop)
        self.writer = writer
        self.promise = promise
        self.eventLoop = eventLoop
    }

    func connectionEstablished(_ handler: SSTPConnectionHandler, version: SSTP.Version, peerDeviceURLs: [String]) {
        events.emit(SSTPReceiveEvent.connected(relay: "\(configuration.relay)", version: version))
        for identity in configuration.identities {
            if let id = handler.register(registrationToken: SSTPRelay.OpenPolicy.identityRegisterToken(identity)) {
                registrations[id] = identity
            }
        }
    }

    func commandForHigherLayer(_ handler: SSTPConnectionHandler, command: SSTP.Command) {
        guard case .registerResponse(let response) = command, let identity = registrations.removeValue(forKey: response.eventId) else { return }
        events.emit(SSTPReceiveEvent.registered(identity: identity))
    }

    func connectionEnded(_ handler: SSTPConnectionHandler, cause: SSTP.ConnectionEndCause, unacknowledged: [SSTP.OutboundMessageList.Entry]) {
        messageEvents.write()
        switch cause {
        case .closedLocally(.noReason, nil):
            promise.succeed(received)
        case .closedLocally(let reason, let violation):
            promise.fail(RoleFailure.peer("sstp receive: closed the connection with \(reason)\(violation.map { ": \($0)" } ?? "")"))
        case .closedByPeer(let close):
            promise.fail(RoleFailure.peer("sstp receive: the relay closed the connection (\(close.reason))"))
        case .refused(let response):
            promise.fail(RoleFailure.peer("sstp receive: the relay refused the connection (\(response.responseId)); check --relay-url"))
        case .transportLost:
            promise.fail(RoleFailure.peer("sstp receive: the connection to the relay was lost"))
        }
    }

    func openReceived(_ handler: SSTPConnectionHandler, sessionId: UInt32, entry: SSTP.AddressingEntry) -> SSTP.ResourceHandlerAvailability {
        entries[sessionId] = entry
        return .ready
    }

    func sessionClosed(_ handler: SSTPConnectionHandler, sessionId: UInt32, direction: SSTP.SessionDirection, reason: SSTP.Close.Reason, byPeer: Bool) {
        entries[sessionId] = nil
    }

    func messageReceived(_ handler: SSTPConnectionHandler, entry: SSTP.InboundMessageList.Entry) {
        let bytes = Array((receiving.removeValue(forKey: entry.sessionId) ?? ByteBuffer()).readableBytesView)
        let addressing = entries[entry.sessionId] ?? SSTP.AddressingEntry(resourceURL: "", identityURL: "")
        let digest = Hex.encode(SHA256.hash(data: bytes))
        // One connection, one message at a time: written and synced on the event loop
        // before it counts, in the order the relay delivered.
        if var fileWriter = writer {
            do {
                let path = try fileWriter.write(bytes)
                writer = fileWriter
                completed(entry, addressing, bytes.count, digest, path)
            } catch {
                // Not acknowledged: the relay keeps it.
                handler.close(reason: .internalError)
                promise.fail(RoleFailure.peer("sstp receive: \(error.description)"))
            }
        } else {
            completed(entry, addressing, bytes.count, digest, nil)
        }
    }

    private func completed(_ entry: SSTP.InboundMessageList.Entry, _ addressing: SSTP.AddressingEntry, _ size: Int, _ digest: String, _ path: String?) {
        guard let handler else { return }
        received += 1
        handler.resourceHandlerCompleted(sequence: entry.sequence)
        messageEvents.emit(SSTPReceiveEvent.message(number: received, entry: addressing, size: size, sha256: digest, userRef: entry.message.userRef, path: path))
        if let exitAfter = configuration.exitAfter, received >= exitAfter, !closing {
            closing = true
            // ConnectClose carries the MessageCount of everything stored (3.1.4.2.1).
            handler.close(reason: .noReason)
        }
    }
}
