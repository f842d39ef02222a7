import NIOCore
import WinteropWire

extension WDSC {
    /// A variable's value (2.2.1.3.2): one of the base types, or an array of one.
    public enum Value: Sendable, Hashable {
        case byte(UInt8)
        case ushort(UInt16)
        case ulong(UInt32)
        case ulong64(UInt64)
        /// WDSCPL_VAR_STRING: CHAR text; the NUL terminator is added on the wire.
        case string(String)
        /// WDSCPL_VAR_WSTRING: UTF-16LE text; the NUL terminator is added on the wire.
        case wstring(String)
        case blob([UInt8])
        /// A WDSCPL_VAR_ARRAY value: `count` elements of `elementLength` bytes (Value-Length), raw.
        case array(BaseType, elementLength: UInt32, count: UInt32, bytes: [UInt8])

        public var type: VariableType {
            switch self {
            case .byte: return VariableType(.byte)
            case .ushort: return VariableType(.ushort)
            case .ulong: return VariableType(.ulong)
            case .ulong64: return VariableType(.ulong64)
            case .string: return VariableType(.string)
            case .wstring: return VariableType(.wstring)
            case .blob: return VariableType(.blob)
            case .array(let base, _, _, _): return VariableType(base, isArray: true)
            }
        }
    }

    /// A Variable Description Block (2.2.1.3.1).
    public struct Variable: Sendable, Hashable {
        /// Variable-Name: at most 32 UTF-16 code units (66 bytes with the NUL), compared case-insensitively.
        public var name: String
        public var value: Value

        public init(_ name: String, _ value: Value) {
            self.name = name
            self.value = value
        }

        /// Variable-Name's size.
        public static let nameSize = 66
        /// Variable-Name, Padding1, Variable-Type, Value-Length and Array-Size.
        public static let headerSize = nameSize + 2 + 4 + 4 + 4
        /// Blocks are padded to this multiple (Padding_end).
        public static let alignment = 16

        static let reference = WDSC.reference("2.2.1.3.1")

        /// The name as compared (2.2.1.3.1: case-insensitive).
        public var key: String { name.lowercased() }

        // MARK: Decoding

        /// Reads one block, its Padding_end included (and the extra padding of ``skipExtraPadding``).
        init(decoding reader: inout WireReader) throws(WireError) {
            reader.reference = Self.reference
            let nameBytes = try reader.readBytes(Self.nameSize, field: "Variable-Name")
            name = try Self.decodeName(nameBytes, reader.reference)
            _ = try reader.readUInt16(.little, field: "Padding1")  // MUST be ignored
            let type = try VariableType(rawValue: try reader.readUInt32(.little, field: "Variable-Type"), reader.reference)
            let valueLength = try reader.readUInt32(.little, field: "Value-Length")
            let arraySize = try reader.readUInt32(.little, field: "Array-Size")
            let total: Int
            if type.isArray {
                guard arraySize != 0 else {
                    throw WDSC.reference("2.2.1.3.3.2").error("\(name): Array-Size of an array must not be zero")
                }
                let product = UInt64(valueLength) * UInt64(arraySize)
                guard product <= UInt64(reader.remaining) else {
                    throw WDSC.reference("2.2.1.3.3.2").error("\(name): Value-Length \(valueLength) × Array-Size \(arraySize) exceeds the \(reader.remaining) bytes left")
                }
                total = Int(product)
            } else {
                guard UInt64(valueLength) <= UInt64(reader.remaining) else {
                    throw WDSC.reference("2.2.1.3.3.1").error("\(name): Value-Length \(valueLength) exceeds the \(reader.remaining) bytes left")
                }
                total = Int(valueLength)
            }
            let valueBytes = try reader.readBytes(total, field: "Variable-Value of \(name)")
            value = try Self.decodeValue(type, valueLength: valueLength, arraySize: arraySize, valueBytes, name: name)
            let padding = Self.padding(forValueLength: total)
            try reader.skip(padding, field: "Padding_end of \(name)")
            if !type.isArray, [.string, .wstring, .blob].contains(type.base) {
                Self.skipExtraPadding(after: padding, &reader)
            }
        }

        /// DESIGN.md's padding quirk: one client (WDSEnum, impacket) adds 16 more bytes of
        /// padding after STRING, WSTRING and BLOB values when the normal padding is under 4.
        /// Accepted on input when those 16 bytes are all zero: a real block cannot start so,
        /// since its name's first code unit is not NUL.
        static func skipExtraPadding(after padding: Int, _ reader: inout WireReader) {
            guard padding < 4, reader.remaining >= alignment else { return }
            let next = reader.buffer.readableBytesView.prefix(alignment)
            if next.allSatisfy({ $0 == 0 }) {
                reader.buffer.moveReaderIndex(forwardBy: alignment)
            }
        }

        static func padding(forValueLength length: Int) -> Int {
            (alignment - (headerSize + length) % alignment) % alignment
        }

        static func decodeName(_ bytes: [UInt8], _ reference: SpecReference) throws(WireError) -> String {
            var end: Int?
            for i in stride(from: 0, to: bytes.count - 1, by: 2) where bytes[i] == 0 && bytes[i + 1] == 0 {
                end = i
                break
            }
            guard let end else {
                throw reference.error("Variable-Name must end with a null character within \(nameSize) bytes")
            }
            guard end > 0 else {
                throw reference.error("Variable-Name is empty")
            }
            return try UTF16LE.decode(bytes[0..<end], field: "Variable-Name", reference)
        }

