import MICECore
import WinteropFormat

/// What the sink reports about Wi-Fi Direct discovery through wpa_supplicant (3.1.3), as
/// the `wifi_direct_*` events of ``MICESinkEvent/wifiDirect(_:)``.
public enum MICEWiFiDirectEvent: Sendable {
    /// The Vendor Extension attribute is in the P2P frames (and, when set, the Wi-Fi Display
    /// Device Information subelement in the WFD element) and the device listens.
    case published(controlPath: String, elements: [UInt8], wfdSubelement: [UInt8]?)
    /// Every element was removed again and listening stopped (`refusals`: undo commands refused).
    case withdrawn(refusals: [WiFiDirectPublication.Refusal])

    var name: String {
        switch self {
        case .published: "wifi_direct_published"
        case .withdrawn: "wifi_direct_withdrawn"
        }
    }

    var fields: [(String, JSONValue)] {
        switch self {
        case .published(let path, let elements, let wfd):
            [("controlPath", .string(path)), ("elements", .hex(elements)),
             ("frames", .array(WPAControlCommand.VendorElementFrame.allCases.map { .int(Int64($0.rawValue)) })),
             ("wfdDeviceInformation", wfd.map { .hex($0) } ?? .null)]
        case .withdrawn(let refusals):
            [("refusals", .array(refusals.map { .string($0.description) }))]
        }
    }

    var text: String {
        switch self {
        case .published(let path, _, let wfd):
            "discoverable over Wi-Fi Direct through \(path): the vendor extension attribute is in P2P probe responses and beacons (MS-MICE 3.1.3)"
                + (wfd == nil ? "" : ", Wi-Fi Display on as a primary sink (RTSP 7236)")
        case .withdrawn(let refusals):
            refusals.isEmpty
                ? "Wi-Fi Direct: removed the vendor extension attribute, restored Wi-Fi Display as it was and stopped listening"
                : "Wi-Fi Direct: withdrawn, but wpa_supplicant refused: \(refusals.map(\.description).joined(separator: "; ")); check `wpa_cli vendor_elem_get 1`"
        }
    }
}
