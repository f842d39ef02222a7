import NIOCore
import Testing
import WDSMSICore
import WinteropWire

/// Golden bytes. Section 4's example lists variables, not bytes; the expected bytes were
/// produced by an independent encoder written from MS-WDSC 2.2.1 (Python `struct`, GUID in
/// MS-DTYP 2.3.4.2 order, blocks padded to 16 bytes). One erratum of the example: SymKey is
/// listed twice (duplicate names are not allowed, MS-WDSC 2.2.1.3.1), so it appears once.
@Suite struct CodecGoldenTests {
    static let exampleRequestHex = [
        "280000010802000017a3136f8736544b81a5504daa9062fa0000000000000000",
        "0000000000000000e00100000001010006000000040000004e0061006d006500",
        "7300700061006300650000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000020000000",
        "34000000000000005700440053003a00640065006600610075006c0074002f00",
        "69006e007300740061006c006c002e00770069006d002f003100000000000000",
        "000000000000000043006f006e00740065006e00740000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "00000000000000000000000020000000180000000000000069006e0073007400",
        "61006c006c002e00770069006d000000000000000000000043006c0069006500",
        "6e00740000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000020000000",
        "180000000000000054006500730074004d0061006300680069006e0065000000",
        "0000000000000000430061007000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000400000004000000000000000300000000000000",
        "0000000000000000",
    ].joined()

    static let exampleReplyHex = [
        "280000014805000017a3136f8736544b81a5504daa9062fa0000000000000000",
        "00000000000000002005000000010200000000000d000000540070004d006300",
        "41006400640072006500730073002e0050006f00720074000000000000000000",
        "0000000000000000000000000000000000000000000000000000000004000000",
        "040000000000000084fa0000000000000000000000000000540070004d006300",
        "41006400640072006500730073002e0041006400640072006500730073000000",
        "0000000000000000000000000000000000000000000000000000000040000000",
        "0400000000000000ef00006f0000000000000000000000005400700055006e00",
        "690041006400640072006500730073002e0050006f0072007400000000000000",
        "0000000000000000000000000000000000000000000000000000000004000000",
        "040000000000000084fa00000000000000000000000000005400700055006e00",
        "690041006400640072006500730073002e004100640064007200650073007300",
        "0000000000000000000000000000000000000000000000000000000040000000",
        "0400000000000000c0a800c800000000000000000000000043006f006e007400",
        "65006e007400530069007a006500000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000008000000",
        "0800000000000000ec568bef00000000000000000000000054006f0074006100",
        "6c0042006c006f0063006b007300000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000008000000",
        "080000000000000000fb060000000000000000000000000042006c006f006300",
        "6b00530069007a00650000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000004000000",
        "0400000000000000512200000000000000000000000000005300650073007300",
        "69006f006e004900640000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000004000000",
        "04000000000000007eee196d000000000000000000000000530079006d004b00",
        "6500790000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000040000000",
        "24000000000000000802000003660000180000002f15f82ae0683ef79e6d62a7",
        "0bdc519d2a3246e0fdb354e90000000000000000000000005500730065007200",
        "5300690064000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000040000000",
        "1c000000000000000105000000000005150000006be79ece8f2c9599dc2f39dc",
        "f40100000000000048004d004100430041006c00670049006400000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000400000004000000000000000980000000000000",
        "0000000000000000480061007300680041006c00670049006400000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000400000004000000000000000c80000000000000",
        "00000000000000005300650063004d006f006400650000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000400000004000000000000000100010000000000",
        "0000000000000000",
    ].joined()

    static var exampleRequest: InitiateRequest {
        InitiateRequest(namespace: "WDS:default/install.wim/1", content: "install.wim", client: "TestMachine", capabilities: [.checksum, .ipv6])
    }

    static var exampleReply: InitiateReply {
        InitiateReply(
            multicastPort: 0xFA84, multicastAddress: IPAddress("239.0.0.111")!,
            unicastPort: 0xFA84, unicastAddress: IPAddress("192.168.0.200")!,
            sessionId: 0x6D19_EE7E, contentSize: 0xEF8B_56EC, blockSize: 0x2251, totalBlocks: 0x6FB00,
            symKey: Hex.decode("0802000003660000180000002F15F82AE0683EF79E6D62A70BDC519D2A3246E0FDB354E9"),
            hashAlgId: 0x800C, hmacAlgId: 0x8009,
            secMode: SecurityModes(server: .hash, client: .hash),
            userSid: Hex.decode("0105000000000005150000006BE79ECE8F2C9599DC2F39DCF4010000")
        )
    }

