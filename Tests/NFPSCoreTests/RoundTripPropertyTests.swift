import NFPSCore
import NIOCore
import PropertyBased
import Testing
import WinteropWire

/// decode ∘ encode is the identity on generated headers, and decrypt ∘ encrypt on
/// generated packages fed in generated chunk sizes.
@Suite struct RoundTripPropertyTests {
    @Test func socketConnectHeaders() async {
        await propertyCheck(input: Gen.uint64(), Gen.int(in: 0...8), Gen.bool, Gen.uint16(), Gen.uint8()) { id, type, abort, r1, r2 in
            let header = SocketConnectHeader(
                sessionID: id, connectionType: ConnectionType(rawValue: UInt8(type)) ?? .global,
                abort: abort, reserved1: r1, reserved2: r2
            )
            #expect(header.bytes.count == 12)
            #expect((try? SocketConnectHeader.decode(bytes: header.bytes)) == header)
        }
    }

    @Test func shareAndReplyHeaders() async {
        await propertyCheck(input: Gen.uint64(), Gen<UInt16>.value(in: 10...600), Gen<UInt16>.value(in: 2...600)) { estimate, shareSize, replySize in
            let share = ShareHeader(totalContentSizeEstimate: estimate, headerSize: shareSize)
            #expect(share.bytes.count == Int(shareSize))
            #expect((try? ShareHeader.decode(bytes: share.bytes)) == share)
            let reply = ReplyHeader(headerSize: replySize)
            #expect((try? ReplyHeader.decode(bytes: reply.bytes)) == reply)
        }
    }

    @Test func packagesThroughTheStream() async {
        await propertyCheck(
            input: Gen.uint8().array(of: 0...700), Gen.int(in: 1...97), Gen.int(in: 1...83), Gen.uint8().array(of: 1...40)
        ) { package, sendChunk, receiveChunk, secret in
            do {
                let key = ShareCipher.symmetricKey(sharedSecretKey: secret)
                let iv = ShareCipher.randomIV()
                var encryptor = try SharePackageEncryptor(key: key, iv: iv)
                var wire = ByteBuffer()
                for start in stride(from: 0, to: package.count, by: sendChunk) {
                    try encryptor.encrypt(ByteBuffer(bytes: package[start..<min(start + sendChunk, package.count)]), into: &wire)
                }
                try encryptor.finish(into: &wire)
                #expect(wire.readableBytes == package.count / 16 * 16 + 48)
                var decryptor = try SharePackageDecryptor(key: key, iv: iv)
                var out = ByteBuffer()
                while let piece = wire.readSlice(length: min(receiveChunk, wire.readableBytes)), piece.readableBytes > 0 {
                    try decryptor.decrypt(piece, into: &out)
                }
                try decryptor.finish(into: &out)
                #expect(Array(out.readableBytesView) == package)
                #expect(decryptor.packageBytes == UInt64(package.count))
            } catch {
                Issue.record("stream round trip failed: \(error)")
            }
        }
    }

    /// In place (the sender's path) and into a separate buffer give the same stream,
    /// whatever the chunks, including ones that leave a partial block held.
    @Test func inPlaceEncryptionMatches() async {
        await propertyCheck(
            input: Gen.uint8().array(of: 0...700), Gen.int(in: 1...97)
        ) { package, chunk in
            do {
                let key = ShareCipher.symmetricKey(sharedSecretKey: [7, 7, 7])
                let iv = ShareCipher.randomIV()
                var separate = try SharePackageEncryptor(key: key, iv: iv)
                var inPlace = try SharePackageEncryptor(key: key, iv: iv)
                var expected = ByteBuffer(), actual = ByteBuffer()
                for start in stride(from: 0, to: package.count, by: chunk) {
                    let bytes = package[start..<min(start + chunk, package.count)]
                    try separate.encrypt(ByteBuffer(bytes: bytes), into: &expected)
                    var buffer = ByteBuffer(bytes: bytes)
                    try inPlace.encrypt(inPlace: &buffer)
                    actual.writeBuffer(&buffer)
                }
                try separate.finish(into: &expected)
                try inPlace.finish(into: &actual)
                #expect(actual == expected)
                #expect(inPlace.packageBytes == UInt64(package.count))
            } catch {
                Issue.record("in-place encryption failed: \(error)")
            }
        }
    }
}
