import Testing
import WFDCore
import WinteropWire

/// The example strings of WFD-NOTES 3 decode to the values they stand for and render back
/// to the same text (lower-case hex; upper-case examples compare case-insensitively).
@Suite struct ParameterGoldenTests {
    static func roundTrip(_ name: String, _ value: String, sameCase: Bool = true) throws -> WFDParameter {
        let parameter = try WFDParameter(name: name, value: value)
        #expect(parameter.name == name)
        if sameCase {
            #expect(parameter.value == value)
        } else {
            #expect(parameter.value.lowercased() == value.lowercased())
        }
        #expect(try WFDParameter(name: name, value: parameter.value) == parameter)
        return parameter
    }

    @Test func windowsSinkVideoFormats() throws {
        // MC issue #103.
        let value = "40 00 01 10 0001bdeb 051557ff 00000fff 10 0000 001f 11 0780 0438, 02 10 0001bdeb 155557ff 00000fff 10 0000 001f 11 0780 0438"
        guard case .videoFormats(let formats?) = try Self.roundTrip("wfd_video_formats", value) else {
            Issue.record("not video formats")
            return
        }
        #expect(formats.nativeMode?.description == "1920x1080p60")
        #expect(formats.nativeMode?.table == .cea)
        #expect(formats.codecs.count == 2)
        #expect(formats.codecs[0].profiles == WFDH264Codec.constrainedBaseline)
        #expect(formats.codecs[1].profiles == WFDH264Codec.constrainedHigh)
        #expect(formats.codecs[0].highestLevelName == "4.2")
        #expect(formats.codecs[0].latency == 0x10)
        #expect(formats.codecs[0].sliceEncoding == 0x1f)
        #expect(formats.codecs[0].frameRateControl == 0x11)
        #expect(formats.codecs[0].maximumHRes == 1920)
        #expect(formats.codecs[0].maximumVRes == 1080)
        // 0001bdeb: every progressive CEA mode, no interlaced (WFD-NOTES 4).
        let cea = WFDVideoMode.modes(in: .cea, mask: formats.codecs[0].cea)
        #expect(cea.allSatisfy { !$0.interlaced })
        #expect(cea.count == WFDVideoMode.modes(in: .cea, mask: 0x1FFFF).filter { !$0.interlaced }.count)
    }

    @Test func windows11SourceM4VideoFormats() throws {
        // LC issue #128: CHP level 4.2, VESA bit 15 = 1280x1024p60.
        guard case .videoFormats(let formats?) = try Self.roundTrip("wfd_video_formats", "00 00 02 10 00000000 00008000 00000000 00 0000 0000 00 none none") else {
            Issue.record("not video formats")
            return
        }
        #expect(formats.codecs.first?.modes.map(\.description) == ["1280x1024p60"])
        #expect(formats.codecs.first?.modes.first?.table == .vesa)
        #expect(formats.codecs.first?.maximumHRes == nil)
        #expect(formats.codecs.first?.profileName == "CHP")
    }

    @Test func lazycastVideoFormatsUpperCase() throws {
        guard case .videoFormats(let formats?) = try Self.roundTrip("wfd_video_formats", "00 00 02 10 0001FEFF 3FFFFFFF 00000FFF 00 0000 0000 00 none none", sameCase: false) else {
            Issue.record("not video formats")
            return
        }
        // 0001FEFF: every CEA mode but bit 8 (1080p60).
        #expect(!formats.codecs[0].modes.contains { $0.table == .cea && $0.bit == 8 })
        #expect(formats.codecs[0].modes.contains { $0.table == .cea && $0.bit == 16 })
        // Bit 29 of 3FFFFFFF is outside the R1 table and is left out, not an error.
        #expect(formats.codecs[0].modes.filter { $0.table == .vesa }.count == 29)
    }

    @Test func audioCodecs() throws {
        guard case .audioCodecs(let codecs) = try Self.roundTrip("wfd_audio_codecs", "LPCM 00000003 00, AAC 0000000f 00, AC3 00000007 00") else {
            Issue.record("not audio codecs")
            return
        }
        #expect(codecs.codecs.map(\.format) == [.lpcm, .aac, .ac3])
        #expect(codecs.codecs[0].supportedModes.map(\.mode.description) == ["44100 Hz 2 ch", "48000 Hz 2 ch"])
        #expect(codecs.codecs[1].supportedModes.map(\.mode.channels) == [2, 4, 6, 8])
        #expect(try Self.roundTrip("wfd_audio_codecs", "none") == .audioCodecs(WFDAudioCodecs([])))
        _ = try Self.roundTrip("wfd_audio_codecs", "LPCM 00000002 00")
    }

