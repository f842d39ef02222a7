import WinteropWire

/// `wfd_video_formats` (WFD-NOTES 3): `native prefdisp` then one H.264 codec entry, more
/// entries after `, `; or `none`. The sink lists what it decodes (M3); the source picks
/// one mode (M4: one bit in one table, max-hres/vres `none`).
public struct WFDVideoFormats: Sendable, Hashable {
    /// Native resolution: table in bits 2:0 (0 CEA, 1 VESA, 2 HH), index in bits 7:3.
    public var native: UInt8
    /// Preferred display mode support (0 or 1).
    public var preferredDisplayMode: UInt8
    public var codecs: [WFDH264Codec]

    public init(native: UInt8, preferredDisplayMode: UInt8 = 0, codecs: [WFDH264Codec]) {
        self.native = native
        self.preferredDisplayMode = preferredDisplayMode
        self.codecs = codecs
    }

    /// The native mode, nil when the table number is reserved or the index unknown.
    public var nativeMode: WFDVideoMode? {
        WFDResolutionTable(rawValue: native & 0x07).flatMap { WFDVideoMode(table: $0, bit: Int(native >> 3)) }
    }

    /// The native byte for a mode.
    public static func native(_ mode: WFDVideoMode) -> UInt8 {
        UInt8(truncatingIfNeeded: mode.bit << 3) | mode.table.rawValue
    }

    static let name = "wfd_video_formats"

    /// Parses a value; `none` has no codecs and returns nil.
    public static func parse(_ value: String) throws(WireError) -> WFDVideoFormats? {
        if value == "none" { return nil }
        let entries = value.split(separator: ",", omittingEmptySubsequences: false).map { $0.rtspTrimmed }
        var first = ParameterScanner(entries[0], parameter: name)
        let native: UInt8 = try first.hex("native", digits: 2)
        let preferred: UInt8 = try first.hex("preferred-display-mode", digits: 2)
        var codecs = [try WFDH264Codec(&first)]
        try first.expectEnd()
        for entry in entries.dropFirst() {
            var scanner = ParameterScanner(entry, parameter: name)
            codecs.append(try WFDH264Codec(&scanner))
            try scanner.expectEnd()
        }
        return WFDVideoFormats(native: native, preferredDisplayMode: preferred, codecs: codecs)
    }

    public var rendered: String {
        hexField(native, digits: 2) + " " + hexField(preferredDisplayMode, digits: 2) + " "
            + codecs.map(\.rendered).joined(separator: ", ")
    }
}

/// One H.264 entry of `wfd_video_formats`: `profile level CEA VESA HH latency min-slice
/// slice-enc frc max-hres max-vres`, hex widths 2 2 8 8 8 2 4 4 2 and 4-or-`none` (WFD-NOTES 3).
public struct WFDH264Codec: Sendable, Hashable {
    /// Bit 0 Constrained Baseline (CBP), bit 1 Constrained High (CHP); one bit per entry.
    public var profiles: UInt8
    /// Bit 0 level 3.1, 1 3.2, 2 4, 3 4.1, 4 4.2 (MS-WFDPE adds 5 5.0, 6 5.1, 7 5.2).
    public var levels: UInt8
    public var cea: UInt32
    public var vesa: UInt32
    public var hh: UInt32
    /// Decoder latency in 5 ms units.
    public var latency: UInt8
    public var minimumSliceSize: UInt16
    public var sliceEncoding: UInt16
    /// Bit 0: frame skipping allowed.
    public var frameRateControl: UInt8
    public var maximumHRes: UInt16?
    public var maximumVRes: UInt16?

    public static let constrainedBaseline: UInt8 = 0x01
    public static let constrainedHigh: UInt8 = 0x02

    public init(
        profiles: UInt8, levels: UInt8, cea: UInt32, vesa: UInt32, hh: UInt32, latency: UInt8 = 0,
        minimumSliceSize: UInt16 = 0, sliceEncoding: UInt16 = 0, frameRateControl: UInt8 = 0,
        maximumHRes: UInt16? = nil, maximumVRes: UInt16? = nil
    ) {
        self.profiles = profiles
        self.levels = levels
        self.cea = cea
        self.vesa = vesa
        self.hh = hh
        self.latency = latency
        self.minimumSliceSize = minimumSliceSize
        self.sliceEncoding = sliceEncoding
        self.frameRateControl = frameRateControl
        self.maximumHRes = maximumHRes
        self.maximumVRes = maximumVRes
    }

    init(_ s: inout ParameterScanner) throws(WireError) {
        profiles = try s.hex("profile", digits: 2)
        levels = try s.hex("level", digits: 2)
        cea = try s.hex("CEA", digits: 8)
        vesa = try s.hex("VESA", digits: 8)
        hh = try s.hex("HH", digits: 8)
        latency = try s.hex("latency", digits: 2)
        minimumSliceSize = try s.hex("min-slice-size", digits: 4)
        sliceEncoding = try s.hex("slice-enc-params", digits: 4)
        frameRateControl = try s.hex("frame-rate-control", digits: 2)
        maximumHRes = try s.optionalHex("max-hres", digits: 4)
        maximumVRes = try s.optionalHex("max-vres", digits: 4)
    }

    public var rendered: String {
        [
            hexField(profiles, digits: 2), hexField(levels, digits: 2), hexField(cea, digits: 8),
            hexField(vesa, digits: 8), hexField(hh, digits: 8), hexField(latency, digits: 2),
            hexField(minimumSliceSize, digits: 4), hexField(sliceEncoding, digits: 4),
            hexField(frameRateControl, digits: 2),
            maximumHRes.map { hexField($0, digits: 4) } ?? "none", maximumVRes.map { hexField($0, digits: 4) } ?? "none",
        ].joined(separator: " ")
    }

    /// Every mode the three bitmaps name, reserved bits left out.
    public var modes: [WFDVideoMode] {
        WFDVideoMode.modes(in: .cea, mask: cea) + WFDVideoMode.modes(in: .vesa, mask: vesa) + WFDVideoMode.modes(in: .hh, mask: hh)
    }

    /// The bitmap of `table`.
    public func mask(_ table: WFDResolutionTable) -> UInt32 {
        switch table {
        case .cea: return cea
        case .vesa: return vesa
        case .hh: return hh
        }
    }

    /// The highest level bit set, as text (`4.2`), nil when none is.
    public var highestLevelName: String? {
        let names = ["3.1", "3.2", "4", "4.1", "4.2", "5", "5.1", "5.2"]
        guard levels != 0 else { return nil }
        return names[7 - levels.leadingZeroBitCount]
    }

    /// `CBP`, `CHP`, or both.
    public var profileName: String {
        var names: [String] = []
        if profiles & Self.constrainedBaseline != 0 { names.append("CBP") }
        if profiles & Self.constrainedHigh != 0 { names.append("CHP") }
        return names.isEmpty ? "none" : names.joined(separator: "+")
    }
}
