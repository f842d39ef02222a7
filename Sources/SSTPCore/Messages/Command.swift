import NIOCore
import WinteropWire

extension SSTP {
    /// Any SSTP command (2.2).
    public enum Command: Sendable, Hashable {
        case connect(Connect)
        case connectResponse(ConnectResponse)
        case connectAuthenticate(ConnectAuthenticate)
        case connectClose(ConnectClose)
        case open(Open)
        case fanoutOpen(FanoutOpen)
        case openResponse(OpenResponse)
        case sessionStatus(SessionStatus)
        case close(Close)
        case message(Message)
        case data(Data)
        case endMessage(EndMessage)
        case noop(Noop)
        case attach(Attach)
        case attachResponse(AttachResponse)
        case attachAuthenticate(AttachAuthenticate)
        case register(Register)
        case registerResponse(RegisterResponse)

        public var commandId: CommandId { body.commandIdOfType }

        /// The command's fields.
        public var body: any SSTPCommandBody {
            switch self {
            case .connect(let c): return c
            case .connectResponse(let c): return c
            case .connectAuthenticate(let c): return c
            case .connectClose(let c): return c
            case .open(let c): return c
            case .fanoutOpen(let c): return c
            case .openResponse(let c): return c
            case .sessionStatus(let c): return c
            case .close(let c): return c
            case .message(let c): return c
            case .data(let c): return c
            case .endMessage(let c): return c
            case .noop(let c): return c
            case .attach(let c): return c
            case .attachResponse(let c): return c
            case .attachAuthenticate(let c): return c
            case .register(let c): return c
            case .registerResponse(let c): return c
            }
        }

        /// Encodes the command, header included.
        public func encode(into buffer: inout ByteBuffer, version: Version = .v1_6) throws(EncodingError) {
            try body.encode(into: &buffer, version: version)
        }

        /// Decodes the body of a command whose header said `id`, from a reader over exactly its body.
        public static func decodeBody(_ id: CommandId, _ reader: inout WireReader, version: Version) throws(WireError) -> Command {
            switch id {
            case .connect: return .connect(try Connect(decodingBody: &reader, version: version))
            case .connectResponse: return .connectResponse(try ConnectResponse(decodingBody: &reader, version: version))
            case .connectAuthenticate: return .connectAuthenticate(try ConnectAuthenticate(decodingBody: &reader, version: version))
            case .connectClose: return .connectClose(try ConnectClose(decodingBody: &reader, version: version))
            case .open: return .open(try Open(decodingBody: &reader, version: version))
            case .fanoutOpen: return .fanoutOpen(try FanoutOpen(decodingBody: &reader, version: version))
            case .openResponse: return .openResponse(try OpenResponse(decodingBody: &reader, version: version))
            case .sessionStatus: return .sessionStatus(try SessionStatus(decodingBody: &reader, version: version))
            case .close: return .close(try Close(decodingBody: &reader, version: version))
            case .message: return .message(try Message(decodingBody: &reader, version: version))
            case .data: return .data(try Data(decodingBody: &reader, version: version))
            case .endMessage: return .endMessage(try EndMessage(decodingBody: &reader, version: version))
            case .noop: return .noop(try Noop(decodingBody: &reader, version: version))
            case .attach: return .attach(try Attach(decodingBody: &reader, version: version))
            case .attachResponse: return .attachResponse(try AttachResponse(decodingBody: &reader, version: version))
            case .attachAuthenticate: return .attachAuthenticate(try AttachAuthenticate(decodingBody: &reader, version: version))
            case .register: return .register(try Register(decodingBody: &reader, version: version))
            case .registerResponse: return .registerResponse(try RegisterResponse(decodingBody: &reader, version: version))
            }
        }

        /// The SessionId a session command carries (nil for connection-level commands and
        /// the attach/register EventId commands).
        public var sessionId: UInt32? {
            switch self {
            case .open(let c): return c.sessionId
            case .fanoutOpen(let c): return c.sessionId
            case .openResponse(let c): return c.sessionId
            case .sessionStatus(let c): return c.sessionId
            case .close(let c): return c.sessionId
            case .message(let c): return c.sessionId
            case .data(let c): return c.sessionId
            case .endMessage(let c): return c.sessionId
            default: return nil
            }
        }
    }
}

extension SSTPCommandBody {
    var commandIdOfType: SSTP.CommandId { Self.commandId }
}
