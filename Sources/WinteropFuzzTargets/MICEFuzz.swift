import MICECore
import NIOCore
import WinteropWire

/// Fuzz entry points for MS-MICE: every accepted input re-encodes to bytes that
/// decode to the same value.
enum MICEFuzz {
    @Sendable static func message(_ bytes: [UInt8]) {
        var buffer = ByteBuffer(bytes: bytes)
        while let frame = try? MICEFrame.read(from: &buffer) {
            guard let message = try? MICEMessage.decode(frame) else { continue }
            guard let again = try? message.encoded() else {
                preconditionFailure("an accepted MS-MICE message did not re-encode")
            }
            precondition((try? MICEMessage.decode(bytes: again)) == message, "MS-MICE message round trip changed it")
            _ = message.json.jsonText
        }
    }

    @Sendable static func vendorExtension(_ bytes: [UInt8]) {
        guard let attribute = try? VendorExtensionAttribute.decode(bytes) else { return }
        guard let again = try? attribute.encoded() else {
            preconditionFailure("an accepted vendor extension attribute did not re-encode")
        }
        precondition((try? VendorExtensionAttribute.decode(again)) == attribute, "vendor extension round trip changed it")
        _ = attribute.json.jsonText
    }
}
