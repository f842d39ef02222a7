import NFPSCore
import NIOCore
import NIOEmbedded
import Testing
@testable import NFPSRoles

/// The framing decoders on an EmbeddedChannel, fed one byte at a time and all at once.
@Suite struct FrameDecoderTests {
    static let connect = SocketConnectHeader(sessionID: 0x0102_0304_0506_0708, connectionType: .global)

    @Test func receiverFramesEchoShareHeaderIVAndCiphertext() throws {
        let share = ShareHeader(totalContentSizeEstimate: 500, headerSize: 12)
        let iv = [UInt8](repeating: 0xAB, count: 16)
        let body = [UInt8](repeating: 0x11, count: 100)
        let wire = Self.connect.bytes + share.bytes + iv + body
        for split in [1, 7, wire.count] {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(ReceiverFrameDecoder()))
            var start = 0
            while start < wire.count {
                try channel.writeInbound(ByteBuffer(bytes: wire[start..<min(start + split, wire.count)]))
                start += split
            }
            var ciphertext: [UInt8] = []
            var order: [String] = []
            while let message = try channel.readInbound(as: ReceiverInbound.self) {
                switch message {
                case .socketConnectHeader(let header): #expect(header == Self.connect); order.append("connect")
                case .shareHeader(let header): #expect(header == share); order.append("share")
                case .iv(let bytes): #expect(bytes == iv); order.append("iv")
                case .ciphertext(let piece): ciphertext += piece.readableBytesView
                }
            }
            #expect(order == ["connect", "share", "iv"])
            #expect(ciphertext == body)
            _ = try channel.finish()
        }
    }

    /// A close in the middle of a header is malformed (3.3.7.4), not a graceful end.
    @Test func receiverRejectsATruncatedHeaderAtEOF() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(ReceiverFrameDecoder()))
        try channel.writeInbound(ByteBuffer(bytes: Self.connect.bytes + [0x0A, 0x00, 0x01]))
        _ = try channel.readInbound(as: ReceiverInbound.self)
        #expect(throws: (any Error).self) { _ = try channel.finish() }
    }

    @Test func senderFramesConnectThenReplyAndNothingElse() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(SenderFrameDecoder()))
        for byte in Self.connect.bytes + [0x04, 0x00, 0xEE, 0xFF] {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
        }
        guard case .socketConnectHeader(let header)? = try channel.readInbound(as: SenderInbound.self) else {
            Issue.record("no Socket Connect header"); return
        }
        #expect(header == Self.connect)
        guard case .replyHeader(let reply)? = try channel.readInbound(as: SenderInbound.self) else {
            Issue.record("no Reply header"); return
        }
        #expect(reply.headerSize == 4)
        #expect(throws: (any Error).self) { try channel.writeInbound(ByteBuffer(bytes: [0x00])) }
    }

    /// Part names that would leave the output directory refuse the package.
    @Test(arguments: ["../evil", "/etc/passwd", "a/../../b", "a\\b", "%2e%2e/x", ""])
    func escapingPartNames(name: String) {
        #expect(throws: (any Error).self) { try OPCPackage.safeRelativePath(forZipItemName: name) }
    }

    @Test func partNamesRoundTrip() throws {
        for name in ["photo.jpg", "notes with spaces.txt", "ünï€ode.bin", "[x].dat"] {
            #expect(try OPCPackage.safeRelativePath(forZipItemName: OPCPackage.zipItemName(forFileName: name)) == name)
        }
        #expect(try OPCPackage.safeRelativePath(forZipItemName: "dir/inner.txt") == "dir/inner.txt")
    }
}
