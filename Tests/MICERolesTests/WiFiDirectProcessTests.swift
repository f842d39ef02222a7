import Foundation
import MICECore
import MICERoles
import Testing
import WinteropTestSupport
import WinteropTransport
import WinteropWire

/// `winterop mice sink --wpa-ctrl PATH` against a fake wpa_supplicant control socket (3.1.3).
@Suite struct WiFiDirectProcessTests {
    static let sinkArguments = ["mice", "sink", "--listen", "127.0.0.1:0", "--json", "--no-advertise",
                                "--container-id", "5F1C2A9E-3B7D-4C8E-9A6F-0D2E4B8C1A3F",
                                "--rtp-port", "0", "--player", "none", "--pin", "off", "--encryption", "off"]

    /// The WSC element hex the sink must publish: `winterop mice ie build`'s attribute for the
    /// same capabilities, wrapped in one WSC vendor element (dd LEN 00 50 f2 04).
    static func expectedElementHex() throws -> String {
        let built = try WinteropProcess.run(["mice", "ie", "build", "--pin", "off", "--encryption", "off"])
        let attribute = try #require(Hex.decode(built.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "ie build printed \(built.stdout) \(built.stderr)")
        return Hex.encode([0xDD, UInt8(4 + attribute.count), 0x00, 0x50, 0xF2, 0x04] + attribute)
    }

    /// Wi-Fi Display as the fake wpa_supplicant has it: off, no subelement (read first, restored last).
    static let wfdReads = ["GET wifi_display", "WFD_SUBELEM_GET 0"]
    /// A primary sink, available for a session, RTSP port 7236, 300 Mbit/s.
    static let wfdSets = ["SET wifi_display 1", "WFD_SUBELEM_SET 0 000600111c44012c"]
    static let wfdRestores = ["WFD_SUBELEM_SET 0 ", "SET wifi_display 0"]

