import WinteropWire
import WinteropFormat

/// The Connection Preference attribute's list (2.2.8.4): eight 4-bit transport IDs
/// packed in 4 bytes, most preferred first (the first ID is the high nibble).
public struct ConnectionPreference: Sendable, Hashable {
    /// The 4 bytes as sent.
    public var bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 else { return nil }
        self.bytes = bytes
    }

    /// A list of transport IDs (at most eight, each 0...15), zero-padded.
    public init?(transports: [UInt8]) {
        guard transports.count <= 8, transports.allSatisfy({ $0 <= 0x0F }) else { return nil }
        var nibbles = transports + [UInt8](repeating: 0, count: 8 - transports.count)
        var bytes: [UInt8] = []
        while !nibbles.isEmpty {
            bytes.append(nibbles[0] << 4 | nibbles[1])
            nibbles.removeFirst(2)
        }
        self.bytes = bytes
    }

    /// The transport IDs in order of preference, without the zero padding.
    public var transports: [UInt8] {
        bytes.flatMap { [$0 >> 4, $0 & 0x0F] }.filter { $0 != 0 }
    }

    var json: JSONValue {
        .array(transports.map { id in
            switch id {
            case 1: return .string("Miracast over Infrastructure")
            case 2: return .string("Wi-Fi Direct")
            default: return .integer(id)
            }
        })
    }
}
