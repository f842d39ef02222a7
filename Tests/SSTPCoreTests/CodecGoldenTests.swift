import NIOCore
import SSTPCore
import Testing
import WinteropWire

/// Golden bytes for every command of 2.2, laid out field by field from the tables of
/// 2.2.1–2.2.18 (section 4 of MS-GRVSSTP has sequence diagrams but no byte dumps):
/// each decodes to the expected fields and re-encodes to the same bytes.
@Suite struct CodecGoldenTests {
    func check(_ hex: String, _ expected: SSTP.Command, version: SSTP.Version = .v1_6, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bytes = try #require(Hex.decode(hex))
        var buffer = ByteBuffer(bytes: bytes)
        let decoded = try SSTP.CommandStream.decodeCommand(from: &buffer, version: version)
        #expect(decoded == expected, sourceLocation: sourceLocation)
        #expect(buffer.readableBytes == 0, sourceLocation: sourceLocation)
        var out = ByteBuffer()
        try expected.encode(into: &out, version: version)
        #expect(Hex.encode(out.readableBytesView) == hex, sourceLocation: sourceLocation)
    }

    @Test func connect() throws {
        try check(
            "0150000106006470703a2f2f6465766963653200026470703a2f2f64657669636531006470703a2f2f6465766963653162000300aabbcc47726f6f766520436c69656e742031342e3020343030360000",
            .connect(SSTP.Connect(
                majorVersion: 1, minorVersion: 6, targetDeviceURL: "dpp://device2",
                sourceDeviceURLs: ["dpp://device1", "dpp://device1b"], authenticationToken: [0xaa, 0xbb, 0xcc],
                peerProductVersion: "Groove Client 14.0 4006", peerProductCapabilities: ""
            ))
        )
    }

    @Test func connectResponseOkCarriesTargetDeviceFields() throws {
        try check(
            "022c0001050000000077696e7465726f70205353545020312e300000016470703a2f2f646576696365320000",
            .connectResponse(SSTP.ConnectResponse(
                minorVersion: 5, responseId: .ok, peerProductVersion: "winterop SSTP 1.0", targetDeviceURLs: ["dpp://device2"]
            ))
        )
    }

    @Test func connectResponseTryLaterCarriesRetryTimeAndFlags() throws {
        try check(
            "022c0001060200000347726f6f76652052656c61792031342e302034303036004142433b4d4446002c010000",
            .connectResponse(SSTP.ConnectResponse(
                minorVersion: 6, responseId: .tryLater, singleHopFanout: true, multidropFanout: true,
                peerProductVersion: "Groove Relay 14.0 4006", peerProductCapabilities: "ABC;MDF", retryTime: 300
            ))
        )
    }

    @Test func connectResponseNewVersionRequiredHasNoFlagByte() throws {
        try check(
            "022000010605000047726f6f76652052656c61792031342e3020343030360000",
            .connectResponse(SSTP.ConnectResponse(minorVersion: 6, responseId: .newVersionRequired, peerProductVersion: "Groove Relay 14.0 4006"))
        )
    }

    @Test func connectAuthenticate() throws {
        try check("03070002000102", .connectAuthenticate(SSTP.ConnectAuthenticate(authenticationToken: [1, 2])))
    }

    @Test func connectCloseIsEightBytesUnlessResting() throws {
        try check("0408000302000000", .connectClose(SSTP.ConnectClose(reason: .protocolError, messageCount: 2)))
        try check("040c0001000000003c000000", .connectClose(SSTP.ConnectClose(reason: .resting, messageCount: 0, returnTime: 60)))
    }

    @Test func open() throws {
        try check(
            "053c000100008061707068616e646c65720067726f6f76654964656e746974793a2f2f636c69656e7442006470703a2f2f6465766963653200000000",
            .open(SSTP.Open(sessionId: 0x8000_0001, addressingEntry: SSTP.AddressingEntry(
                resourceURL: "apphandler", identityURL: "grooveIdentity://clientB", deviceURL: "dpp://device2"
            )))
        )
    }

    static let fanoutEntries = [
        SSTP.FanoutOpen.Entry(identityURL: "grooveIdentity://b", deviceURL: "dpp://b", relayURL: ""),
        SSTP.FanoutOpen.Entry(identityURL: "grooveIdentity://c", deviceURL: "dpp://c", relayURL: "grooveDNS://relay2"),
    ]

