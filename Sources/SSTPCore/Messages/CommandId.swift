import NIOCore
import WinteropWire

extension SSTP {
    /// The CommandId of every SSTP command and its length rule (2.2, table of command lengths).
    public enum CommandId: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case connect = 0x01
        case connectResponse = 0x02
        case connectAuthenticate = 0x03
        case connectClose = 0x04
        case open = 0x05
        case fanoutOpen = 0x06
        case openResponse = 0x07
        case attach = 0x08
        case attachResponse = 0x09
        case attachAuthenticate = 0x0a
        case register = 0x0b
        case registerResponse = 0x0c
        case message = 0x0d
        case data = 0x0e
        case endMessage = 0x0f
        case noop = 0x10
        case close = 0x11
        case sessionStatus = 0x12

        /// The length of the 3-byte header: CommandId (1) and CommandLength (2, little-endian).
        public static let headerLength = 3

        /// The largest CommandLength of any command (FanoutOpen, 2.2.6).
        public static let largestLength = 65535

        /// The CommandLength values 2.2 allows for this command.
        public var allowedLengths: ClosedRange<Int> {
            switch self {
            case .connectClose: return 8...12
            case .openResponse, .close: return 8...8
            case .endMessage, .noop: return 7...7
            case .fanoutOpen: return 3...65535
            case .register: return 3...8192
            default: return 3...2055
            }
        }

        /// Whether `length` is a CommandLength 2.2 allows for this command.
        public func allows(length: Int) -> Bool {
            if self == .connectClose { return length == 8 || length == 12 }
            return allowedLengths.contains(length)
        }

        /// The section that defines the command's fields.
        public var section: String {
            switch self {
            case .connect: return "2.2.1.1"
            case .connectResponse: return "2.2.2.1"
            case .connectAuthenticate: return "2.2.3.1"
            case .connectClose: return "2.2.4.1"
            case .open: return "2.2.5.1"
            case .fanoutOpen: return "2.2.6.1"
            case .openResponse: return "2.2.7.1"
            case .sessionStatus: return "2.2.8.1"
            case .close: return "2.2.9.1"
            case .message: return "2.2.10.1"
            case .data: return "2.2.11.1"
            case .endMessage: return "2.2.12.1"
            case .noop: return "2.2.13.1"
            case .attach: return "2.2.14.1"
            case .attachResponse: return "2.2.15.1"
            case .attachAuthenticate: return "2.2.16.1"
            case .register: return "2.2.17.1"
            case .registerResponse: return "2.2.18.1"
            }
        }

        /// The spec's mnemonic.
        public var description: String {
            switch self {
            case .connect: return "Connect"
            case .connectResponse: return "ConnectResponse"
            case .connectAuthenticate: return "ConnectAuthenticate"
            case .connectClose: return "ConnectClose"
            case .open: return "Open"
            case .fanoutOpen: return "FanoutOpen"
            case .openResponse: return "OpenResponse"
            case .sessionStatus: return "SessionStatus"
            case .close: return "Close"
            case .message: return "Message"
            case .data: return "Data"
            case .endMessage: return "EndMessage"
            case .noop: return "Noop"
            case .attach: return "Attach"
            case .attachResponse: return "AttachResponse"
            case .attachAuthenticate: return "AttachAuthenticate"
            case .register: return "Register"
            case .registerResponse: return "RegisterResponse"
            }
        }
    }
}

/// One SSTP command's fields after the 3-byte header.
public protocol SSTPCommandBody: Sendable, Hashable {
    static var commandId: SSTP.CommandId { get }
    /// Decodes the fields from a reader spanning exactly the command's body
    /// (CommandLength − 3 bytes); the caller checks that every byte was used.
    init(decodingBody reader: inout WireReader, version: SSTP.Version) throws(WireError)
    /// Writes the fields after the header.
    func encodeBody(into buffer: inout ByteBuffer, version: SSTP.Version) throws(EncodingError)
}

extension SSTPCommandBody {
    /// Encodes the whole command, header included, with CommandLength filled in and
    /// checked against the limits of 2.2.
    public func encode(into buffer: inout ByteBuffer, version: SSTP.Version = .v1_6) throws(EncodingError) {
        let start = buffer.writerIndex
        buffer.writeInteger(Self.commandId.rawValue)
        buffer.writeInteger(UInt16(0), endianness: .little)
        do {
            try encodeBody(into: &buffer, version: version)
        } catch {
            buffer.moveWriterIndex(to: start)
            throw error
        }
        let length = buffer.writerIndex - start
        guard Self.commandId.allows(length: length) else {
            buffer.moveWriterIndex(to: start)
            throw EncodingError("\(Self.commandId) would be \(length) bytes; MS-GRVSSTP 2.2 allows \(Self.commandId.allowedLengths)")
        }
        buffer.setInteger(UInt16(length), at: start + 1, endianness: .little)
    }

    /// The command's bytes.
    public func encoded(version: SSTP.Version = .v1_6) throws(EncodingError) -> ByteBuffer {
        var buffer = ByteBuffer()
        try encode(into: &buffer, version: version)
        return buffer
    }
}

extension WireReader {
    /// A little-endian UInt16 (2.1: all multi-byte fields are little-endian).
    mutating func le16(_ field: String) throws(WireError) -> UInt16 { try readUInt16(.little, field: field) }
    mutating func le32(_ field: String) throws(WireError) -> UInt32 { try readUInt32(.little, field: field) }
    mutating func le64(_ field: String) throws(WireError) -> UInt64 { try readUInt64(.little, field: field) }
    mutating func url(_ field: String) throws(WireError) -> String { try readNULTerminatedASCII(field: field) }

    /// A byte string preceded by its 2-byte little-endian length.
    mutating func token(_ field: String) throws(WireError) -> [UInt8] {
        let length = Int(try le16("\(field)Length"))
        return try readBytes(length, field: field)
    }
}

extension ByteBuffer {
    mutating func writeLE<T: FixedWidthInteger>(_ value: T) { writeInteger(value, endianness: .little) }
    mutating func writeURL(_ text: String, field: String) throws(EncodingError) {
        do { try writeNULTerminatedASCII(text) } catch { throw EncodingError("\(field): \(error.message)") }
    }
    mutating func writeToken(_ bytes: [UInt8], field: String) throws(EncodingError) {
        guard bytes.count <= Int(UInt16.max) else { throw EncodingError("\(field) of \(bytes.count) bytes exceeds 65535") }
        writeLE(UInt16(bytes.count))
        writeBytes(bytes)
    }
}
