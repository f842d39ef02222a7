import NIOCore
import WinteropWire
import WinteropFormat

/// PIN_RESPONSE (2.2.6): the sink's verdict on a PIN_CHALLENGE; with reason 0x00 it
/// carries the sink's own salted hash (sink IP), otherwise no hash (3.1.5.6).
public struct PINResponseMessage: MICEMessageBody {
    public static let type = MICEMessageType.pinResponse
    public static let allowedTLVs: Set<MICETLVType> = [.pinChallenge, .pinResponseReason, .sourceID]

    /// SHA-256(PIN ‖ sink IP) when the PIN was accepted.
    public var pinChallenge: [UInt8]?
    public var reason: PINResponseReason
    /// 2.2.6 lists it but example 4.7 omits it: optional on receipt (errata).
    public var sourceID: SourceID?

    public init(pinChallenge: [UInt8]?, reason: PINResponseReason, sourceID: SourceID?) {
        self.pinChallenge = pinChallenge
        self.reason = reason
        self.sourceID = sourceID
    }

    public init(tlvArray: MICETLVArray) throws(WireError) {
        pinChallenge = tlvArray.optional(.pinChallenge).map { Array($0.readableBytesView) }
        reason = try PINResponseReason.decode(try tlvArray.required(.pinResponseReason))
        sourceID = try tlvArray.optional(.sourceID).map { (v) throws(WireError) in try SourceID.decode(v) }
        if reason == .pinAccepted && pinChallenge == nil {
            throw MICE.section("3.1.5.6").error("PIN_RESPONSE accepts the PIN (0x00) but carries no PIN Challenge TLV")
        }
    }

    public func writeTLVArray(into buffer: inout ByteBuffer) throws(EncodingError) {
        if let pinChallenge { try buffer.writeMICETLV(.pinChallenge, pinChallenge) }
        try buffer.writeMICETLV(.pinResponseReason, [reason.rawValue])
        if let sourceID { try buffer.writeMICETLV(.sourceID, sourceID.bytes) }
    }

    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [("message", .string("PIN_RESPONSE"))]
        if let pinChallenge { fields.append(("pinChallenge", .hex(pinChallenge))) }
        fields.append(("reason", .integer(reason.rawValue)))
        fields.append(("reasonText", .string(reason.description)))
        if let sourceID { fields.append(("sourceId", .hex(sourceID.bytes))) }
        return .object(fields)
    }
}
