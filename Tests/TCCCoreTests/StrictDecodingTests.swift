import NIOCore
import TCCCore
import Testing
import WinteropWire

/// Every rule of 2.2 a decoder enforces, each with the section its error names.
@Suite struct StrictDecodingTests {
    static func bytes(_ hex: String) -> [UInt8] { Hex.decode(hex) ?? [] }

    static func rejects(_ hex: String, section: String, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let message = try TCCMessage.decode(bytes: bytes(hex))
            Issue.record("accepted \(message)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.spec == "MS-TCC", sourceLocation: sourceLocation)
            #expect(error.section == section, "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(text), "\(error)", sourceLocation: sourceLocation)
        }
    }

    /// A message: its Id, the Length of `body`, then `body`.
    static func m(_ id: String, _ body: String) -> String {
        let count = body.count / 2
        return id + String(count >> 8, radix: 16).leftPadded + String(count & 0xff, radix: 16).leftPadded + body
    }

    static let ssid = "020001" + "41"
    static let passphrase = "040008" + "3132333435363738"
    static let name = "050001" + "4e"

    @Test func lengthMustMatchTheBytes() {
        Self.rejects("0100", section: "2.2.2.2", containing: "a CommonHeader needs 3")
        Self.rejects("010005" + "0800", section: "2.2.2.2", containing: "Length is 5")
        Self.rejects("010000" + "00", section: "2.2.2.2", containing: "Length is 0 but 1")
    }

    @Test func structureLengthMustFitTheMessage() {
        // A structure that declares more bytes than its message holds.
        Self.rejects(Self.m("03", "010009" + "04"), section: "2.2.3", containing: "declares 9 bytes")
        Self.rejects(Self.m("03", "0100"), section: "2.2.3", containing: "truncated")
    }

    @Test func increasingTypeIdOrderAndNoDuplicates() {
        Self.rejects(Self.m("02", Self.passphrase + Self.ssid + Self.name), section: "2.2.3", containing: "increasing TypeId order")
        Self.rejects(Self.m("02", "010001" + "04" + "010001" + "05"), section: "2.2.3", containing: "appears twice")
        // Unknown structures count for order too.
        Self.rejects(Self.m("03", "010001" + "04" + "200000" + "060001" + "41"), section: "2.2.3", containing: "increasing TypeId order")
    }

    @Test func unknownStructuresAreIgnored() throws {
        // TypeId 0x20 (a later revision's) after StatusCode; and an Ssid in a failure response.
        let message = try TCCMessage.decode(bytes: Self.bytes(Self.m("03", "010001" + "04" + "020001" + "41" + "200001" + "ff")))
        #expect(message == .bringUpFailureResponse(try #require(BringUpFailureResponse(statusCode: .noCellularSignal))))
        let request = try TCCMessage.decode(bytes: Self.bytes("010004" + "fe0001" + "00"))
        #expect(request == .bringUpStartRequest(BringUpStartRequest()))
    }

    @Test func requiredStructures() {
        Self.rejects(Self.m("02", Self.passphrase + ""), section: "2.2.3.2", containing: "Ssid structure (2) is missing")
        Self.rejects(Self.m("02", Self.ssid + Self.passphrase), section: "2.2.3.2", containing: "DisplayName structure (5) is missing")
        Self.rejects("030000", section: "2.2.3.4", containing: "StatusCode structure (1) is missing")
        Self.rejects("040000", section: "2.2.3.5", containing: "MessageType structure (7) is missing")
        Self.rejects("050000", section: "2.2.3.3", containing: "HMAC structure (9) is missing")
    }

    @Test func ssidIsAtMost32Bytes() throws {
        let long = String(repeating: "41", count: 33)
        Self.rejects(Self.m("02", "020021" + long + Self.passphrase + Self.name), section: "2.2.2.10", containing: "0 to 32")
        // Zero bytes is a valid SSID.
        let empty = try TCCMessage.decode(bytes: Self.bytes(Self.m("02", "020000" + Self.passphrase + Self.name)))
        guard case .bringUpSuccessResponse(let response) = empty else { Issue.record("not a success"); return }
        #expect(response.ssid.bytes.isEmpty)
        #expect(response.bssid == nil)
    }

    @Test func bssidIsSixBytes() {
        Self.rejects(Self.m("02", Self.ssid + "030005" + "0102030405" + Self.passphrase + Self.name), section: "2.2.2.1", containing: "must be 6")
    }

