import WinteropWire
import WinteropFormat

extension WFDParameter {
    /// What the value means, for `winterop decode rtsp`; nil when the value says it plainly.
    public var json: JSONValue? {
        switch self {
        case .videoFormats(let formats):
            guard let formats else { return nil }
            return .object([
                ("native", .string(formats.nativeMode?.description ?? "reserved \(hexField(formats.native, digits: 2))")),
                ("preferredDisplayMode", .integer(formats.preferredDisplayMode)),
                ("codecs", .array(formats.codecs.map { codec in
                    .object([
                        ("profile", .string(codec.profileName)),
                        ("level", .string(codec.highestLevelName ?? "none")),
                        ("modes", .array(codec.modes.map { .string("\($0.table) \($0.description)") })),
                        ("latencyMilliseconds", .integer(Int(codec.latency) * 5)),
                        ("maxHRes", codec.maximumHRes.map { .integer($0) } ?? .null),
                        ("maxVRes", codec.maximumVRes.map { .integer($0) } ?? .null),
                    ])
                })),
            ])
        case .audioCodecs(let codecs):
            return .array(codecs.codecs.map { codec in
                .object([
                    ("format", .string(codec.format.rawValue)),
                    ("modes", .array(codec.supportedModes.map { .string($0.mode.description) })),
                    ("latencyMilliseconds", .integer(Int(codec.latency) * 5)),
                ])
            })
        case .clientRTPPorts(let ports):
            return .object([("profile", .string(ports.profile)), ("port0", .integer(ports.port0)), ("port1", .integer(ports.port1)), ("mode", .string(ports.mode))])
        case .displayEDID(.edid(let blocks, let payload)):
            return .object([("blocks", .integer(blocks)), ("bytes", .integer(payload?.count ?? 0))])
        case .uibcCapability(let capability?):
            return .object([
                ("inputCategories", .array(capability.inputCategories.map(JSONValue.string))),
                ("generic", .array(capability.genericCapabilities.map(JSONValue.string))),
                ("hidc", .array(capability.hidcCapabilities.map { .string("\($0.type)/\($0.path)") })),
                ("port", capability.port.map { .integer($0) } ?? .null),
            ])
        case .microsoftVideoFormats(let bitmap):
            return .array(MicrosoftVideoFormat.all.filter { bitmap & (UInt64(1) << UInt64($0.bit)) != 0 }.map { .string($0.description) })
        case .microsoftCursor(.cursor(let mode, let x, let y, let port)):
            return .object([("mode", .string(mode)), ("maxX", .integer(x)), ("maxY", .integer(y)), ("port", .integer(port))])
        case .microsoftTeardownReason(let reason):
            return .object([("hresult", .string(hexField(reason.hresult, digits: 8).uppercased())), ("text", .string(reason.text))])
        default:
            return nil
        }
    }
}

/// The modes of `microsoft_video_formats` (MS-WFDPE, WFD-NOTES 3): three bits per size,
/// p30/p60/p24.
public struct MicrosoftVideoFormat: Sendable, Hashable, CustomStringConvertible {
    public var bit: Int
    public var width: Int
    public var height: Int
    public var framesPerSecond: Int

    public var description: String { "\(width)x\(height)p\(framesPerSecond)" }

    public static let all: [MicrosoftVideoFormat] = {
        let sizes = [(1920, 1280), (2160, 1440), (2256, 1504), (2736, 1824), (3000, 2000), (3240, 2160), (4500, 3000)]
        return sizes.enumerated().flatMap { index, size in
            [30, 60, 24].enumerated().map { MicrosoftVideoFormat(bit: index * 3 + $0.offset, width: size.0, height: size.1, framesPerSecond: $0.element) }
        }
    }()
}
