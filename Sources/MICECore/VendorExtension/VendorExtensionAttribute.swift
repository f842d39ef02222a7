import NIOCore
import WinteropWire
import WinteropFormat

/// The WSC Vendor Extension attribute a sink puts in its Beacons and Probe Responses
/// (2.2.8): WSCVEA 0x1049, Length, OUI 00 01 37, then P2P attributes with 2-byte IDs
/// and 2-byte lengths.
public struct VendorExtensionAttribute: Sendable, Hashable, JSONDescribable {
    public static let wscVendorExtension: UInt16 = 0x1049
    public static let oui: [UInt8] = [0x00, 0x01, 0x37]
    /// The layout of the P2P attributes.
    public static let attributeFormat = TLVFormat(typeWidth: .two, lengthWidth: .two, endianness: .big, itemName: "attribute")

    /// The attribute IDs (2.2.8.1–2.2.8.5).
    public enum AttributeID: UInt16, Sendable {
        case capability = 0x2001
        case hostName = 0x2002
        case bssid = 0x2003
        case connectionPreference = 0x2004
        case ipAddress = 0x2005
    }

    /// An attribute this version of the protocol does not define, kept as sent.
    public struct UnknownAttribute: Sendable, Hashable {
        public var id: UInt16
        public var value: [UInt8]
    }

    /// Capability (2.2.8.1); MUST be present.
    public var capability: MICECapability
    /// Host Name (2.2.8.2): ASCII, not fully qualified; MUST be present exactly once.
    public var hostName: String
    /// BSSID (2.2.8.3): 6 bytes, at most once.
    public var bssid: [UInt8]?
    /// Connection Preference (2.2.8.4), at most once.
    public var connectionPreference: ConnectionPreference?
    /// IP Address attributes (2.2.8.5): IPv4 dotted decimal or IPv6 text, zero or more.
    public var ipAddresses: [String]
    /// Attributes with IDs outside 2.2.8, in order.
    public var unknownAttributes: [UnknownAttribute]

    public init(
        capability: MICECapability, hostName: String, bssid: [UInt8]? = nil,
        connectionPreference: ConnectionPreference? = nil, ipAddresses: [String] = [],
        unknownAttributes: [UnknownAttribute] = []
    ) {
        self.capability = capability
        self.hostName = hostName
        self.bssid = bssid
        self.connectionPreference = connectionPreference
        self.ipAddresses = ipAddresses
        self.unknownAttributes = unknownAttributes
    }

    /// Whether a source may use this sink: "A Sink having a host name that contains
    /// the period ('.') character MUST NOT be used" (2.2.8.2), and the sink must
    /// support Miracast over Infrastructure (3.2.5.1).
    public var isUsable: Bool {
        !hostName.contains(".") && capability.miracastOverInfrastructureSupport
    }

    /// Why a source must not use this sink, or nil.
    public var unusableReason: String? {
        if !capability.miracastOverInfrastructureSupport {
            return "the sink does not support Miracast over Infrastructure (Capability bit A is 0; 3.2.5.1)"
        }
        if hostName.contains(".") {
            return "the sink's host name '\(hostName)' contains '.', so it MUST NOT be used (2.2.8.2)"
        }
        return nil
    }

    // MARK: Decoding

