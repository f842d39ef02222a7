import NIOCore
import WinteropWire

extension WDSC {
    /// Packet-Type values (2.2.1.2.1). Receivers MAY check them; winterop does not,
    /// since Windows servers do not set the reply's properly (MS-WDSC <1>).
    public enum PacketType: UInt8, Sendable, Hashable {
        /// WDSCPL_PACKET_REQUEST.
        case request = 0x01
        /// WDSCPL_PACKET_REPLY.
        case reply = 0x02
    }

    /// Operation Header (2.2.1.2): 16 bytes.
    public struct OperationHeader: Sendable, Hashable {
        public static let size = 16

        /// Packet-Size: this header's and the Variables Section's bytes.
        public var packetSize: UInt32
        /// Packet-Type, as sent (a SHOULD, never rejected).
        public var packetType: UInt8
        /// OpCode-ErrorCode: the OpCode in a request, the operation's Win32 result in a reply.
        public var opCodeOrErrorCode: UInt32
        /// Variable-Count.
        public var variableCount: UInt32

        public init(packetSize: UInt32, packetType: UInt8, opCodeOrErrorCode: UInt32, variableCount: UInt32) {
            self.packetSize = packetSize
            self.packetType = packetType
            self.opCodeOrErrorCode = opCodeOrErrorCode
            self.variableCount = variableCount
        }

        static let reference = WDSC.reference("2.2.1.2")

        init(decoding reader: inout WireReader) throws(WireError) {
            reader.reference = Self.reference
            packetSize = try reader.readUInt32(.little, field: "Packet-Size")
            try reader.expectInteger(EndpointHeader.version, .little, field: "Version")
            packetType = try reader.readUInt8(field: "Packet-Type")
            _ = try reader.readUInt8(field: "Padding1")  // MUST be ignored
            opCodeOrErrorCode = try reader.readUInt32(.little, field: "OpCode-ErrorCode")
            variableCount = try reader.readUInt32(.little, field: "Variable-Count")
        }

        func encode(into buffer: inout ByteBuffer) {
            buffer.writeInteger(packetSize, endianness: .little)
            buffer.writeInteger(EndpointHeader.version, endianness: .little)
            buffer.writeInteger(packetType)
            buffer.writeInteger(UInt8(0))
            buffer.writeInteger(opCodeOrErrorCode, endianness: .little)
            buffer.writeInteger(variableCount, endianness: .little)
        }
    }
}