    @Test func section4RequestEncodes() throws {
        let bytes = try Self.exampleRequest.encoded()
        #expect(Hex.encode(bytes.readableBytesView) == Self.exampleRequestHex)
    }

    @Test func section4RequestDecodes() throws {
        let packet = try WDSC.Packet(decoding: try #require(Hex.decode(Self.exampleRequestHex)))
        #expect(packet.endpointGUID.description == "6f13a317-3687-4b54-81a5-504daa9062fa")
        #expect(packet.packetType == 0x01)
        #expect(packet.opCodeOrErrorCode == 6)
        #expect(try InitiateRequest(packet) == Self.exampleRequest)
    }

    @Test func section4ReplyEncodes() throws {
        let bytes = try Self.exampleReply.encoded()
        #expect(Hex.encode(bytes.readableBytesView) == Self.exampleReplyHex)
    }

    @Test func section4ReplyDecodes() throws {
        let packet = try WDSC.Packet(decoding: try #require(Hex.decode(Self.exampleReplyHex)))
        let reply = try InitiateReply(packet)
        #expect(reply == Self.exampleReply)
        #expect(reply.multicastAddress.description == "239.0.0.111")
        #expect(reply.unicastAddress.description == "192.168.0.200")
        #expect(try SecurityModeDetermination.modes(for: reply) == SecurityModes(server: .hash, client: .hash))
    }

    @Test func exampleVariableLayout() throws {
        // The first variable block of the request: "Namespace", WSTRING, 52-byte value, padded to 144.
        let bytes = try #require(Hex.decode(Self.exampleRequestHex))
        let block = Array(bytes[56..<200])
        #expect(Array(block[0..<18]) == UTF16LE.encode("Namespace"))
        #expect(Array(block[68..<72]) == [0x20, 0, 0, 0])   // Variable-Type WDSCPL_VAR_WSTRING
        #expect(Array(block[72..<76]) == [52, 0, 0, 0])     // Value-Length
        #expect(Array(block[76..<80]) == [0, 0, 0, 0])      // Array-Size
        #expect(bytes.count == 520)
    }

    // MARK: UDP (2.2.2), written out by hand from the tables

    static let udpRequestHex =
        "01" + "0003" + "0601000e" + "69006d0061006700650073000000" + "0602000c" + "61002e00620069006e000000" + "050c0006" + "001122334455"

    @Test func udpRequest() throws {
        let request = MulticastSessionInitiationRequest(namespace: "images", content: "a.bin", macAddress: [0, 0x11, 0x22, 0x33, 0x44, 0x55])
        #expect(Hex.encode(try request.encoded().readableBytesView) == Self.udpRequestHex)
        #expect(try UDPMessage(decoding: try #require(Hex.decode(Self.udpRequestHex))) == .request(request))
        var withIPv6 = request
        withIPv6.ipv6Capable = true
        #expect(Hex.encode(try withIPv6.encoded().readableBytesView) == "010004" + Self.udpRequestHex.dropFirst(6) + "010d000101")
    }

    static let udpReplyHex = "02" + "0008" + "05030004ef00006f" + "05040004c0a800c8" + "02050002fa84" + "02060002fa84"
        + "04070008" + "00000000000f4240" + "030900040000" + "0400" + "04080008" + "00000000000003d1" + "030a0004" + "6d19ee7e"

    @Test func udpReply() throws {
        let reply = MulticastSessionInitiationReply(
            multicastAddress: IPAddress("239.0.0.111")!, serverAddress: IPAddress("192.168.0.200")!,
            multicastPort: 0xFA84, serverPort: 0xFA84, contentSize: 1_000_000, blockSize: 1024, totalBlocks: 977, sessionId: 0x6D19_EE7E
        )
        #expect(Hex.encode(try reply.encoded().readableBytesView) == Self.udpReplyHex)
        #expect(try UDPMessage(decoding: try #require(Hex.decode(Self.udpReplyHex))) == .reply(reply))
    }

    @Test func udpError() throws {
        let hex = "02" + "0001" + "030b0004" + "00000002"
        let error = MulticastSessionInitiationError(error: .fileNotFound)
        #expect(Hex.encode(try error.encoded().readableBytesView) == hex)
        #expect(try UDPMessage(decoding: try #require(Hex.decode(hex))) == .error(error))
        #expect(error.error.description == "ERROR_FILE_NOT_FOUND (0x00000002)")
    }
}
