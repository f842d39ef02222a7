import WinteropWire

/// The Wi-Fi Display Device Information subelement (subelement ID 0) a sink puts in its
/// P2P frames through wpa_supplicant (`SET wifi_display 1`, `WFD_SUBELEM_SET 0 <hex>`), so
/// that a Miracast source lists it as a display. The Wi-Fi Display specification is not
/// public; the layout is the one wpa_supplicant and its users agree on (hostap
/// `wpa_supplicant/wifi_display.c`: the hex after the ID is the 2-byte length and the
/// body; the MediaTek fork's `wifi_display.h` names the bitmap fields; Miracast sinks on
/// Linux set `000600111c44012c`): a 16-bit Device Information bitmap (bits 1:0 device
/// type, bits 5:4 session availability), the Session Management Control Port (RTSP, 7236)
/// and the maximum throughput in Mbit/s, each big-endian.
public struct WFDDeviceInformation: Hashable, Sendable {
    /// Bits 1:0 of the bitmap.
    public enum DeviceType: UInt16, Hashable, Sendable {
        case source = 0
        case primarySink = 1
        case secondarySink = 2
        case dualRole = 3
    }

    /// The subelement ID of Device Information.
    public static let subelementID: UInt8 = 0

    public var deviceType: DeviceType
    /// Bits 5:4 = 01: available for a session.
    public var sessionAvailable: Bool
    /// The Session Management Control Port (RTSP).
    public var controlPort: UInt16
    /// The maximum average throughput the device supports, in Mbit/s.
    public var maximumThroughputMbps: UInt16

    public init(deviceType: DeviceType = .primarySink, sessionAvailable: Bool = true, controlPort: UInt16 = UInt16(MICE.defaultRTSPPort), maximumThroughputMbps: UInt16 = 300) {
        self.deviceType = deviceType
        self.sessionAvailable = sessionAvailable
        self.controlPort = controlPort
        self.maximumThroughputMbps = maximumThroughputMbps
    }

    /// The Device Information bitmap.
    public var bitmap: UInt16 { deviceType.rawValue | (sessionAvailable ? 0x0010 : 0) }

    /// What `WFD_SUBELEM_SET 0` takes: the length (6), then the three fields.
    public var subelementBody: [UInt8] {
        [0x00, 0x06] + [bitmap, controlPort, maximumThroughputMbps].flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }
}
