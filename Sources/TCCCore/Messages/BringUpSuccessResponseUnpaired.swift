import NIOCore
import WinteropWire
import WinteropFormat

/// BringUpSuccessResponseUnpaired (2.2.3.3, revision 10.0): a BringUpSuccessResponse
/// encrypted under K2 (AES-256-CBC, PKCS#7) with a fresh IV, and an HMAC under K3 over
/// IV ‖ ciphertext ‖ the client's Timestamp. ``UnpairedCrypto`` seals and opens it.
public struct BringUpSuccessResponseUnpaired: TCCMessageBody {
    public static let messageId = MessageId.bringUpSuccessResponseUnpaired
    public static let section = "2.2.3.3"
    public static let structures: Set<TypeId> = [.hmac, .initializationVector, .encryptedBringUpSuccessResponse]

    /// 32 bytes (2.2.2.6).
    public var hmac: [UInt8]
    /// 16 bytes (2.2.2.7).
    public var initializationVector: [UInt8]
    /// The ciphertext (2.2.2.4).
    public var encryptedResponse: [UInt8]

    public init(hmac: [UInt8], initializationVector: [UInt8], encryptedResponse: [UInt8]) {
        self.hmac = hmac
        self.initializationVector = initializationVector
        self.encryptedResponse = encryptedResponse
    }

    public init(structures: StructureList) throws(WireError) {
        hmac = try StructureValue.fixed(try structures.required(.hmac), .hmac, count: 32)
        initializationVector = try StructureValue.fixed(try structures.required(.initializationVector), .initializationVector, count: 16)
        encryptedResponse = Array(try structures.required(.encryptedBringUpSuccessResponse).readableBytesView)
    }

    public func writeStructures(into buffer: inout ByteBuffer) throws(EncodingError) {
        guard hmac.count == 32, initializationVector.count == 16 else {
            throw EncodingError("an HMAC is 32 bytes and an InitializationVector 16")
        }
        try buffer.writeStructure(.hmac, hmac)
        try buffer.writeStructure(.initializationVector, initializationVector)
        try buffer.writeStructure(.encryptedBringUpSuccessResponse, encryptedResponse)
    }

    public var json: JSONValue {
        .object([
            ("message", .string(Self.messageId.name)),
            ("hmac", .hex(hmac)),
            ("initializationVector", .hex(initializationVector)),
            ("encryptedResponse", .hex(encryptedResponse)),
        ])
    }
}
