import MICECore
import NIOCore
import Testing
import WinteropWire

/// Every example of MS-MICE section 4 and both PIN vectors of 3.1.5.6.1: decode,
/// check the fields, re-encode, compare bytes.
@Suite struct GoldenTests {
    static func bytes(_ hex: String) -> [UInt8] { Hex.decode(hex) ?? [] }

    static let sourceID = SourceID(bytes("91 F4 AB E9 EF F5 46 4A AE E2 69 72 2A ED 11 B5"))!
    static let dummyName = "44 00 75 00 6D 00 6D 00 79 00 31 00 2D 00 4B 00 61 00 62 00 79 00 6C 00 61 00 6B 00 65 00"

    @Test func vendorExtensionAttribute41() throws {
        let wire = Self.bytes("10 49 00 1B 00 01 37 20 01 00 01 05 20 02 00 0F 44 75 6D 6D 79 31 2D 4B 61 62 79 6C 61 6B 65")
        let attribute = try VendorExtensionAttribute.decode(wire)
        #expect(attribute.capability.rawValue == 0x05)
        #expect(attribute.capability.miracastOverInfrastructureSupport)
        #expect(!attribute.capability.streamEncryptionSupported)
        #expect(!attribute.capability.pinSupported)
        #expect(attribute.capability.version == 1)
        #expect(attribute.hostName == "Dummy1-Kabylake")
        #expect(attribute.ipAddresses.isEmpty && attribute.bssid == nil)
        #expect(attribute.isUsable)
        #expect(try attribute.encoded() == wire)
    }

    @Test func sourceReady42() throws {
        let wire = Self.bytes("00 3D 01 01 00 00 1E \(Self.dummyName) 02 00 02 1C 44 03 00 10 91 F4 AB E9 EF F5 46 4A AE E2 69 72 2A ED 11 B5")
        #expect(wire.count == 0x3D)
        let message = try MICEMessage.decode(bytes: wire)
        #expect(message == .sourceReady(SourceReadyMessage(friendlyName: "Dummy1-Kabylake", rtspPort: 7236, sourceID: Self.sourceID)))
        #expect(try message.encoded() == wire)
    }

    @Test func stopProjection43() throws {
        let wire = Self.bytes("00 38 01 02 00 00 1E \(Self.dummyName) 03 00 10 91 F4 AB E9 EF F5 46 4A AE E2 69 72 2A ED 11 B5")
        #expect(wire.count == 0x38)
        let message = try MICEMessage.decode(bytes: wire)
        #expect(message == .stopProjection(StopProjectionMessage(friendlyName: "Dummy1-Kabylake", sourceID: Self.sourceID)))
        #expect(try message.encoded() == wire)
    }

    /// 4.4 elides the DTLS payload ("xx xx … "); its structure is checked with a
    /// DTLS ClientHello record header as the token.
    @Test func securityHandshake44() throws {
        let token = Self.bytes("16 fe fd 00 00 00 00 00 00 00 00 00 01 01")
        let wire = [0x00, 0x15, 0x01, 0x03, 0x04, 0x00, UInt8(token.count)] + token
        let message = try MICEMessage.decode(bytes: wire)
        #expect(message == .securityHandshake(SecurityHandshakeMessage(securityToken: token, sourceID: nil)))
        #expect(try message.encoded() == wire)
    }

