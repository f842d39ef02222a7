import NIOCore
import WinteropWire
import WinteropFormat

extension WDSC {
    /// A request or reply packet (2.2.1): Endpoint Header, Operation Header, Variables Section.
    public struct Packet: Sendable, Hashable {
        public var endpointGUID: GUID
        public var packetType: UInt8
        /// The request's OpCode, or the reply's error code (2.2.1.2).
        public var opCodeOrErrorCode: UInt32
        public var variables: [Variable]

        public init(endpointGUID: GUID, packetType: PacketType, opCodeOrErrorCode: UInt32, variables: [Variable]) {
            self.endpointGUID = endpointGUID
            self.packetType = packetType.rawValue
            self.opCodeOrErrorCode = opCodeOrErrorCode
            self.variables = variables
        }

        /// The bytes of both headers.
        public static let headersSize = EndpointHeader.size + OperationHeader.size

        /// Decodes a whole packet. Both Packet-Size fields must match the bytes given, the
        /// Variable-Count must match the blocks, and names must be unique (case-insensitive).
        public init(decoding buffer: ByteBuffer) throws(WireError) {
            var reader = WireReader(buffer, EndpointHeader.reference)
            let total = reader.remaining
            let endpoint = try EndpointHeader(decoding: &reader)
            guard Int(endpoint.packetSize) == total else {
                throw EndpointHeader.reference.error("Packet-Size is \(endpoint.packetSize) but the packet has \(total) bytes")
            }
            let operation = try OperationHeader(decoding: &reader)
            guard Int(operation.packetSize) == total - EndpointHeader.size else {
                throw OperationHeader.reference.error("Packet-Size is \(operation.packetSize) but the Operation Header and Variables Section have \(total - EndpointHeader.size) bytes")
            }
            let count = Int(operation.variableCount)
            guard count <= reader.remaining / Variable.headerSize else {
                throw WDSC.reference("2.2.1.3").error("Variable-Count \(count) cannot fit in the \(reader.remaining) bytes left")
            }
            var variables: [Variable] = []
            variables.reserveCapacity(count)
            var seen = Set<String>()
            for _ in 0..<count {
                let variable = try Variable(decoding: &reader)
                guard seen.insert(variable.key).inserted else {
                    throw Variable.reference.error("variable \(variable.name) appears twice (duplicate names are not allowed)")
                }
                variables.append(variable)
            }
            reader.reference = WDSC.reference("2.2.1.3")
            try reader.expectEnd("the \(count) variable\(count == 1 ? "" : "s") Variable-Count declares")
            endpointGUID = endpoint.endpointGUID
            packetType = operation.packetType
            opCodeOrErrorCode = operation.opCodeOrErrorCode
            self.variables = variables
        }

        public init(decoding bytes: some Sequence<UInt8>) throws(WireError) {
            try self.init(decoding: ByteBuffer(bytes: bytes))
        }

        public func encoded() throws(EncodingError) -> ByteBuffer {
            var keys = Set<String>()
            for variable in variables where !keys.insert(variable.key).inserted {
                throw EncodingError("variable \(variable.name) given twice")
            }
            var section = ByteBuffer()
            for variable in variables {
                try variable.encode(into: &section)
            }
            guard let variableCount = UInt32(exactly: variables.count),
                  let operationSize = UInt32(exactly: OperationHeader.size + section.readableBytes),
                  let packetSize = UInt32(exactly: Self.headersSize + section.readableBytes)
            else { throw EncodingError("packet too large") }
            var buffer = ByteBuffer()
            buffer.reserveCapacity(Int(packetSize))
            EndpointHeader(packetSize: packetSize, endpointGUID: endpointGUID).encode(into: &buffer)
            OperationHeader(
                packetSize: operationSize, packetType: packetType,
                opCodeOrErrorCode: opCodeOrErrorCode, variableCount: variableCount
            ).encode(into: &buffer)
            buffer.writeBuffer(&section)
            return buffer
        }

        /// The variable called `name`, compared case-insensitively (2.2.1.3.1).
        public func variable(_ name: String) -> Value? {
            let key = name.lowercased()
            return variables.first(where: { $0.key == key })?.value
        }

        public var json: JSONValue {
            .object([
                ("endpointGUID", .string(endpointGUID.description)),
                ("packetType", .integer(packetType)),
                ("opCodeOrErrorCode", .integer(opCodeOrErrorCode)),
                ("variables", .array(variables.map { variable in
                    .object([("name", .string(variable.name)), ("type", .string(variable.value.type.description)), ("value", variable.value.json)])
                })),
            ])
        }
    }
}

extension WDSC.Value {
    public var json: JSONValue {
        switch self {
        case .byte(let v): return .integer(v)
        case .ushort(let v): return .integer(v)
        case .ulong(let v): return .integer(v)
        case .ulong64(let v): return .integer(v)
        case .string(let s), .wstring(let s): return .string(s)
        case .blob(let b): return .hex(b)
        case .array(_, let elementLength, let count, let bytes):
            return .object([("elementLength", .integer(elementLength)), ("count", .integer(count)), ("bytes", .hex(bytes))])
        }
    }
}
