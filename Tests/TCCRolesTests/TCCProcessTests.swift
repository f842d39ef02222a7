import Foundation
import NIOCore
import TCCCore
import Testing
import WinteropTestSupport
import WinteropWire

/// `winterop tcc serve` ⇄ `winterop tcc request` as separate processes on 127.0.0.1, and
/// each against a raw peer that sends what a correct one never would.
@Suite(.serialized) struct TCCProcessTests {
    static let provider = "static:ssid=Sample SSID,passphrase=secret123,display-name=Bob's phone,bssid=01:02:03:04:05:06"
    /// BringUpSuccessResponse of 4.1.2 (errata corrected).
    static let success412 = "02003102000b53616d706c65205353494403000601020304050604000973656372657431323305000b426f6227732070686f6e65"

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func server(_ extra: [String] = [], provider: String = provider) async throws -> (WinteropProcess, Int) {
        let server = try WinteropProcess(["tcc", "serve", "--transport", "tcp:127.0.0.1:0", "--provider", provider, "--json"] + extra)
        guard let port = await server.listeningPort(service: "tcc-server") else {
            server.terminate()
            throw Failure(description: "tcc serve reported no listening port; stderr: \(server.stderr)")
        }
        return (server, port)
    }

    static func request(port: Int, _ extra: [String] = []) throws -> WinteropProcess {
        try WinteropProcess(["tcc", "request", "--transport", "tcp:127.0.0.1:\(port)", "--json"] + extra)
    }

    static func hex(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }

    /// The exit status once the process ended. Waits for its standard output to reach
    /// EOF for at most a second after the exit: under a parallel test run another child
    /// can inherit the pipe and hold it open long after this process is gone.
    static func exit(_ process: WinteropProcess) async -> Int32? {
        await poll(timeout: .seconds(20)) { !process.process.isRunning }
        guard !process.process.isRunning else { return nil }
        return await process.waitForExit(timeout: .seconds(1))
    }

    // MARK: Success

    @Test func clientGetsTheConfiguredSettings() async throws {
        let (server, port) = try await Self.server()
        defer { server.terminate() }
        #expect(server.stderr.contains("not authenticated"), "the TCP warning is missing: \(server.stderr)")
        let client = try Self.request(port: port)
        #expect(await Self.exit(client) == 0, "stderr: \(client.stderr)")
        let settings = try #require(client.event("settings"))
        #expect(settings["ssid"] as? String == "Sample SSID")
        #expect(settings["bssid"] as? String == "01:02:03:04:05:06")
        #expect(settings["passphrase"] as? String == "secret123")
        #expect(settings["displayName"] as? String == "Bob's phone")
        #expect(settings["unpaired"] as? Bool == false)
        await server.wait(for: "closed")
        #expect(server.events() == ["listening", "connected", "request", "responded", "closed"])
        server.interrupt()
        #expect(await Self.exit(server) == 0)
        #expect(server.events().last == "stopped")
    }

