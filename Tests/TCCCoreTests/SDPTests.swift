import NIOCore
import TCCCore
import Testing
import WinteropWire

/// The SDP record and PDUs of MS-TCC 2.1's discovery ([BT-SDP] 3 and 4), byte for byte
/// against hand-assembled data elements.
@Suite struct SDPTests {
    static let uuid = "232e51d891ff4c24ac0f9ee055da30a5"

    @Test func tetheringRecordBytes() throws {
        let name = Hex.encode(Array("winterop tethering".utf8))
        let expected = "3546"
            + "090001" + "3511" + "1c" + Self.uuid
            + "090004" + "350c" + "3503" + "190100" + "3505" + "190003" + "08" + "07"
            + "090005" + "3503" + "191002"
            + "090100" + "2512" + name
        let record = TCCServiceRecord(channel: 7).element
        #expect(Hex.encode(try record.encoded()) == expected)
        #expect(try SDPDataElement.decode(Hex.decode(expected) ?? []) == record)
        #expect(TCCServiceRecord.rfcommChannel(inAttributeList: record) == 7)
    }

    @Test func bluezRegisterRequest() throws {
        let pdu = try SDPPDU.register(.sequence([.uint16(1)]), transaction: 0x0102)
        #expect(Hex.encode(pdu.encoded()) == "75" + "0102" + "0006" + "00" + "3503" + "090001")
        let response = try SDPPDU.decode(Hex.decode("76" + "0102" + "0004" + "00010005") ?? [])
        #expect(try response.registeredHandle() == 0x0001_0005)
        #expect(throws: WireError.self) { try SDPPDU.decode(Hex.decode("01" + "0102" + "0002" + "0003") ?? []).registeredHandle() }
    }

    @Test func searchRequestAndResponse() throws {
        let request = try SDPPDU.searchAttributes(uuid: TCCServiceRecord.serviceUUID, transaction: 1, continuation: [])
        #expect(Hex.encode(request.encoded()) == "06" + "0001" + "001b" + "3511" + "1c" + Self.uuid + "ffff" + "3503" + "090004" + "00")
        // A response with one attribute list: 0x0004 → L2CAP, RFCOMM channel 3; no continuation.
        let attributeLists = "3513" + "3511" + "090004" + "350c" + "3503" + "190100" + "3505" + "190003" + "0803"
        let lists = Hex.decode(attributeLists) ?? []
        let params = [UInt8(0), UInt8(lists.count)] + lists + [0]
        let response = SDPPDU(id: SDPPDU.serviceSearchAttributeResponse, transaction: 1, parameters: params)
        let part = try SDPPDU.decode(response.encoded()).searchAttributesResponse()
        #expect(part.continuation.isEmpty)
        #expect(try SDPPDU.channel(inAttributeLists: part.attributeLists) == 3)
    }

    @Test func malformedElementsAreRefused() {
        // A sequence claiming 9 bytes with 2; nesting beyond 16; a 17-byte continuation state.
        #expect(throws: WireError.self) { try SDPDataElement.decode([0x35, 0x09, 0x08, 0x01]) }
        #expect(throws: WireError.self) { try SDPDataElement.decode([0x35, 0x00, 0x01]) }
        var nested: [UInt8] = [0x08, 0x01]
        for _ in 0..<20 { nested = [0x35, UInt8(nested.count)] + nested }
        #expect(throws: WireError.self) { try SDPDataElement.decode(nested) }
        let response = SDPPDU(id: SDPPDU.serviceSearchAttributeResponse, transaction: 1, parameters: [0, 0, 17] + Array(repeating: 0, count: 17))
        #expect(throws: WireError.self) { try response.searchAttributesResponse() }
    }
}
