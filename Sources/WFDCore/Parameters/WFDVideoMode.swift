/// The three resolution tables of `wfd_video_formats` (WFD-NOTES 4).
public enum WFDResolutionTable: UInt8, Sendable, Hashable, CaseIterable {
    case cea = 0
    case vesa = 1
    case hh = 2

    /// The modes of this table, indexed by bit number (Wi-Fi Display R1; WFD-NOTES 4 from
    /// AOSP, WDS, MC and OH, which agree).
    public var modes: [WFDVideoMode] {
        switch self {
        case .cea: return WFDVideoMode.cea
        case .vesa: return WFDVideoMode.vesa
        case .hh: return WFDVideoMode.hh
        }
    }
}

/// One resolution/refresh-rate entry of the CEA, VESA or HH table.
public struct WFDVideoMode: Sendable, Hashable, CustomStringConvertible {
    public var table: WFDResolutionTable
    /// The bit that stands for this mode in its table's bitmap.
    public var bit: Int
    public var width: Int
    public var height: Int
    public var framesPerSecond: Int
    public var interlaced: Bool

    /// The mode a table and bit stand for, nil when the bit is reserved.
    public init?(table: WFDResolutionTable, bit: Int) {
        let modes = table.modes
        guard modes.indices.contains(bit) else { return nil }
        self = modes[bit]
    }

    init(_ table: WFDResolutionTable, _ bit: Int, _ width: Int, _ height: Int, _ fps: Int, interlaced: Bool = false) {
        self.table = table
        self.bit = bit
        self.width = width
        self.height = height
        self.framesPerSecond = fps
        self.interlaced = interlaced
    }

    /// The one-bit bitmap that selects this mode in M4.
    public var mask: UInt32 { UInt32(1) << UInt32(bit) }

    /// Pixels a second: the measure "best" uses when negotiating.
    public var pixelRate: Int { width * height * framesPerSecond / (interlaced ? 2 : 1) }

    /// e.g. `1920x1080p60`.
    public var description: String { "\(width)x\(height)\(interlaced ? "i" : "p")\(framesPerSecond)" }

    static let cea: [WFDVideoMode] = [
        .init(.cea, 0, 640, 480, 60), .init(.cea, 1, 720, 480, 60), .init(.cea, 2, 720, 480, 60, interlaced: true),
        .init(.cea, 3, 720, 576, 50), .init(.cea, 4, 720, 576, 50, interlaced: true), .init(.cea, 5, 1280, 720, 30),
        .init(.cea, 6, 1280, 720, 60), .init(.cea, 7, 1920, 1080, 30), .init(.cea, 8, 1920, 1080, 60),
        .init(.cea, 9, 1920, 1080, 60, interlaced: true), .init(.cea, 10, 1280, 720, 25), .init(.cea, 11, 1280, 720, 50),
        .init(.cea, 12, 1920, 1080, 25), .init(.cea, 13, 1920, 1080, 50), .init(.cea, 14, 1920, 1080, 50, interlaced: true),
        .init(.cea, 15, 1280, 720, 24), .init(.cea, 16, 1920, 1080, 24),
    ]

    static let vesa: [WFDVideoMode] = [
        .init(.vesa, 0, 800, 600, 30), .init(.vesa, 1, 800, 600, 60), .init(.vesa, 2, 1024, 768, 30),
        .init(.vesa, 3, 1024, 768, 60), .init(.vesa, 4, 1152, 864, 30), .init(.vesa, 5, 1152, 864, 60),
        .init(.vesa, 6, 1280, 768, 30), .init(.vesa, 7, 1280, 768, 60), .init(.vesa, 8, 1280, 800, 30),
        .init(.vesa, 9, 1280, 800, 60), .init(.vesa, 10, 1360, 768, 30), .init(.vesa, 11, 1360, 768, 60),
        .init(.vesa, 12, 1366, 768, 30), .init(.vesa, 13, 1366, 768, 60), .init(.vesa, 14, 1280, 1024, 30),
        .init(.vesa, 15, 1280, 1024, 60), .init(.vesa, 16, 1400, 1050, 30), .init(.vesa, 17, 1400, 1050, 60),
        .init(.vesa, 18, 1440, 900, 30), .init(.vesa, 19, 1440, 900, 60), .init(.vesa, 20, 1600, 900, 30),
        .init(.vesa, 21, 1600, 900, 60), .init(.vesa, 22, 1600, 1200, 30), .init(.vesa, 23, 1600, 1200, 60),
        .init(.vesa, 24, 1680, 1024, 30), .init(.vesa, 25, 1680, 1024, 60), .init(.vesa, 26, 1680, 1050, 30),
        .init(.vesa, 27, 1680, 1050, 60), .init(.vesa, 28, 1920, 1200, 30),
    ]

    static let hh: [WFDVideoMode] = [
        .init(.hh, 0, 800, 480, 30), .init(.hh, 1, 800, 480, 60), .init(.hh, 2, 854, 480, 30),
        .init(.hh, 3, 854, 480, 60), .init(.hh, 4, 864, 480, 30), .init(.hh, 5, 864, 480, 60),
        .init(.hh, 6, 640, 360, 30), .init(.hh, 7, 640, 360, 60), .init(.hh, 8, 960, 540, 30),
        .init(.hh, 9, 960, 540, 60), .init(.hh, 10, 848, 480, 30), .init(.hh, 11, 848, 480, 60),
    ]

    /// The modes whose bits are set in `mask` (reserved bits are skipped).
    public static func modes(in table: WFDResolutionTable, mask: UInt32) -> [WFDVideoMode] {
        table.modes.filter { mask & $0.mask != 0 }
    }
}
