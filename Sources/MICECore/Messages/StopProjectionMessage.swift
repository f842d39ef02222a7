import NIOCore
import WinteropWire
import WinteropFormat

/// STOP_PROJECTION (2.2.2): the projection ends. Sent by the source, and by a sink
/// that tears a session down gracefully (3.1.4).
public struct StopProjectionMessage: MICEMessageBody {
    public static let type = MICEMessageType.stopProjection
    public static let allowedTLVs: Set<MICETLVType> = [.friendlyName, .sourceID]

    /// The sender's friendly name. 2.2.2 lists it; accepted when absent, since a
    /// message ending a session is honoured either way.
    public var friendlyName: String?
    public var sourceID: SourceID

    public init(friendlyName: String?, sourceID: SourceID) {
        self.friendlyName = friendlyName
        self.sourceID = sourceID
    }

    public init(tlvArray: MICETLVArray) throws(WireError) {
        friendlyName = try tlvArray.optional(.friendlyName).map { (v) throws(WireError) in try FriendlyName.decode(v) }
        sourceID = try SourceID.decode(try tlvArray.required(.sourceID))
    }

    public func writeTLVArray(into buffer: inout ByteBuffer) throws(EncodingError) {
        if let friendlyName {
            try buffer.writeMICETLV(.friendlyName, try FriendlyName.encode(friendlyName))
        }
        try buffer.writeMICETLV(.sourceID, sourceID.bytes)
    }

    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [("message", .string("STOP_PROJECTION"))]
        if let friendlyName { fields.append(("friendlyName", .string(friendlyName))) }
        fields.append(("sourceId", .hex(sourceID.bytes)))
        return .object(fields)
    }
}
