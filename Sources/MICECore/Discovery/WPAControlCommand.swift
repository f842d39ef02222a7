import WinteropWire

/// The wpa_supplicant control-interface commands a sink uses to be found over Wi-Fi
/// Direct (3.1.3), and the replies they get. One command is one datagram of text; the
/// reply is one datagram: `OK`, `FAIL`, `UNKNOWN COMMAND`, `PONG` or data.
///
/// Frame ids and command syntax as hostap defines them (greearb/hostap-ct at
/// 76d4a91710efc86f9dac2094d94c5f84babf099d): `enum wpa_vendor_elem_frame` in
/// `src/common/wpa_ctrl.h` (lines 561–576: `VENDOR_ELEM_PROBE_RESP_P2P = 1`,
/// `VENDOR_ELEM_PROBE_RESP_P2P_GO = 2`, `VENDOR_ELEM_BEACON_P2P_GO = 3`);
/// `wpas_ctrl_vendor_elem_add`/`_remove` in `wpa_supplicant/ctrl_iface.c` (“<frame> <hex>”,
/// the hex parsed as whole 802.11 elements, removal by the same bytes); `P2P_LISTEN` and
/// `P2P_STOP_FIND` in the same file and `doc/ctrl_iface.doxygen` (“P2P_LISTEN … can also be
/// used to keep the device discoverable without having to maintain a group”; “P2P_STOP_FIND:
/// stop ongoing P2P device discovery or other operation (connect, listen mode)”). The
/// P2P frames are kept by the P2P device interface (`wpas_vendor_elem` in
/// `wpa_supplicant/wpa_supplicant.c`), whichever interface's socket receives the command.
/// Wi-Fi Display (hostap `wpa_supplicant/ctrl_iface.c`, `wifi_display.c`, CONFIG_WIFI_DISPLAY):
/// `GET wifi_display` answers `0` or `1`, `SET wifi_display 1` turns the WFD element on,
/// `WFD_SUBELEM_GET <id>` answers the subelement's hex after its ID (empty when unset) and
/// `WFD_SUBELEM_SET <id> <hex>` sets it (an empty hex, after the space, clears it).
public enum WPAControlCommand: Hashable, Sendable {
    /// `PING`: answered `PONG` by a live wpa_supplicant.
    case ping
    /// `VENDOR_ELEM_ADD <frame> <hex>`: append elements to every frame of that kind.
    case vendorElementAdd(VendorElementFrame, [UInt8])
    /// `VENDOR_ELEM_REMOVE <frame> <hex>`: remove exactly those elements again.
    case vendorElementRemove(VendorElementFrame, [UInt8])
    /// `P2P_LISTEN`: stay in the P2P Listen state (discoverable) until stopped.
    case p2pListen
    /// `P2P_STOP_FIND`: leave the Listen state.
    case p2pStopFind
    /// `GET <name>`: a setting's value (a data reply).
    case get(String)
    /// `SET <name> <value>`.
    case set(String, String)
    /// `WFD_SUBELEM_GET <id>`: the Wi-Fi Display subelement's length and body in hex (a data reply).
    case wfdSubelementGet(UInt8)
    /// `WFD_SUBELEM_SET <id> <hex>`: the subelement's length and body; empty clears it.
    case wfdSubelementSet(UInt8, [UInt8])

    /// The frames a vendor element can be added to that a sink's discovery needs.
    public enum VendorElementFrame: Int, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        /// Probe Responses of the P2P Device (Listen state).
        case probeResponseP2P = 1
        /// Probe Responses while this device is a P2P Group Owner.
        case probeResponseP2PGO = 2
        /// Beacons while this device is a P2P Group Owner.
        case beaconP2PGO = 3

