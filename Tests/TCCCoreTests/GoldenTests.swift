import NIOCore
import TCCCore
import Testing
import WinteropWire

/// Section 4's examples, byte for byte, with the errata of specs/README.md corrected:
/// 4.1.2 lists 6 of the 9 bytes of "secret123"; 4.2.2 shows the header as `0x03 00`.
@Suite struct GoldenTests {
    static func bytes(_ hex: String) -> [UInt8] { Hex.decode(hex) ?? [] }

    @Test func bringUpStartRequest411() throws {
        let wire = Self.bytes("010000")
        let message = try TCCMessage.decode(bytes: wire)
        #expect(message == .bringUpStartRequest(BringUpStartRequest()))
        #expect(try message.encoded() == wire)
    }

    @Test func bringUpSuccessResponse412() throws {
        // Header 02 00 31 (49); Ssid "Sample SSID"; Bssid 01:02:03:04:05:06;
        // Passphrase "secret123" (all 9 bytes); DisplayName "Bob's phone".
        let wire = Self.bytes(
            "020031" + "02000b" + "53616d706c652053534944" + "030006" + "010203040506"
                + "040009" + "736563726574313233" + "05000b" + "426f6227732070686f6e65")
        #expect(wire.count == 3 + 49)
        let message = try TCCMessage.decode(bytes: wire)
        let expected = BringUpSuccessResponse(
            ssid: try #require(Ssid("Sample SSID")), bssid: Bssid("01:02:03:04:05:06"),
            passphrase: try #require(Passphrase("secret123")), displayName: "Bob's phone")
        #expect(message == .bringUpSuccessResponse(expected))
        #expect(try message.encoded() == wire)
    }

    @Test func bringUpFailureResponse422() throws {
        // Header 03 00 04 (the example drops the Length's second byte); StatusCode NoCellularSignal.
        let wire = Self.bytes("030004" + "010001" + "04")
        let message = try TCCMessage.decode(bytes: wire)
        let failure = try #require(BringUpFailureResponse(statusCode: .noCellularSignal))
        #expect(message == .bringUpFailureResponse(failure))
        #expect(try message.encoded() == wire)
    }

    @Test func protocolErrorResponseCarriesTheUnrecognizedId() throws {
        let wire = Self.bytes("040004" + "070001" + "2a")
        #expect(try TCCMessage.decode(bytes: wire) == .protocolErrorResponse(ProtocolErrorResponse(messageType: 42)))
        #expect(try ProtocolErrorResponse(messageType: 42).encoded() == wire)
    }

    @Test func failureWithErrorString() throws {
        let failure = try #require(BringUpFailureResponse(statusCode: .unspecifiedError, errorString: "no Wi-Fi"))
        #expect(try failure.encoded() == Self.bytes("03000f" + "010001" + "01" + "060008" + "6e6f2057692d4669"))
    }

    @Test func emptyErrorStringIsLeftOut() throws {
        let failure = try #require(BringUpFailureResponse(statusCode: .operationCancel, errorString: ""))
        #expect(failure.errorString == nil)
        #expect(try failure.encoded() == Self.bytes("030004" + "010001" + "02"))
        // Received, an empty ErrorString reads as none.
        #expect(try TCCMessage.decode(bytes: Self.bytes("030007" + "010001" + "02" + "060000")) == .bringUpFailureResponse(failure))
    }

    @Test func successStatusIsNoFailure() {
        #expect(BringUpFailureResponse(statusCode: .success) == nil)
    }
}
