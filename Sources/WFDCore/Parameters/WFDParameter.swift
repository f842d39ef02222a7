import WinteropWire

/// One `name: value` line of a `text/parameters` body, typed when the name is one WFD-NOTES 3
/// describes; any other name is kept as ``other(name:value:)``. ``value`` renders it back
/// in the syntax peers send (hex in lower case).
public enum WFDParameter: Sendable, Hashable {
    /// `wfd_video_formats`; nil is `none`.
    case videoFormats(WFDVideoFormats?)
    case audioCodecs(WFDAudioCodecs)
    case clientRTPPorts(WFDClientRTPPorts)
    case presentationURL(WFDPresentationURL)
    case contentProtection(WFDContentProtection)
    case displayEDID(WFDDisplayEDID)
    case coupledSink(WFDCoupledSink)
    /// `wfd_uibc_capability`; nil is `none`.
    case uibcCapability(WFDUIBCCapability?)
    case uibcSetting(WFDUIBCSetting)
    case standbyResumeCapability(WFDSupport)
    /// `wfd_connector_type`: 2 hex digits (05 = HDMI… as sinks send), nil is `none`.
    case connectorType(UInt8?)
    /// `wfd_idr_request_capability`: `0` / `1` (MS-WFDPE 2.6.1.1).
    case idrRequestCapability(Bool)
    case triggerMethod(WFDTriggerMethod)
    case microsoftLatencyManagement(MicrosoftLatencyMode)
    case microsoftFormatChangeCapability(WFDSupport)
    case microsoftDiagnosticsCapability(WFDSupport)
    case microsoftRTCPCapability(WFDSupport)
    case microsoftColorSpaceConversion(WFDSupport)
    /// `microsoft_video_formats`: a 48-bit bitmap in 12 hex digits.
    case microsoftVideoFormats(UInt64)
    /// `microsoft_max_bitrate`: bits a second, decimal.
    case microsoftMaxBitrate(UInt64)
    case microsoftMultiscreenProjection(MicrosoftMultiscreenProjection)
    case microsoftAudioMute(MicrosoftAudioMute)
    case microsoftCursor(MicrosoftCursor)
    case microsoftTeardownReason(MicrosoftTeardownReason)
    /// `intel_friendly_name`, `intel_sink_manufacturer_name`, `intel_sink_model_name`,
    /// `intel_sink_device_URL`: free text (MS-WFDPE 2.1).
    case intelText(name: String, text: String)
    case intelSinkVersion(IntelSinkVersion)
    case other(name: String, value: String)

    /// The names of the `intel_*` text parameters.
    public static let intelTextNames = ["intel_friendly_name", "intel_sink_manufacturer_name", "intel_sink_model_name", "intel_sink_device_URL"]

    /// Parses `value` as the parameter `name` says (names compare case-sensitively, as peers send them).
    public init(name: String, value: String) throws(WireError) {
        switch name {
        case "wfd_video_formats": self = .videoFormats(try WFDVideoFormats.parse(value))
        case "wfd_audio_codecs": self = .audioCodecs(try WFDAudioCodecs.parse(value))
        case "wfd_client_rtp_ports": self = .clientRTPPorts(try WFDClientRTPPorts.parse(value))
        case "wfd_presentation_URL": self = .presentationURL(try WFDPresentationURL.parse(value))
        case "wfd_content_protection": self = .contentProtection(try WFDContentProtection.parse(value))
        case "wfd_display_edid": self = .displayEDID(try WFDDisplayEDID.parse(value))
        case "wfd_coupled_sink": self = .coupledSink(try WFDCoupledSink.parse(value))
        case "wfd_uibc_capability": self = .uibcCapability(try WFDUIBCCapability.parse(value))
        case "wfd_uibc_setting": self = .uibcSetting(try keyword(value, name))
        case "wfd_standby_resume_capability": self = .standbyResumeCapability(try keyword(value, name))
        case "wfd_connector_type":
            if value == "none" {
                self = .connectorType(nil)
            } else {
                var s = ParameterScanner(value, parameter: name)
                let type: UInt8 = try s.hex("connector type", digits: 2)
                try s.expectEnd()
                self = .connectorType(type)
            }
        case "wfd_idr_request_capability":
            guard value == "0" || value == "1" else { throw WFD.parameter(name).error("\"\(value)\" is not 0 or 1") }
            self = .idrRequestCapability(value == "1")
        case "wfd_trigger_method": self = .triggerMethod(try keyword(value, name))
        case "microsoft_latency_management_capability": self = .microsoftLatencyManagement(try keyword(value, name))
        case "microsoft_format_change_capability": self = .microsoftFormatChangeCapability(try keyword(value, name))
        case "microsoft_diagnostics_capability": self = .microsoftDiagnosticsCapability(try keyword(value, name))
        case "microsoft_rtcp_capability": self = .microsoftRTCPCapability(try keyword(value, name))
        case "microsoft_color_space_conversion": self = .microsoftColorSpaceConversion(try keyword(value, name))
        case "microsoft_video_formats":
            var s = ParameterScanner(value, parameter: name)
            let bitmap: UInt64 = try s.hex("bitmap", digits: 12)
            try s.expectEnd()
            self = .microsoftVideoFormats(bitmap)
        case "microsoft_max_bitrate":
            var s = ParameterScanner(value, parameter: name)
            let bitrate: UInt64 = try s.decimal("bitrate")
            try s.expectEnd()
            self = .microsoftMaxBitrate(bitrate)
        case "microsoft_multiscreen_projection": self = .microsoftMultiscreenProjection(try MicrosoftMultiscreenProjection.parse(value))
        case "microsoft_audio_mute": self = .microsoftAudioMute(try keyword(value, name))
        case "microsoft_cursor": self = .microsoftCursor(try MicrosoftCursor.parse(value))
        case "microsoft_teardown_reason": self = .microsoftTeardownReason(try MicrosoftTeardownReason.parse(value))
        case "intel_sink_version": self = .intelSinkVersion(try IntelSinkVersion.parse(value))
        case _ where Self.intelTextNames.contains(name): self = .intelText(name: name, text: value)
        default: self = .other(name: name, value: value)
        }
    }