    @Test func sessionParameters() throws {
        #expect(try Self.roundTrip("wfd_client_rtp_ports", "RTP/AVP/UDP;unicast 1028 0 mode=play") == .clientRTPPorts(WFDClientRTPPorts(port0: 1028)))
        #expect(try Self.roundTrip("wfd_presentation_URL", "rtsp://192.168.173.80/wfd1.0/streamid=0 none") == .presentationURL(.stream(host: "192.168.173.80")))
        #expect(try Self.roundTrip("wfd_content_protection", "HDCP2.1 port=1189") == .contentProtection(.hdcp(version: "HDCP2.1", port: 1189)))
        #expect(try Self.roundTrip("wfd_content_protection", "none") == .contentProtection(.none))
        #expect(try Self.roundTrip("wfd_display_edid", "0000 none") == .displayEDID(.edid(blocks: 0, payload: nil)))
        let edid = "0001 00ffffffffffff00" + String(repeating: "ab", count: 120)
        #expect(try Self.roundTrip("wfd_display_edid", edid) == .displayEDID(.edid(blocks: 1, payload: [0, 255, 255, 255, 255, 255, 255, 0] + Array(repeating: 0xAB, count: 120))))
        #expect(try Self.roundTrip("wfd_coupled_sink", "none") == .coupledSink(.none))
        #expect(try Self.roundTrip("wfd_coupled_sink", "01 0a1b2c3d4e5f") == .coupledSink(.coupled(status: 1, address: 0x0a1b2c3d4e5f)))
        #expect(try Self.roundTrip("wfd_standby_resume_capability", "supported") == .standbyResumeCapability(.supported))
        #expect(try Self.roundTrip("wfd_connector_type", "05") == .connectorType(5))
        #expect(try Self.roundTrip("wfd_trigger_method", "SETUP") == .triggerMethod(.setup))
        #expect(try Self.roundTrip("wfd_idr_request_capability", "1") == .idrRequestCapability(true))
        #expect(try Self.roundTrip("wfd_uibc_setting", "enable") == .uibcSetting(.enable))
    }

