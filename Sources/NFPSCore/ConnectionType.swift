import WinteropWire

/// The Connection Type enumeration (2.2.5): which pair of addresses, from the NFPB
/// OOB Connector, a socket connect uses. Source is the share receiver, destination
/// the share sender.
public enum ConnectionType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case wiFiDirect = 0
    case linkLocal = 1
    case ipv4LinkLocal = 2
    case proximity = 3
    case bluetooth = 4
    case global = 5
    case globalToTeredo = 6
    case teredoToGlobal = 7
    case teredo = 8

    /// Decodes the one-byte field; values the table does not list are malformed.
    public static func decode(_ value: UInt8, _ reference: SpecReference = NFPS.section("2.2.5")) throws(WireError) -> ConnectionType {
        guard let type = ConnectionType(rawValue: value) else {
            throw reference.error("ConnectionType \(value) is not in the Connection Type enumeration (0 to 8)")
        }
        return type
    }

    /// The source/destination address kinds, as the table of 2.2.5 names them.
    public var description: String {
        switch self {
        case .wiFiDirect: return "Wi-Fi Direct"
        case .linkLocal: return "Link Local"
        case .ipv4LinkLocal: return "IPv4 Link Local"
        case .proximity: return "Proximity"
        case .bluetooth: return "Bluetooth MAC"
        case .global: return "Global"
        case .globalToTeredo: return "Global to Teredo"
        case .teredoToGlobal: return "Teredo to Global"
        case .teredo: return "Teredo"
        }
    }
}
