import NIOCore
import WinteropWire

/// One option of a Session Initiation packet over UDP (2.2.2): OptionId, OptionLength
/// and OptionValue, the two numbers in network byte order.
public struct UDPOption: Sendable, Hashable {
    public var id: UInt16
    public var value: [UInt8]

    public init(id: UInt16, value: [UInt8]) {
        self.id = id
        self.value = value
    }

    /// The options of 2.2.2.1–2.2.2.3, each with the size its table gives it.
    public enum Id: UInt16, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case ipv6Capable = 0x010D
        case multicastPort = 0x0205
        case serverPort = 0x0206
        case blockSize = 0x0309
        case sessionId = 0x030A
        case error = 0x030B
        case contentSize = 0x0407
        case totalBlocks = 0x0408
        case multicastAddress = 0x0503
        case serverAddress = 0x0504
        case macAddress = 0x050C
        case namespace = 0x0601
        case content = 0x0602

        public var description: String {
            switch self {
            case .ipv6Capable: return "WDSMCSE_OPT_IPV6_CAPABLE"
            case .multicastPort: return "WDSMCSE_OPT_MULTICAST_PORT"
            case .serverPort: return "WDSMCSE_OPT_SERVER_PORT"
            case .blockSize: return "WDSMCSE_OPT_BLOCK_SIZE"
            case .sessionId: return "WDSMCSE_OPT_SESSION_ID"
            case .error: return "WDSMCSE_OPT_ERROR"
            case .contentSize: return "WDSMCSE_OPT_CONTENT_SIZE"
            case .totalBlocks: return "WDSMCSE_OPT_TOTAL_BLOCKS"
            case .multicastAddress: return "WDSMCSE_OPT_MULTICAST_ADDR"
            case .serverAddress: return "WDSMCSE_OPT_SERVER_ADDR"
            case .macAddress: return "WDSMCSE_OPT_MAC_ADDRESS"
            case .namespace: return "WDSMCSE_OPT_NAMESPACE"
            case .content: return "WDSMCSE_OPT_CONTENT"
            }
        }

        /// The section whose table defines the option.
        public var section: String {
            switch self {
            case .namespace, .content, .macAddress, .ipv6Capable: return "2.2.2.1"
            case .error: return "2.2.2.3"
            default: return "2.2.2.2"
            }
        }
    }

    /// The option's name when it is one of 2.2.2's, else its number.
    public var name: String {
        Id(rawValue: id)?.description ?? "option 0x" + String(id, radix: 16, uppercase: true)
    }

    // MARK: Typed values

    /// A fixed-width number in network byte order; throws unless the value has exactly its width.
    func number<T: FixedWidthInteger & UnsignedInteger>(_ type: T.Type, _ reference: SpecReference) throws(WireError) -> T {
        let width = MemoryLayout<T>.size
        guard value.count == width else {
            throw reference.error("\(name) must be \(width) byte\(width == 1 ? "" : "s") but is \(value.count)")
        }
        return value.reduce(T.zero) { $0 << 8 | T($1) }
    }

    /// A NUL-terminated UTF-16LE string (2.2.2.1): even length, last code unit NUL, none before it.
    func nulTerminatedUTF16LE(_ reference: SpecReference) throws(WireError) -> String {
        guard value.count >= 2, value.count % 2 == 0 else {
            throw reference.error("\(name) must be UTF-16LE with a NUL terminator: \(value.count) bytes is not an even length of at least 2")
        }
        guard value[value.count - 2] == 0, value[value.count - 1] == 0 else {
            throw reference.error("\(name): the last character must be a null character")
        }
        let body = value.dropLast(2)
        if stride(from: body.startIndex, to: body.endIndex, by: 2).contains(where: { body[$0] == 0 && body[$0 + 1] == 0 }) {
            throw reference.error("\(name) has a null character before its end")
        }
        return try UTF16LE.decode(Array(body), field: name, reference)
    }

    /// A 4- or 16-byte IP address (2.2.2.2).
    func ipAddress(_ reference: SpecReference) throws(WireError) -> IPAddress {
        guard let address = IPAddress(bytes: value) else {
            throw reference.error("\(name) must be a 4-byte IPv4 or 16-byte IPv6 address but is \(value.count) bytes")
        }
        return address
    }

    static func number<T: FixedWidthInteger & UnsignedInteger>(_ id: Id, _ value: T) -> UDPOption {
        let width = MemoryLayout<T>.size
        return UDPOption(id: id.rawValue, value: (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * (width - 1 - $0))) })
    }

    static func string(_ id: Id, _ text: String) throws(EncodingError) -> UDPOption {
        guard !text.utf16.contains(0) else {
            throw EncodingError("\(id) cannot hold a null character")
        }
        return UDPOption(id: id.rawValue, value: UTF16LE.encode(text, terminated: true))
    }
}