    @Test func uibcCapability() throws {
        let sink = "input_category_list=GENERIC, HIDC;generic_cap_list=Keyboard, Mouse;hidc_cap_list=Keyboard/USB, Mouse/USB;port=none"
        #expect(try Self.roundTrip("wfd_uibc_capability", sink) == .uibcCapability(WFDUIBCCapability(
            inputCategories: ["GENERIC", "HIDC"], genericCapabilities: ["Keyboard", "Mouse"],
            hidcCapabilities: [.init(type: "Keyboard", path: "USB"), .init(type: "Mouse", path: "USB")], port: nil)))
        guard case .uibcCapability(let m4?) = try Self.roundTrip("wfd_uibc_capability", "input_category_list=GENERIC;generic_cap_list=Mouse;hidc_cap_list=none;port=50000") else {
            Issue.record("no UIBC")
            return
        }
        #expect(m4.port == 50000)
        #expect(m4.hidcCapabilities.isEmpty)
        #expect(try Self.roundTrip("wfd_uibc_capability", "none") == .uibcCapability(nil))
    }

    @Test func microsoftAndIntelExtensions() throws {
        // A Windows sink's answers (LC d2win10debug.py) and CRES's.
        #expect(try Self.roundTrip("microsoft_video_formats", "0000001fffff") == .microsoftVideoFormats(0x1fffff))
        #expect(try Self.roundTrip("microsoft_cursor", "none 0100 0100 4abf") == .microsoftCursor(.cursor(mode: "none", maximumX: 256, maximumY: 256, port: 0x4abf)))
        #expect(try Self.roundTrip("microsoft_cursor", "none") == .microsoftCursor(.none))
        #expect(try Self.roundTrip("microsoft_rtcp_capability", "supported") == .microsoftRTCPCapability(.supported))
        #expect(try Self.roundTrip("microsoft_max_bitrate", "200000000") == .microsoftMaxBitrate(200_000_000))
        #expect(try Self.roundTrip("microsoft_format_change_capability", "none") == .microsoftFormatChangeCapability(.none))
        #expect(try Self.roundTrip("microsoft_diagnostics_capability", "supported") == .microsoftDiagnosticsCapability(.supported))
        #expect(try Self.roundTrip("microsoft_multiscreen_projection", "supported") == .microsoftMultiscreenProjection(.supported))
        #expect(try Self.roundTrip("microsoft_multiscreen_projection", "secondary 1920 1080 8000000") == .microsoftMultiscreenProjection(.secondary(horizontal: 1920, vertical: 1080, bitrate: 8_000_000)))
        #expect(try Self.roundTrip("microsoft_audio_mute", "1") == .microsoftAudioMute(.one))
        #expect(try Self.roundTrip("microsoft_color_space_conversion", "none") == .microsoftColorSpaceConversion(.none))
        #expect(try Self.roundTrip("microsoft_latency_management_capability", "low") == .microsoftLatencyManagement(.low))
        #expect(try Self.roundTrip("microsoft_teardown_reason", "C00D4278 timeout") == .microsoftTeardownReason(MicrosoftTeardownReason(hresult: 0xC00D4278, text: "timeout")))
        #expect(try Self.roundTrip("intel_sink_manufacturer_name", "Microsoft") == .intelText(name: "intel_sink_manufacturer_name", text: "Microsoft"))
        #expect(try Self.roundTrip("intel_sink_version", "product_ID=G4 hw_version=1.0.0.0 sw_version=2.1.3.4") == .intelSinkVersion(IntelSinkVersion(productID: "G4", hardwareVersion: "1.0.0.0", softwareVersion: "2.1.3.4")))
        #expect(try Self.roundTrip("intel_overscan_comp", "x=0, y=0") == .other(name: "intel_overscan_comp", value: "x=0, y=0"))
        let bits = MicrosoftVideoFormat.all
        #expect(bits.count == 21)
        #expect(bits[20].description == "4500x3000p24")
    }

    @Test func malformedValuesNameTheParameter() {
        let bad: [(String, String)] = [
            ("wfd_video_formats", "40 00 01 10 0001bdeb 051557ff 00000fff 10 0000 001f 11 0780"),
            ("wfd_video_formats", "40 00 01 10 0001bdeg 051557ff 00000fff 10 0000 001f 11 0780 0438"),
            ("wfd_video_formats", "40 00 01 10 0001bdeb 051557ff 00000fff 10 0000 001f 11 0780 0438 extra"),
            ("wfd_video_formats", "40  00 01 10 0001bdeb 051557ff 00000fff 10 0000 001f 11 0780 0438"),
            ("wfd_audio_codecs", "MP3 00000001 00"),
            ("wfd_audio_codecs", "AAC 1 00"),
            ("wfd_client_rtp_ports", "RTP/AVP/UDP;unicast 70000 0 mode=play"),
            ("wfd_client_rtp_ports", "TCP 1028 0 mode=play"),
            ("wfd_presentation_URL", "http://x none"),
            ("wfd_display_edid", "0002 00ff"),
            ("wfd_display_edid", "0101 none"),
            ("wfd_content_protection", "HDCP1.4 port=1"),
            ("wfd_uibc_capability", "input_category_list=GENERIC;port=none"),
            ("wfd_trigger_method", "setup"),
            ("wfd_idr_request_capability", "yes"),
            ("microsoft_video_formats", "1fffff"),
            ("microsoft_max_bitrate", "-5"),
            ("microsoft_cursor", "half 0100 0100 4abf"),
            ("intel_sink_version", "hw_version=1 sw_version=2"),
        ]
        for (name, value) in bad {
            #expect(throws: WireError.self, "\(name): \(value)") { try WFDParameter(name: name, value: value) }
            do {
                _ = try WFDParameter(name: name, value: value)
            } catch {
                #expect(error.section == name)
            }
        }
    }

    @Test func parameterListBodies() throws {
        // M3 request: bare names; M13: a bare wfd_idr_request.
        let m3 = WFDParameterList(names: ["wfd_video_formats", "wfd_audio_codecs", "wfd_client_rtp_ports"])
        #expect(String(decoding: m3.body, as: UTF8.self) == "wfd_video_formats\r\nwfd_audio_codecs\r\nwfd_client_rtp_ports\r\n")
        let parsed = try WFDParameterList(body: Array("wfd_idr_request\r\n\r\nwfd_trigger_method:SETUP\n".utf8))
        #expect(parsed.lines == [.init(name: "wfd_idr_request", value: nil), .init(name: "wfd_trigger_method", value: "SETUP")])
        #expect(parsed.parameter("wfd_trigger_method") == .triggerMethod(.setup))
        #expect(throws: WireError.self) { try WFDParameterList(body: Array("bad name: x\r\n".utf8)) }
        #expect(throws: WireError.self) { try WFDParameterList(body: [0xFF, 0xFE]) }
    }
}
