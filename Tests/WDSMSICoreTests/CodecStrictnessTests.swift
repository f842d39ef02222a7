import NIOCore
import Testing
import WDSMSICore
import WinteropWire

/// Malformed input is rejected with a WireError naming the section whose rule it breaks.
@Suite struct CodecStrictnessTests {
    func udpError(_ hex: String) -> WireError? {
        do {
            _ = try UDPMessage(decoding: Hex.decode(hex)!)
            return nil
        } catch {
            return error
        }
    }

    func wdscError(_ bytes: [UInt8]) -> WireError? {
        do {
            _ = try WDSC.Packet(decoding: bytes)
            return nil
        } catch {
            return error
        }
    }

    static let request = CodecGoldenTests.udpRequestHex

    @Test func udpOpCodeMustBeRequestOrReply() {
        #expect(udpError("030000")?.section == "2.2.2")
        #expect(udpError("000000")?.message.contains("OpCode") == true)
    }

    @Test func udpOptionsCountMustMatch() {
        #expect(udpError("010004" + Self.request.dropFirst(6))?.section == "2.2.2")  // one option missing
        #expect(udpError(Self.request + "00")?.message.contains("unexpected") == true)  // a trailing byte
        #expect(udpError("01ffff")?.message.contains("OptionsCount") == true)
    }

    @Test func requestNeedsNamespaceContentAndMAC() {
        // Only NAMESPACE and CONTENT: the MAC address is missing.
        let error = udpError("010002" + "0601000e69006d0061006700650073000000" + "0602000c61002e00620069006e000000")
        #expect(error?.section == "3.1.5.3")
        #expect(error?.message.contains("WDSMCSE_OPT_MAC_ADDRESS") == true)
    }

    @Test func optionSizesAreChecked() {
        // A 5-byte MAC address.
        #expect(udpError("010003" + "0601000e69006d0061006700650073000000" + "0602000c61002e00620069006e000000" + "050c00050011223344")?.section == "2.2.2.1")
        // IPV6_CAPABLE of 2 bytes, and of value 2.
        #expect(udpError("010004" + Self.request.dropFirst(6) + "010d00020001") != nil)
        #expect(udpError("010004" + Self.request.dropFirst(6) + "010d000102")?.message.contains("0 or 1") == true)
        // A 3-byte port in a reply; a 5-byte address.
        var reply = CodecGoldenTests.udpReplyHex
        reply = reply.replacingOccurrences(of: "02050002fa84", with: "0205000300fa84")
        #expect(udpError(reply)?.message.contains("WDSMCSE_OPT_MULTICAST_PORT must be 2 bytes") == true)
        let badAddress = CodecGoldenTests.udpReplyHex.replacingOccurrences(of: "05030004ef00006f", with: "05030005ef00006f01")
        #expect(udpError(badAddress)?.message.contains("WDSMCSE_OPT_MULTICAST_ADDR") == true)
        // The error code must be 4 bytes.
        #expect(udpError("020001030b00020000")?.section == "2.2.2.3")
    }

    @Test func stringsMustEndWithNull() {
        // "images" without its terminator, and with a NUL in the middle.
        #expect(udpError("010003" + "0601000c69006d00610067006500730000" + "0602000c61002e00620069006e000000" + "050c0006001122334455") != nil)
        #expect(udpError("010003" + "0601000a69000000610067000000" + "0602000c61002e00620069006e000000" + "050c0006001122334455")?.message.contains("null character before") == true)
        // An odd length.
        #expect(udpError("010003" + "0601000369000000" + "0602000c61002e00620069006e000000" + "050c0006001122334455") != nil)
    }

    @Test func duplicateOptionsAreRejectedUnknownOnesIgnored() throws {
        #expect(udpError("010004" + Self.request.dropFirst(6) + "050c0006001122334455")?.message.contains("twice") == true)
        let withUnknown = "010004" + Self.request.dropFirst(6) + "7777000201ff"
        #expect(try UDPMessage(decoding: Hex.decode(withUnknown)!) == UDPMessage(decoding: Hex.decode(Self.request)!))
    }