    /// Decodes one attribute spanning exactly `bytes`.
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> VendorExtensionAttribute {
        var reader = WireReader(bytes: bytes, MICE.section("2.2.8"))
        let id = try reader.readUInt16(.big, field: "WSCVEA")
        guard id == wscVendorExtension else {
            throw reader.error("WSCVEA must be 0x1049 (WSC Vendor Extension) but is \(id)")
        }
        let length = Int(try reader.readUInt16(.big, field: "Length"))
        guard length == reader.remaining else {
            throw reader.error("Length is \(length) but \(reader.remaining) bytes follow")
        }
        let oui = try reader.readBytes(3, field: "OUI")
        guard oui == Self.oui else {
            throw reader.error("OUI must be 00 01 37 but is \(Hex.encode(oui, separator: " "))")
        }
        var iterator = reader.readTLVs(attributeFormat)
        var capability: MICECapability?
        var hostName: String?
        var bssid: [UInt8]?
        var preference: ConnectionPreference?
        var addresses: [String] = []
        var unknown: [UnknownAttribute] = []
        while let item = try iterator.next() {
            let value = Array(item.value.readableBytesView)
            guard let known = AttributeID(rawValue: UInt16(truncatingIfNeeded: item.type)) else {
                unknown.append(UnknownAttribute(id: UInt16(truncatingIfNeeded: item.type), value: value))
                continue
            }
            switch known {
            case .capability:
                let r = MICE.section("2.2.8.1")
                guard capability == nil else { throw r.error("the Capability attribute appears twice") }
                guard value.count == 1 else { throw r.error("Capability Length must be 0x0001 but is \(value.count)") }
                capability = MICECapability(rawValue: value[0])
            case .hostName:
                let r = MICE.section("2.2.8.2")
                guard hostName == nil else { throw r.error("the Host Name attribute MUST be present exactly once but appears twice") }
                guard !value.isEmpty else { throw r.error("the Host Name is empty") }
                hostName = try ASCII.decode(value, field: "Host Name", r)
            case .bssid:
                let r = MICE.section("2.2.8.3")
                guard bssid == nil else { throw r.error("the BSSID attribute MUST NOT appear more than once") }
                guard value.count == 6 else { throw r.error("BSSID Length must be 0x0006 but is \(value.count)") }
                bssid = value
            case .connectionPreference:
                let r = MICE.section("2.2.8.4")
                guard preference == nil else { throw r.error("the Connection Preference attribute MUST NOT appear more than once") }
                guard let list = ConnectionPreference(bytes: value) else {
                    throw r.error("Connection Preference Length must be 0x0004 but is \(value.count)")
                }
                preference = list
            case .ipAddress:
                let r = MICE.section("2.2.8.5")
                let text = try ASCII.decode(value, field: "IP Address", r)
                guard IPAddressText.bytes(text) != nil else {
                    throw r.error("IP Address '\(text)' is neither IPv4 dotted decimal nor IPv6")
                }
                addresses.append(text)
            }
        }
        guard let capability else {
            throw MICE.section("2.2.8.1").error("the Capability attribute MUST be present")
        }
        guard let hostName else {
            throw MICE.section("2.2.8.2").error("the Host Name attribute MUST be present")
        }
        return VendorExtensionAttribute(
            capability: capability, hostName: hostName, bssid: bssid,
            connectionPreference: preference, ipAddresses: addresses, unknownAttributes: unknown
        )
    }

    // MARK: Encoding

    /// The attribute's bytes: Capability, Host Name, BSSID, Connection Preference,
    /// IP Addresses, then unknown attributes.
    public func encoded() throws(EncodingError) -> [UInt8] {
        var body = ByteBuffer()
        body.writeBytes(Self.oui)
        let f = Self.attributeFormat
        try body.writeTLV(type: UInt32(AttributeID.capability.rawValue), value: [capability.rawValue], format: f)
        guard let host = ASCII.encode(hostName), !host.isEmpty else {
            throw EncodingError("the host name must be non-empty ASCII (2.2.8.2)")
        }
        try body.writeTLV(type: UInt32(AttributeID.hostName.rawValue), value: host, format: f)
        if let bssid {
            guard bssid.count == 6 else { throw EncodingError("a BSSID is 6 bytes (2.2.8.3)") }
            try body.writeTLV(type: UInt32(AttributeID.bssid.rawValue), value: bssid, format: f)
        }
        if let connectionPreference {
            try body.writeTLV(type: UInt32(AttributeID.connectionPreference.rawValue), value: connectionPreference.bytes, format: f)
        }
        for address in ipAddresses {
            guard IPAddressText.bytes(address) != nil, let text = ASCII.encode(address) else {
                throw EncodingError("'\(address)' is not an IPv4 or IPv6 address (2.2.8.5)")
            }
            try body.writeTLV(type: UInt32(AttributeID.ipAddress.rawValue), value: text, format: f)
        }
        for attribute in unknownAttributes {
            try body.writeTLV(type: UInt32(attribute.id), value: attribute.value, format: f)
        }
        var out = ByteBuffer()
        out.writeInteger(Self.wscVendorExtension, endianness: .big)
        try out.writeLengthPrefixed(body.readableBytesView, width: .two, .big)
        return Array(out.readableBytesView)
    }

    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("capability", capability.json),
            ("hostName", .string(hostName)),
            ("hostNameUsable", .bool(!hostName.contains("."))),
        ]
        if let bssid { fields.append(("bssid", .string(Hex.encode(bssid, separator: ":")))) }
        if let connectionPreference { fields.append(("connectionPreference", connectionPreference.json)) }
        fields.append(("ipAddresses", .array(ipAddresses.map { .string($0) })))
        if !unknownAttributes.isEmpty {
            fields.append(("unknownAttributes", .array(unknownAttributes.map {
                .object([("id", .integer($0.id)), ("value", .hex($0.value))])
            })))
        }
        return .object(fields)
    }
}
