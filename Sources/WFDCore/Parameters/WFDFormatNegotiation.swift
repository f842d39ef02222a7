/// Picks the stream format the source announces in M4 from what the sink listed in its M3
/// answer and what the source can produce (WFD-NOTES 2, 3: M4 carries one profile bit, one
/// level bit and one mode bit in one table; max-hres/vres `none`).
public enum WFDFormatNegotiation {
    /// The chosen video format.
    public struct Video: Sendable, Hashable {
        public var mode: WFDVideoMode
        /// ``WFDH264Codec/constrainedBaseline`` or ``WFDH264Codec/constrainedHigh``.
        public var profile: UInt8
        /// One level bit.
        public var level: UInt8
        /// The sink entry's latency, slice and frame-rate-control fields, repeated in M4.
        public var sinkEntry: WFDH264Codec

        /// The `wfd_video_formats` value of M4.
        public var formats: WFDVideoFormats {
            var entry = WFDH264Codec(profiles: profile, levels: level, cea: 0, vesa: 0, hh: 0,
                                     latency: sinkEntry.latency, minimumSliceSize: sinkEntry.minimumSliceSize,
                                     sliceEncoding: sinkEntry.sliceEncoding, frameRateControl: sinkEntry.frameRateControl)
            switch mode.table {
            case .cea: entry.cea = mode.mask
            case .vesa: entry.vesa = mode.mask
            case .hh: entry.hh = mode.mask
            }
            // Windows' own M4 leaves native and preferred display mode 00 (LC #128).
            return WFDVideoFormats(native: 0, preferredDisplayMode: 0, codecs: [entry])
        }
    }

    /// The chosen audio format: one codec with one mode bit.
    public struct Audio: Sendable, Hashable {
        public var codec: WFDAudioCodec
        public var mode: WFDAudioMode
        public var codecs: WFDAudioCodecs { WFDAudioCodecs([codec]) }
    }

    /// The best video format both support: the mode with the highest pixel rate that the
    /// highest common level can carry (H.264 Annex A MaxMBPS/MaxFS), CHP before CBP, CEA
    /// before VESA before HH on a tie; M4 then names the lowest common level that carries it.
    public static func video(sink: WFDVideoFormats?, source: WFDH264Codec) -> Video? {
        guard let sink else { return nil }
        var best: Video?
        func rank(_ v: Video) -> (Int, Int, Int, Int) {
            (v.mode.pixelRate, v.profile == WFDH264Codec.constrainedHigh ? 1 : 0, -Int(v.mode.table.rawValue), v.mode.interlaced ? 0 : 1)
        }
        for entry in sink.codecs {
            let levels = entry.levels & source.levels
            let profiles = entry.profiles & source.profiles
            guard levels != 0, profiles != 0 else { continue }
            let profile = profiles & WFDH264Codec.constrainedHigh != 0 ? WFDH264Codec.constrainedHigh : WFDH264Codec.constrainedBaseline
            let topLevel = H264Level(bit: 7 - levels.leadingZeroBitCount)
            for table in WFDResolutionTable.allCases {
                for mode in WFDVideoMode.modes(in: table, mask: entry.mask(table) & source.mask(table)) {
                    if let h = entry.maximumHRes, mode.width > Int(h) { continue }
                    if let v = entry.maximumVRes, mode.height > Int(v) { continue }
                    guard topLevel.carries(mode) else { continue }
                    let bit = (0..<8).first { levels & (1 << $0) != 0 && H264Level(bit: $0).carries(mode) } ?? topLevel.bit
                    let candidate = Video(mode: mode, profile: profile, level: UInt8(1) << UInt8(bit), sinkEntry: entry)
                    if best.map({ rank(candidate) > rank($0) }) ?? true { best = candidate }
                }
            }
        }
        return best
    }

    /// The first of the source's codecs (its order is its preference) that the sink also
    /// lists, in the common mode with 48 kHz stereo first, then the lowest bit.
    public static func audio(sink: WFDAudioCodecs?, source: [WFDAudioCodec]) -> Audio? {
        guard let sink else { return nil }
        for offer in source {
            guard let listed = sink.codecs.first(where: { $0.format == offer.format }) else { continue }
            let common = WFDAudioCodec(format: offer.format, modes: offer.modes & listed.modes, latency: listed.latency)
            let modes = common.supportedModes
            guard let pick = modes.first(where: { $0.mode == WFDAudioMode(sampleRate: 48000, channels: 2) }) ?? modes.first else { continue }
            return Audio(codec: WFDAudioCodec(format: offer.format, modes: UInt32(1) << UInt32(pick.bit), latency: listed.latency), mode: pick.mode)
        }
        return nil
    }
}

/// An H.264 level as a `wfd_video_formats` level bit, with the Annex A limits that decide
/// which modes it can carry.
struct H264Level {
    var bit: Int

    /// Max macroblocks a second and a frame (H.264 Table A-1) for 3.1, 3.2, 4, 4.1, 4.2, 5, 5.1, 5.2.
    static let limits: [(mbps: Int, frame: Int)] = [
        (108_000, 3600), (216_000, 5120), (245_760, 8192), (245_760, 8192),
        (522_240, 8704), (589_824, 22080), (983_040, 36864), (2_073_600, 36864),
    ]

    func carries(_ mode: WFDVideoMode) -> Bool {
        guard Self.limits.indices.contains(bit) else { return false }
        let frame = ((mode.width + 15) / 16) * ((mode.height + 15) / 16)
        return frame <= Self.limits[bit].frame && frame * mode.framesPerSecond <= Self.limits[bit].mbps
    }
}
