import Testing
import WFDCore

/// Format negotiation (WFD-NOTES 2, 3): the best mode both sides support, one bit each.
@Suite struct NegotiationTests {
    static let anySource = WFDH264Codec(profiles: 0x03, levels: 0x1F, cea: 0x1FFFF, vesa: 0x1FFF_FFFF, hh: 0xFFF)

    static func sink(_ value: String) throws -> WFDVideoFormats? {
        guard case .videoFormats(let formats) = try WFDParameter(name: "wfd_video_formats", value: value) else { return nil }
        return formats
    }

    @Test func windowsSinkGets1080p60HighProfile() throws {
        let sink = try Self.sink("40 00 01 10 0001bdeb 051557ff 00000fff 10 0000 001f 11 0780 0438, 02 10 0001bdeb 155557ff 00000fff 10 0000 001f 11 0780 0438")
        let video = try #require(WFDFormatNegotiation.video(sink: sink, source: Self.anySource))
        #expect(video.mode.description == "1920x1080p60")
        #expect(video.profile == WFDH264Codec.constrainedHigh)
        #expect(video.level == 0x10, "1080p60 needs level 4.2")
        #expect(video.formats.rendered == "00 00 02 10 00000100 00000000 00000000 10 0000 001f 11 none none")
    }

    @Test func levelLimitsTheMode() throws {
        // Level 3.1 only: 1280x720p30 is the most it carries.
        let sink = try Self.sink("00 00 01 01 0001ffff 00000000 00000000 00 0000 0000 00 none none")
        let video = try #require(WFDFormatNegotiation.video(sink: sink, source: Self.anySource))
        #expect(video.mode.description == "1280x720p30")
        #expect(video.level == 0x01)
        #expect(video.profile == WFDH264Codec.constrainedBaseline)
    }

    @Test func lowestSufficientLevelIsNamed() throws {
        let sink = try Self.sink("00 00 01 1f 00000020 00000000 00000000 00 0000 0000 00 none none")
        let video = try #require(WFDFormatNegotiation.video(sink: sink, source: Self.anySource))
        #expect(video.mode.description == "1280x720p30")
        #expect(video.level == 0x01)
    }

    @Test func sourceLimitsAndNoCommonFormat() throws {
        let sink = try Self.sink("00 00 02 10 00000000 00008000 00000000 00 0000 0000 00 none none")
        let cbpOnly = WFDH264Codec(profiles: 0x01, levels: 0x1F, cea: 0x1FFFF, vesa: 0x1FFF_FFFF, hh: 0xFFF)
        #expect(WFDFormatNegotiation.video(sink: sink, source: cbpOnly) == nil)
        let vesaPick = try #require(WFDFormatNegotiation.video(sink: sink, source: Self.anySource))
        #expect(vesaPick.mode.description == "1280x1024p60")
        #expect(WFDFormatNegotiation.video(sink: nil, source: Self.anySource) == nil)
    }

    @Test func maxResolutionIsRespected() throws {
        let sink = try Self.sink("00 00 01 10 0001ffff 00000000 00000000 00 0000 0000 00 0500 02d0")
        let video = try #require(WFDFormatNegotiation.video(sink: sink, source: Self.anySource))
        #expect(video.mode.description == "1280x720p60")
    }

    @Test func audio() throws {
        let sink = WFDAudioCodecs([WFDAudioCodec(format: .lpcm, modes: 0x03), WFDAudioCodec(format: .aac, modes: 0x01)])
        let aacFirst = WFDFormatNegotiation.audio(sink: sink, source: [WFDAudioCodec(format: .aac, modes: 0x0F), WFDAudioCodec(format: .lpcm, modes: 0x03)])
        #expect(aacFirst?.codecs.rendered == "AAC 00000001 00")
        let lpcm = WFDFormatNegotiation.audio(sink: sink, source: [WFDAudioCodec(format: .lpcm, modes: 0x03)])
        #expect(lpcm?.codecs.rendered == "LPCM 00000002 00", "48 kHz stereo first")
        #expect(WFDFormatNegotiation.audio(sink: sink, source: [WFDAudioCodec(format: .ac3, modes: 0x07)]) == nil)
        #expect(WFDFormatNegotiation.audio(sink: WFDAudioCodecs([]), source: [WFDAudioCodec(format: .aac, modes: 1)]) == nil)
    }
}
