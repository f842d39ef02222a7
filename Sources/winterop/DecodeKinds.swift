import Foundation
import NIOCore
import WinteropWire

extension DecodeKind {
    /// Every kind `winterop decode` knows; each protocol adds its own in its region.
    static let all: [DecodeKind] = [
        DecodeKind(name: "tlv", summary: "generic type-length-value items (--tlv-format TYPEWIDTH,LENGTHWIDTH,be|le)") { bytes, options in
            try GenericTLV.describe(bytes, format: try GenericTLV.format(options.tlvFormat))
        },
        // MARK: mDNS kinds
        .dnsMessage,
        // MARK: MS-MICE kinds
        .miceMessage, .miceVendorExtension,

        // MARK: MS-GRVSSTP kinds

        // MARK: other protocols' kinds
    ]
}

/// The `tlv` kind: any TLV layout, for poking at bytes before a protocol decoder exists.
enum GenericTLV {
    static func format(_ text: String) throws -> TLVFormat {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 3,
              let t = Int(parts[0]).flatMap(IntegerWidth.init(rawValue:)),
              let l = Int(parts[1]).flatMap(IntegerWidth.init(rawValue:)),
              parts[2] == "be" || parts[2] == "le"
        else {
            throw RoleFailure.usage("--tlv-format must be TYPEWIDTH,LENGTHWIDTH,be|le with widths 1, 2 or 4, e.g. 1,2,be")
        }
        return TLVFormat(typeWidth: t, lengthWidth: l, endianness: parts[2] == "be" ? .big : .little)
    }

    static func describe(_ bytes: ByteBuffer, format: TLVFormat) throws(WireError) -> JSONValue {
        var iterator = TLVIterator(bytes, format: format, reference: SpecReference("generic", "TLV"))
        var items: [JSONValue] = []
        while let item = try iterator.next() {
            items.append(.object([
                ("type", .integer(item.type)),
                ("length", .integer(item.value.readableBytes)),
                ("value", .hex(item.value.readableBytesView)),
            ]))
        }
        return .object([("items", .array(items))])
    }
}
