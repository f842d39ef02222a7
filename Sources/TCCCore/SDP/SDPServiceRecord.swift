import NIOCore
import WinteropWire

/// The SDP service record that identifies a tethering-capable server (MS-TCC 2.1): service
/// class {232E51D8-91FF-4C24-AC0F-9EE055DA30A5}, reached over L2CAP then RFCOMM on `channel`.
public struct TCCServiceRecord: Sendable, Hashable {
    /// Attribute IDs ([BT-SDP] 5.1).
    public static let serviceClassIDList: UInt16 = 0x0001
    public static let protocolDescriptorList: UInt16 = 0x0004
    public static let browseGroupList: UInt16 = 0x0005
    public static let serviceName: UInt16 = 0x0100
    /// Protocol UUIDs (Bluetooth Assigned Numbers).
    public static let l2cap: UInt16 = 0x0100
    public static let rfcomm: UInt16 = 0x0003
    public static let publicBrowseRoot: UInt16 = 0x1002

    /// The service GUID of 2.1 as 16 bytes, most significant first.
    public static let serviceUUID: [UInt8] = Hex.decode(TCC.serviceUUID.replacingOccurrences(of: "-", with: "")) ?? []

    public var channel: UInt8
    public var name: String

    public init(channel: UInt8, name: String = "winterop tethering") {
        self.channel = channel
        self.name = name
    }

    /// The record as the attribute-ID/value sequence BlueZ's SDP server takes.
    public var element: SDPDataElement {
        .sequence([
            .uint16(Self.serviceClassIDList), .sequence([.uuid128(Self.serviceUUID)]),
            .uint16(Self.protocolDescriptorList), .sequence([
                .sequence([.uuid16(Self.l2cap)]),
                .sequence([.uuid16(Self.rfcomm), .uint8(channel)]),
            ]),
            .uint16(Self.browseGroupList), .sequence([.uuid16(Self.publicBrowseRoot)]),
            .uint16(Self.serviceName), .text(name),
        ])
    }

    /// The RFCOMM channel in an attribute list found by a search: the value of attribute
    /// 0x0004 whose RFCOMM descriptor carries it. Nil when the list has none.
    public static func rfcommChannel(inAttributeList list: SDPDataElement) -> UInt8? {
        guard let items = list.elements else { return nil }
        var index = 0
        while index + 1 < items.count {
            if items[index] == .uint16(protocolDescriptorList), let descriptors = items[index + 1].elements {
                for descriptor in descriptors {
                    if let parts = descriptor.elements, parts.first == .uuid16(rfcomm), parts.count >= 2, case .uint8(let channel) = parts[1] {
                        return channel
                    }
                }
            }
            index += 2
        }
        return nil
    }
}
