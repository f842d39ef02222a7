import MICECore
import NIOCore
import Testing
import WinteropWire

/// The decoders refuse every malformed input 2.2 rules out, naming the section.
@Suite struct StrictDecodingTests {
    static let sid: [UInt8] = [0x03, 0x00, 0x10] + [UInt8](repeating: 0xAB, count: 16)

    static func message(_ command: UInt8, _ tlvs: [UInt8]) -> [UInt8] {
        let size = tlvs.count + 4
        return [UInt8(size >> 8), UInt8(size & 0xFF), 0x01, command] + tlvs
    }

    static func decodeError(_ bytes: [UInt8]) -> WireError? {
        do {
            _ = try MICEMessage.decode(bytes: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func sizeMustMatchTheBytes() {
        let good = Self.message(0x01, [0x02, 0x00, 0x02, 0x1C, 0x44] + Self.sid)
        #expect(Self.decodeError(good) == nil)
        #expect(Self.decodeError(Array(good.dropLast()))?.section == "2.2")
        #expect(Self.decodeError(good + [0])?.section == "2.2")
        #expect(Self.decodeError([0x00, 0x03, 0x01, 0x01]) != nil)
        #expect(Self.decodeError([0x00]) != nil)
    }

    @Test func versionMustBeOne() {
        var bytes = Self.message(0x01, [0x02, 0x00, 0x02, 0x1C, 0x44] + Self.sid)
        bytes[2] = 0x02
        #expect(Self.decodeError(bytes)?.message.contains("Version") == true)
    }

    @Test func unknownCommandAndEmptyTLVArray() {
        #expect(Self.decodeError(Self.message(0x07, Self.sid))?.message.contains("unknown Command") == true)
        #expect(Self.decodeError(Self.message(0x00, Self.sid)) != nil)
        #expect(Self.decodeError(Self.message(0x02, [])) != nil)
    }

    @Test func tlvLengthAtLeastOneAndInsideTheMessage() {
        #expect(Self.decodeError(Self.message(0x03, [0x04, 0x00, 0x00]))?.section == "2.2.7")
        #expect(Self.decodeError(Self.message(0x03, [0x04, 0x00, 0x05, 0x01]))?.section == "2.2.7")
        #expect(Self.decodeError(Self.message(0x03, [0x04, 0x00]))?.section == "2.2.7")
    }

    /// Fixed sizes are minimums: shorter is refused, longer decodes with the extra bytes
    /// ignored (see ``longerValuesIgnoreTheirExtraBytesButNotThePINHash()``).
    @Test func fixedSizes() {
        // RTSP port 2 bytes.
        #expect(Self.decodeError(Self.message(0x01, [0x02, 0x00, 0x01, 0x1C] + Self.sid))?.section == "2.2.7.2")
        #expect(Self.decodeError(Self.message(0x01, [0x02, 0x00, 0x03, 0x1C, 0x44, 0x00] + Self.sid)) == nil)
        // Source ID 16 bytes.
        #expect(Self.decodeError(Self.message(0x02, [0x03, 0x00, 0x0F] + [UInt8](repeating: 1, count: 15)))?.section == "2.2.7.3")
        // PIN response reason 1 byte, known value.
        #expect(Self.decodeError(Self.message(0x06, [0x07, 0x00, 0x02, 0x01, 0x00])) == nil)
        #expect(Self.decodeError(Self.message(0x06, [0x07, 0x00, 0x01, 0x03]))?.section == "2.2.7.7")
        #expect(Self.decodeError(Self.message(0x06, [0x07, 0x00, 0x01, 0x01])) == nil)
        // Reason 0x00 needs the sink's hash.
        #expect(Self.decodeError(Self.message(0x06, [0x07, 0x00, 0x01, 0x00])) != nil)
    }

    @Test func securityOptions() throws {
        let name: [UInt8] = [0x00, 0x00, 0x02, 0x41, 0x00]
        // Extra bytes ignored, reserved bits ignored.
        let extra = try MICEMessage.decode(bytes: Self.message(0x04, [0x05, 0x00, 0x02, 0xF1, 0x77] + name + Self.sid))
        guard case .sessionRequest(let request) = extra else { Issue.record("not a session request"); return }
        #expect(request.securityOptions == [.useDTLSStreamEncryption])
        // B without A refused.
        #expect(Self.decodeError(Self.message(0x04, [0x05, 0x00, 0x01, 0x02] + name + Self.sid))?.section == "2.2.7.5")
        // Missing Security Options refused.
        #expect(Self.decodeError(Self.message(0x04, name + Self.sid))?.message.contains("SECURITY_OPTIONS") == true)
    }

    @Test func friendlyName() throws {
        let bom: [UInt8] = [0x00, 0x00, 0x06, 0xFF, 0xFE, 0x48, 0x00, 0x69, 0x00]
        let message = try MICEMessage.decode(bytes: Self.message(0x02, bom + Self.sid))
        #expect(message == .stopProjection(StopProjectionMessage(friendlyName: "Hi", sourceID: SourceID([UInt8](repeating: 0xAB, count: 16))!)))
        let long = [UInt8](repeating: 0x41, count: 522)
        #expect(Self.decodeError(Self.message(0x02, [0x00, 0x02, 0x0A] + long + Self.sid))?.section == "2.2.7.1")
        let max = [UInt8](repeating: 0x41, count: 520)
        #expect(Self.decodeError(Self.message(0x02, [0x00, 0x02, 0x08] + max + Self.sid)) == nil)
        #expect(Self.decodeError(Self.message(0x02, [0x00, 0x00, 0x03, 0x41, 0x00, 0x42] + Self.sid)) != nil)
        #expect(throws: EncodingError.self) { try FriendlyName.encode(String(repeating: "x", count: 261)) }
        // A value of only NULs decodes to "" and re-encodes as one NUL code unit (fuzzer find).
        let nul = try MICEMessage.decode(bytes: Self.message(0x02, [0x00, 0x00, 0x04, 0x00, 0x00, 0x41, 0x00] + Self.sid))
        #expect(nul == .stopProjection(StopProjectionMessage(friendlyName: "", sourceID: SourceID([UInt8](repeating: 0xAB, count: 16))!)))
        #expect(try MICEMessage.decode(bytes: try nul.encoded()) == nul)
    }

    /// Duplicates are refused; an unknown TLV type, or a known TLV the message does not
    /// define, is skipped and reported (a later Windows may add TLVs).
    @Test func duplicateAndForeignTLVs() throws {
        #expect(Self.decodeError(Self.message(0x02, Self.sid + Self.sid))?.message.contains("twice") == true)
        let foreign = Self.message(0x02, [0x04, 0x00, 0x01, 0x00] + Self.sid)
        let unknown = Self.message(0x02, [0x41, 0x00, 0x03, 0x01, 0x02, 0x03] + Self.sid)
        let stop = MICEMessage.stopProjection(StopProjectionMessage(friendlyName: nil, sourceID: SourceID([UInt8](repeating: 0xAB, count: 16))!))
        for (bytes, reason, type, length) in [(foreign, MICEIgnoredTLV.Reason.notDefinedForMessage, UInt8(0x04), 1), (unknown, .unknownType, 0x41, 3)] {
            let frame = try MICEFrame.decode(bytes)
            let (message, ignored) = try MICEMessage.decodeReportingIgnored(command: frame.command, tlvArray: ByteBuffer(bytes: frame.payload))
            #expect(message == stop)
            #expect(ignored == [MICEIgnoredTLV(type: type, length: length, reason: reason)])
        }
    }

    /// A fixed-size TLV longer than its defined value decodes with the extra bytes
    /// ignored (2.2.7.5's rule); the PIN Challenge hash is exactly 32 bytes.
    @Test func longerValuesIgnoreTheirExtraBytesButNotThePINHash() throws {
        let longSID: [UInt8] = [0x03, 0x00, 0x12] + [UInt8](repeating: 0xAB, count: 16) + [0xEE, 0xEE]
        let longPort: [UInt8] = [0x02, 0x00, 0x03, 0x1C, 0x44, 0x99]
        let ready = try MICEMessage.decode(bytes: Self.message(0x01, longPort + longSID))
        #expect(ready == .sourceReady(SourceReadyMessage(friendlyName: nil, rtspPort: 7236, sourceID: SourceID([UInt8](repeating: 0xAB, count: 16))!)))
        let padded = [UInt8](repeating: 0x11, count: 32 + 256)
        let challenge = Self.message(0x05, [0x06, 0x01, 0x20] + padded + Self.sid)
        #expect(Self.decodeError(challenge)?.section == "2.2.7.6")
    }

    @Test func vendorExtensionRules() throws {
        func attribute(_ body: [UInt8]) -> [UInt8] {
            let length = body.count + 3
            return [0x10, 0x49, UInt8(length >> 8), UInt8(length & 0xFF), 0x00, 0x01, 0x37] + body
        }
        let capability: [UInt8] = [0x20, 0x01, 0x00, 0x01, 0x25]
        let host: [UInt8] = [0x20, 0x02, 0x00, 0x04] + Array("sink".utf8)
        // D without B is implicitly 0.
        let dOnly = try VendorExtensionAttribute.decode(attribute(capability + host))
        #expect(dOnly.capability.version == 1 && !dOnly.capability.pinSupported)
        let full = try VendorExtensionAttribute.decode(attribute([0x20, 0x01, 0x00, 0x01, 0x27] + host))
        #expect(full.capability.pinSupported && full.capability.streamEncryptionSupported)
        // Capability and Host Name must be present, once.
        #expect(throws: WireError.self) { try VendorExtensionAttribute.decode(attribute(host)) }
        #expect(throws: WireError.self) { try VendorExtensionAttribute.decode(attribute(capability)) }
        #expect(throws: WireError.self) { try VendorExtensionAttribute.decode(attribute(capability + host + host)) }
        #expect(throws: WireError.self) { try VendorExtensionAttribute.decode(attribute(capability + capability + host)) }
        // BSSID and Connection Preference fixed sizes, at most once.
        let bssid: [UInt8] = [0x20, 0x03, 0x00, 0x06, 1, 2, 3, 4, 5, 6]
        let pref: [UInt8] = [0x20, 0x04, 0x00, 0x04, 0x12, 0, 0, 0]
        let withBoth = try VendorExtensionAttribute.decode(attribute(capability + host + bssid + pref))
        #expect(withBoth.bssid == [1, 2, 3, 4, 5, 6] && withBoth.connectionPreference?.transports == [1, 2])
        #expect(try withBoth.encoded() == attribute(capability + host + bssid + pref))
        #expect(throws: WireError.self) { try VendorExtensionAttribute.decode(attribute(capability + host + bssid + bssid)) }
        #expect(throws: WireError.self) { try VendorExtensionAttribute.decode(attribute(capability + host + [0x20, 0x03, 0x00, 0x05, 1, 2, 3, 4, 5])) }
        #expect(throws: WireError.self) { try VendorExtensionAttribute.decode(attribute(capability + host + pref + pref)) }
        // IP addresses, any number, must parse.
        let v4: [UInt8] = [0x20, 0x05, 0x00, 0x09] + Array("192.0.2.1".utf8)
        let v6: [UInt8] = [0x20, 0x05, 0x00, 0x0B] + Array("2001:db8::1".utf8)
        let withIPs = try VendorExtensionAttribute.decode(attribute(capability + host + v4 + v6))
        #expect(withIPs.ipAddresses == ["192.0.2.1", "2001:db8::1"])
        #expect(throws: WireError.self) { try VendorExtensionAttribute.decode(attribute(capability + host + [0x20, 0x05, 0x00, 0x03] + Array("x.y".utf8))) }
        // Host name with a period is decoded but not usable.
        let dotted = try VendorExtensionAttribute.decode(attribute(capability + [0x20, 0x02, 0x00, 0x06] + Array("a.sink".utf8)))
        #expect(!dotted.isUsable && dotted.unusableReason?.contains("2.2.8.2") == true)
        // Wrong Length, OUI, WSCVEA.
        var bad = attribute(capability + host)
        bad[3] &+= 1
        #expect(throws: WireError.self) { try VendorExtensionAttribute.decode(bad) }
        var badOUI = attribute(capability + host)
        badOUI[6] = 0x38
        #expect(throws: WireError.self) { try VendorExtensionAttribute.decode(badOUI) }
        // Unknown attributes are kept.
        let unknown = try VendorExtensionAttribute.decode(attribute(capability + host + [0x30, 0x00, 0x00, 0x01, 0x09]))
        #expect(unknown.unknownAttributes.count == 1)
        #expect(try unknown.encoded() == attribute(capability + host + [0x30, 0x00, 0x00, 0x01, 0x09]))
    }

    @Test func frameReaderWaitsForWholeMessages() throws {
        let wire = Self.message(0x02, Self.sid)
        var buffer = ByteBuffer(bytes: wire.prefix(10))
        #expect(try MICEFrame.read(from: &buffer) == nil)
        buffer.writeBytes(wire.dropFirst(10))
        buffer.writeBytes(wire)
        #expect(try MICEFrame.read(from: &buffer)?.command == 0x02)
        #expect(try MICEFrame.read(from: &buffer)?.payload == Self.sid)
        #expect(buffer.readableBytes == 0)
    }
}
