import NIOCore
import WinteropWire

extension SSTP {
    /// Splits a byte stream into commands (2.2, 3.1.5): every byte is parsed, each command's
    /// CommandLength is checked against the limits of 2.2 before its body is awaited, and
    /// the body must be consumed exactly. The decoder holds nothing beyond what the caller
    /// hands it, and never allocates from a declared length.
    public enum CommandStream {
        /// Takes the command at the front of `buffer` whole (header included), consuming its
        /// bytes; nil (consuming nothing) when it is not complete yet. Throws for an unknown
        /// CommandId or a CommandLength outside the limits of 2.2 as soon as the header shows
        /// it, so at most one command of at most 65535 bytes is ever awaited.
        public static func nextFrame(from buffer: inout ByteBuffer) throws(WireError) -> ByteBuffer? {
            guard let length = try commandLength(at: buffer) else { return nil }
            return buffer.readSlice(length: length)
        }

        /// The CommandLength of the command at the front of `buffer` (its whole size, header
        /// included), checked against the limits of 2.2; nil while its 3-byte header is not in.
        /// Throws for an unknown CommandId as soon as its byte is in.
        public static func commandLength(at buffer: ByteBuffer) throws(WireError) -> Int? {
            guard let rawId = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
            guard let id = CommandId(rawValue: rawId) else {
                throw SSTP.reference("2.2").error("unknown CommandId \(hexByte(rawId))")
            }
            guard let length16 = buffer.getInteger(at: buffer.readerIndex + 1, endianness: .little, as: UInt16.self) else {
                return nil
            }
            let length = Int(length16)
            guard id.allows(length: length) else {
                throw SSTP.reference("2.2").error("\(id) CommandLength \(length) is outside the limits of 2.2 (\(id == .connectClose ? "8 or 12" : "\(id.allowedLengths)"))")
            }
            return length
        }

        /// Decodes one whole command as ``nextFrame(from:)`` cut it: every field is parsed
        /// and the body must be consumed exactly.
        public static func decode(frame: ByteBuffer, version: Version) throws(WireError) -> Command {
            var frame = frame
            guard let rawId = frame.readInteger(as: UInt8.self), let id = CommandId(rawValue: rawId),
                  let length = frame.readInteger(endianness: .little, as: UInt16.self)
            else {
                throw SSTP.reference("2.2").error("a frame shorter than the 3-byte command header")
            }
            if id == .data {
                // The hot path: SessionId and a slice of the payload, nothing to check beyond
                // the length rule of 2.2 (Data has no reserved fields).
                guard let sessionId = frame.readInteger(endianness: .little, as: UInt32.self) else {
                    throw SSTP.reference(id.section).error("truncated: SessionId needs 4 bytes, \(frame.readableBytes) left")
                }
                return .data(Data(sessionId: sessionId, payload: frame))
            }
            var reader = WireReader(frame, SSTP.reference(id.section))
            let command = try Command.decodeBody(id, &reader, version: version)
            try reader.expectEnd("\(id) (CommandLength \(length))")
            return command
        }

        /// Decodes the command at the front of `buffer`, consuming its bytes; returns nil
        /// (consuming nothing) when the command is not complete yet.
        public static func decodeCommand(from buffer: inout ByteBuffer, version: Version) throws(WireError) -> Command? {
            var attempt = buffer
            guard let frame = try nextFrame(from: &attempt) else { return nil }
            let command = try decode(frame: frame, version: version)
            buffer = attempt
            return command
        }

        /// Decodes a complete stream of commands. The version starts at `version` and follows
        /// the stream: a Connect and an Ok ConnectResponse set it to the lesser minor version
        /// (3.1.5.2), since FanoutOpen and SessionStatus parse per version.
        public static func decodeAll(_ bytes: ByteBuffer, version: Version = .v1_6) throws(WireError) -> [Command] {
            var buffer = bytes
            var commands: [Command] = []
            var tracker = VersionTracker(version: version)
            while buffer.readableBytes > 0 {
                guard let command = try decodeCommand(from: &buffer, version: tracker.version) else {
                    throw SSTP.reference("2.2").error("truncated: the stream ends inside a command (\(buffer.readableBytes) bytes left)")
                }
                tracker.observe(command)
                commands.append(command)
            }
            return commands
        }

        /// Follows the version a recorded stream negotiates.
        public struct VersionTracker: Sendable {
            public var version: Version
            private var connectMinor: UInt8?
            public init(version: Version) { self.version = version }
            public mutating func observe(_ command: Command) {
                switch command {
                case .connect(let c): connectMinor = c.minorVersion
                case .connectResponse(let r) where r.responseId == .ok:
                    let minor = min(connectMinor ?? r.minorVersion, r.minorVersion)
                    if let negotiated = Version(minor: minor) { version = negotiated }
                default: break
                }
            }
        }

        static func hexByte(_ value: UInt8) -> String {
            let digits = String(value, radix: 16, uppercase: true)
            return "0x" + (digits.count == 1 ? "0" : "") + digits
        }
    }
}
