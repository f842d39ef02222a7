import NIOCore
import WinteropWire
import WinteropFormat

/// SECURITY_HANDSHAKE (2.2.3): carries DTLS handshake records in its Security Token
/// TLV, one DTLS record per message (DESIGN.md).
public struct SecurityHandshakeMessage: MICEMessageBody {
    public static let type = MICEMessageType.securityHandshake
    public static let allowedTLVs: Set<MICETLVType> = [.securityToken, .sourceID]

    /// The DTLS payload (2.2.7.4).
    public var securityToken: [UInt8]
    /// Optional (2.2.3).
    public var sourceID: SourceID?

    public init(securityToken: [UInt8], sourceID: SourceID?) {
        self.securityToken = securityToken
        self.sourceID = sourceID
    }

    public init(tlvArray: MICETLVArray) throws(WireError) {
        securityToken = Array(try tlvArray.required(.securityToken).readableBytesView)
        sourceID = try tlvArray.optional(.sourceID).map { (v) throws(WireError) in try SourceID.decode(v) }
    }

    public func writeTLVArray(into buffer: inout ByteBuffer) throws(EncodingError) {
        try buffer.writeMICETLV(.securityToken, securityToken)
        if let sourceID { try buffer.writeMICETLV(.sourceID, sourceID.bytes) }
    }

    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("message", .string("SECURITY_HANDSHAKE")),
            ("securityToken", .hex(securityToken)),
        ]
        if let sourceID { fields.append(("sourceId", .hex(sourceID.bytes))) }
        return .object(fields)
    }
}
