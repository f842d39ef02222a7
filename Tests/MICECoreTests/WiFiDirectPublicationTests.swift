import MICECore
import PropertyBased
import Testing
import WinteropWire

/// The wpa_supplicant command sequence of Wi-Fi Direct discovery (3.1.3): every transition.
@Suite struct WiFiDirectPublicationTests {
    static let elements: [UInt8] = [0xDD, 0x05, 0x00, 0x50, 0xF2, 0x04, 0x10]
    static let t = Duration.seconds(5)
    typealias Command = WPAControlCommand

    static var adds: [Command] { Command.VendorElementFrame.allCases.map { .vendorElementAdd($0, elements) } }
    static var removes: [Command] { Command.VendorElementFrame.allCases.reversed().map { .vendorElementRemove($0, elements) } }

    /// Drives the machine, answering each command with `answer(command)`; returns the commands sent.
    static func drive(_ machine: inout WiFiDirectPublication, _ actions: [WiFiDirectPublication.Action], answer: (Command) -> String?) -> (sent: [Command], last: WiFiDirectPublication.Action?) {
        var pending = actions
        var sent: [Command] = []
        var last: WiFiDirectPublication.Action?
        while !pending.isEmpty {
            let action = pending.removeFirst()
            last = action
            if case .send(let command, _) = action {
                sent.append(command)
                pending += answer(command).map { machine.replyReceived($0) } ?? machine.replyTimedOut()
            }
        }
        return (sent, last)
    }

    static func happy(_ command: Command) -> String? { command == .ping ? "PONG\n" : "OK\n" }

    @Test func startSendsPingAddsForEachFrameThenListens() {
        var m = WiFiDirectPublication(elements: Self.elements)
        let (sent, last) = Self.drive(&m, m.start(), answer: Self.happy)
        #expect(sent == [.ping] + Self.adds + [.p2pListen])
        #expect(last == .published)
        #expect(m.state == .published(undo: [.p2pStopFind] + Self.removes))
    }

    @Test func stopUndoesEverythingInReverseOrder() {
        var m = WiFiDirectPublication(elements: Self.elements)
        _ = Self.drive(&m, m.start(), answer: Self.happy)
        let (sent, last) = Self.drive(&m, m.stop(), answer: Self.happy)
        #expect(sent == [.p2pStopFind] + Self.removes)
        #expect(last == .finished(.withdrawn(refusals: [])))
    }

    @Test func commandTextsAreWpaSupplicantSyntax() {
        #expect(Command.vendorElementAdd(.probeResponseP2P, [0xDD, 0x01, 0xAB]).text == "VENDOR_ELEM_ADD 1 dd01ab")
        #expect(Command.vendorElementRemove(.beaconP2PGO, [0xDD, 0x01, 0xAB]).text == "VENDOR_ELEM_REMOVE 3 dd01ab")
        #expect(Command.vendorElementAdd(.probeResponseP2PGO, []).name == "VENDOR_ELEM_ADD 2")
        #expect(Command.p2pListen.text == "P2P_LISTEN")
        #expect(Command.p2pStopFind.text == "P2P_STOP_FIND")
    }

    @Test(arguments: ["FAIL\n", "UNKNOWN COMMAND\n", nil] as [String?])
    func aRefusedAddRemovesOnlyWhatWasAdded(reply: String?) {
        var m = WiFiDirectPublication(elements: Self.elements)
        let refused = Command.vendorElementAdd(.beaconP2PGO, Self.elements)
        let (sent, last) = Self.drive(&m, m.start()) { $0 == refused ? reply : Self.happy($0) }
        #expect(sent == [.ping] + Self.adds + [.vendorElementRemove(.probeResponseP2PGO, Self.elements), .vendorElementRemove(.probeResponseP2P, Self.elements)])
        #expect(last == .finished(.refused(.init(command: refused, reply: reply.map(WPAControlReply.init)), cleanupRefusals: [])))
        #expect(m.stop().isEmpty)
    }

    @Test func aRefusedPingSendsNothingElse() {
        var m = WiFiDirectPublication(elements: Self.elements)
        #expect(m.start() == [.send(.ping, replyTimeout: Self.t)])
        #expect(m.replyTimedOut() == [.finished(.refused(.init(command: .ping, reply: nil), cleanupRefusals: []))])
    }

    @Test func aPingAnsweredOtherThanPongIsARefusal() {
        var m = WiFiDirectPublication(elements: Self.elements)
        _ = m.start()
        #expect(m.replyReceived("OK\n") == [.finished(.refused(.init(command: .ping, reply: .ok), cleanupRefusals: []))])
    }

    @Test func aRefusedListenRemovesEveryElement() {
        var m = WiFiDirectPublication(elements: Self.elements)
        let (sent, last) = Self.drive(&m, m.start()) { $0 == .p2pListen ? "FAIL" : Self.happy($0) }
        #expect(sent == [.ping] + Self.adds + [.p2pListen] + Self.removes)
        #expect(last == .finished(.refused(.init(command: .p2pListen, reply: .fail), cleanupRefusals: [])))
    }

