import NIOCore
import WinteropWire

extension WDSC {
    /// Endpoint Header (2.2.1.1): 40 bytes naming the Service Provider's Endpoint GUID.
    public struct EndpointHeader: Sendable, Hashable {
        /// Size-Of-Header: MUST be 0x0028.
        public static let size = 0x28
        /// Version: MUST be 0x0100 (both headers).
        public static let version: UInt16 = 0x0100

        /// Packet-Size: the whole packet's bytes (both headers and the variables).
        public var packetSize: UInt32
        public var endpointGUID: GUID

        public init(packetSize: UInt32, endpointGUID: GUID) {
            self.packetSize = packetSize
            self.endpointGUID = endpointGUID
        }

        static let reference = WDSC.reference("2.2.1.1")

        init(decoding reader: inout WireReader) throws(WireError) {
            reader.reference = Self.reference
            try reader.expectInteger(UInt16(Self.size), .little, field: "Size-Of-Header")
            try reader.expectInteger(Self.version, .little, field: "Version")
            packetSize = try reader.readUInt32(.little, field: "Packet-Size")
            guard let guid = GUID(bytes: try reader.readBytes(16, field: "Endpoint-GUID")) else {
                throw reader.error("Endpoint-GUID is not 16 bytes")
            }
            endpointGUID = guid
            try reader.expectZeros(16, field: "Reserved")
        }

        func encode(into buffer: inout ByteBuffer) {
            buffer.writeInteger(UInt16(Self.size), endianness: .little)
            buffer.writeInteger(Self.version, endianness: .little)
            buffer.writeInteger(packetSize, endianness: .little)
            buffer.writeBytes(endpointGUID.bytes)
            buffer.writeRepeatingByte(0, count: 16)
        }
    }
}
