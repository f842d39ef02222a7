import NIOCore
import WinteropWire
import WinteropFormat

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
        let hash = try tlvArray.required(.pinChallenge)
        // SHA-256 output (2.2.7.6, 3.1.5.6.1): exactly 32 bytes, compared whole; no
        // "extra bytes ignored" here, or a padded hash would pass.
        guard hash.readableBytes == PINHash.length else {
            throw MICE.section("2.2.7.6").error("PIN Challenge Length must be 0x0020 (a SHA-256 hash) but is \(hash.readableBytes)")
        }
        pinChallenge = Array(hash.readableBytesView)
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
