import NIOCore
import WinteropWire
import WinteropFormat

/// Multicast Session Initiation Request Packet (2.2.2.1): the client asks the server to
/// set up a namespace's content for delivery by a multicast session.
public struct MulticastSessionInitiationRequest: Sendable, Hashable {
    /// WDSMCSE_OPT_NAMESPACE: the multicast namespace's name.
    public var namespace: String
    /// WDSMCSE_OPT_CONTENT: the content's name under that namespace.
    public var content: String
    /// WDSMCSE_OPT_MAC_ADDRESS: the client's network interface (6 bytes, EUI-48).
    public var macAddress: [UInt8]
    /// WDSMCSE_OPT_IPV6_CAPABLE, when sent; absent means "not capable" (2.2.2.1).
    public var ipv6Capable: Bool?

    /// The length of a MAC address: an Ethernet (EUI-48) address.
    public static let macAddressLength = 6

    public init(namespace: String, content: String, macAddress: [UInt8], ipv6Capable: Bool? = nil) {
        self.namespace = namespace
        self.content = content
        self.macAddress = macAddress
        self.ipv6Capable = ipv6Capable
    }

    static let reference = WDSMSI.reference("2.2.2.1")

    /// Reads the request from a decoded packet; 3.1.5.3's "MUST specify" options are checked here.
    public init(_ packet: UDPPacket) throws(WireError) {
        let reference = Self.reference
        guard packet.opCode == .request else {
            throw reference.error("OpCode is \(packet.opCode), not WDSMCSE_OP_REQUEST")
        }
        let options = try packet.knownOptions(reference)
        func required(_ id: UDPOption.Id) throws(WireError) -> UDPOption {
            guard let option = options[id] else {
                throw WDSMSI.reference("3.1.5.3").error("the request must specify \(id)")
            }
            return option
        }
        namespace = try required(.namespace).nulTerminatedUTF16LE(reference)
        content = try required(.content).nulTerminatedUTF16LE(reference)
        let mac = try required(.macAddress)
        guard mac.value.count == Self.macAddressLength else {
            throw reference.error("WDSMCSE_OPT_MAC_ADDRESS must be \(Self.macAddressLength) bytes but is \(mac.value.count)")
        }
        macAddress = mac.value
        if let option = options[.ipv6Capable] {
            switch try option.number(UInt8.self, reference) {
            case 0: ipv6Capable = false
            case 1: ipv6Capable = true
            case let other: throw reference.error("WDSMCSE_OPT_IPV6_CAPABLE must be 0 or 1 but is \(other)")
            }
        } else {
            ipv6Capable = nil
        }
    }

    /// The packet, options in the order of 2.2.2.1's tables.
    public func packet() throws(EncodingError) -> UDPPacket {
        guard macAddress.count == Self.macAddressLength else {
            throw EncodingError("a MAC address is \(Self.macAddressLength) bytes, not \(macAddress.count)")
        }
        var options = [
            try UDPOption.string(.namespace, namespace),
            try UDPOption.string(.content, content),
            UDPOption(id: UDPOption.Id.macAddress.rawValue, value: macAddress),
        ]
        if let ipv6Capable {
            options.append(.number(.ipv6Capable, UInt8(ipv6Capable ? 1 : 0)))
        }
        return UDPPacket(opCode: .request, options: options)
    }

    public func encoded() throws(EncodingError) -> ByteBuffer {
        try packet().encoded()
    }

    /// `00:11:22:33:44:55` for `macAddress`.
    public var macAddressText: String { MACAddress.text(macAddress) }

    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("packet", .string("request")),
            ("namespace", .string(namespace)),
            ("content", .string(content)),
            ("macAddress", .string(macAddressText)),
        ]
        if let ipv6Capable { fields.append(("ipv6Capable", .bool(ipv6Capable))) }
        return .object(fields)
    }
}

/// MAC address text: six hex pairs separated by colons or dashes.
public enum MACAddress {
    public static func text(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 0x10 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }

    /// Parses `00:11:22:33:44:55` or `00-11-22-33-44-55`; nil otherwise.
    public static func parse(_ text: String) -> [UInt8]? {
        let parts = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == ":" || $0 == "-" })
        guard parts.count == 6 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard part.count == 2, let byte = UInt8(part, radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
