import WinteropWire

/// `wfd_trigger_method` (M5, WFD-NOTES 2, 3): what the source asks the sink to send next.
public enum WFDTriggerMethod: String, Sendable, Hashable, CaseIterable {
    case setup = "SETUP"
    case play = "PLAY"
    case pause = "PAUSE"
    case teardown = "TEARDOWN"
}

/// `supported` / `none`: `wfd_standby_resume_capability` and the `microsoft_*_capability`
/// parameters (WFD-NOTES 3, MS-WFDPE 2).
public enum WFDSupport: String, Sendable, Hashable, CaseIterable {
    case supported
    case none
}

/// `microsoft_latency_management_capability` (MS-WFDPE): `supported`/`none` in M3, later
/// set by the source to `low` (<50 ms), `normal` (<100 ms) or `high` (<500 ms).
public enum MicrosoftLatencyMode: String, Sendable, Hashable, CaseIterable {
    case supported, none, low, normal, high
}

/// `microsoft_audio_mute` (MS-WFDPE): `supported`/`none`, later `0`/`1` (the spec's text
/// and example disagree on which value mutes, WFD-NOTES 3).
public enum MicrosoftAudioMute: String, Sendable, Hashable, CaseIterable {
    case supported, none
    case zero = "0"
    case one = "1"
}

/// `wfd_uibc_setting` (M4/M15): `enable` / `disable`.
public enum WFDUIBCSetting: String, Sendable, Hashable, CaseIterable {
    case enable, disable
}

/// Reads a keyword enum, naming the parameter and the choices in the error.
func keyword<K: RawRepresentable & CaseIterable>(_ value: String, _ parameter: String, as: K.Type = K.self) throws(WireError) -> K where K.RawValue == String {
    guard let k = K(rawValue: value) else {
        throw WFD.parameter(parameter).error("\"\(value)\" is not one of \(K.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return k
}
