import NIOCore
import WinteropWire

/// SDP protocol data units ([BT-SDP] 4.2): a 5-byte header (PDU ID, transaction ID,
/// parameter length, all big-endian) and parameters. Besides the standard search, BlueZ's
/// local SDP server (`/var/run/sdp`) takes its own register/remove PDUs.
public struct SDPPDU: Sendable, Hashable {
    public static let errorResponse: UInt8 = 0x01
    public static let serviceSearchAttributeRequest: UInt8 = 0x06
    public static let serviceSearchAttributeResponse: UInt8 = 0x07
    /// BlueZ's local server: register a record (0x75/0x76) and remove it (0x77/0x78).
    public static let bluezRegisterRequest: UInt8 = 0x75
    public static let bluezRegisterResponse: UInt8 = 0x76
    public static let bluezRemoveRequest: UInt8 = 0x77

    static let reference = SpecReference("BT-SDP", "4.2")

    public var id: UInt8
    public var transaction: UInt16
    public var parameters: [UInt8]

    public init(id: UInt8, transaction: UInt16, parameters: [UInt8]) {
        self.id = id
        self.transaction = transaction
        self.parameters = parameters
    }

    public func encoded() -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeInteger(id)
        buffer.writeInteger(transaction, endianness: .big)
        buffer.writeInteger(UInt16(truncatingIfNeeded: parameters.count), endianness: .big)
        buffer.writeBytes(parameters)
        return Array(buffer.readableBytesView)
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> SDPPDU {
        var reader = WireReader(bytes: bytes, reference)
        let id = try reader.readUInt8(field: "PDU ID")
        let transaction = try reader.readUInt16(.big, field: "TransactionID")
        let length = Int(try reader.readUInt16(.big, field: "ParameterLength"))
        let parameters = try reader.readBytes(length, field: "parameters")
        try reader.expectEnd("the PDU")
        return SDPPDU(id: id, transaction: transaction, parameters: parameters)
    }

    /// BlueZ's register request for `record` on every adapter (flags 0: removed when the
    /// registering socket closes).
    public static func register(_ record: SDPDataElement, transaction: UInt16) throws(EncodingError) -> SDPPDU {
        SDPPDU(id: bluezRegisterRequest, transaction: transaction, parameters: [0] + (try record.encoded()))
    }

    /// The record handle of a register response; throws for an error response.
    public func registeredHandle() throws(WireError) -> UInt32 {
        guard id == Self.bluezRegisterResponse else {
            throw Self.reference.error("the SDP server refused the record (PDU \(id))")
        }
        var reader = WireReader(bytes: parameters, Self.reference)
        return try reader.readUInt32(.big, field: "ServiceRecordHandle")
    }

    /// ServiceSearchAttributeRequest ([BT-SDP] 4.7.1) for records of `uuid`, asking for
    /// the ProtocolDescriptorList, with `continuation` from the previous response.
    public static func searchAttributes(uuid: [UInt8], transaction: UInt16, continuation: [UInt8]) throws(EncodingError) -> SDPPDU {
        var buffer = ByteBuffer()
        try SDPDataElement.sequence([.uuid128(uuid)]).write(into: &buffer)
        buffer.writeInteger(UInt16(0xFFFF), endianness: .big)  // MaximumAttributeByteCount
        try SDPDataElement.sequence([.uint16(TCCServiceRecord.protocolDescriptorList)]).write(into: &buffer)
        buffer.writeInteger(UInt8(continuation.count))
        buffer.writeBytes(continuation)
        return SDPPDU(id: serviceSearchAttributeRequest, transaction: transaction, parameters: Array(buffer.readableBytesView))
    }

    /// The AttributeLists bytes and ContinuationState of a ServiceSearchAttributeResponse (4.7.2).
    public func searchAttributesResponse() throws(WireError) -> (attributeLists: [UInt8], continuation: [UInt8]) {
        guard id == Self.serviceSearchAttributeResponse else {
            throw Self.reference.error("the SDP server answered PDU \(id) to a ServiceSearchAttributeRequest")
        }
        var reader = WireReader(bytes: parameters, Self.reference)
        let count = Int(try reader.readUInt16(.big, field: "AttributeListsByteCount"))
        let lists = try reader.readBytes(count, field: "AttributeLists")
        let continuationLength = Int(try reader.readUInt8(field: "ContinuationState length"))
        guard continuationLength <= 16 else { throw Self.reference.error("ContinuationState of \(continuationLength) bytes; at most 16") }
        let continuation = try reader.readBytes(continuationLength, field: "ContinuationState")
        return (lists, continuation)
    }

    /// The RFCOMM channel of the first tethering record in the joined AttributeLists.
    public static func channel(inAttributeLists bytes: [UInt8]) throws(WireError) -> UInt8? {
        let lists = try SDPDataElement.decode(bytes)
        for list in lists.elements ?? [] {
            if let channel = TCCServiceRecord.rfcommChannel(inAttributeList: list) { return channel }
        }
        return nil
    }
}
