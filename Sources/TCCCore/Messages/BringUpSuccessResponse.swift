import NIOCore
import WinteropWire
import WinteropFormat

/// BringUpSuccessResponse (2.2.3.2): tethering is up; here are its Wi-Fi settings
/// (the Tethering Settings of 3.2.1).
public struct BringUpSuccessResponse: TCCMessageBody {
    public static let messageId = MessageId.bringUpSuccessResponse
    public static let section = "2.2.3.2"
    public static let structures: Set<TypeId> = [.ssid, .bssid, .passphrase, .displayName]

    public var ssid: Ssid
    /// Optional (2.2.3.2).
    public var bssid: Bssid?
    public var passphrase: Passphrase
    public var displayName: String

    public init(ssid: Ssid, bssid: Bssid?, passphrase: Passphrase, displayName: String) {
        self.ssid = ssid
        self.bssid = bssid
        self.passphrase = passphrase
        self.displayName = displayName
    }

    public init(structures: StructureList) throws(WireError) {
        ssid = try Ssid.decode(try structures.required(.ssid))
        bssid = try structures.optional(.bssid).map { (v) throws(WireError) in try Bssid.decode(v) }
        passphrase = try Passphrase.decode(try structures.required(.passphrase))
        displayName = try StructureValue.text(try structures.required(.displayName), .displayName)
    }

    public func writeStructures(into buffer: inout ByteBuffer) throws(EncodingError) {
        try buffer.writeStructure(.ssid, ssid.bytes)
        if let bssid { try buffer.writeStructure(.bssid, bssid.bytes) }
        try buffer.writeStructure(.passphrase, Array(passphrase.text.utf8))
        try buffer.writeStructure(.displayName, Array(displayName.utf8))
    }

    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("message", .string(Self.messageId.name)),
            ("ssid", .string(ssid.description)),
        ]
        if let bssid { fields.append(("bssid", .string(bssid.description))) }
        fields.append(("passphrase", .string(passphrase.text)))
        fields.append(("displayName", .string(displayName)))
        return .object(fields)
    }
}