    @Test func refusedUndoCommandsAreReportedAndTheRestStillSent() {
        var m = WiFiDirectPublication(elements: Self.elements)
        _ = Self.drive(&m, m.start(), answer: Self.happy)
        let failing = Command.vendorElementRemove(.probeResponseP2PGO, Self.elements)
        let (sent, last) = Self.drive(&m, m.stop()) { $0 == failing ? "FAIL" : ($0 == .p2pStopFind ? nil : "OK") }
        #expect(sent == [.p2pStopFind] + Self.removes)
        #expect(last == .finished(.withdrawn(refusals: [.init(command: .p2pStopFind, reply: nil), .init(command: failing, reply: .fail)])))
    }

    @Test func stopWhileStartingWithdrawsOnceThePendingReplyArrives() {
        var m = WiFiDirectPublication(elements: Self.elements)
        _ = m.start()
        #expect(m.replyReceived("PONG") == [.send(Self.adds[0], replyTimeout: Self.t)])
        #expect(m.stop().isEmpty)
        let (sent, last) = Self.drive(&m, m.replyReceived("OK"), answer: Self.happy)
        #expect(sent == [.vendorElementRemove(.probeResponseP2P, Self.elements)])
        #expect(last == .finished(.withdrawn(refusals: [])))
    }

    @Test func stopBeforeStartFinishesAtOnce() {
        var m = WiFiDirectPublication(elements: Self.elements)
        #expect(m.stop() == [.finished(.withdrawn(refusals: []))])
        #expect(m.start().isEmpty)
    }

    @Test func lateRepliesAreIgnored() {
        var m = WiFiDirectPublication(elements: Self.elements)
        _ = Self.drive(&m, m.start(), answer: Self.happy)
        #expect(m.replyReceived("OK").isEmpty)
        #expect(m.replyTimedOut().isEmpty)
    }

    // MARK: Wi-Fi Display

    /// wpa_supplicant as found: Wi-Fi Display off, no Device Information subelement.
    static func wfdOff(_ command: Command) -> String? {
        switch command {
        case .get("wifi_display"): "0"
        case .wfdSubelementGet(0): ""
        default: happy(command)
        }
    }

    static let wfdReads: [Command] = [.get("wifi_display"), .wfdSubelementGet(0)]
    static let wfdSets: [Command] = [.set("wifi_display", "1"), .wfdSubelementSet(0, [0x00, 0x06, 0x00, 0x11, 0x1C, 0x44, 0x01, 0x2C])]

    /// The subelement a Linux Miracast sink sets: a primary sink, available, RTSP 7236, 300 Mbit/s.
    @Test func deviceInformationIsThePrimarySinkSubelement() {
        let information = WFDDeviceInformation()
        #expect(Hex.encode(information.subelementBody) == "000600111c44012c")
        #expect(WFDDeviceInformation(deviceType: .dualRole, sessionAvailable: false, controlPort: 554, maximumThroughputMbps: 50).subelementBody == [0, 6, 0, 3, 0x02, 0x2A, 0, 50])
        #expect(Command.wfdSubelementSet(0, information.subelementBody).text == "WFD_SUBELEM_SET 0 000600111c44012c")
        #expect(Command.wfdSubelementSet(0, []).text == "WFD_SUBELEM_SET 0 ", "an empty hex after the space clears it")
        #expect(Command.get("wifi_display").text == "GET wifi_display")
        #expect(Command.set("wifi_display", "1").text == "SET wifi_display 1")
        #expect(Command.wfdSubelementGet(0).text == "WFD_SUBELEM_GET 0")
    }

    @Test func withWiFiDisplayTheSubelementIsSetAfterReadingWhatToRestore() {
        var m = WiFiDirectPublication(elements: Self.elements, wfdDeviceInformation: WFDDeviceInformation())
        let (sent, last) = Self.drive(&m, m.start(), answer: Self.wfdOff)
        #expect(sent == [.ping] + Self.wfdReads + Self.wfdSets + Self.adds + [.p2pListen])
        #expect(last == .published)
        let (undone, end) = Self.drive(&m, m.stop(), answer: Self.happy)
        #expect(undone == [.p2pStopFind] + Self.removes + [.wfdSubelementSet(0, []), .set("wifi_display", "0")])
        #expect(end == .finished(.withdrawn(refusals: [])))
    }

    /// Another program's Wi-Fi Display settings come back as they were.
    @Test func aSubelementThatWasThereIsRestored() {
        var m = WiFiDirectPublication(elements: Self.elements, wfdDeviceInformation: WFDDeviceInformation())
        _ = Self.drive(&m, m.start()) { command in
            switch command {
            case .get("wifi_display"): "1"
            case .wfdSubelementGet(0): "000600101c440032"
            default: Self.happy(command)
            }
        }
        let (undone, _) = Self.drive(&m, m.stop(), answer: Self.happy)
        #expect(undone.suffix(2) == [.wfdSubelementSet(0, [0x00, 0x06, 0x00, 0x10, 0x1C, 0x44, 0x00, 0x32]), .set("wifi_display", "1")])
    }

