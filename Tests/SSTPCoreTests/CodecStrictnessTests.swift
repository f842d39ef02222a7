import NIOCore
import SSTPCore
import Testing
import WinteropWire

/// The decoder rejects what 2.2 forbids, naming the section, and waits (consuming
/// nothing) for a command that has not fully arrived.
@Suite struct CodecStrictnessTests {
    func decode(_ hex: String, version: SSTP.Version = .v1_6) throws -> SSTP.Command? {
        var buffer = ByteBuffer(bytes: Hex.decode(hex) ?? [])
        return try SSTP.CommandStream.decodeCommand(from: &buffer, version: version)
    }

    func rejects(_ hex: String, version: SSTP.Version = .v1_6, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let command = try decode(hex, version: version)
            Issue.record("accepted \(String(describing: command))", sourceLocation: sourceLocation)
        } catch let error as WireError {
            #expect(error.spec == "MS-GRVSSTP", sourceLocation: sourceLocation)
            #expect(error.description.contains(text), "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func unknownCommandIdIsRejectedFromItsFirstByte() {
        rejects("00", containing: "unknown CommandId 0x00")
        rejects("13", containing: "unknown CommandId 0x13")
        rejects("ff0700", containing: "unknown CommandId 0xFF")
    }

    @Test func lengthLimitsAreCheckedBeforeTheBodyArrives() {
        // Data of 2056 bytes, only the header present: rejected without waiting.
        rejects("0e0808", containing: "Data CommandLength 2056")
        rejects("0e0200", containing: "Data CommandLength 2")
        rejects("0f0800", containing: "EndMessage CommandLength 8")
        rejects("100600", containing: "Noop CommandLength 6")
        rejects("070900", containing: "OpenResponse CommandLength 9")
        rejects("110700", containing: "Close CommandLength 7")
        rejects("040900", containing: "ConnectClose CommandLength 9")
        rejects("0b0120", containing: "Register CommandLength 8193")
        rejects("010808", containing: "Connect CommandLength 2056")
    }

