import NIOCore
import WinteropWire
import WinteropFormat

/// SESSION_REQUEST (2.2.4): the source's first message when it uses PIN entry; says
/// whether it wants stream encryption and/or a PIN displayed by the sink.
public struct SessionRequestMessage: MICEMessageBody {
    public static let type = MICEMessageType.sessionRequest
    public static let allowedTLVs: Set<MICETLVType> = [.securityOptions, .friendlyName, .sourceID]

    public var securityOptions: SecurityOptions
    public var friendlyName: String
    public var sourceID: SourceID

    public init(securityOptions: SecurityOptions, friendlyName: String, sourceID: SourceID) {
        self.securityOptions = securityOptions
        self.friendlyName = friendlyName
        self.sourceID = sourceID
    }

    public init(tlvArray: MICETLVArray) throws(WireError) {
        securityOptions = try SecurityOptions.decode(try tlvArray.required(.securityOptions))
        friendlyName = try FriendlyName.decode(try tlvArray.required(.friendlyName))
        sourceID = try SourceID.decode(try tlvArray.required(.sourceID))
    }

    public func writeTLVArray(into buffer: inout ByteBuffer) throws(EncodingError) {
        try buffer.writeMICETLV(.securityOptions, [securityOptions.rawValue])
        try buffer.writeMICETLV(.friendlyName, try FriendlyName.encode(friendlyName))
        try buffer.writeMICETLV(.sourceID, sourceID.bytes)
    }

    public var json: JSONValue {
        .object([
            ("message", .string("SESSION_REQUEST")),
            ("securityOptions", securityOptions.json),
            ("friendlyName", .string(friendlyName)),
            ("sourceId", .hex(sourceID.bytes)),
        ])
    }
}