    // MARK: MS-WDSC

    static var example: [UInt8] { Hex.decode(CodecGoldenTests.exampleRequestHex)! }

    @Test func endpointHeaderFields() {
        var bytes = Self.example
        bytes[0] = 0x29
        #expect(wdscError(bytes)?.section == "2.2.1.1")
        bytes = Self.example
        bytes[2] = 0x02  // Version
        #expect(wdscError(bytes)?.message.contains("Version") == true)
        bytes = Self.example
        bytes[4] &+= 1  // Packet-Size
        #expect(wdscError(bytes)?.message.contains("Packet-Size") == true)
        bytes = Self.example
        bytes[30] = 1  // Reserved
        #expect(wdscError(bytes)?.message.contains("Reserved") == true)
    }

    @Test func operationHeaderFields() {
        var bytes = Self.example
        bytes[40] &+= 16  // Packet-Size
        #expect(wdscError(bytes)?.section == "2.2.1.2")
        bytes = Self.example
        bytes[52] = 5  // Variable-Count 5, 4 blocks present
        #expect(wdscError(bytes) != nil)
        bytes = Self.example
        bytes[52] = 3  // Variable-Count 3: a block left over
        #expect(wdscError(bytes)?.message.contains("unexpected") == true)
        // Packet-Type and Padding1 are not checked (2.2.1.2, <1>).
        bytes = Self.example
        bytes[46] = 0x7F
        bytes[47] = 0x55
        #expect(wdscError(bytes) == nil)
    }

    @Test func variableTypesAndLengths() {
        // The first block starts at 56; its type at 56 + 68, its Value-Length at 56 + 72.
        var bytes = Self.example
        bytes[56 + 68] = 0x03  // not a base type
        #expect(wdscError(bytes)?.section == "2.2.1.3.2.1")
        bytes = Self.example
        bytes[56 + 70] = 0x01  // modifier 0x0001
        #expect(wdscError(bytes)?.section == "2.2.1.3.2.2")
        bytes = Self.example
        bytes[56 + 72] = 0xFF  // Value-Length beyond the packet
        #expect(wdscError(bytes) != nil)
        // The Cap block (the last, 16 bytes of value padding): Value-Length 2 for a ULONG.
        bytes = Self.example
        let cap = bytes.count - 96
        bytes[cap + 72] = 2
        #expect(wdscError(bytes)?.message.contains("WDSCPL_VAR_ULONG") == true)
    }

    @Test func namesMustBeTerminatedNonEmptyAndUnique() throws {
        var bytes = Self.example
        for i in 56..<(56 + 66) { bytes[i] = 0x41 }  // no NUL within 66 bytes
        #expect(wdscError(bytes)?.message.contains("null character") == true)
        bytes = Self.example
        bytes[56] = 0
        bytes[57] = 0
        #expect(wdscError(bytes)?.message.contains("empty") == true)
        let duplicate = WDSC.Packet(endpointGUID: WDSMSI.endpointGUID, packetType: .request, opCodeOrErrorCode: 6, variables: [
            WDSC.Variable("Cap", .ulong(1)),
        ])
        var encoded = Array(try duplicate.encoded().readableBytesView)
        let block = Array(encoded[56...])
        var twice = Array(encoded[0..<56]) + block + block
        twice[4] = UInt8(twice.count)
        twice[40] = UInt8(twice.count - 40)
        twice[52] = 2
        // "CAP" and "Cap" are the same name.
        twice[56 + block.count + 2] = 0x41
        twice[56 + block.count + 4] = 0x50
        #expect(wdscError(twice)?.message.contains("twice") == true)
        encoded[52] = 1
        #expect(wdscError(encoded) == nil)
    }

    @Test func wstringNeedsItsTerminator() throws {
        let packet = WDSC.Packet(endpointGUID: WDSMSI.endpointGUID, packetType: .request, opCodeOrErrorCode: 6, variables: [
            WDSC.Variable("Namespace", .wstring("ab")),
        ])
        var bytes = Array(try packet.encoded().readableBytesView)
        bytes[56 + 80 + 4] = 0x41  // the terminator's first byte
        #expect(wdscError(bytes)?.message.contains("null character") == true)
    }

