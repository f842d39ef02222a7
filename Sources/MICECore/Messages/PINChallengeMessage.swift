import NIOCore
import WinteropWire

/// PIN_CHALLENGE (2.2.5): the source's salted PIN hash (3.1.5.6.1), sent after the
/// DTLS handshake with its TLVArray encrypted.
public struct PINChallengeMessage: MICEMessageBody {
    public static let type = MICEMessageType.pinChallenge
    public static let allowedTLVs: Set<MICETLVType> = [.pinChallenge, .sourceID]

    /// SHA-256(PIN ‖ source IP) (2.2.7.6).
    public var pinChallenge: [UInt8]
    public var sourceID: SourceID

    public init(pinChallenge: [UInt8], sourceID: SourceID) {
        self.pinChallenge = pinChallenge
        self.sourceID = sourceID
    }

    public init(tlvArray: MICETLVArray) throws(WireError) {
        pinChallenge = Array(try tlvArray.required(.pinChallenge).readableBytesView)
        sourceID = try SourceID.decode(try tlvArray.required(.sourceID))
    }

    public func writeTLVArray(into buffer: inout ByteBuffer) throws(EncodingError) {
        try buffer.writeMICETLV(.pinChallenge, pinChallenge)
        try buffer.writeMICETLV(.sourceID, sourceID.bytes)
    }

    public var json: JSONValue {
        .object([
            ("message", .string("PIN_CHALLENGE")),
            ("pinChallenge", .hex(pinChallenge)),
            ("sourceId", .hex(sourceID.bytes)),
        ])
    }
}