    /// Errata: 4.5 prints Size 0x003A (58) but lists 60 bytes; the true Size is 0x003C.
    @Test func sessionRequest45() throws {
        let listed = Self.bytes("01 04 05 00 01 03 00 00 1E \(Self.dummyName) 03 00 10 91 F4 AB E9 EF F5 46 4A AE E2 69 72 2A ED 11 B5")
        let printed = [0x00, 0x3A] + listed
        #expect(throws: WireError.self) { try MICEMessage.decode(bytes: printed) }
        let wire = [0x00, 0x3C] + listed
        #expect(wire.count == 60)
        let message = try MICEMessage.decode(bytes: wire)
        #expect(message == .sessionRequest(SessionRequestMessage(
            securityOptions: [.useDTLSStreamEncryption, .sinkDisplaysPIN], friendlyName: "Dummy1-Kabylake", sourceID: Self.sourceID
        )))
        #expect(try message.encoded() == wire)
    }

    @Test func pinChallenge46() throws {
        let hash = Self.bytes("60 54 09 F8 32 30 8A D0 B8 93 A7 F9 1B E4 2B 26 4C 73 72 B3 6E 90 77 50 6E 1B 4C C1 83 DE 79 DA")
        let wire = Self.bytes("00 3A 01 05 06 00 20") + hash + Self.bytes("03 00 10 91 F4 AB E9 EF F5 46 4A AE E2 69 72 2A ED 11 B5")
        #expect(wire.count == 0x3A)
        let message = try MICEMessage.decode(bytes: wire)
        #expect(message == .pinChallenge(PINChallengeMessage(pinChallenge: hash, sourceID: Self.sourceID)))
        #expect(try message.encoded() == wire)
        // The hash is the first vector of 3.1.5.6.1: "12345678" from 192.0.2.100.
        #expect(PINHash.compute(pin: "12345678", senderAddress: IPAddressText.bytes("192.0.2.100")!) == hash)
    }

    /// Errata: 4.7's printed hash repeats a byte and drops the last one; the true
    /// SHA-256("12345678" ‖ c0 00 02 c8) is used. 4.7 omits the Source ID TLV.
    @Test func pinResponse47() throws {
        let hash = Self.bytes("18d8d8afdbd02b0c0d5d27ed058f8df3afd860a45ef137ed257915a8bb2df74e")
        #expect(PINHash.compute(pin: "12345678", senderAddress: IPAddressText.bytes("192.0.2.200")!) == hash)
        let wire = Self.bytes("00 2B 01 06 06 00 20") + hash + Self.bytes("07 00 01 00")
        #expect(wire.count == 0x2B)
        let message = try MICEMessage.decode(bytes: wire)
        #expect(message == .pinResponse(PINResponseMessage(pinChallenge: hash, reason: .pinAccepted, sourceID: nil)))
        #expect(try message.encoded() == wire)
        let printed = Self.bytes("18 D8 D8 AF DB D0 D0 2B 0C 0D 5D 27 ED 05 8F 8D F3 AF D8 60 A4 5E F1 37 ED 25 79 15 A8 BB 2D F7")
        #expect(printed != hash)
    }

    @Test func pinHashVectors() {
        #expect(PINHash.compute(pin: "12345678", senderAddress: [0xc0, 0x00, 0x02, 0x64])
            == Self.bytes("60 54 09 f8 32 30 8a d0 b8 93 a7 f9 1b e4 2b 26 4c 73 72 b3 6e 90 77 50 6e 1b 4c c1 83 de 79 da"))
        let v6 = IPAddressText.bytes("2001:db8:1f::4242")
        #expect(v6 == Self.bytes("20 01 0d b8 00 1f 00 00 00 00 00 00 00 00 42 42"))
        #expect(PINHash.compute(pin: "98765432", senderAddress: v6 ?? [])
            == Self.bytes("b3 45 2b 2c 46 c8 3d 28 d8 d4 64 b6 69 7a 81 d1 af 3f 35 61 07 e1 d0 73 1e a9 bb 18 38 03 f9 c7"))
    }

    @Test func ipv4MappedAddressesSaltLikeIPv4() {
        #expect(IPAddressText.bytes("::ffff:192.0.2.100") == [0xc0, 0x00, 0x02, 0x64])
        #expect(IPAddressText.bytes("192.0.2.100") == [0xc0, 0x00, 0x02, 0x64])
        #expect(IPAddressText.bytes("::1")?.count == 16)
        #expect(IPAddressText.bytes("not an address") == nil)
    }

    @Test func constantTimeComparison() {
        #expect(PINHash.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!PINHash.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!PINHash.constantTimeEqual([1, 2, 3], [1, 2]))
        #expect(!PINHash.constantTimeEqual([], [0]))
        #expect(PINHash.isValidPIN("01234567") && !PINHash.isValidPIN("1234567") && !PINHash.isValidPIN("1234567a"))
        #expect(PINHash.isValidPIN(PINHash.randomPIN()))
    }
}
