import Foundation
import NIOCore
import SSTPCore
import WFDCore
import WinteropWire
import WinteropTransport
import WinteropFormat

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
        // MARK: Wi-Fi Display kinds
        DecodeKind(name: "rtsp", summary: "Wi-Fi Display RTSP messages (M1-M16) with their text/parameters bodies") { bytes, _ in
            try RTSPMessage.describe(bytes.readableBytesView)
        },

        // MARK: MS-GRVSSTP kinds
        DecodeKind(name: "sstp", summary: "MS-GRVSSTP command stream (SSTP 1.6 until a Connect/ConnectResponse pair negotiates)") { bytes, _ in
            try SSTPDecode.describe(bytes, version: .v1_6)
        },
        DecodeKind(name: "sstp-1.5", summary: "MS-GRVSSTP command stream parsed as SSTP 1.5 (FanoutOpen, SessionStatus)") { bytes, _ in
            try SSTPDecode.describe(bytes, version: .v1_5)
        },

        // MARK: MS-WDSMSI kinds
        .wdsUDP, .wdsc,
        // MARK: MS-TCC kinds
        .tccMessages,
        // MARK: MS-NFPS kinds
        .nfpsConnect, .nfpsShare, .nfpsReply,

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

/// The `sstp` kinds: every command of a stream, in order.
enum SSTPDecode {
    static func describe(_ bytes: ByteBuffer, version: SSTP.Version) throws(WireError) -> JSONValue {
        let commands = try SSTP.CommandStream.decodeAll(bytes, version: version)
        return .object([("commands", .array(commands.map(\.json)))])
    }
}