    @Test func largestLengthsAreAccepted() throws {
        // A Register of exactly 8192 bytes and a FanoutOpen may use up to 65535.
        var register = ByteBuffer()
        try SSTP.Register(eventId: 1, registrationToken: Array(repeating: 7, count: 8192 - 9)).encode(into: &register)
        #expect(register.readableBytes == 8192)
        #expect(try SSTP.CommandStream.decodeCommand(from: &register, version: .v1_6) != nil)
        var tooBig = ByteBuffer()
        #expect(throws: EncodingError.self) {
            try SSTP.Register(eventId: 1, registrationToken: Array(repeating: 7, count: 8192 - 8)).encode(into: &tooBig)
        }
        #expect(tooBig.readableBytes == 0)
    }

    @Test func incompleteCommandsWait() throws {
        #expect(try decode("") == nil)
        #expect(try decode("10") == nil)
        #expect(try decode("1007") == nil)
        #expect(try decode("10070004") == nil)
        var buffer = ByteBuffer(bytes: Hex.decode("100700040000")!)
        #expect(try SSTP.CommandStream.decodeCommand(from: &buffer, version: .v1_6) == nil)
        #expect(buffer.readableBytes == 6)
    }

    @Test func everyByteOfTheDeclaredLengthIsConsumed() {
        // Close with a declared 8 bytes is fine, but an Open with one byte too many is not.
        rejects("053d000100008061707068616e646c65720067726f6f76654964656e746974793a2f2f636c69656e7442006470703a2f2f646576696365320000000000", containing: "unexpected byte")
        // A NUL-terminated field running past the declared length.
        rejects("0e0600010000", containing: "truncated")
        rejects("0d0c0001000000020000000468", containing: "UserRef")
    }

    @Test func reservedFieldsMustBeZero() {
        // Connect Reserved = 1.
        rejects("0111000106016100016200000061006200", containing: "Reserved must be zero")
        // Open flags r1 set (0x80) — the I bit (0x01) alone is fine.
        rejects("051000010000006100620063008000 00".replacingOccurrences(of: " ", with: ""), containing: "r1-r7 MUST be zero")
        #expect(throws: Never.self) { _ = try decode("05100001000000610062006300010000") }
        // Open Reserved nonzero.
        rejects("05100001000000610062006300000100", containing: "Reserved must be zero")
        // Message r1 (0x80) and r2 (0x08).
        rejects("0d0d000100000000000000 80 00".replacingOccurrences(of: " ", with: ""), containing: "r1 and r2 MUST be zero")
        rejects("0d0d000100000000000000 08 00".replacingOccurrences(of: " ", with: ""), containing: "r1 and r2 MUST be zero")
        // ConnectResponse flag bits other than S and M.
        rejects("020d000106000000 04 61 00 62 00".replacingOccurrences(of: " ", with: ""), containing: "r1-r5 and C MUST be zero")
        // SessionStatus Reserved.
        rejects("120d00010000000401 61 00 62 00".replacingOccurrences(of: " ", with: ""), version: .v1_5, containing: "Reserved must be zero")
        // Ephemeral reserved bytes must be zero when present.
        rejects("0d170007000000000000000275003c0000000000000001", containing: "Reserved2")
    }

    @Test func optionalFieldGroupsFollowTheirSelectors() {
        // ConnectClose: Resting needs 12 bytes, others 8.
        rejects("0408000100000000", containing: "Resting MUST be 12 bytes")
        rejects("040c000300000000 3c000000".replacingOccurrences(of: " ", with: ""), containing: "MUST be 8 bytes")
        // ConnectResponse TryLater without RetryTime.
        rejects("020d00010602000000610062 00".replacingOccurrences(of: " ", with: ""), containing: "truncated")
        // Message with the S bit but no StreamSize fields.
        rejects("0d0d00010000000000000010 00".replacingOccurrences(of: " ", with: ""), containing: "truncated")
    }

    @Test func unknownEnumeratedValuesAreRejected() {
        rejects("0408000b00000000", containing: "ReasonId 11")
        rejects("0708000100000001", containing: "ResponseId 1 ")
        rejects("1108000100000001", containing: "ReasonId 1 ")
        rejects("020800010707 0000".replacingOccurrences(of: " ", with: ""), containing: "ResponseId 7")
        rejects("120d0001000000 06 00 6100 6200".replacingOccurrences(of: " ", with: ""), containing: "StatusId 6")
        rejects("090a0003000000 04 0000".replacingOccurrences(of: " ", with: ""), containing: "ResponseId 4")
    }

    @Test func emptyURLsWhereTheSpecForbidsThem() {
        // Open: empty ResourceURL; empty IdentityURL outside WAN DPP.
        rejects("050f0001000000 00 6200 6300 00 0000".replacingOccurrences(of: " ", with: ""), containing: "ResourceURL MUST NOT be empty")
        rejects("050f0001000000 6100 00 6300 00 0000".replacingOccurrences(of: " ", with: ""), containing: "IdentityURL MUST NOT be empty")
        // Attach with an empty AccountURL.
        rejects("080c00030000006100000000", containing: "AccountURL MUST NOT be empty")
    }

    @Test func versionSpecificLayouts() throws {
        // A 1.5 FanoutOpen entry read as 1.6 misses its FailoverDeviceURLs (and vice versa).
        let v15 = "0661000100000061707068616e646c65720000020067726f6f76654964656e746974793a2f2f62006470703a2f2f62000067726f6f76654964656e746974793a2f2f63006470703a2f2f630067726f6f7665444e533a2f2f72656c617932000000"
        #expect(try decode(v15, version: .v1_5) != nil)
        #expect(throws: WireError.self) { _ = try decode(v15, version: .v1_6) }
        // 1.6: FailoverDeviceURLs MUST be empty.
        rejects("06140001000000610000 0100 6900 00 00 6600 0000".replacingOccurrences(of: " ", with: ""), containing: "FailoverDeviceURLs MUST be 0x00")
        // SessionStatus: a 1.6 index list parsed as 1.5 leaves bytes over (3.1.5.8).
        let list = "1211000100000001000000020000000300"
        #expect(try decode(list, version: .v1_6) != nil)
        rejects(list, version: .v1_5, containing: "unexpected byte")
        // 1.6 index list with non-empty URLs.
        rejects("1211000100000005006100 6200 0100 0000".replacingOccurrences(of: " ", with: ""), containing: "MUST be empty")
        // 1.5 relay-level status with an identity, and recipient status without one.
        rejects("120d0001000000010061006200", version: .v1_5, containing: "IdentityURL MUST be empty")
        rejects("120c00010000000400610000", version: .v1_5, containing: "IdentityURL MUST NOT be empty")
        // NumFanoutDeviceIndexes larger than the command.
        rejects("1211000100000005000000ffff00000300", containing: "does not fit")
        // NumFanoutDeviceEntries larger than the command.
        rejects("060e0001000000610000ffff0000", containing: "does not fit")
    }

    @Test func encoderRefusesWhatTheDecoderWouldReject() {
        var out = ByteBuffer()
        #expect(throws: EncodingError.self) { try SSTP.ConnectClose(reason: .resting).encode(into: &out) }
        #expect(throws: EncodingError.self) { try SSTP.ConnectClose(reason: .idle, returnTime: 5).encode(into: &out) }
        #expect(throws: EncodingError.self) {
            try SSTP.ConnectResponse(minorVersion: 6, responseId: .tryLater, peerProductVersion: "x").encode(into: &out)
        }
        #expect(throws: EncodingError.self) {
            try SSTP.ConnectResponse(minorVersion: 6, responseId: .wrongDevice, peerProductVersion: "x", targetDeviceURLs: ["a"]).encode(into: &out)
        }
        #expect(throws: EncodingError.self) {
            try SSTP.Data(sessionId: 1, payload: ByteBuffer(repeating: 0, count: 2049)).encode(into: &out)
        }
        #expect(throws: EncodingError.self) {
            try SSTP.Open(sessionId: 1, addressingEntry: .init(resourceURL: "r", identityURL: "é")).encode(into: &out)
        }
        #expect(throws: EncodingError.self) {
            try SSTP.SessionStatus(sessionId: 1, statusId: .lockedOut, deviceURL: "", identityURL: "", fanoutDeviceIndexes: [1]).encode(into: &out, version: .v1_5)
        }
        #expect(out.readableBytes == 0)
    }

    @Test func decodeAllFollowsTheNegotiatedVersion() throws {
        var stream = ByteBuffer()
        try SSTP.Connect(minorVersion: 5, targetDeviceURL: "b", sourceDeviceURLs: ["a"], peerProductVersion: "x").encode(into: &stream)
        try SSTP.ConnectResponse(minorVersion: 6, responseId: .ok, peerProductVersion: "y", targetDeviceURLs: ["b"]).encode(into: &stream)
        // After 1.5 is negotiated, a 1.5 SessionStatus parses.
        try SSTP.SessionStatus(sessionId: 1, statusId: .connectionClosed, deviceURL: "grooveDNS://r", identityURL: "").encode(into: &stream, version: .v1_5)
        let commands = try SSTP.CommandStream.decodeAll(stream)
        #expect(commands.count == 3)
        #expect(throws: WireError.self) { _ = try SSTP.CommandStream.decodeAll(ByteBuffer(bytes: [0x10, 0x07, 0x00])) }
    }
}