    @Test func publishesThenWithdrawsOnSIGTERM() async throws {
        let fake = try FakeWPAControl()
        defer { fake.stop() }
        let element = try Self.expectedElementHex()
        let sink = try WinteropProcess(Self.sinkArguments + ["--wpa-ctrl", fake.path])
        defer { sink.terminate() }
        let published = await sink.wait(for: "wifi_direct_published")
        #expect(published?["controlPath"] as? String == fake.path, "stderr: \(sink.stderr)")
        #expect(published?["wfdDeviceInformation"] as? String == "000600111c44012c")
        let start = ["PING"] + Self.wfdReads + Self.wfdSets
            + ["VENDOR_ELEM_ADD 1 \(element)", "VENDOR_ELEM_ADD 2 \(element)", "VENDOR_ELEM_ADD 3 \(element)", "P2P_LISTEN"]
        #expect(fake.commands == start)
        sink.terminate()
        #expect(await sink.waitForExit() == 0, "stderr: \(sink.stderr)")
        #expect(fake.commands == start + [
            "P2P_STOP_FIND", "VENDOR_ELEM_REMOVE 3 \(element)", "VENDOR_ELEM_REMOVE 2 \(element)", "VENDOR_ELEM_REMOVE 1 \(element)",
        ] + Self.wfdRestores)
        #expect((sink.event("wifi_direct_withdrawn")?["refusals"] as? [Any])?.isEmpty == true)
        #expect(sink.events() == ["listening", "wifi_direct_published", "wifi_direct_withdrawn", "stopped"])
    }

    @Test func aRefusedCommandIsNamedAndWhatWasAddedRemoved() async throws {
        let fake = try FakeWPAControl { $0.hasPrefix("VENDOR_ELEM_ADD 3 ") ? "FAIL\n" : FakeWPAControl.wpaSupplicant($0) }
        defer { fake.stop() }
        let element = try Self.expectedElementHex()
        let sink = try WinteropProcess(Self.sinkArguments + ["--wpa-ctrl", fake.path])
        defer { sink.terminate() }
        #expect(await sink.waitForExit() == 1)
        #expect(sink.stderr.contains("wpa_supplicant refused VENDOR_ELEM_ADD 3 ('FAIL')"), "stderr: \(sink.stderr)")
        #expect(fake.commands == ["PING"] + Self.wfdReads + Self.wfdSets
            + ["VENDOR_ELEM_ADD 1 \(element)", "VENDOR_ELEM_ADD 2 \(element)", "VENDOR_ELEM_ADD 3 \(element)",
               "VENDOR_ELEM_REMOVE 2 \(element)", "VENDOR_ELEM_REMOVE 1 \(element)"] + Self.wfdRestores)
    }

    /// A wpa_supplicant built without Wi-Fi Display refuses its GET: the sink says what it needs, and changed nothing.
    @Test func aWpaSupplicantWithoutWiFiDisplayIsNamed() async throws {
        let fake = try FakeWPAControl { $0 == "GET wifi_display" ? "FAIL\n" : FakeWPAControl.wpaSupplicant($0) }
        defer { fake.stop() }
        let sink = try WinteropProcess(Self.sinkArguments + ["--wpa-ctrl", fake.path])
        defer { sink.terminate() }
        #expect(await sink.waitForExit() == 1)
        #expect(sink.stderr.contains("wpa_supplicant refused GET wifi_display ('FAIL'); it needs Wi-Fi Display support (built with CONFIG_WIFI_DISPLAY=y"), "stderr: \(sink.stderr)")
        #expect(fake.commands == ["PING", "GET wifi_display"])
    }

    /// Settings another program made (Wi-Fi Display on, its own subelement) are put back on exit.
    @Test func wiFiDisplayAsFoundIsRestored() async throws {
        let fake = try FakeWPAControl { command in
            switch command {
            case "GET wifi_display": "1"
            case "WFD_SUBELEM_GET 0": "000600101c440032"
            default: FakeWPAControl.wpaSupplicant(command)
            }
        }
        defer { fake.stop() }
        let sink = try WinteropProcess(Self.sinkArguments + ["--wpa-ctrl", fake.path])
        defer { sink.terminate() }
        #expect(await sink.wait(for: "wifi_direct_published") != nil, "stderr: \(sink.stderr)")
        sink.interrupt()
        #expect(await sink.waitForExit() == 0, "stderr: \(sink.stderr)")
        #expect(fake.commands.suffix(2) == ["WFD_SUBELEM_SET 0 000600101c440032", "SET wifi_display 1"])
    }

    /// `winterop serve --wpa-ctrl PATH`: the sink role publishes and withdraws the same way.
    @Test func serveGivesTheSinkRoleTheControlSocket() async throws {
        let fake = try FakeWPAControl()
        defer { fake.stop() }
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("winterop-serve-wpa-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        var arguments = ["serve", "--json", "--data", data, "--no-advertise", "--wpa-ctrl", fake.path]
        for role in ["mice-sink", "sstp-device", "sstp-relay", "wds-server"] { arguments += ["--listen", "\(role)=127.0.0.1:0"] }
        let serve = try WinteropProcess(arguments)
        defer { serve.terminate() }
        #expect(await serve.wait(for: "wifi_direct_published")?["controlPath"] as? String == fake.path, "\(serve.lines) \(serve.stderr)")
        #expect(Array(fake.commands.prefix(5)) == ["PING"] + Self.wfdReads + Self.wfdSets)
        serve.terminate()
        #expect(await serve.waitForExit() == 0, "stderr: \(serve.stderr)")
        #expect(serve.events().contains("wifi_direct_withdrawn"))
        // Random PINs and DTLS: the serve sink's own attribute, removed before Wi-Fi Display is restored.
        let end = Array(fake.commands.suffix(3))
        #expect(end.first?.hasPrefix("VENDOR_ELEM_REMOVE 1 dd") == true, "\(fake.commands)")
        #expect(Array(end.dropFirst()) == Self.wfdRestores)
    }

    @Test func aMissingSocketIsAConfigurationError() throws {
        let result = try WinteropProcess.run(Self.sinkArguments + ["--wpa-ctrl", "/nonexistent/wpa_supplicant/p2p-dev-wlan0"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--wpa-ctrl: cannot use the wpa_supplicant control socket '/nonexistent/wpa_supplicant/p2p-dev-wlan0'"), "stderr: \(result.stderr)")
        #expect(!result.stdout.contains("listening"))
    }

    @Test func withoutWpaCtrlTheSinkSaysHowItIsReachable() async throws {
        let sink = try WinteropProcess(Self.sinkArguments)
        defer { sink.terminate() }
        _ = await sink.port()
        let line = await sink.waitForStderr { $0.contains("Wi-Fi Direct discovery is off") }
        #expect(line, "stderr: \(sink.stderr)")
        #expect(sink.stderr.contains("reachable by address only"))
        sink.terminate()
        #expect(await sink.waitForExit() == 0)
    }

    @Test func aSilentSocketIsAConfigurationError() async throws {
        let fake = try FakeWPAControl { _ in nil }
        defer { fake.stop() }
        var publisher = try MICEWiFiDirectPublisher(validating: fake.path, configuration: MICESinkConfiguration(friendlyName: "s", dtls: nil))
        publisher.replyTimeout = .milliseconds(200)
        do {
            try await publisher.run(events: EventLog(json: true))
            Issue.record("a control socket that never answers was accepted")
        } catch let failure as RoleFailure {
            #expect(failure.status == 2)
            #expect(failure.message.contains("did not answer PING"), "\(failure.message)")
        }
        #expect(fake.commands == ["PING"])
    }
}

extension WinteropProcess {
    /// Polls standard error until `predicate` holds (30 s guard).
    func waitForStderr(_ predicate: @escaping (String) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if predicate(stderr) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return predicate(stderr)
    }
}
