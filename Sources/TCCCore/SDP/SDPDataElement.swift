import NIOCore
import WinteropWire

/// A Bluetooth SDP data element ([BT-SDP] 3): the values of service records and of SDP
/// PDUs. Only the types a tethering record and its search need are modelled; others
/// decode as ``other`` so a peer's record can still be walked.
public indirect enum SDPDataElement: Sendable, Hashable {
    case uint8(UInt8)
    case uint16(UInt16)
    case uint32(UInt32)
    case uuid16(UInt16)
    case uuid128([UInt8])
    case text(String)
    case sequence([SDPDataElement])
    /// Any other type (nil, signed integers, booleans, URLs, alternatives, wider sizes): its
    /// type descriptor and raw value bytes.
    case other(type: UInt8, bytes: [UInt8])

    static let reference = SpecReference("BT-SDP", "3")

    /// The element's bytes: the header (5-bit type, 3-bit size index) and the value.
    public func write(into buffer: inout ByteBuffer) throws(EncodingError) {
        switch self {
        case .uint8(let v): buffer.writeInteger(UInt8(0x08)); buffer.writeInteger(v)
        case .uint16(let v): buffer.writeInteger(UInt8(0x09)); buffer.writeInteger(v, endianness: .big)
        case .uint32(let v): buffer.writeInteger(UInt8(0x0A)); buffer.writeInteger(v, endianness: .big)
        case .uuid16(let v): buffer.writeInteger(UInt8(0x19)); buffer.writeInteger(v, endianness: .big)
        case .uuid128(let bytes):
            guard bytes.count == 16 else { throw EncodingError("a 128-bit UUID is 16 bytes, not \(bytes.count)") }
            buffer.writeInteger(UInt8(0x1C))
            buffer.writeBytes(bytes)
        case .text(let text):
            try Self.writeVariable(type: 4, Array(text.utf8), into: &buffer)
        case .sequence(let elements):
            var body = ByteBuffer()
            for element in elements { try element.write(into: &body) }
            try Self.writeVariable(type: 6, Array(body.readableBytesView), into: &buffer)
        case .other(let type, let bytes):
            try Self.writeVariable(type: type, bytes, into: &buffer)
        }
    }

    /// A variable-length element with an 8- or 16-bit length (size index 5 or 6).
    static func writeVariable(type: UInt8, _ bytes: [UInt8], into buffer: inout ByteBuffer) throws(EncodingError) {
        if bytes.count <= Int(UInt8.max) {
            buffer.writeInteger(type << 3 | 5)
            buffer.writeInteger(UInt8(bytes.count))
        } else if bytes.count <= Int(UInt16.max) {
            buffer.writeInteger(type << 3 | 6)
            buffer.writeInteger(UInt16(bytes.count), endianness: .big)
        } else {
            throw EncodingError("an SDP data element of \(bytes.count) bytes is too large")
        }
        buffer.writeBytes(bytes)
    }

    public func encoded() throws(EncodingError) -> [UInt8] {
        var buffer = ByteBuffer()
        try write(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// Reads one element. `depth` bounds nesting so a hostile record cannot recurse without end.
    public static func read(_ reader: inout WireReader, depth: Int = 0) throws(WireError) -> SDPDataElement {
        guard depth < 16 else { throw reference.error("data elements nested more than 16 deep") }
        let header = try reader.readUInt8(field: "data element header")
        let type = header >> 3
        let sizeIndex = header & 0x07
        let length: Int
        switch sizeIndex {
        case 0: length = type == 0 ? 0 : 1
        case 1: length = 2
        case 2: length = 4
        case 3: length = 8
        case 4: length = 16
        case 5: length = Int(try reader.readUInt8(field: "data element length"))
        case 6: length = Int(try reader.readUInt16(.big, field: "data element length"))
        default: length = Int(try reader.readUInt32(.big, field: "data element length"))
        }
        var value = WireReader(try reader.readSlice(length, field: "data element value"), reference)
        switch (type, length) {
        case (1, 1): return .uint8(try value.readUInt8(field: "uint8"))
        case (1, 2): return .uint16(try value.readUInt16(.big, field: "uint16"))
        case (1, 4): return .uint32(try value.readUInt32(.big, field: "uint32"))
        case (3, 2): return .uuid16(try value.readUInt16(.big, field: "UUID16"))
        case (3, 16): return .uuid128(try value.readBytes(16, field: "UUID128"))
        case (4, _):
            guard let text = String(validating: value.readRest().readableBytesView, as: UTF8.self) else {
                throw reference.error("text element is not UTF-8")
            }
            return .text(text)
        case (6, _):
            var elements: [SDPDataElement] = []
            while !value.isAtEnd { elements.append(try read(&value, depth: depth + 1)) }
            return .sequence(elements)
        default:
            return .other(type: type, bytes: Array(value.readRest().readableBytesView))
        }
    }

    /// Exactly one element spanning `bytes`.
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> SDPDataElement {
        var reader = WireReader(bytes: bytes, reference)
        let element = try read(&reader)
        try reader.expectEnd("the data element")
        return element
    }

    /// The elements of a sequence, or nil.
    public var elements: [SDPDataElement]? {
        if case .sequence(let elements) = self { return elements }
        return nil
    }
}