    /// A wpa_supplicant without CONFIG_WIFI_DISPLAY: GET fails, nothing was changed, nothing is undone.
    @Test(arguments: ["FAIL\n", "UNKNOWN COMMAND\n", nil] as [String?])
    func wiFiDisplayRefusedIsARefusal(reply: String?) {
        var m = WiFiDirectPublication(elements: Self.elements, wfdDeviceInformation: WFDDeviceInformation())
        let (sent, last) = Self.drive(&m, m.start()) { $0 == .get("wifi_display") ? reply : Self.wfdOff($0) }
        #expect(sent == [.ping, .get("wifi_display")])
        #expect(last == .finished(.refused(.init(command: .get("wifi_display"), reply: reply.map(WPAControlReply.init)), cleanupRefusals: [])))
    }

    /// A refused WFD_SUBELEM_SET restores what the reads found; no vendor element was added yet.
    @Test func aRefusedSubelementRestoresWiFiDisplay() {
        var m = WiFiDirectPublication(elements: Self.elements, wfdDeviceInformation: WFDDeviceInformation())
        let (sent, last) = Self.drive(&m, m.start()) { $0 == Self.wfdSets[1] ? "FAIL" : Self.wfdOff($0) }
        #expect(sent == [.ping] + Self.wfdReads + Self.wfdSets + [.wfdSubelementSet(0, []), .set("wifi_display", "0")])
        #expect(last == .finished(.refused(.init(command: Self.wfdSets[1], reply: .fail), cleanupRefusals: [])))
    }

    /// A subelement read back that is not hex is not something to restore: a refusal.
    @Test func aSubelementReadThatIsNotHexIsARefusal() {
        var m = WiFiDirectPublication(elements: Self.elements, wfdDeviceInformation: WFDDeviceInformation())
        let (sent, _) = Self.drive(&m, m.start()) { $0 == .wfdSubelementGet(0) ? "zz" : Self.wfdOff($0) }
        #expect(sent == [.ping] + Self.wfdReads + [.set("wifi_display", "0")])
    }

    @Test func repliesAndEventsAreClassified() {
        #expect(WPAControlReply("OK\n") == .ok)
        #expect(WPAControlReply("FAIL") == .fail)
        #expect(WPAControlReply("UNKNOWN COMMAND\n") == .unknownCommand)
        #expect(WPAControlReply("PONG\n") == .pong)
        #expect(WPAControlReply("1234\n") == .other("1234"))
        #expect(WPAControlReply.isEvent("<3>P2P-DEVICE-FOUND 02:00:00:00:01:00"))
        #expect(!WPAControlReply.isEvent("<x>OK"))
        #expect(!WPAControlReply.isEvent("OK"))
    }

    @Test func theAttributeIsWrappedInWSCVendorElements() throws {
        let attribute = VendorExtensionAttribute(capability: MICECapability(streamEncryption: true, pin: true), hostName: "sink")
        let bytes = try attribute.encoded()
        let elements = try WSCVendorElement.elements(carrying: attribute)
        #expect(elements == [0xDD, UInt8(4 + bytes.count), 0x00, 0x50, 0xF2, 0x04] + bytes)
    }

    @Test func aLongAttributeIsSplitAcrossElements() {
        let data = (0..<300).map { UInt8($0 & 0xFF) }
        let elements = WSCVendorElement.elements(carrying: data)
        #expect(Array(elements[0..<6]) == [0xDD, 255, 0x00, 0x50, 0xF2, 0x04])
        #expect(Array(elements[6..<257]) == Array(data[0..<251]))
        #expect(Array(elements[257..<263]) == [0xDD, UInt8(4 + 49), 0x00, 0x50, 0xF2, 0x04])
        #expect(Array(elements[263...]) == Array(data[251...]))
    }
}

/// The WSC elements are well-formed 802.11 elements whose data, joined, is the attribute.
@Suite struct WSCVendorElementPropertyTests {
    /// Splits `bytes` into (ID, data) elements; nil if a length runs past the end.
    static func parse(_ bytes: [UInt8]) -> [(UInt8, [UInt8])]? {
        var out: [(UInt8, [UInt8])] = []
        var index = 0
        while index < bytes.count {
            guard index + 2 <= bytes.count else { return nil }
            let length = Int(bytes[index + 1])
            guard index + 2 + length <= bytes.count else { return nil }
            out.append((bytes[index], Array(bytes[(index + 2)..<(index + 2 + length)])))
            index += 2 + length
        }
        return out
    }

    @Test func elementsRejoinToTheAttribute() async {
        await propertyCheck(input: Gen.uint8().array(of: 0...1200)) { data in
            guard let elements = Self.parse(WSCVendorElement.elements(carrying: data)) else {
                Issue.record("elements for \(data.count) bytes do not parse")
                return
            }
            #expect(elements.allSatisfy { $0.0 == 0xDD && Array($0.1.prefix(4)) == WSCVendorElement.wscOUI })
            #expect(elements.count == max(1, (data.count + 250) / 251))
            #expect(elements.flatMap { $0.1.dropFirst(4) } == data)
        }
    }
}
