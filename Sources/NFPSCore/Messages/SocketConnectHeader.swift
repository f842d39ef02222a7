import NIOCore
import WinteropWire
import WinteropFormat

/// The Socket Connect header (2.2.1): 12 bytes the share receiver sends on every
/// socket it connects, and the share sender echoes on the one socket it chooses.
///
/// Reserved bits are kept as received so that "identical" (3.1.7.1) compares every
/// byte; they are written as given (zero unless set).
public struct SocketConnectHeader: NFPSMessage {
    /// The header's size on the wire.
    public static let size = 12

    /// The Session object's ID (8 bytes, big-endian like every field of 2.2 not marked otherwise).
    public var sessionID: UInt64
    public var connectionType: ConnectionType
    /// MUST be zero when sent, ignored when received (2.2.1).
    public var reserved1: UInt16
    /// The A (Abort) flag: the client asks the server to end the session (2.2.1).
    public var abort: Bool
    /// The 7 bits after A: MUST be zero when sent, ignored when received (2.2.1).
    public var reserved2: UInt8

    public init(sessionID: UInt64, connectionType: ConnectionType, abort: Bool = false, reserved1: UInt16 = 0, reserved2: UInt8 = 0) {
        self.sessionID = sessionID
        self.connectionType = connectionType
        self.abort = abort
        self.reserved1 = reserved1
        self.reserved2 = reserved2 & 0x7F
    }

    /// Decodes exactly 12 bytes from `reader`.
    public static func decode(_ reader: inout WireReader) throws(WireError) -> SocketConnectHeader {
        let sessionID = try reader.readUInt64(.big, field: "SessionID")
        let type = try ConnectionType.decode(try reader.readUInt8(field: "ConnectionType"), reader.reference)
        let reserved1 = try reader.readUInt16(.big, field: "Reserved1")
        let flags = try reader.readUInt8(field: "A and Reserved2")
        return SocketConnectHeader(
            sessionID: sessionID, connectionType: type, abort: flags & 0x80 != 0,
            reserved1: reserved1, reserved2: flags & 0x7F
        )
    }

    /// Decodes a complete header: exactly 12 bytes.
    public static func decode(bytes: some Sequence<UInt8>) throws(WireError) -> SocketConnectHeader {
        var reader = WireReader(bytes: bytes, NFPS.section("2.2.1"))
        let header = try decode(&reader)
        try reader.expectEnd("the Socket Connect header")
        return header
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(sessionID, endianness: .big)
        buffer.writeInteger(connectionType.rawValue)
        buffer.writeInteger(reserved1, endianness: .big)
        buffer.writeInteger((abort ? 0x80 : 0) | (reserved2 & 0x7F) as UInt8)
    }

    public var json: JSONValue {
        .object([
            ("message", .string("Socket Connect")),
            ("sessionId", .hex(withUnsafeBytes(of: sessionID.bigEndian, Array.init))),
            ("connectionType", .integer(connectionType.rawValue)),
            ("connectionTypeName", .string(connectionType.description)),
            ("reserved1", .integer(reserved1)),
            ("abort", .bool(abort)),
            ("reserved2", .integer(reserved2)),
        ])
    }
}