    @Test func textOutputOnTheDefaultPortShape() async throws {
        let (server, port) = try await Self.server()
        defer { server.terminate() }
        let result = try WinteropProcess.run(["tcc", "request", "--transport", "tcp:127.0.0.1:\(port)"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("SSID: Sample SSID\nBSSID: 01:02:03:04:05:06\nPassphrase: secret123\nDisplay name: Bob's phone"), "\(result.stdout)")
    }

    // MARK: Failure statuses

    @Test(arguments: 1...10)
    func everyFailureStatusReachesTheClient(status: Int) async throws {
        let (server, port) = try await Self.server(provider: "fail:status=\(status),error=reason \(status)")
        defer { server.terminate() }
        let client = try Self.request(port: port)
        #expect(await Self.exit(client) == 1)
        let failure = try #require(client.event("failure"), "stderr: \(client.stderr)")
        #expect(failure["statusCode"] as? Int == status)
        #expect(failure["errorString"] as? String == "reason \(status)")
        #expect(client.stderr.contains("could not start tethering"))
    }

    @Test func failureWithoutErrorStringSendsNone() async throws {
        let (server, port) = try await Self.server(provider: "fail:status=NoCellularSignal")
        defer { server.terminate() }
        let peer = try await RawPeer.connect(port: port)
        try await peer.send("010000")
        // 4.2.2's message exactly (errata corrected): no ErrorString structure.
        #expect(Self.hex(await peer.waitFor(bytes: 7)) == "030004010001" + "04")
        peer.close()
    }

    // MARK: Unknown ids, unknown structures, malformed lengths

    @Test func serverAnswersAnUnknownIdAndStaysIdle() async throws {
        let (server, port) = try await Self.server()
        defer { server.terminate() }
        let peer = try await RawPeer.connect(port: port)
        try await peer.send("2a0002abcd")
        #expect(Self.hex(await peer.waitFor(bytes: 7)) == "040004" + "070001" + "2a")
        try await peer.send("010000")
        #expect(Self.hex(await peer.waitFor(bytes: 7 + 52)) == "0400040700012a" + Self.success412)
        peer.close()
        #expect(await server.wait(for: "unrecognized_message")?["messageId"] as? Int == 42)
    }

    @Test func clientAnswersAnUnknownIdAndKeepsWaiting() async throws {
        let raw = try await RawServer(reply: "630001ff" + Self.success412)
        defer { raw.close() }
        let client = try Self.request(port: raw.port)
        #expect(await Self.exit(client) == 0, "stderr: \(client.stderr)")
        // The request, then ProtocolErrorResponse for 0x63.
        #expect(Self.hex(await raw.waitFor(bytes: 10)) == "010000" + "040004070001" + "63")
        #expect(client.events() == ["connected", "unrecognized_message", "settings"])
    }

    @Test func unknownStructuresAreIgnoredBothWays() async throws {
        let (server, port) = try await Self.server()
        defer { server.terminate() }
        let peer = try await RawPeer.connect(port: port)
        try await peer.send("010004" + "fe0001" + "00")
        #expect(Self.hex(await peer.waitFor(bytes: 52)) == Self.success412)
        peer.close()
        // A success response with a later revision's structure 0x20 after DisplayName.
        let withExtra = "02003602000b53616d706c65205353494403000601020304050604000973656372657431323305000b426f6227732070686f6e65" + "200002abcd"
        let raw = try await RawServer(reply: withExtra)
        defer { raw.close() }
        let client = try Self.request(port: raw.port)
        #expect(await Self.exit(client) == 0, "stderr: \(client.stderr)")
        #expect(client.event("settings")?["ssid"] as? String == "Sample SSID")
    }

    @Test func malformedLengthsEndTheConnection() async throws {
        let (server, port) = try await Self.server()
        defer { server.terminate() }
        // A Timestamp structure declaring 9 bytes inside a 4-byte message.
        let peer = try await RawPeer.connect(port: port)
        try await peer.send("010004" + "080009" + "00")
        #expect(await peer.waitForClose())
        #expect(peer.bytes.isEmpty)
        let closed = await server.wait(for: "closed")
        #expect((closed?["reason"] as? String)?.contains("2.2.3") == true, "\(String(describing: closed))")
        // To the client: a Passphrase whose Length runs past the message.
        let raw = try await RawServer(reply: "020008" + "020001" + "41" + "040020" + "41")
        defer { raw.close() }
        let client = try Self.request(port: raw.port)
        #expect(await Self.exit(client) == 1)
        #expect(client.stderr.contains("cannot be parsed") && client.stderr.contains("MS-TCC 2.2.3"), "\(client.stderr)")
    }

    @Test func responsesFromTheClientAreAProtocolFailure() async throws {
        let (server, port) = try await Self.server()
        defer { server.terminate() }
        let peer = try await RawPeer.connect(port: port)
        try await peer.send("030004010001" + "04")
        #expect(await peer.waitForClose())
        #expect((await server.wait(for: "closed")?["reason"] as? String)?.contains("3.2.5.2") == true)
        // And a request or ProtocolErrorResponse from the server is one for the client (3.1.5.4).
        let raw = try await RawServer(reply: "040004070001" + "01")
        defer { raw.close() }
        let client = try Self.request(port: raw.port)
        #expect(await Self.exit(client) == 1)
        #expect(client.stderr.contains("3.1.5.4"), "\(client.stderr)")
    }

    // MARK: STARTING

    @Test func secondRequestWhileStartingIsNotProcessed() async throws {
        let (server, port) = try await Self.server(provider: Self.provider + ",delay=0.5")
        defer { server.terminate() }
        let peer = try await RawPeer.connect(port: port)
        try await peer.send("010000" + "010000" + "770000")
        // Exactly one answer: neither the second request nor the unknown id is processed.
        _ = await peer.waitFor(bytes: 52)
        try await Task.sleep(for: .milliseconds(300))
        #expect(Self.hex(peer.bytes) == Self.success412)
        peer.close()
        await poll(timeout: .seconds(20)) { server.events().filter { $0 == "ignored" }.count >= 2 }
        #expect(server.events().filter { $0 == "ignored" }.count == 2, "\(server.lines)")
    }

    // MARK: Timers

    @Test func serverTimerExpires() async throws {
        let (server, port) = try await Self.server(["--server-timeout", "0.3"])
        defer { server.terminate() }
        let peer = try await RawPeer.connect(port: port)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(await peer.waitForClose(timeout: .seconds(20)))
        #expect(clock.now - start >= .milliseconds(250))
        #expect((await server.wait(for: "closed")?["reason"] as? String)?.contains("3.2.6") == true)
    }

    @Test func messageTimerExpires() async throws {
        let raw = try await RawServer(reply: "")
        defer { raw.close() }
        let client = try Self.request(port: raw.port, ["--message-timeout", "0.3"])
        #expect(await Self.exit(client) == 1)
        #expect(client.stderr.contains("MessageTimer"), "\(client.stderr)")
        #expect((client.event("closed")?["reason"] as? String)?.contains("3.1.6") == true)
    }

    @Test func interruptingTheClientCancels() async throws {
        let raw = try await RawServer(reply: "")
        defer { raw.close() }
        let client = try Self.request(port: raw.port)
        _ = await raw.waitFor(bytes: 3)
        try await Task.sleep(for: .milliseconds(200))
        client.interrupt()
        #expect(await Self.exit(client) == 1)
        #expect(client.event("closed")?["reason"] as? String == "cancelled", "\(client.lines) \(client.stderr)")
    }

    @Test func serverGoneIsATransportFailure() async throws {
        let raw = try await RawServer(reply: "01", closeAfter: true)
        defer { raw.close() }
        let client = try Self.request(port: raw.port)
        #expect(await Self.exit(client) == 1)
        #expect(client.stderr.contains("3.1.7.1"), "\(client.stderr)")
    }

    @Test func shutdownClosesEveryClient() async throws {
        let (server, port) = try await Self.server(provider: Self.provider + ",delay=30")
        defer { server.terminate() }
        let idle = try await RawPeer.connect(port: port)
        let starting = try await RawPeer.connect(port: port)
        try await starting.send("010000")
        _ = await server.wait(for: "request")
        server.interrupt()
        #expect(await idle.waitForClose(timeout: .seconds(20)))
        #expect(await starting.waitForClose(timeout: .seconds(20)))
        #expect(starting.bytes.isEmpty)
        #expect(await Self.exit(server) == 0, "\(server.stderr)")
        let reasons = server.jsonEvents().filter { $0["event"] as? String == "closed" }.compactMap { $0["reason"] as? String }
        #expect(reasons.count == 2 && reasons.allSatisfy { $0.contains("3.2.4.1") }, "\(reasons)")
        #expect(server.events().last == "stopped")
    }

    // MARK: Many clients

    @Test func hundredConcurrentClients() async throws {
        let (server, port) = try await Self.server()
        defer { server.terminate() }
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    let peer = try await RawPeer.connect(port: port)
                    try await peer.send("010000")
                    let answer = Self.hex(await peer.waitFor(bytes: 52, timeout: .seconds(20)))
                    peer.close()
                    return answer
                }
            }
            var answers = 0
            for try await answer in group {
                #expect(answer == Self.success412)
                answers += 1
            }
            #expect(answers == 100)
        }
        // And a few real clients at once.
        let clients = try (0..<8).map { _ in try Self.request(port: port) }
        for client in clients {
            #expect(await Self.exit(client) == 0, "\(client.stderr)")
        }
    }
}
