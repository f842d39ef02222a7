import WinteropWire

/// `wfd_audio_codecs` (WFD-NOTES 3): `none`, or `FMT modes latency` entries separated by
/// `, `, FMT one of LPCM, AAC, AC3, modes 8 hex digits, latency 2 (5 ms units).
public struct WFDAudioCodecs: Sendable, Hashable {
    public var codecs: [WFDAudioCodec]

    public init(_ codecs: [WFDAudioCodec]) { self.codecs = codecs }

    static let name = "wfd_audio_codecs"

    public static func parse(_ value: String) throws(WireError) -> WFDAudioCodecs {
        if value == "none" { return WFDAudioCodecs([]) }
        var codecs: [WFDAudioCodec] = []
        for entry in value.split(separator: ",", omittingEmptySubsequences: false) {
            var s = ParameterScanner(entry.rtspTrimmed, parameter: name)
            let formatText = try s.token("audio format")
            guard let format = WFDAudioFormat(rawValue: String(formatText)) else {
                throw s.error("audio format \"\(formatText)\" is not LPCM, AAC or AC3")
            }
            let modes: UInt32 = try s.hex("modes", digits: 8)
            let latency: UInt8 = try s.hex("latency", digits: 2)
            try s.expectEnd()
            codecs.append(WFDAudioCodec(format: format, modes: modes, latency: latency))
        }
        return WFDAudioCodecs(codecs)
    }

    public var rendered: String {
        codecs.isEmpty ? "none" : codecs.map(\.rendered).joined(separator: ", ")
    }
}

public enum WFDAudioFormat: String, Sendable, Hashable, CaseIterable {
    case lpcm = "LPCM"
    case aac = "AAC"
    case ac3 = "AC3"

    /// The modes of this format by bit (WFD-NOTES 4, WDS `audio_codec.h`, AOSP).
    public var modes: [WFDAudioMode] {
        switch self {
        case .lpcm: return [WFDAudioMode(sampleRate: 44100, channels: 2), WFDAudioMode(sampleRate: 48000, channels: 2)]
        case .aac: return [2, 4, 6, 8].map { WFDAudioMode(sampleRate: 48000, channels: $0) }
        case .ac3: return [2, 4, 6].map { WFDAudioMode(sampleRate: 48000, channels: $0) }
        }
    }
}

/// One sample-rate/channel mode; all are 16 bits a sample.
public struct WFDAudioMode: Sendable, Hashable, CustomStringConvertible {
    public var sampleRate: Int
    public var channels: Int
    public var description: String { "\(sampleRate) Hz \(channels) ch" }
}

public struct WFDAudioCodec: Sendable, Hashable {
    public var format: WFDAudioFormat
    /// One bit per mode of ``WFDAudioFormat/modes``.
    public var modes: UInt32
    public var latency: UInt8

    public init(format: WFDAudioFormat, modes: UInt32, latency: UInt8 = 0) {
        self.format = format
        self.modes = modes
        self.latency = latency
    }

    public var rendered: String {
        "\(format.rawValue) \(hexField(modes, digits: 8)) \(hexField(latency, digits: 2))"
    }

    /// The modes whose bits are set.
    public var supportedModes: [(bit: Int, mode: WFDAudioMode)] {
        format.modes.enumerated().filter { modes & (UInt32(1) << UInt32($0.offset)) != 0 }.map { ($0.offset, $0.element) }
    }
}