    public var name: String {
        switch self {
        case .videoFormats: return "wfd_video_formats"
        case .audioCodecs: return "wfd_audio_codecs"
        case .clientRTPPorts: return "wfd_client_rtp_ports"
        case .presentationURL: return "wfd_presentation_URL"
        case .contentProtection: return "wfd_content_protection"
        case .displayEDID: return "wfd_display_edid"
        case .coupledSink: return "wfd_coupled_sink"
        case .uibcCapability: return "wfd_uibc_capability"
        case .uibcSetting: return "wfd_uibc_setting"
        case .standbyResumeCapability: return "wfd_standby_resume_capability"
        case .connectorType: return "wfd_connector_type"
        case .idrRequestCapability: return "wfd_idr_request_capability"
        case .triggerMethod: return "wfd_trigger_method"
        case .microsoftLatencyManagement: return "microsoft_latency_management_capability"
        case .microsoftFormatChangeCapability: return "microsoft_format_change_capability"
        case .microsoftDiagnosticsCapability: return "microsoft_diagnostics_capability"
        case .microsoftRTCPCapability: return "microsoft_rtcp_capability"
        case .microsoftColorSpaceConversion: return "microsoft_color_space_conversion"
        case .microsoftVideoFormats: return "microsoft_video_formats"
        case .microsoftMaxBitrate: return "microsoft_max_bitrate"
        case .microsoftMultiscreenProjection: return "microsoft_multiscreen_projection"
        case .microsoftAudioMute: return "microsoft_audio_mute"
        case .microsoftCursor: return "microsoft_cursor"
        case .microsoftTeardownReason: return "microsoft_teardown_reason"
        case .intelText(let name, _): return name
        case .intelSinkVersion: return "intel_sink_version"
        case .other(let name, _): return name
        }
    }

    /// The value as it goes on the wire.
    public var value: String {
        switch self {
        case .videoFormats(let v): return v?.rendered ?? "none"
        case .audioCodecs(let v): return v.rendered
        case .clientRTPPorts(let v): return v.rendered
        case .presentationURL(let v): return v.rendered
        case .contentProtection(let v): return v.rendered
        case .displayEDID(let v): return v.rendered
        case .coupledSink(let v): return v.rendered
        case .uibcCapability(let v): return v?.rendered ?? "none"
        case .uibcSetting(let v): return v.rawValue
        case .standbyResumeCapability(let v): return v.rawValue
        case .connectorType(let v): return v.map { hexField($0, digits: 2) } ?? "none"
        case .idrRequestCapability(let v): return v ? "1" : "0"
        case .triggerMethod(let v): return v.rawValue
        case .microsoftLatencyManagement(let v): return v.rawValue
        case .microsoftFormatChangeCapability(let v), .microsoftDiagnosticsCapability(let v),
             .microsoftRTCPCapability(let v), .microsoftColorSpaceConversion(let v):
            return v.rawValue
        case .microsoftVideoFormats(let v): return hexField(v, digits: 12)
        case .microsoftMaxBitrate(let v): return String(v)
        case .microsoftMultiscreenProjection(let v): return v.rendered
        case .microsoftAudioMute(let v): return v.rawValue
        case .microsoftCursor(let v): return v.rendered
        case .microsoftTeardownReason(let v): return v.rendered
        case .intelText(_, let text): return text
        case .intelSinkVersion(let v): return v.rendered
        case .other(_, let value): return value
        }
    }

    /// The line of a `text/parameters` body.
    public var line: WFDParameterList.Line { WFDParameterList.Line(name: name, value: value) }
}

extension WFDParameterList {
    /// A body of typed parameters, in order.
    public init(_ parameters: [WFDParameter]) {
        self.init(parameters.map(\.line))
    }

    /// The typed parameter called `name`, nil when absent, bare, or malformed.
    public func parameter(_ name: String) -> WFDParameter? {
        guard let value = self[name] else { return nil }
        return try? WFDParameter(name: name, value: value)
    }
}