    @Test func fanoutOpenInBothVersions() throws {
        let open = SSTP.Command.fanoutOpen(SSTP.FanoutOpen(sessionId: 1, resourceURL: "apphandler", entries: Self.fanoutEntries))
        try check(
            "0661000100000061707068616e646c65720000020067726f6f76654964656e746974793a2f2f62006470703a2f2f62000067726f6f76654964656e746974793a2f2f63006470703a2f2f630067726f6f7665444e533a2f2f72656c617932000000",
            open, version: .v1_5
        )
        try check(
            "0663000100000061707068616e646c65720000020067726f6f76654964656e746974793a2f2f62006470703a2f2f6200000067726f6f76654964656e746974793a2f2f63006470703a2f2f630067726f6f7665444e533a2f2f72656c61793200000000",
            open, version: .v1_6
        )
    }

    @Test func openResponse() throws {
        try check("070800010000000b", .openResponse(SSTP.OpenResponse(sessionId: 1, responseId: .okStopSending)))
    }

    @Test func sessionStatusForms() throws {
        try check(
            "121d0001000000020067726f6f7665444e533a2f2f72656c6179320000",
            .sessionStatus(SSTP.SessionStatus(sessionId: 1, statusId: .hostNotReachable, deviceURL: "grooveDNS://relay2", identityURL: "")),
            version: .v1_5
        )
        try check(
            "1226000100000004006470703a2f2f630067726f6f76654964656e746974793a2f2f63000000",
            .sessionStatus(SSTP.SessionStatus(sessionId: 1, statusId: .quotaWouldBeExceeded, deviceURL: "dpp://c", identityURL: "grooveIdentity://c", fanoutDeviceIndexes: [])),
            version: .v1_6
        )
        try check(
            "1211000100000005000000020000000300",
            .sessionStatus(SSTP.SessionStatus(sessionId: 1, statusId: .lockedOut, deviceURL: "", identityURL: "", fanoutDeviceIndexes: [0, 3])),
            version: .v1_6
        )
    }

    @Test func close() throws {
        try check("1108000100008015", .close(SSTP.Close(sessionId: 0x8000_0001, reason: .emptySession)))
    }

    @Test func messageFieldGroups() throws {
        try check(
            "0d12000100000002000000047265662d3100",
            .message(SSTP.Message(sessionId: 1, messageCount: 2, acknowledgeImmediately: true, userRef: "ref-1"))
        )
        try check(
            "0d400007000000000000007300100e00008813000000000000282300000000000088130000000000000300000001000000667261672d78000008000000000000",
            .message(SSTP.Message(
                sessionId: 7, messageCount: 0, track: true, doNotDeliverIfOffline: true, userRef: "",
                ephemeral: .init(ttl: 3600),
                streamSize: .init(byteStreamSize: 5000, sessionSize: 9000, messageSize: 5000),
                fragmentation: .init(numFragments: 3, thisFragment: 1, fragmentId: "frag-x", fragmentOffset: 2048)
            ))
        )
        // The Ephemeral Fields with their optional reserved bytes (9 bytes).
        try check(
            "0d170007000000000000000275003c0000000000000000",
            .message(SSTP.Message(sessionId: 7, userRef: "u", ephemeral: .init(ttl: 60, hasReservedFields: true)))
        )
    }

    @Test func dataEndMessageNoop() throws {
        try check("0e0c000100000068656c6c6f", .data(SSTP.Data(sessionId: 1, payload: ByteBuffer(string: "hello"))))
        try check("0f070001000000", .endMessage(SSTP.EndMessage(sessionId: 1)))
        try check("10070004000000", .noop(SSTP.Noop(messageCount: 4)))
    }

    @Test func attachAndRegisterCommands() throws {
        try check(
            "082f000300000067726f6f7665444e533a2f2f72656c6179310067726f6f76654163636f756e743a2f2f610001007f",
            .attach(SSTP.Attach(eventId: 3, resourceURL: "grooveDNS://relay1", accountURL: "grooveAccount://a", authenticationToken: [0x7f]))
        )
        try check("090a0003000000030000", .attachResponse(SSTP.AttachResponse(eventId: 3, responseId: .awaitingRegister, authenticationToken: [])))
        try check("0a0b000300000002000102", .attachAuthenticate(SSTP.AttachAuthenticate(eventId: 3, authenticationToken: [1, 2])))
        try check("0b0a0004000000010009", .register(SSTP.Register(eventId: 4, registrationToken: [9])))
        try check("0c0900040000000000", .registerResponse(SSTP.RegisterResponse(eventId: 4, registrationToken: [])))
    }
}