    @Test func arraysNeedANonZeroSize() throws {
        let packet = WDSC.Packet(endpointGUID: WDSMSI.endpointGUID, packetType: .request, opCodeOrErrorCode: 6, variables: [
            WDSC.Variable("List", .array(.ulong, elementLength: 4, count: 2, bytes: [1, 0, 0, 0, 2, 0, 0, 0])),
        ])
        var bytes = Array(try packet.encoded().readableBytesView)
        #expect(try WDSC.Packet(decoding: bytes) == packet)
        bytes[56 + 76] = 0  // Array-Size 0
        #expect(wdscError(bytes)?.section == "2.2.1.3.3.2")
    }

    /// DESIGN.md: a real client pads STRING, WSTRING and BLOB values by 16 more bytes when the
    /// normal padding would be under 4. Accepted on input.
    @Test func extraPaddingQuirkIsAccepted() throws {
        // "TestMachine" + NUL = 24 bytes: 80 + 24 = 104, padding 8 (normal). "abcdefg" + NUL = 16: padding 0.
        let packet = WDSC.Packet(endpointGUID: WDSMSI.endpointGUID, packetType: .request, opCodeOrErrorCode: 6, variables: [
            WDSC.Variable("Client", .wstring("abcdefg")),
            WDSC.Variable("Blob", .blob([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])),  // padding 2
            WDSC.Variable("Cap", .ulong(1)),
        ])
        let normal = Array(try packet.encoded().readableBytesView)
        // Insert 16 zero bytes after the first block (96 bytes) and after the second (96 bytes).
        var quirky = Array(normal[0..<(56 + 96)]) + [UInt8](repeating: 0, count: 16)
        quirky += Array(normal[(56 + 96)..<(56 + 192)]) + [UInt8](repeating: 0, count: 16)
        quirky += Array(normal[(56 + 192)...])
        quirky[4] = UInt8(truncatingIfNeeded: quirky.count)
        quirky[5] = UInt8(quirky.count >> 8)
        quirky[40] = UInt8(truncatingIfNeeded: quirky.count - 40)
        quirky[41] = UInt8((quirky.count - 40) >> 8)
        #expect(try WDSC.Packet(decoding: quirky) == packet)
    }

    @Test func initiateRequestRules() throws {
        // The client's machine name: at most 15 characters and the NUL.
        let long = InitiateRequest(namespace: "n", content: "c", client: String(repeating: "m", count: 16))
        #expect(throws: EncodingError.self) { try long.encoded() }
        let bytes = try long.packet().encoded()
        #expect(throws: WireError.self) { try InitiateRequest(WDSC.Packet(decoding: bytes)) }
        // A missing Content.
        let missing = WDSC.Packet(endpointGUID: WDSMSI.endpointGUID, packetType: .request, opCodeOrErrorCode: 6, variables: [
            WDSC.Variable("Namespace", .wstring("n")), WDSC.Variable("Client", .wstring("c")),
        ])
        #expect(throws: WireError.self) { try InitiateRequest(missing) }
        // Cap of the wrong type; names are case-insensitive.
        let wrongType = WDSC.Packet(endpointGUID: WDSMSI.endpointGUID, packetType: .request, opCodeOrErrorCode: 6, variables: [
            WDSC.Variable("NAMESPACE", .wstring("n")), WDSC.Variable("content", .wstring("c")), WDSC.Variable("Client", .wstring("c")),
            WDSC.Variable("Cap", .ushort(1)),
        ])
        #expect(throws: WireError.self) { try InitiateRequest(wrongType) }
    }

    @Test func initiateReplyNeedsHashAlgorithmsWithSymKey() throws {
        var reply = CodecGoldenTests.exampleReply
        reply.hashAlgId = nil
        let bytes = try reply.encoded()
        #expect(throws: WireError.self) { try InitiateReply(WDSC.Packet(decoding: bytes)) }
    }
}
