import NIOCore
import TCCCore
import WinteropWire
import WinteropFormat

extension DecodeKind {
    /// `winterop decode tcc`: one or more MS-TCC messages in a row, as they travel on the channel.
    static let tccMessages = DecodeKind(name: "tcc", summary: "MS-TCC messages on the tethering channel (CommonHeader and structures, 2.2)") { bytes, _ in
        try TCCDecode.describe(bytes)
    }
}

enum TCCDecode {
    /// Every message of a byte stream, in order; an unrecognized MessageId is shown, not refused.
    static func describe(_ bytes: ByteBuffer) throws(WireError) -> JSONValue {
        var buffer = bytes
        var messages: [JSONValue] = []
        while buffer.readableBytes > 0 {
            guard let frame = TCCFrame.read(from: &buffer) else {
                let header = CommonHeader.peek(buffer)
                throw TCC.section("2.2.2.2").error(header.map { "truncated: Length is \($0.length) but \(buffer.readableBytes - TCC.headerSize) bytes follow" }
                    ?? "truncated: \(buffer.readableBytes) bytes left, a CommonHeader needs 3")
            }
            guard let id = frame.messageId else {
                messages.append(.object([
                    ("message", .string("unrecognized")), ("messageId", .integer(frame.id)),
                    ("payload", .hex(frame.payload.readableBytesView)),
                ]))
                continue
            }
            messages.append(try TCCMessage.decode(id, payload: frame.payload).json)
        }
        return messages.count == 1 ? messages[0] : .object([("messages", .array(messages))])
    }
}
