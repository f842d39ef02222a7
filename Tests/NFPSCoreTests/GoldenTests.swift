import Crypto
import NFPSCore
import NIOCore
import Testing
import WinteropWire

/// The examples of MS-NFPS 4.1 (success) and 4.2 (abort): decode, check the fields,
/// re-encode, compare bytes; the stream layouts of 4.1.5.1–4.1.5.3 through the cipher.
@Suite struct GoldenTests {
    static func bytes(_ hex: String) -> [UInt8] { Hex.decode(hex) ?? [] }

    /// 4.1.1: the three Socket Connect headers (types 1, 4 and 5, Abort clear). The
    /// example leaves SessionID symbolic; any 8 bytes stand for it.
    @Test(arguments: [(UInt8(0x01), ConnectionType.linkLocal), (0x04, .bluetooth), (0x05, .global)])
    func socketConnect411(type: UInt8, expected: ConnectionType) throws {
        let wire = Self.bytes("01 23 45 67 89 AB CD EF") + [type, 0x00, 0x00, 0x00]
        let header = try SocketConnectHeader.decode(bytes: wire)
        #expect(header.sessionID == 0x0123_4567_89AB_CDEF)
        #expect(header.connectionType == expected)
        #expect(!header.abort)
        #expect(header.bytes == wire)
    }

    /// 4.2.2: the receiver's reply with the A flag, the first bit of byte 12.
    @Test func abortFlag422() throws {
        let wire = Self.bytes("01 23 45 67 89 AB CD EF 05 00 00 80")
        let header = try SocketConnectHeader.decode(bytes: wire)
        #expect(header.abort)
        #expect(header == SocketConnectHeader(sessionID: 0x0123_4567_89AB_CDEF, connectionType: .global, abort: true))
        #expect(header.bytes == wire)
    }

    /// 4.1.3: "0x0A, 0x00, 0xF4, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00" — 500 bytes.
    @Test func shareHeader413() throws {
        let wire = Self.bytes("0A 00 F4 01 00 00 00 00 00 00")
        let header = try ShareHeader.decode(bytes: wire)
        #expect(header.headerSize == 10)
        #expect(header.totalContentSizeEstimate == 500)
        #expect(ShareHeader(totalContentSizeEstimate: 500).bytes == wire)
    }

    /// 4.1.4: "0x02, 0x00".
    @Test func replyHeader414() throws {
        #expect(try ReplyHeader.decode(bytes: [0x02, 0x00]) == ReplyHeader())
        #expect(ReplyHeader().bytes == [0x02, 0x00])
    }

    /// 4.1.5.1–4.1.5.3: IV, N full blocks, and a 48-byte footer whose plaintext is the
    /// Remainder, zeros and RemainderLength.
    @Test(arguments: [(500, 31, 4), (511, 31, 15), (512, 32, 0)])
    func shareData415(size: Int, blocks: Int, remainder: Int) throws {
        let package = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let key = ShareCipher.symmetricKey(sharedSecretKey: Array("4.1.5 secret".utf8))
        let iv = Array(repeating: UInt8(0x5A), count: 16)
        var encryptor = try SharePackageEncryptor(key: key, iv: iv)
        var ciphertext = ByteBuffer()
        try encryptor.encrypt(ByteBuffer(bytes: package), into: &ciphertext)
        #expect(ciphertext.readableBytes == blocks * 16)
        try encryptor.finish(into: &ciphertext)
        #expect(ciphertext.readableBytes == blocks * 16 + 48)

        // The footer, decrypted with the chain's previous block as IV, is as 4.1.5 lists.
        let all = Array(ciphertext.readableBytesView)
        let previous = blocks == 0 ? iv : Array(all[(blocks * 16 - 16)..<(blocks * 16)])
        var cipher = try ShareCipher(direction: .decrypt, key: key, iv: previous)
        var footerPlain = ByteBuffer()
        try cipher.process(ByteBuffer(bytes: all[(blocks * 16)...]), into: &footerPlain)
        let footer = Array(footerPlain.readableBytesView)
        #expect(Array(footer[0..<remainder]) == Array(package[(size - remainder)...]))
        #expect(footer[remainder..<47].allSatisfy { $0 == 0 })
        #expect(footer[47] == UInt8(remainder))

        var decryptor = try SharePackageDecryptor(key: key, iv: iv)
        var plain = ByteBuffer()
        try decryptor.decrypt(ciphertext, into: &plain)
        try decryptor.finish(into: &plain)
        #expect(Array(plain.readableBytesView) == package)
    }

    /// The footer layouts of 4.1.5.1 (4 bytes), 4.1.5.2 (15) and 4.1.5.3 (0) as plaintext.
    @Test func footerLayouts() throws {
        let remainder: [UInt8] = [0xDE, 0xAD, 0xBE, 0xEF]
        let four = try #require(ShareProtocolFooter(remainder: remainder))
        #expect(four.bytes == remainder + Array(repeating: 0, count: 43) + [0x04])
        #expect(try ShareProtocolFooter.decode(bytes: four.bytes) == four)
        let fifteen = try #require(ShareProtocolFooter(remainder: Array(1...15)))
        #expect(fifteen.bytes == Array(1...15) + Array(repeating: 0, count: 32) + [0x0F])
        let zero = try #require(ShareProtocolFooter(remainder: []))
        #expect(zero.bytes == Array(repeating: 0, count: 47) + [0x00])
        #expect(ShareProtocolFooter(remainder: Array(0..<16)) == nil)
    }

    /// The cipher is AES-128-CBC keyed by SHA-256(secret)[0..<16]: checked against
    /// FIPS-197's AES-128 example through a one-block CBC with a zero IV.
    @Test func cipherIsAES128() throws {
        let key = SymmetricKey(data: Self.bytes("000102030405060708090a0b0c0d0e0f"))
        var cipher = try ShareCipher(direction: .encrypt, key: key, iv: [UInt8](repeating: 0, count: 16))
        var out = ByteBuffer()
        try cipher.process(ByteBuffer(bytes: Self.bytes("00112233445566778899aabbccddeeff")), into: &out)
        #expect(Array(out.readableBytesView) == Self.bytes("69c4e0d86a7b0430d8cdb78070b4c55a"))
        let derived = ShareCipher.symmetricKey(sharedSecretKey: Array("abc".utf8))
        let expected = Self.bytes("ba7816bf8f01cfea414140de5dae2223")  // SHA-256("abc"), first 16 bytes
        #expect(derived.withUnsafeBytes { Array($0) } == expected)
    }
}