        public var description: String {
            switch self {
            case .probeResponseP2P: "P2P probe responses"
            case .probeResponseP2PGO: "P2P group owner probe responses"
            case .beaconP2PGO: "P2P group owner beacons"
            }
        }
    }

    /// The datagram's text.
    public var text: String {
        switch self {
        case .ping: "PING"
        case .vendorElementAdd(let frame, let bytes): "VENDOR_ELEM_ADD \(frame.rawValue) \(Hex.encode(bytes))"
        case .vendorElementRemove(let frame, let bytes): "VENDOR_ELEM_REMOVE \(frame.rawValue) \(Hex.encode(bytes))"
        case .p2pListen: "P2P_LISTEN"
        case .p2pStopFind: "P2P_STOP_FIND"
        case .get(let name): "GET \(name)"
        case .set(let name, let value): "SET \(name) \(value)"
        case .wfdSubelementGet(let id): "WFD_SUBELEM_GET \(id)"
        case .wfdSubelementSet(let id, let bytes): "WFD_SUBELEM_SET \(id) \(Hex.encode(bytes))"
        }
    }

    /// The command word, as a refusal names it.
    public var name: String {
        switch self {
        case .ping: "PING"
        case .vendorElementAdd(let frame, _): "VENDOR_ELEM_ADD \(frame.rawValue)"
        case .vendorElementRemove(let frame, _): "VENDOR_ELEM_REMOVE \(frame.rawValue)"
        case .p2pListen: "P2P_LISTEN"
        case .p2pStopFind: "P2P_STOP_FIND"
        case .get(let name): "GET \(name)"
        case .set(let name, _): "SET \(name)"
        case .wfdSubelementGet(let id): "WFD_SUBELEM_GET \(id)"
        case .wfdSubelementSet(let id, _): "WFD_SUBELEM_SET \(id)"
        }
    }

    /// Whether `reply` means success: `PONG` to `PING`, data to a query (a subelement's as
    /// hex), `OK` to the rest.
    func accepts(_ reply: WPAControlReply?) -> Bool {
        switch (self, reply) {
        case (.ping, .pong?): true
        case (.get, .other?): true
        case (.wfdSubelementGet, .other(let text)?): Hex.decode(text) != nil
        case (.ping, _), (.get, _), (.wfdSubelementGet, _): false
        default: reply == .ok
        }
    }

    /// The command that undoes this one after it got `reply`, if any: a query's undo puts
    /// back what it read, so the setting it reads is restored whatever changed it later.
    func undo(after reply: WPAControlReply?) -> WPAControlCommand? {
        switch (self, reply) {
        case (.vendorElementAdd(let frame, let bytes), _): .vendorElementRemove(frame, bytes)
        case (.p2pListen, _): .p2pStopFind
        case (.get(let name), .other(let value)?): .set(name, value)
        case (.wfdSubelementGet(let id), .other(let text)?): .wfdSubelementSet(id, Hex.decode(text) ?? [])
        default: nil
        }
    }
}

/// A reply datagram of the control interface, classified.
public enum WPAControlReply: Hashable, Sendable, CustomStringConvertible {
    case ok
    case pong
    case fail
    case unknownCommand
    /// Any other text (data replies; nothing this sink's commands expect).
    case other(String)

    /// Classifies a reply's text (wpa_supplicant ends it with a newline).
    public init(_ text: String) {
        let trimmed = text.trimmingSuffix { $0 == "\n" || $0 == "\r" || $0 == "\0" }
        switch trimmed {
        case "OK": self = .ok
        case "PONG": self = .pong
        case "FAIL": self = .fail
        case "UNKNOWN COMMAND": self = .unknownCommand
        default: self = .other(String(trimmed.prefix(200)))
        }
    }

    /// Whether `datagram` is an unsolicited event message (`<N>text`, N the level), not a reply.
    public static func isEvent(_ datagram: String) -> Bool {
        guard datagram.first == "<", let close = datagram.firstIndex(of: ">") else { return false }
        let level = datagram[datagram.index(after: datagram.startIndex)..<close]
        return !level.isEmpty && level.allSatisfy(\.isNumber)
    }

    public var description: String {
        switch self {
        case .ok: "OK"
        case .pong: "PONG"
        case .fail: "FAIL"
        case .unknownCommand: "UNKNOWN COMMAND"
        case .other(let text): text
        }
    }
}

extension String {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[startIndex..<end]
    }
}
