import Foundation
import WinteropTransport
import TCCCore
import Testing
import WinteropTestSupport
import WinteropWire

/// The unpaired flow between processes (`--keys`), the key file's rules, the
/// networkmanager provider against a fake `nmcli`, and `winterop serve`.
@Suite(.serialized) struct TCCKeysAndProvidersTests {
    static let fakes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fakes").path

    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("winterop-tcc-\(UUID().uuidString)-\(name)").path
    }

    /// A key file with `k1` (hex byte repeated) and fixed K2, K3, written with `mode`.
    static func keyFile(k1: String = "11", mode: Int = 0o600) throws -> String {
        let path = temporary("keys.json")
        let json = "{\"k1\":\"\(String(repeating: k1, count: 32))\",\"k2\":\"\(String(repeating: "22", count: 32))\",\"k3\":\"\(String(repeating: "33", count: 32))\"}"
        _ = FileManager.default.createFile(atPath: path, contents: Data(json.utf8), attributes: [.posixPermissions: mode])
        return path
    }

    // MARK: Unpaired flow

    @Test func unpairedRequestGetsTheEncryptedResponse() async throws {
        let keys = try Self.keyFile()
        defer { try? FileManager.default.removeItem(atPath: keys) }
        let (server, port) = try await TCCProcessTests.server(["--keys", keys])
        defer { server.terminate() }
        #expect(server.stderr.contains("only requests carrying a valid HMAC"))
        let client = try TCCProcessTests.request(port: port, ["--keys", keys])
        #expect(await TCCProcessTests.exit(client) == 0, "\(client.stderr)")
        #expect(client.event("connected")?["authenticated"] as? Bool == true)
        let settings = try #require(client.event("settings"))
        #expect(settings["unpaired"] as? Bool == true)
        #expect(settings["passphrase"] as? String == "secret123")
        #expect(await server.wait(for: "request")?["unpaired"] as? Bool == true)
        #expect(await server.wait(for: "responded")?["unpaired"] as? Bool == true)
    }

    @Test func wrongKeysAreSecurityFailure10() async throws {
        let keys = try Self.keyFile(), other = try Self.keyFile(k1: "99")
        defer { try? FileManager.default.removeItem(atPath: keys); try? FileManager.default.removeItem(atPath: other) }
        let (server, port) = try await TCCProcessTests.server(["--keys", keys])
        defer { server.terminate() }
        let client = try TCCProcessTests.request(port: port, ["--keys", other])
        #expect(await TCCProcessTests.exit(client) == 1)
        #expect(client.event("failure")?["statusCode"] as? Int == 10, "\(client.lines)")
        #expect(await server.wait(for: "refused")?["status"] as? String == "SecurityFailure")
        // Without keys on a TCP channel that is not paired: SecurityFailure too.
        let plain = try TCCProcessTests.request(port: port)
        #expect(await TCCProcessTests.exit(plain) == 1)
        #expect(plain.event("failure")?["statusCode"] as? Int == 10)
    }

    @Test(arguments: [400.0, -400.0])
    func skewedClockIsTimestampOutOfSync9(offset: Double) async throws {
        let keys = try Self.keyFile()
        defer { try? FileManager.default.removeItem(atPath: keys) }
        let (server, port) = try await TCCProcessTests.server(["--keys", keys, "--max-skew", "300"])
        defer { server.terminate() }
        let client = try TCCProcessTests.request(port: port, ["--keys", keys, "--clock-offset=\(offset)"])
        #expect(await TCCProcessTests.exit(client) == 1)
        #expect(client.event("failure")?["statusCode"] as? Int == 9, "\(client.lines)")
        // Within the window it works.
        let near = try TCCProcessTests.request(port: port, ["--keys", keys, "--clock-offset=\(offset / 2)"])
        #expect(await TCCProcessTests.exit(near) == 0, "\(near.stderr)")
    }

    @Test func clientWithKeysAcceptsAPlainAnswerFromAPairedServer() async throws {
        let keys = try Self.keyFile()
        defer { try? FileManager.default.removeItem(atPath: keys) }
        let (server, port) = try await TCCProcessTests.server()
        defer { server.terminate() }
        let client = try TCCProcessTests.request(port: port, ["--keys", keys])
        #expect(await TCCProcessTests.exit(client) == 0, "\(client.stderr)")
        #expect(client.event("settings")?["unpaired"] as? Bool == false)
    }

    @Test func keyFileReadableByOthersIsRefused() async throws {
        let keys = try Self.keyFile(mode: 0o644)
        defer { try? FileManager.default.removeItem(atPath: keys) }
        let result = try WinteropProcess.run(["tcc", "request", "--transport", "tcp:127.0.0.1:9", "--keys", keys])
        #expect(result.status == 2)
        #expect(result.stderr.contains("chmod 600"), "\(result.stderr)")
        let missing = try WinteropProcess.run(["tcc", "serve", "--provider", TCCProcessTests.provider, "--keys", "/nonexistent/keys.json"])
        #expect(missing.status == 2)
        let bad = Self.temporary("bad.json")
        _ = FileManager.default.createFile(atPath: bad, contents: Data("{\"k1\":\"00\"}".utf8), attributes: [.posixPermissions: 0o600])
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let short = try WinteropProcess.run(["tcc", "serve", "--provider", TCCProcessTests.provider, "--keys", bad])
        #expect(short.status == 2)
        #expect(short.stderr.contains("64 hexadecimal digits"), "\(short.stderr)")
    }

    // MARK: TLS-PSK

    static func pskFile(_ byte: String = "5a", mode: Int = 0o600) -> String {
        let path = temporary("psk")
        _ = FileManager.default.createFile(atPath: path, contents: Data((String(repeating: byte, count: 32) + "\n").utf8), attributes: [.posixPermissions: mode])
        return path
    }

    static let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test func pskWrapsTheChannel() async throws {
        let psk = Self.pskFile(), other = Self.pskFile("a5")
        defer { try? FileManager.default.removeItem(atPath: psk); try? FileManager.default.removeItem(atPath: other) }
        let (server, port) = try await TCCProcessTests.server(["--psk", psk])
        defer { server.terminate() }
        #expect(!server.stderr.contains("not authenticated"), "\(server.stderr)")
        let client = try TCCProcessTests.request(port: port, ["--psk", psk])
        #expect(await TCCProcessTests.exit(client) == 0, "\(client.stderr)")
        #expect(client.event("settings")?["passphrase"] as? String == "secret123")
        // Another key: the handshake fails and the client says so.
        let wrong = try TCCProcessTests.request(port: port, ["--psk", other])
        #expect(await TCCProcessTests.exit(wrong) == 1)
        #expect(wrong.stderr.contains("TLS-PSK handshake failed"), "\(wrong.stderr)")
        // A plain client gets nothing in clear.
        let peer = try await RawPeer.connect(port: port)
        try await peer.send("010000")
        try await Task.sleep(for: .milliseconds(300))
        #expect(peer.bytes.isEmpty)
        peer.close()
    }

    @Test(.enabled(if: openssl != nil, "needs the openssl command-line tool (Debian package openssl)"))
    func opensslClientSpeaksToThePSKServer() async throws {
        let psk = Self.pskFile()
        defer { try? FileManager.default.removeItem(atPath: psk) }
        // openssl s_client -quiet waits for the server to close: ServerTimer does, after a second.
        let (server, port) = try await TCCProcessTests.server(["--psk", psk, "--server-timeout", "1"])
        defer { server.terminate() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.openssl ?? "/usr/bin/openssl")
        process.arguments = ["s_client", "-quiet", "-tls1_2", "-psk_identity", "winterop-tcc", "-psk", String(repeating: "5a", count: 32), "-connect", "127.0.0.1:\(port)"]
        let input = Pipe(), output = Pipe()
        closeOnExec(input, output)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        try? input.fileHandleForWriting.writeAllBytes(Data([0x01, 0x00, 0x00]))
        let answer = await Task.detached { output.fileHandleForReading.readBytesToEnd() }.value
        process.waitUntilExit()
        #expect(Hex.encode(answer) == TCCProcessTests.success412, "openssl received \(Hex.encode(answer))")
    }

    @Test func pskRulesAreUsageErrors() throws {
        let loose = Self.pskFile(mode: 0o644)
        defer { try? FileManager.default.removeItem(atPath: loose) }
        let result = try WinteropProcess.run(["tcc", "request", "--transport", "tcp:127.0.0.1:9", "--psk", loose])
        #expect(result.status == 2)
        #expect(result.stderr.contains("chmod 600"), "\(result.stderr)")
        let psk = Self.pskFile()
        defer { try? FileManager.default.removeItem(atPath: psk) }
        let rfcomm = try WinteropProcess.run(["tcc", "serve", "--transport", "rfcomm:3", "--psk", psk, "--provider", "fail:status=1"])
        #expect(rfcomm.status == 2)
        #expect(rfcomm.stderr.contains("--psk is for TCP") || rfcomm.stderr.contains("Bluetooth"), "\(rfcomm.stderr)")
    }

    // MARK: Configuration errors

    @Test(arguments: [
        ("static:ssid=\(String(repeating: "x", count: 33)),passphrase=secret123,display-name=n", "0 to 32"),
        ("static:ssid=x,passphrase=\(String(repeating: "g", count: 64)),display-name=n", "hexadecimal"),
        ("static:ssid=x,passphrase=secret123", "display-name"),
        ("static:ssid=x,passphrase=secret123,display-name=n,bssid=01:02", "bssid"),
        ("fail:status=0", "Success"),
        ("fail:status=Bogus", "a number 1–255 or one of"),
        ("magic", "--provider must be"),
    ])
    func invalidProvidersAreUsageErrors(provider: String, message: String) throws {
        let result = try WinteropProcess.run(["tcc", "serve", "--transport", "tcp:127.0.0.1:0", "--provider", provider])
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func invalidTransportsAreUsageErrors() throws {
        for (arguments, message) in [
            (["tcc", "serve", "--transport", "udp:1", "--provider", "fail:status=1"], "tcp:HOST:PORT or rfcomm:CHANNEL"),
            (["tcc", "serve", "--transport", "rfcomm:31", "--provider", "fail:status=1"], "1 to 30"),
            (["tcc", "request", "--transport", "rfcomm:nothing"], "Bluetooth address"),
            (["tcc", "request"], "--transport is required"),
        ] {
            let result = try WinteropProcess.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }

    @Test func rfcommWithoutBluetoothSaysSo() throws {
        let bluetooth = socket(31, Int32(SOCK_STREAM.rawValue), 3)
        if bluetooth >= 0 { close(bluetooth) }
        for arguments in [
            ["tcc", "serve", "--transport", "rfcomm:5", "--provider", "fail:status=1"],
            ["tcc", "request", "--transport", "rfcomm:00:1A:7D:DA:71:13/5"],
        ] {
            let result = try WinteropProcess.run(arguments)
            if bluetooth < 0 {
                #expect(result.status == 2)
                #expect(result.stderr.contains("Bluetooth is unavailable"), "\(result.stderr)")
            } else {
                // A kernel with Bluetooth: no adapter or no peer here, but never a crash.
                #expect(result.status == 1 || result.status == 2)
            }
        }
    }

    // MARK: NetworkManager

    static func environment(mode: String, log: String? = nil, state: String? = nil) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = fakes + ":/usr/bin:/bin"
        environment["FAKE_NMCLI_MODE"] = mode
        if let log { environment["FAKE_NMCLI_LOG"] = log }
        if let state { environment["FAKE_NMCLI_STATE"] = state }
        return environment
    }

    static func networkManagerServer(mode: String, provider: String = "networkmanager", log: String? = nil, state: String? = nil) throws -> WinteropProcess {
        try WinteropProcess(
            executable: WinteropProcess.executable,
            arguments: ["tcc", "serve", "--transport", "tcp:127.0.0.1:0", "--provider", provider, "--json"],
            environment: environment(mode: mode, log: log, state: state))
    }

    @Test func networkManagerHotspotSettings() async throws {
        let log = Self.temporary("nmcli.log"), state = Self.temporary("nmcli.state")
        defer { try? FileManager.default.removeItem(atPath: log); try? FileManager.default.removeItem(atPath: state) }
        let server = try Self.networkManagerServer(mode: "ok", provider: "networkmanager:ssid=Mine,password=longenough,display-name=Phone", log: log, state: state)
        defer { server.terminate() }
        let port = try #require(await server.listeningPort(service: "tcc-server"), "\(server.stderr)")
        let client = try TCCProcessTests.request(port: port)
        #expect(await TCCProcessTests.exit(client) == 0, "\(client.stderr)")
        let settings = try #require(client.event("settings"))
        #expect(settings["ssid"] as? String == "Fake Hotspot")
        #expect(settings["passphrase"] as? String == "fake:pass123")
        #expect(settings["bssid"] as? String == "aa:bb:cc:dd:ee:01")
        #expect(settings["displayName"] as? String == "Phone")
        // Two more clients at once: the hotspot is already up, so it is not brought up again.
        let more = try (0..<2).map { _ in try TCCProcessTests.request(port: port) }
        for client in more { #expect(await TCCProcessTests.exit(client) == 0, "\(client.stderr)") }
        let calls = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(calls.contains("-t device wifi hotspot con-name Hotspot ssid Mine password longenough"), "\(calls)")
        #expect(calls.components(separatedBy: "wifi hotspot").count == 2, "brought up more than once: \(calls)")
    }

    @Test func noWiFiDeviceIsUnspecifiedErrorWithTheReason() async throws {
        let server = try Self.networkManagerServer(mode: "nowifi")
        defer { server.terminate() }
        let port = try #require(await server.listeningPort(service: "tcc-server"), "\(server.stderr)")
        let client = try TCCProcessTests.request(port: port)
        #expect(await TCCProcessTests.exit(client) == 1)
        let failure = try #require(client.event("failure"))
        #expect(failure["statusCode"] as? Int == 1)
        #expect((failure["errorString"] as? String)?.contains("no Wi-Fi device") == true, "\(failure)")
    }

    @Test func networkManagerAbsentOrStoppedIsAUsageError() throws {
        var environment = Self.environment(mode: "down")
        let down = try Self.runWith(environment, ["tcc", "serve", "--transport", "tcp:127.0.0.1:0", "--provider", "networkmanager"])
        #expect(down.status == 2)
        #expect(down.stderr.contains("NetworkManager is not running"), "\(down.stderr)")
        environment["PATH"] = "/nonexistent"
        let absent = try Self.runWith(environment, ["tcc", "serve", "--transport", "tcp:127.0.0.1:0", "--provider", "networkmanager"])
        #expect(absent.status == 2)
        #expect(absent.stderr.contains("nmcli is not installed"), "\(absent.stderr)")
    }

    static func runWith(_ environment: [String: String], _ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = try WinteropProcess(executable: WinteropProcess.executable, arguments: arguments, environment: environment)
        process.process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.1)
        return (process.process.terminationStatus, process.stderr)
    }

    // MARK: winterop serve

    /// The roles these tests do not look at, on free ports too: left on their defaults
    /// (0.0.0.0:2493, UDP 5041), two `serve` processes of concurrent tests would race for
    /// them and one would exit 2 with "address already in use".
    static let otherServeRolesOnFreePorts = ["--listen", "sstp-relay=127.0.0.1:0", "--listen", "wds-server=127.0.0.1:0"]

    @Test func serveRunsTheServerWhenAProviderIsConfigured() async throws {
        let data = Self.temporary("data")
        defer { try? FileManager.default.removeItem(atPath: data) }
        try FileManager.default.createDirectory(atPath: data + "/tcc", withIntermediateDirectories: true)
        try Data((TCCProcessTests.provider + "\n").utf8).write(to: URL(fileURLWithPath: data + "/tcc/provider"))
        let serve = try WinteropProcess([
            "serve", "--json", "--data", data, "--no-advertise",
            "--listen", "mice-sink=127.0.0.1:0", "--listen", "sstp-device=127.0.0.1:0", "--listen", "tcc-server=127.0.0.1:0",
        ] + Self.otherServeRolesOnFreePorts)
        defer { serve.terminate() }
        let port = try #require(await serve.listeningPort(service: "tcc-server"), "\(serve.lines) \(serve.stderr)")
        let client = try TCCProcessTests.request(port: port)
        #expect(await TCCProcessTests.exit(client) == 0, "\(client.stderr)")
        #expect(client.event("settings")?["ssid"] as? String == "Sample SSID")
        serve.interrupt()
        #expect(await TCCProcessTests.exit(serve) == 0, "\(serve.stderr)")
    }

    @Test func serveLeavesTheServerOutWithoutAProvider() async throws {
        let data = Self.temporary("data")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let serve = try WinteropProcess([
            "serve", "--json", "--data", data, "--no-advertise",
            "--listen", "mice-sink=127.0.0.1:0", "--listen", "sstp-device=127.0.0.1:0",
        ] + Self.otherServeRolesOnFreePorts)
        defer { serve.terminate() }
        _ = await serve.listeningPort(service: "sstp-device")
        await poll(timeout: .seconds(20)) { serve.stderr.contains("tcc-server left out") }
        #expect(serve.stderr.contains("tcc-server left out") && serve.stderr.contains("tcc/provider"), "\(serve.stderr)")
        #expect(serve.event("listening", where: { $0["service"] as? String == "tcc-server" }) == nil)
        serve.interrupt()
        #expect(await TCCProcessTests.exit(serve) == 0)
    }
}
