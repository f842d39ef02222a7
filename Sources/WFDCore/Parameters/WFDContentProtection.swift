import WinteropWire

/// `wfd_content_protection` (WFD-NOTES 3): `none`, or `HDCP2.0 port=N` / `HDCP2.1 port=N`.
public enum WFDContentProtection: Sendable, Hashable {
    case none
    case hdcp(version: String, port: UInt16)

    static let name = "wfd_content_protection"

    public static func parse(_ value: String) throws(WireError) -> WFDContentProtection {
        if value == "none" { return .none }
        var s = ParameterScanner(value, parameter: name)
        let version = try s.token("HDCP version")
        guard version == "HDCP2.0" || version == "HDCP2.1" else { throw s.error("\"\(version)\" is not none, HDCP2.0 or HDCP2.1") }
        let port = try s.token("port")
        guard port.hasPrefix("port=") else { throw s.error("\"\(port)\" is not port=N") }
        let number: UInt16 = try ParameterScanner.decimal(port.dropFirst(5), field: "port", reference: s.reference)
        try s.expectEnd()
        return .hdcp(version: String(version), port: number)
    }

    public var rendered: String {
        switch self {
        case .none: return "none"
        case .hdcp(let version, let port): return "\(version) port=\(port)"
        }
    }
}

/// `wfd_display_edid` (WFD-NOTES 3): `none`, or `<blocks 4 hex> <payload hex | none>`
/// with blocks × 128 bytes of EDID.
public enum WFDDisplayEDID: Sendable, Hashable {
    case none
    case edid(blocks: UInt16, payload: [UInt8]?)

    static let name = "wfd_display_edid"
    /// E-EDID allows at most 256 blocks.
    static let maximumBlocks: UInt16 = 256

    public static func parse(_ value: String) throws(WireError) -> WFDDisplayEDID {
        if value == "none" { return .none }
        var s = ParameterScanner(value, parameter: name)
        let blocks: UInt16 = try s.hex("block count", digits: 4)
        guard blocks <= maximumBlocks else { throw s.error("\(blocks) EDID blocks, more than 256") }
        let payloadText = try s.token("EDID payload")
        try s.expectEnd()
        if payloadText == "none" { return .edid(blocks: blocks, payload: nil) }
        guard payloadText.utf8.count == Int(blocks) * 256, payloadText.utf8.allSatisfy(\.isHexDigit), let payload = Hex.decode(String(payloadText)) else {
            throw s.error("EDID payload is not \(Int(blocks) * 128) bytes of hex")
        }
        return .edid(blocks: blocks, payload: payload)
    }

    public var rendered: String {
        switch self {
        case .none: return "none"
        case .edid(let blocks, let payload): return hexField(blocks, digits: 4) + " " + (payload.map { Hex.encode($0) } ?? "none")
        }
    }
}

/// `wfd_coupled_sink` (WFD-NOTES 3): `none`, or `<status 2 hex> <MAC 12 hex | none>`.
public enum WFDCoupledSink: Sendable, Hashable {
    case none
    case coupled(status: UInt8, address: UInt64?)

    static let name = "wfd_coupled_sink"

    public static func parse(_ value: String) throws(WireError) -> WFDCoupledSink {
        if value == "none" { return .none }
        var s = ParameterScanner(value, parameter: name)
        let status: UInt8 = try s.hex("status", digits: 2)
        let address: UInt64? = try s.optionalHex("coupled sink address", digits: 12)
        try s.expectEnd()
        return .coupled(status: status, address: address)
    }

    public var rendered: String {
        switch self {
        case .none: return "none"
        case .coupled(let status, let address): return hexField(status, digits: 2) + " " + (address.map { hexField($0, digits: 12) } ?? "none")
        }
    }
}
