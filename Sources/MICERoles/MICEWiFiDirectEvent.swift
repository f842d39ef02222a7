import MICECore
import WinteropFormat

/// What the sink reports about Wi-Fi Direct discovery through wpa_supplicant (3.1.3), as
/// the `wifi_direct_*` events of ``MICESinkEvent/wifiDirect(_:)``.
public enum MICEWiFiDirectEvent: Sendable {
    /// The Vendor Extension attribute is in the P2P frames and the device listens.
    case published(controlPath: String, elements: [UInt8])
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
        case .published(let path, let elements):
            [("controlPath", .string(path)), ("elements", .hex(elements)),
             ("frames", .array(WPAControlCommand.VendorElementFrame.allCases.map { .int(Int64($0.rawValue)) }))]
        case .withdrawn(let refusals):
            [("refusals", .array(refusals.map { .string($0.description) }))]
        }
    }

    var text: String {
        switch self {
        case .published(let path, _):
            "discoverable over Wi-Fi Direct through \(path): the vendor extension attribute is in P2P probe responses and beacons (MS-MICE 3.1.3)"
        case .withdrawn(let refusals):
            refusals.isEmpty
                ? "Wi-Fi Direct: removed the vendor extension attribute and stopped listening"
                : "Wi-Fi Direct: withdrawn, but wpa_supplicant refused: \(refusals.map(\.description).joined(separator: "; ")); check `wpa_cli vendor_elem_get 1`"
        }
    }
}
