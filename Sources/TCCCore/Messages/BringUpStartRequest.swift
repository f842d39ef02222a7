import NIOCore
import WinteropWire
import WinteropFormat

/// BringUpStartRequest (2.2.3.1): the client asks the server to share its connection.
/// Empty between paired devices (revision 2.0); in revision 10.0 it carries a Timestamp
/// and an HMAC of it under K1 when the devices are not paired. Timestamp (8) comes before
/// HMAC (9): increasing TypeId order is a MUST (2.2.3), the figure is only a drawing.
public struct BringUpStartRequest: TCCMessageBody {
    public static let messageId = MessageId.bringUpStartRequest
    public static let section = "2.2.3.1"
    public static let structures: Set<TypeId> = [.timestamp, .hmac]

    /// The unpaired-flow proof, when present.
    public var authentication: Authentication?

    /// Timestamp and HMAC, which come together: the HMAC is computed over that Timestamp.
    public struct Authentication: Sendable, Hashable {
        /// The client's system time (2.2.2.12).
        public var timestamp: FileTime
        /// HMAC-SHA-256 under K1 over the 8 Timestamp bytes (2.2.3.1).
        public var hmac: [UInt8]

        public init(timestamp: FileTime, hmac: [UInt8]) {
            self.timestamp = timestamp
            self.hmac = hmac
        }
    }

    public init(authentication: Authentication? = nil) {
        self.authentication = authentication
    }

    public init(structures: StructureList) throws(WireError) {
        let timestamp = try structures.optional(.timestamp).map { (v) throws(WireError) in try FileTime.decode(v) }
        let hmac = try structures.optional(.hmac).map { (v) throws(WireError) in try StructureValue.fixed(v, .hmac, count: 32) }
        switch (timestamp, hmac) {
        case (nil, nil): authentication = nil
        case (let timestamp?, let hmac?): authentication = Authentication(timestamp: timestamp, hmac: hmac)
        case (nil, _?): throw TCC.section(Self.section).error("an HMAC structure without the Timestamp structure it covers")
        case (_?, nil): throw TCC.section(Self.section).error("a Timestamp structure without its HMAC structure")
        }
    }

    public func writeStructures(into buffer: inout ByteBuffer) throws(EncodingError) {
        guard let authentication else { return }
        try buffer.writeStructure(.timestamp, authentication.timestamp.bytes)
        guard authentication.hmac.count == 32 else { throw EncodingError("an HMAC is 32 bytes, not \(authentication.hmac.count)") }
        try buffer.writeStructure(.hmac, authentication.hmac)
    }

    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [("message", .string(Self.messageId.name))]
        if let authentication {
            fields.append(("timestamp", .integer(authentication.timestamp.value)))
            fields.append(("hmac", .hex(authentication.hmac)))
        }
        return .object(fields)
    }
}
