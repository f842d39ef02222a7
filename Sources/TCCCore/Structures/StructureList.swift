import NIOCore
import WinteropWire

/// The structures of one message's payload (2.2.3), checked against its rules:
/// structures in increasing TypeId order, no TypeId twice, and every structure this
/// message does not define — a TypeId of a later revision, or one of another message —
/// ignored ("implementations … MUST ignore all message structures that are not specified").
public struct StructureList: Sendable {
    /// The structures the message defines, indexed by TypeId; each value is the bytes after its header.
    private var values: [ByteBuffer?] = Array(repeating: nil, count: TypeId.allCases.count + 1)
    /// TypeIds present but not defined for this message, in order: skipped.
    public private(set) var ignored: [UInt8] = []
    let reference: SpecReference

    /// Splits `payload` into structures. `allowed` are the structures of the message
    /// whose section is `section`.
    public init(_ payload: ByteBuffer, allowed: Set<TypeId>, section: String) throws(WireError) {
        reference = TCC.section(section)
        var iterator = TLVIterator(payload, format: TCC.structureFormat, reference: TCC.section("2.2.3"))
        var previous: UInt32?
        while let item = try iterator.next() {
            if let previous {
                guard item.type != previous else {
                    throw TCC.section("2.2.3").error("structure \(Self.name(item.type)) appears twice; a message MUST NOT repeat a TypeId")
                }
                guard item.type > previous else {
                    throw TCC.section("2.2.3").error("structure \(Self.name(item.type)) follows \(Self.name(previous)); structures MUST be in increasing TypeId order")
                }
            }
            previous = item.type
            if let id = TypeId(rawValue: UInt8(truncatingIfNeeded: item.type)), allowed.contains(id) {
                values[Int(id.rawValue)] = item.value
            } else {
                ignored.append(UInt8(truncatingIfNeeded: item.type))
            }
        }
    }

    static func name(_ type: UInt32) -> String {
        TypeId(rawValue: UInt8(truncatingIfNeeded: type)).map { "\($0.name) (\(type))" } ?? "TypeId \(type)"
    }

    /// A structure the message MUST contain (2.2.3: "all defined fields unless … optional").
    public func required(_ id: TypeId) throws(WireError) -> ByteBuffer {
        guard let value = values[Int(id.rawValue)] else {
            throw reference.error("the \(id.name) structure (\(id.rawValue)) is missing")
        }
        return value
    }

    public func optional(_ id: TypeId) -> ByteBuffer? {
        values[Int(id.rawValue)]
    }
}

extension ByteBuffer {
    /// Writes one structure: its CommonHeader and value (2.2.2.2).
    public mutating func writeStructure(_ id: TypeId, _ value: some Collection<UInt8>) throws(EncodingError) {
        guard value.count <= TCC.maximumLength else {
            throw EncodingError("the \(id.name) structure of \(value.count) bytes does not fit the 16-bit Length field")
        }
        try writeTLV(type: UInt32(id.rawValue), value: value, format: TCC.structureFormat)
    }
}

/// Checks of a structure's value against its section.
enum StructureValue {
    /// A value of exactly `count` bytes.
    static func fixed(_ value: ByteBuffer, _ id: TypeId, count: Int) throws(WireError) -> [UInt8] {
        guard value.readableBytes == count else {
            throw TCC.section(id.section).error("\(id.name) Length must be \(count) but is \(value.readableBytes)")
        }
        return Array(value.readableBytesView)
    }

    /// UTF-8 text (2.2: "All strings are in Unicode UTF-8 format").
    static func text(_ value: ByteBuffer, _ id: TypeId) throws(WireError) -> String {
        guard let text = String(validating: value.readableBytesView, as: UTF8.self) else {
            throw TCC.section(id.section).error("\(id.name) is not valid UTF-8")
        }
        return text
    }
}
