import NIOCore
import WinteropWire

/// A TLV a receiver skipped: a type this version does not know, or a known type the
/// message does not define. A later Windows may add TLVs, so they are reported, not refused.
public struct MICEIgnoredTLV: Sendable, Hashable {
    public enum Reason: String, Sendable, Hashable {
        case unknownType = "unknown_type"
        case notDefinedForMessage = "not_defined_for_message"
    }

    public var type: UInt8
    public var length: Int
    public var reason: Reason

    public init(type: UInt8, length: Int, reason: Reason) {
        self.type = type
        self.length = length
        self.reason = reason
    }
}

/// The TLVArray of one message (2.2, 2.2.7), checked as a whole: at least one TLV,
/// every Length at least 1 and inside the message (malformed framing is refused), and
/// none of the message's TLVs twice. Unknown TLV types and TLVs the message does not
/// define are skipped and listed in ``ignored``.
public struct MICETLVArray: Sendable {
    /// The TLV layout of 2.2.7: 1-byte Type, 2-byte big-endian Length of at least 1.
    public static let format = TLVFormat(typeWidth: .one, lengthWidth: .two, endianness: .big, minimumLength: 1)

    private var values: [MICETLVType: ByteBuffer]
    private let message: MICEMessageType
    /// The TLVs skipped, in order.
    public private(set) var ignored: [MICEIgnoredTLV]

    /// Parses `bytes` as the TLVArray of `message`, allowing only `allowed` TLV types.
    public init(_ bytes: ByteBuffer, message: MICEMessageType, allowed: Set<MICETLVType>) throws(WireError) {
        let reference = MICE.section(message.section)
        guard bytes.readableBytes > 0 else {
            throw reference.error("\(message) has an empty TLVArray; it holds one or more TLVs")
        }
        var iterator = TLVIterator(bytes, format: Self.format, reference: MICE.section("2.2.7"))
        var values: [MICETLVType: ByteBuffer] = [:]
        var ignored: [MICEIgnoredTLV] = []
        while let item = try iterator.next() {
            let raw = UInt8(truncatingIfNeeded: item.type)
            guard let type = MICETLVType(rawValue: raw) else {
                ignored.append(MICEIgnoredTLV(type: raw, length: item.value.readableBytes, reason: .unknownType))
                continue
            }
            guard allowed.contains(type) else {
                ignored.append(MICEIgnoredTLV(type: raw, length: item.value.readableBytes, reason: .notDefinedForMessage))
                continue
            }
            guard values[type] == nil else {
                throw reference.error("\(type) TLV appears twice in \(message)")
            }
            values[type] = item.value
        }
        self.values = values
        self.message = message
        self.ignored = ignored
    }

    /// The value of `type`, or nil when absent.
    public func optional(_ type: MICETLVType) -> ByteBuffer? { values[type] }

    /// The value of `type`; throws when the message lacks it.
    public func required(_ type: MICETLVType) throws(WireError) -> ByteBuffer {
        guard let value = values[type] else {
            throw MICE.section(message.section).error("\(message) lacks the \(type) TLV (\(type.section))")
        }
        return value
    }

    /// A reader over a TLV's value, labelled with the TLV's section.
    public static func reader(_ value: ByteBuffer, _ type: MICETLVType) -> WireReader {
        WireReader(value, MICE.section(type.section))
    }
}

extension ByteBuffer {
    /// Writes one Miracast TLV (2.2.7); throws when the value is empty or too long.
    public mutating func writeMICETLV(_ type: MICETLVType, _ value: some Collection<UInt8>) throws(EncodingError) {
        guard !value.isEmpty else {
            throw EncodingError("\(type) TLV needs at least one byte of value (2.2.7)")
        }
        try writeTLV(type: UInt32(type.rawValue), value: value, format: MICETLVArray.format)
    }
}