    @Test func passphraseRules() throws {
        // 7 characters.
        Self.rejects(Self.m("02", Self.ssid + "040007" + "31323334353637" + Self.name), section: "2.2.2.9", containing: "8 to 64")
        // A control character in an 8-to-63 passphrase.
        Self.rejects(Self.m("02", Self.ssid + "040008" + "313233343536370a" + Self.name), section: "2.2.2.9", containing: "32 to 126")
        // 64 characters must be hexadecimal.
        let sixtyFourG = String(repeating: "67", count: 64)
        Self.rejects(Self.m("02", Self.ssid + "040040" + sixtyFourG + Self.name), section: "2.2.2.9", containing: "hexadecimal")
        let sixtyFourHex = String(repeating: "61", count: 32) + String(repeating: "39", count: 32)
        #expect(throws: Never.self) { try TCCMessage.decode(bytes: Self.bytes(Self.m("02", Self.ssid + "040040" + sixtyFourHex + Self.name))) }
        // 65.
        Self.rejects(Self.m("02", Self.ssid + "040041" + String(repeating: "61", count: 65) + Self.name), section: "2.2.2.9", containing: "8 to 64")
        #expect(Passphrase("12345678") != nil)
        #expect(Passphrase(String(repeating: "x", count: 63)) != nil)
        #expect(Passphrase("1234567") == nil)
        #expect(Passphrase("pässword") == nil)
    }

    @Test func textMustBeUTF8() {
        Self.rejects(Self.m("02", Self.ssid + Self.passphrase + "050001" + "ff"), section: "2.2.2.3", containing: "UTF-8")
        Self.rejects(Self.m("03", "010001" + "01" + "060001" + "c3"), section: "2.2.2.5", containing: "UTF-8")
    }

    @Test func statusCodeIsOneByteAndNeverSuccess() {
        Self.rejects(Self.m("03", "010002" + "0400"), section: "2.2.2.11", containing: "must be 1")
        Self.rejects(Self.m("03", "010001" + "00"), section: "2.2.3.4", containing: "MUST NOT be Success")
    }

    @Test func unknownStatusCodesDecode() throws {
        let message = try TCCMessage.decode(bytes: Self.bytes("030004" + "010001" + "63"))
        guard case .bringUpFailureResponse(let failure) = message else { Issue.record("not a failure"); return }
        #expect(failure.statusCode.rawValue == 99)
        #expect(failure.statusCode.name == nil)
    }

    @Test func messageTypeIsOneByte() {
        Self.rejects(Self.m("04", "070002" + "0900"), section: "2.2.2.8", containing: "must be 1")
    }

    @Test func requestStructures() {
        // Timestamp without HMAC, HMAC without Timestamp, HMAC before Timestamp, wrong sizes.
        Self.rejects(Self.m("01", "080008" + "0000000000000001"), section: "2.2.3.1", containing: "without its HMAC")
        Self.rejects(Self.m("01", "090020" + String(repeating: "00", count: 32)), section: "2.2.3.1", containing: "without the Timestamp")
        Self.rejects(Self.m("01", "090020" + String(repeating: "00", count: 32) + "080008" + "0000000000000001"), section: "2.2.3", containing: "increasing TypeId order")
        Self.rejects(Self.m("01", "080007" + "00000000000001" + "090020" + String(repeating: "00", count: 32)), section: "2.2.2.12", containing: "must be 8")
        Self.rejects(Self.m("01", "080008" + "0000000000000001" + "09001f" + String(repeating: "00", count: 31)), section: "2.2.2.6", containing: "must be 32")
    }

    @Test func unpairedStructureSizes() {
        Self.rejects(Self.m("05", "090020" + String(repeating: "00", count: 32) + "0a000f" + String(repeating: "00", count: 15) + "0b0000"), section: "2.2.2.7", containing: "must be 16")
    }

    @Test func unrecognizedMessageIdsAreNotSyntaxErrors() throws {
        // The frame layer accepts them; the state machines answer ProtocolErrorResponse.
        let frame = try TCCFrame.decode(Self.bytes("2a0002" + "abcd"))
        #expect(frame.id == 42)
        #expect(frame.messageId == nil)
        Self.rejects("2a0000", section: "2.2.1.1", containing: "not recognized")
    }

    @Test func framerWaitsForTheWholeMessage() {
        var buffer = ByteBuffer(bytes: Self.bytes("030004" + "0100"))
        #expect(TCCFrame.read(from: &buffer) == nil)
        #expect(buffer.readableBytes == 5)
        buffer.writeBytes(Self.bytes("01" + "04" + "010000"))
        #expect(TCCFrame.read(from: &buffer)?.id == 3)
        #expect(TCCFrame.read(from: &buffer)?.id == 1)
        #expect(TCCFrame.read(from: &buffer) == nil)
    }
}

extension String {
    /// Two hex digits.
    var leftPadded: String { count == 1 ? "0" + self : self }
}
