import WinteropWire

/// The share sender of MS-NFPS 3.2 (figure 3, `media/image3.png`), with the server's
/// socket set-up of 3.1.7.2, sans-IO: each event returns the actions the shell carries
/// out. The shell owns the listener and the sockets, which it names by ``SocketID``.
///
/// WaitingForSession → (Session provided) → SetupSocket → (socket successfully set up)
/// → SendingBody → SendingFooter → end.
public struct ShareSenderStateMachine: Sendable {
    /// A socket the shell accepted.
    public typealias SocketID = Int

    /// The NFPB Session values this protocol uses (3.2.1), given on the command line here.
    public struct Session: Sendable, Hashable {
        public var sessionID: UInt64
        public init(sessionID: UInt64) { self.sessionID = sessionID }
    }

    /// Where SendingBody is (3.2.1: Share header, waiting for Reply, IV and blocks).
    public enum BodyPhase: Sendable, Hashable {
        case waitingForReplyHeader
        case sendingPackage
    }

    /// The states of figure 3, each with what is valid in it.
    public enum State: Sendable, Hashable {
        case waitingForSession
        case setupSocket(Session)
        case sendingBody(Session, socket: SocketID, BodyPhase)
        case sendingFooter(Session, socket: SocketID)
        /// The footer is sent and the socket closed gracefully: the end of figure 3.
        case finished
        /// The session ended otherwise: declined by the receiver, or a failure.
        case terminated(ShareSenderOutcome)

        public var name: String {
            switch self {
            case .waitingForSession: return "WaitingForSession"
            case .setupSocket: return "SetupSocket"
            case .sendingBody: return "SendingBody"
            case .sendingFooter: return "SendingFooter"
            case .finished: return "Finished"
            case .terminated: return "Terminated"
            }
        }
    }

    /// What the shell must do, in order.
    public enum Action: Sendable, Hashable {
        /// Close this socket (unknown session, already set up, or malformed) (3.1.7.2).
        case closeSocket(SocketID)
        /// Echo the chosen socket's Socket Connect header back on it (3.1.7.2).
        case sendSocketConnectHeader(SocketID, SocketConnectHeader)
        /// The socket is set up: report it (3.2.7.2).
        case socketSetUp(SocketID, ConnectionType)
        /// Close every socket and the listener gracefully (3.1.7.2 Abort, or the end).
        case closeAllSockets
        case sendShareHeader(SocketID, ShareHeader)
        /// Send the IV as the first block, then the encrypted package (3.2.7.2).
        case sendIVAndPackage(SocketID)
        /// Encrypt and send the Share Protocol footer (3.2.7.2).
        case sendFooter(SocketID)
        /// Gracefully close the socket: the transfer is complete (3.2.7.2).
        case closeGracefully(SocketID)
        /// The session is over with this outcome.
        case terminate(ShareSenderOutcome)
    }

    public private(set) var state: State
    /// The TotalContentSizeEstimate to send: the package size, or 0 when unknown (3.2.7.2).
    public let totalContentSizeEstimate: UInt64

    /// Initialization (3.2.3): State is WaitingForSession.
    public init(totalContentSizeEstimate: UInt64) {
        self.state = .waitingForSession
        self.totalContentSizeEstimate = totalContentSizeEstimate
    }

    /// 3.2.7.1 Session Provided: in WaitingForSession it becomes the Session and the
    /// state moves to SetupSocket; the shell starts accepting (3.1.7.2).
    public mutating func sessionProvided(_ session: Session) -> [Action] {
        switch state {
        case .waitingForSession:
            state = .setupSocket(session)
            return []
        case .setupSocket, .sendingBody, .sendingFooter, .finished, .terminated:
            // A second Session is not this object's (3.2.7.1 applies in WaitingForSession only).
            return []
        }
    }

    /// 3.1.7.2: a Socket Connect header was read from an accepted socket.
    public mutating func socketConnectHeaderReceived(_ socket: SocketID, _ header: SocketConnectHeader) -> [Action] {
        switch state {
        case .setupSocket(let session):
            // "If the Session object cannot be found … MUST close the socket."
            guard header.sessionID == session.sessionID else { return [.closeSocket(socket)] }
            // "MUST choose exactly one of the connected sockets … and send the Socket
            // Connect header as a reply": winterop chooses the first valid one.
            if header.abort {
                // "If the A (Abort) flag is set … Terminated … gracefully close all sockets."
                state = .terminated(.declined)
                return [.sendSocketConnectHeader(socket, header), .closeAllSockets, .terminate(.declined)]
            }
            // 3.2.7.2: socket set up → SendingBody; send the Share header, read the Reply.
            state = .sendingBody(session, socket: socket, .waitingForReplyHeader)
            return [
                .sendSocketConnectHeader(socket, header),
                .socketSetUp(socket, header.connectionType),
                .sendShareHeader(socket, ShareHeader(totalContentSizeEstimate: totalContentSizeEstimate)),
            ]
        case .sendingBody, .sendingFooter, .finished, .terminated:
            // "… or if the Session already has a socket successfully set up … MUST close the socket."
            return [.closeSocket(socket)]
        case .waitingForSession:
            // No Session yet, so none can be found.
            return [.closeSocket(socket)]
        }
    }

