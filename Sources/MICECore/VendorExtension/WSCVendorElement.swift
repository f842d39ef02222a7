import WinteropWire

/// The WSC information elements that carry a sink's Vendor Extension attribute (2.2.8) in
/// its Beacons and Probe Responses (3.1.3): each is an IEEE 802.11 vendor-specific element
/// (ID 0xDD, a 1-byte length) with the WSC OUI 00 50 F2 and OUI type 04, followed by WSC
/// attributes. An element holds at most 255 bytes, so an attribute longer than 251 bytes is
/// split across consecutive WSC elements, which a receiver joins again (WSC 2.0.2, "WSC IE
/// fragmentation").
public enum WSCVendorElement {
    /// Vendor Specific element ID (IEEE 802.11 9.4.2.25).
    public static let elementID: UInt8 = 0xDD
    /// The Wi-Fi Alliance WSC OUI and its OUI type.
    public static let wscOUI: [UInt8] = [0x00, 0x50, 0xF2, 0x04]
    /// The most WSC data one element carries: 255 minus the 4 OUI bytes.
    public static let maximumData = 255 - wscOUI.count

    /// The elements (back to back) that carry `attributes`, the WSC attribute bytes.
    public static func elements(carrying attributes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var start = attributes.startIndex
        repeat {
            let end = min(start + maximumData, attributes.endIndex)
            out.append(elementID)
            out.append(UInt8(wscOUI.count + (end - start)))
            out += wscOUI
            out += attributes[start..<end]
            start = end
        } while start < attributes.endIndex
        return out
    }

    /// The elements carrying `attribute` (2.2.8), as `winterop mice ie build` encodes it.
    public static func elements(carrying attribute: VendorExtensionAttribute) throws(EncodingError) -> [UInt8] {
        elements(carrying: try attribute.encoded())
    }
}
