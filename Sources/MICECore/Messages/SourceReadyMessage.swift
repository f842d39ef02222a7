import NIOCore
import WinteropWire
import WinteropFormat

/// SOURCE_READY (2.2.1): the source listens on its RTSP port and waits for the sink
/// to connect back.
public struct SourceReadyMessage: MICEMessageBody {
    public static let type = MICEMessageType.sourceReady
    public static let allowedTLVs: Set<MICETLVType> = [.friendlyName, .rtspPort, .sourceID]

    /// The source's friendly name; absent when a Session Request was sent (2.2.1).
    public var friendlyName: String?
    /// The port the source listens on for RTSP.
    public var rtspPort: UInt16
    public var sourceID: SourceID

    public init(friendlyName: String?, rtspPort: UInt16, sourceID: SourceID) {
        self.friendlyName = friendlyName
        self.rtspPort = rtspPort
        self.sourceID = sourceID
    }

    public init(tlvArray: MICETLVArray) throws(WireError) {
        friendlyName = try tlvArray.optional(.friendlyName).map { (v) throws(WireError) in try FriendlyName.decode(v) }
        rtspPort = try decodeRTSPPort(try tlvArray.required(.rtspPort))
        sourceID = try SourceID.decode(try tlvArray.required(.sourceID))
    }

    public func writeTLVArray(into buffer: inout ByteBuffer) throws(EncodingError) {
        if let friendlyName {
            try buffer.writeMICETLV(.friendlyName, try FriendlyName.encode(friendlyName))
        }
        var port = ByteBuffer()
        port.writeInteger(rtspPort, endianness: .big)
        try buffer.writeMICETLV(.rtspPort, port.readableBytesView)
        try buffer.writeMICETLV(.sourceID, sourceID.bytes)
    }

    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [("message", .string("SOURCE_READY"))]
        if let friendlyName { fields.append(("friendlyName", .string(friendlyName))) }
        fields.append(("rtspPort", .integer(rtspPort)))
        fields.append(("sourceId", .hex(sourceID.bytes)))
        return .object(fields)
    }
}