    /// 3.2.7.2: the Reply header was read on the chosen socket: send the IV and the package.
    public mutating func replyHeaderReceived(_ socket: SocketID, _ header: ReplyHeader) -> [Action] {
        switch state {
        case .sendingBody(let session, let chosen, .waitingForReplyHeader) where chosen == socket:
            state = .sendingBody(session, socket: socket, .sendingPackage)
            return [.sendIVAndPackage(socket)]
        case .waitingForSession, .setupSocket, .sendingBody, .sendingFooter, .finished, .terminated:
            return unexpected(socket, "a Reply header")
        }
    }

    /// 3.2.7.2: "After all complete blocks of data have been encrypted and sent" → the footer.
    public mutating func packageBlocksSent() -> [Action] {
        switch state {
        case .sendingBody(let session, let socket, .sendingPackage):
            state = .sendingFooter(session, socket: socket)
            return [.sendFooter(socket)]
        case .waitingForSession, .setupSocket, .sendingBody, .sendingFooter, .finished, .terminated:
            return []
        }
    }

    /// 3.2.7.2: the footer is sent: "Gracefully close the Socket" — the end of figure 3.
    public mutating func footerSent() -> [Action] {
        switch state {
        case .sendingFooter(_, let socket):
            state = .finished
            return [.closeGracefully(socket), .closeAllSockets, .terminate(.sent)]
        case .waitingForSession, .setupSocket, .sendingBody, .finished, .terminated:
            return []
        }
    }

    /// A socket closed (by the peer or a fault). Only the chosen socket matters.
    public mutating func socketClosed(_ socket: SocketID) -> [Action] {
        switch state {
        case .sendingBody(_, let chosen, _) where chosen == socket, .sendingFooter(_, let chosen) where chosen == socket:
            return fail("the share receiver closed the connection before the package was sent")
        case .waitingForSession, .setupSocket, .sendingBody, .sendingFooter, .finished, .terminated:
            return []
        }
    }

    /// The chosen socket failed rather than closed (winterop's reading, for the sender,
    /// of 3.3.7.3 "Socket Closed Due to Fault": the shell's `--stall-timeout`, a receiver
    /// that took none of the package for that long, names `cause`): the share fails and
    /// every socket is closed. Another socket's fault only closes that socket.
    public mutating func socketClosedByFault(_ socket: SocketID, cause: String) -> [Action] {
        switch state {
        case .sendingBody(_, let chosen, _) where chosen == socket, .sendingFooter(_, let chosen) where chosen == socket:
            return fail("\(cause) (in \(state.name))")
        case .waitingForSession, .setupSocket, .sendingBody, .sendingFooter, .finished, .terminated:
            return [.closeSocket(socket)]
        }
    }

    /// Bytes that break a rule of 2.2 arrived on `socket`.
    public mutating func malformedInput(_ socket: SocketID, _ error: WireError) -> [Action] {
        switch state {
        case .sendingBody(_, let chosen, _) where chosen == socket, .sendingFooter(_, let chosen) where chosen == socket:
            return fail("malformed input from the share receiver: \(error)")
        case .waitingForSession, .setupSocket, .sendingBody, .sendingFooter, .finished, .terminated:
            // A socket that is not the session's: close it and keep accepting.
            return [.closeSocket(socket)]
        }
    }

    /// The package source failed (a file could not be read).
    public mutating func packageFailed(_ reason: String) -> [Action] {
        switch state {
        case .finished, .terminated: return []
        case .waitingForSession, .setupSocket, .sendingBody, .sendingFooter: return fail(reason)
        }
    }

    private mutating func unexpected(_ socket: SocketID, _ what: String) -> [Action] {
        switch state {
        case .sendingBody(_, let chosen, _) where chosen == socket, .sendingFooter(_, let chosen) where chosen == socket:
            return fail("the share receiver sent \(what) out of turn (in \(state.name))")
        default:
            return [.closeSocket(socket)]
        }
    }

    private mutating func fail(_ reason: String) -> [Action] {
        state = .terminated(.failed(reason))
        return [.closeAllSockets, .terminate(.failed(reason))]
    }
}

/// How a share sender's session ends.
public enum ShareSenderOutcome: Sendable, Hashable {
    /// The package was sent and the socket closed gracefully (3.2.7.2).
    case sent
    /// The receiver set the Abort flag (3.1.7.2).
    case declined
    case failed(String)
}
