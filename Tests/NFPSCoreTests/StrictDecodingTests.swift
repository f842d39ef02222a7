import NFPSCore
import NIOCore
import Testing
import WinteropWire

/// Malformed input is a WireError naming the section; later versions' sizes are accepted.
@Suite struct StrictDecodingTests {
    @Test func socketConnectRejectsUnknownTypeAndWrongLength() {
        #expect(throws: WireError.self) { try SocketConnectHeader.decode(bytes: [0, 0, 0, 0, 0, 0, 0, 1, 9, 0, 0, 0]) }
        #expect(throws: WireError.self) { try SocketConnectHeader.decode(bytes: [0, 0, 0, 0, 0, 0, 0, 1, 5, 0, 0]) }
        #expect(throws: WireError.self) { try SocketConnectHeader.decode(bytes: [0, 0, 0, 0, 0, 0, 0, 1, 5, 0, 0, 0, 0]) }
    }

    /// Reserved1 and Reserved2 "MUST be ignored when received": decoded, kept for the echo.
    @Test func socketConnectKeepsReservedBits() throws {
        let header = try SocketConnectHeader.decode(bytes: [0, 0, 0, 0, 0, 0, 0, 1, 5, 0xAB, 0xCD, 0x81])
        #expect(header.abort && header.reserved1 == 0xABCD && header.reserved2 == 1)
        #expect(header.bytes == [0, 0, 0, 0, 0, 0, 0, 1, 5, 0xAB, 0xCD, 0x81])
    }

    /// 2.2.2: "MUST accept any value greater than or equal to 10 and ignore fields that are not defined".
    @Test func shareHeaderFromAFutureSender() throws {
        let wire: [UInt8] = [0x0C, 0x00, 0xF4, 0x01, 0, 0, 0, 0, 0, 0, 0xEE, 0xFF]
        let header = try ShareHeader.decode(bytes: wire)
        #expect(header.headerSize == 12 && header.totalContentSizeEstimate == 500)
        var partial = ByteBuffer(bytes: wire.prefix(11))
        #expect(try ShareHeader.decode(from: &partial) == nil)
        #expect(partial.readableBytes == 11)
        #expect(throws: WireError.self) { try ShareHeader.decode(bytes: [0x09, 0x00, 0, 0, 0, 0, 0, 0, 0]) }
        #expect(throws: WireError.self) { try ShareHeader.decode(bytes: [0x0A, 0x00, 0, 0]) }
    }

    /// 2.2.3: "MUST accept any value greater than or equal to 2".
    @Test func replyHeaderSizes() throws {
        #expect(try ReplyHeader.decode(bytes: [0x05, 0x00, 1, 2, 3]).headerSize == 5)
        #expect(throws: WireError.self) { try ReplyHeader.decode(bytes: [0x01, 0x00]) }
        #expect(throws: WireError.self) { try ReplyHeader.decode(bytes: [0x00, 0x00]) }
        var one = ByteBuffer(bytes: [0x02])
        #expect(try ReplyHeader.decode(from: &one) == nil)
    }

    /// 2.2.4: RemainderLength 0–15; Reserved ignored on receipt.
    @Test func footerRules() throws {
        var bytes = [UInt8](repeating: 0xFF, count: 48)
        bytes[47] = 3
        #expect(try ShareProtocolFooter.decode(bytes: bytes).remainder == [0xFF, 0xFF, 0xFF])
        bytes[47] = 16
        #expect(throws: WireError.self) { try ShareProtocolFooter.decode(bytes: bytes) }
        #expect(throws: WireError.self) { try ShareProtocolFooter.decode(bytes: bytes.prefix(47)) }
    }

    /// A stream whose tail is not whole blocks plus a footer is rejected at graceful close.
    @Test func decryptorRejectsBadLengths() throws {
        let key = ShareCipher.symmetricKey(sharedSecretKey: [1, 2, 3])
        for length in [0, 16, 32, 47, 49, 64 + 5] {
            var decryptor = try SharePackageDecryptor(key: key, iv: [UInt8](repeating: 0, count: 16))
            var out = ByteBuffer()
            try decryptor.decrypt(ByteBuffer(repeating: 0, count: length), into: &out)
            #expect(throws: (any Error).self) { try decryptor.finish(into: &out) }
        }
    }

    /// A wrong SharedSecretKey garbles the footer: RemainderLength out of range, caught
    /// for most IVs (when it happens to land in 0–15 the package check catches it).
    @Test func wrongSecretIsDetectedByTheFooterMostly() throws {
        let right = ShareCipher.symmetricKey(sharedSecretKey: Array("right".utf8))
        let wrong = ShareCipher.symmetricKey(sharedSecretKey: Array("wrong".utf8))
        var failures = 0
        for seed in 0..<64 {
            let iv = (0..<16).map { UInt8(truncatingIfNeeded: $0 * 31 + seed * 7) }
            var encryptor = try SharePackageEncryptor(key: right, iv: iv)
            var wire = ByteBuffer()
            try encryptor.encrypt(ByteBuffer(repeating: 0x41, count: 100), into: &wire)
            try encryptor.finish(into: &wire)
            var decryptor = try SharePackageDecryptor(key: wrong, iv: iv)
            var out = ByteBuffer()
            try decryptor.decrypt(wire, into: &out)
            do { try decryptor.finish(into: &out) } catch { failures += 1 }
        }
        #expect(failures > 48)
    }
}
