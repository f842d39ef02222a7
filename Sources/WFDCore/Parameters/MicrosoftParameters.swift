import WinteropWire

/// `microsoft_cursor` ([MS-WDHCE], WFD-NOTES 3): `none`, or `<none|full> <xmax 4 hex>
/// <ymax 4 hex> <udp port 4 hex>` (a Windows sink: `none 0100 0100 4abf`).
public enum MicrosoftCursor: Sendable, Hashable {
    case none
    case cursor(mode: String, maximumX: UInt16, maximumY: UInt16, port: UInt16)

    static let name = "microsoft_cursor"

    public static func parse(_ value: String) throws(WireError) -> MicrosoftCursor {
        if value == "none" { return .none }
        var s = ParameterScanner(value, parameter: name)
        let mode = try s.token("cursor mode")
        guard mode == "none" || mode == "full" else { throw s.error("cursor mode \"\(mode)\" is not none or full") }
        let x: UInt16 = try s.hex("xmax", digits: 4)
        let y: UInt16 = try s.hex("ymax", digits: 4)
        let port: UInt16 = try s.hex("udp port", digits: 4)
        try s.expectEnd()
        return .cursor(mode: String(mode), maximumX: x, maximumY: y, port: port)
    }

    public var rendered: String {
        switch self {
        case .none: return "none"
        case .cursor(let mode, let x, let y, let port):
            return "\(mode) \(hexField(x, digits: 4)) \(hexField(y, digits: 4)) \(hexField(port, digits: 4))"
        }
    }
}

/// `microsoft_multiscreen_projection` (MS-WFDPE): `supported`/`none` in M3, later `primary`
/// or `secondary <h> <v> <bitrate>` (decimal numbers).
public enum MicrosoftMultiscreenProjection: Sendable, Hashable {
    case supported
    case none
    case primary
    case secondary(horizontal: UInt32, vertical: UInt32, bitrate: UInt64)

    static let name = "microsoft_multiscreen_projection"

    public static func parse(_ value: String) throws(WireError) -> MicrosoftMultiscreenProjection {
        switch value {
        case "supported": return .supported
        case "none": return .none
        case "primary": return .primary
        default:
            var s = ParameterScanner(value, parameter: name)
            guard try s.token("role") == "secondary" else { throw s.error("\"\(value)\" is not supported, none, primary or secondary …") }
            let h: UInt32 = try s.decimal("horizontal")
            let v: UInt32 = try s.decimal("vertical")
            let bitrate: UInt64 = try s.decimal("bitrate")
            try s.expectEnd()
            return .secondary(horizontal: h, vertical: v, bitrate: bitrate)
        }
    }

    public var rendered: String {
        switch self {
        case .supported: return "supported"
        case .none: return "none"
        case .primary: return "primary"
        case .secondary(let h, let v, let bitrate): return "secondary \(h) \(v) \(bitrate)"
        }
    }
}

/// `microsoft_teardown_reason` (MS-WFDPE, in M8's body when diagnostics are supported):
/// `<8-hex HRESULT> <text>`, e.g. `C00D4278` (timeout).
public struct MicrosoftTeardownReason: Sendable, Hashable {
    public var hresult: UInt32
    public var text: String

    public init(hresult: UInt32, text: String) {
        self.hresult = hresult
        self.text = text
    }

    static let name = "microsoft_teardown_reason"

    public static func parse(_ value: String) throws(WireError) -> MicrosoftTeardownReason {
        var s = ParameterScanner(value, parameter: name)
        let code: UInt32 = try s.hex("HRESULT", digits: 8)
        return MicrosoftTeardownReason(hresult: code, text: s.rest())
    }

    public var rendered: String {
        text.isEmpty ? hexField(hresult, digits: 8).uppercased() : "\(hexField(hresult, digits: 8).uppercased()) \(text)"
    }
}

/// `intel_sink_version` (MS-WFDPE 2.1): `product_ID=… hw_version=a.b.c.d sw_version=a.b.c.d`.
public struct IntelSinkVersion: Sendable, Hashable {
    public var productID: String
    public var hardwareVersion: String
    public var softwareVersion: String

    public init(productID: String, hardwareVersion: String, softwareVersion: String) {
        self.productID = productID
        self.hardwareVersion = hardwareVersion
        self.softwareVersion = softwareVersion
    }

    static let name = "intel_sink_version"

    public static func parse(_ value: String) throws(WireError) -> IntelSinkVersion {
        var s = ParameterScanner(value, parameter: name)
        func field(_ key: String) throws(WireError) -> String {
            let token = try s.token(key)
            guard token.hasPrefix(key + "=") else { throw s.error("\"\(token)\" is not \(key)=…") }
            return String(token.dropFirst(key.count + 1))
        }
        let product = try field("product_ID")
        let hw = try field("hw_version")
        let sw = try field("sw_version")
        try s.expectEnd()
        return IntelSinkVersion(productID: product, hardwareVersion: hw, softwareVersion: sw)
    }

    public var rendered: String { "product_ID=\(productID) hw_version=\(hardwareVersion) sw_version=\(softwareVersion)" }
}
