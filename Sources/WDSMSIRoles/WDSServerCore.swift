import NIOConcurrencyHelpers
import NIOCore
import WDSMSICore
import WinteropTransport

/// The one ``SessionInitiationServer`` both request paths share (the UDP handler and the
/// ``WdsControlEndpoint``), behind a lock, with the session timer.
public final class WDSServerCore: Sendable {
    private let server: NIOLockedValueBox<SessionInitiationServer>
    private let timer = NIOLockedValueBox<Scheduled<Void>?>(nil)
    let events: EventLog

    public init(_ server: SessionInitiationServer, events: EventLog) {
        self.server = NIOLockedValueBox(server)
        self.events = events
    }

    public var sessions: [MulticastSession] { server.withLockedValue { $0.sessions } }

    func withServer<T>(_ body: (inout SessionInitiationServer) -> T) -> T {
        server.withLockedValue { body(&$0) }
    }

    /// Runs the session timer on `loop` for the earliest expiry: ended sessions get an event.
    func armSessionTimer(on loop: any EventLoop) {
        guard let deadline = server.withLockedValue({ $0.nextSessionExpiry }) else { return }
        let task = loop.scheduleTask(deadline: deadline) { [self] in
            let ended = server.withLockedValue { $0.sessionTimerFired(now: .now()) }
            for session in ended { events.emit(WDSServerEvent.sessionEnded(session)) }
            armSessionTimer(on: loop)
        }
        timer.withLockedValue { old in
            old?.cancel()
            old = task
        }
    }

    /// Ends the sessions' timer and stops answering (MS-WDSC 3.1.1 Stopping).
    public func stop() {
        timer.withLockedValue { $0?.cancel() }
        server.withLockedValue { $0.stop() }
    }
}

/// What an RPC front end calls for WdsRpcMessage (MS-WDSC 3.1.4.1) under the Multicast
/// Session Initiation endpoint: request packet bytes in, return value and reply packet
/// bytes out. It shares the sessions of the UDP path. DCE/RPC itself is outside winterop.
public struct WdsControlEndpoint: Sendable {
    let core: WDSServerCore
    /// The addresses sessions set up through this endpoint use.
    public var serverAddresses: SessionInitiationServer.ServerAddresses

    public init(core: WDSServerCore, serverAddresses: SessionInitiationServer.ServerAddresses) {
        self.core = core
        self.serverAddresses = serverAddresses
    }

    /// One WdsRpcMessage call: `caller` says how the RPC layer authenticated the client.
    public func wdsRpcMessage(_ requestPacket: [UInt8], caller: WdsRpcCaller, client: String = "rpc") -> (status: Win32Error, reply: [UInt8]?) {
        let addresses = serverAddresses
        let result = core.withServer {
            $0.wdsRpcMessage(ByteBuffer(bytes: requestPacket), caller: caller, serverAddresses: addresses, now: .now())
        }
        if let report = result.report {
            core.events.emit(WDSServerEvent.from(report, client: client, path: "wdsc"))
        }
        return (result.status, result.reply.map { Array($0.readableBytesView) })
    }
}