        static func decodeValue(
            _ type: VariableType, valueLength: UInt32, arraySize: UInt32, _ bytes: [UInt8], name: String
        ) throws(WireError) -> Value {
            let reference = WDSC.reference(type.isArray ? "2.2.1.3.3.2" : "2.2.1.3.3.1")
            if type.isArray {
                if let size = type.base.fixedSize, valueLength != UInt32(size) {
                    throw reference.error("\(name): Value-Length of a \(type.base) array element must be \(size) but is \(valueLength)")
                }
                return .array(type.base, elementLength: valueLength, count: arraySize, bytes: bytes)
            }
            if let size = type.base.fixedSize, bytes.count != size {
                throw reference.error("\(name): a \(type.base) value is \(size) byte\(size == 1 ? "" : "s") but Value-Length is \(bytes.count)")
            }
            // Array-Size SHOULD be zero here: a SHOULD, so another value is ignored.
            let little = bytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            switch type.base {
            case .byte: return .byte(UInt8(truncatingIfNeeded: little))
            case .ushort: return .ushort(UInt16(truncatingIfNeeded: little))
            case .ulong: return .ulong(UInt32(truncatingIfNeeded: little))
            case .ulong64: return .ulong64(little)
            case .blob: return .blob(bytes)
            case .string:
                guard let nul = bytes.firstIndex(of: 0), nul == bytes.count - 1 else {
                    throw WDSC.reference("2.2.1.3.2.1").error("\(name): a WDSCPL_VAR_STRING must end with its only zero character")
                }
                guard let text = String(validating: bytes[..<nul], as: UTF8.self) else {
                    throw WDSC.reference("2.2.1.3.2.1").error("\(name): WDSCPL_VAR_STRING is not valid text")
                }
                return .string(text)
            case .wstring:
                guard bytes.count >= 2, bytes.count % 2 == 0, bytes[bytes.count - 2] == 0, bytes[bytes.count - 1] == 0 else {
                    throw WDSC.reference("2.2.1.3.2.1").error("\(name): a WDSCPL_VAR_WSTRING must be UTF-16LE ending with a null character")
                }
                let body = bytes.dropLast(2)
                if stride(from: body.startIndex, to: body.endIndex, by: 2).contains(where: { body[$0] == 0 && body[$0 + 1] == 0 }) {
                    throw WDSC.reference("2.2.1.3.2.1").error("\(name): WDSCPL_VAR_WSTRING has a null character before its end")
                }
                return .wstring(try UTF16LE.decode(body, field: name, reference))
            }
        }

        // MARK: Encoding

        func encode(into buffer: inout ByteBuffer) throws(EncodingError) {
            let nameUnits = UTF16LE.encode(name)
            guard !name.isEmpty, !name.utf16.contains(0), nameUnits.count + 2 <= Self.nameSize else {
                throw EncodingError("variable name \"\(name)\" must be 1 to 32 UTF-16 code units without NUL")
            }
            buffer.writeBytes(nameUnits)
            buffer.writeRepeatingByte(0, count: Self.nameSize - nameUnits.count)
            buffer.writeInteger(UInt16(0), endianness: .little)
            buffer.writeInteger(value.type.rawValue, endianness: .little)
            let valueBytes: [UInt8]
            var valueLength: UInt32
            var arraySize: UInt32 = 0
            switch value {
            case .byte(let v): valueBytes = [v]
            case .ushort(let v): valueBytes = littleEndian(v)
            case .ulong(let v): valueBytes = littleEndian(v)
            case .ulong64(let v): valueBytes = littleEndian(v)
            case .string(let text):
                guard !text.utf8.contains(0) else { throw EncodingError("\(name): a STRING cannot hold a zero character") }
                valueBytes = Array(text.utf8) + [0]
            case .wstring(let text):
                guard !text.utf16.contains(0) else { throw EncodingError("\(name): a WSTRING cannot hold a null character") }
                valueBytes = UTF16LE.encode(text, terminated: true)
            case .blob(let bytes): valueBytes = bytes
            case .array(let base, let elementLength, let count, let bytes):
                guard count > 0, UInt64(elementLength) * UInt64(count) == UInt64(bytes.count) else {
                    throw EncodingError("\(name): an array needs Array-Size > 0 and elementLength × count = \(bytes.count) bytes")
                }
                if let size = base.fixedSize, elementLength != UInt32(size) {
                    throw EncodingError("\(name): \(base) array elements are \(size) bytes")
                }
                valueBytes = bytes
                arraySize = count
            }
            if case .array(_, let elementLength, _, _) = value {
                valueLength = elementLength
            } else {
                guard let length = UInt32(exactly: valueBytes.count) else { throw EncodingError("\(name): value too long") }
                valueLength = length
            }
            buffer.writeInteger(valueLength, endianness: .little)
            buffer.writeInteger(arraySize, endianness: .little)
            buffer.writeBytes(valueBytes)
            buffer.writeRepeatingByte(0, count: Self.padding(forValueLength: valueBytes.count))
        }
    }
}

func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}
