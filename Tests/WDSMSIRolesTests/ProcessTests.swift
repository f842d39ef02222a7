import Foundation
import NIOCore
import NIOPosix
import Testing
import WDSMSICore
import WinteropTestSupport

/// `winterop wds serve` ⇄ `winterop wds request` as separate processes over UDP on 127.0.0.1.
@Suite(.serialized) struct ProcessTests {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// A content directory with one file of `size` bytes, and a data directory.
    static func directories(size: Int) throws -> (content: String, data: String, file: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("wds-e2e-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: base + "/images", withIntermediateDirectories: true)
        let file = "install-\(size).wim"
        try Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: URL(fileURLWithPath: base + "/images/" + file))
        return (base + "/images", base + "/data", file)
    }

    static func server(content: String, data: String, _ extra: [String] = []) async throws -> (WinteropProcess, Int) {
        let server = try WinteropProcess(["wds", "serve", "--namespace", "images=\(content)", "--listen", "127.0.0.1:0",
                                          "--data", data, "--json"] + extra)
        guard let port = await server.port() else {
            server.terminate()
            throw Failure("the server reported no listening port; stderr: \(server.stderr)")
        }
        return (server, port)
    }

    static func request(port: Int, content: String, _ extra: [String] = []) throws -> WinteropProcess {
        try WinteropProcess(["wds", "request", "--server", "127.0.0.1:\(port)", "--namespace", "images", "--content", content,
                             "--mac", "00:11:22:33:44:55", "--json"] + extra)
    }

    /// The done-when check: the session's size and block counts match the file.
    @Test func requestGetsASessionMatchingTheFile() async throws {
        let size = 1_234_567
        let dirs = try Self.directories(size: size)
        defer { try? FileManager.default.removeItem(atPath: dirs.content + "/..") }
        let (server, port) = try await Self.server(content: dirs.content, data: dirs.data)
        defer { server.terminate() }
        let client = try Self.request(port: port, content: dirs.file)
        #expect(await client.waitForExit() == 0, "stderr: \(client.stderr)")
        let session = try #require(client.event("session"))
        #expect(session["contentSize"] as? Int == size)
        #expect(session["blockSize"] as? Int == 1024)
        #expect(session["totalBlocks"] as? Int == (size + 1023) / 1024)
        #expect(session["multicastPort"] as? Int == session["serverPort"] as? Int)
        #expect((session["multicastAddress"] as? String)?.hasPrefix("239.") == true)
        #expect(session["serverAddress"] as? String == "127.0.0.1")
        #expect(session["serverSecurityMode"] as? String == "checksum")
        let created = try #require(await server.wait(for: "session_created"))
        #expect(created["sessionId"] as? Int == session["sessionId"] as? Int)
        #expect(created["path"] as? String == "udp")
        // A second client for the same content joins the same session.
        let second = try Self.request(port: port, content: dirs.file)
        #expect(await second.waitForExit() == 0)
        #expect(second.event("session")?["sessionId"] as? Int == session["sessionId"] as? Int)
        #expect(await server.wait(for: "session_reused") != nil)
        // The keys of sign/hash were made under --data.
        #expect(FileManager.default.fileExists(atPath: dirs.data + "/wds/sign-key.pem"))
        #expect(FileManager.default.fileExists(atPath: dirs.data + "/wds/hash-key"))
        server.interrupt()
        #expect(await server.waitForExit() == 0)
        #expect(server.events().last == "stopped")
    }

    @Test func textOutputShowsTheSession() async throws {
        let dirs = try Self.directories(size: 5000)
        defer { try? FileManager.default.removeItem(atPath: dirs.content + "/..") }
        let (server, port) = try await Self.server(content: dirs.content, data: dirs.data)
        defer { server.terminate() }
        let result = try WinteropProcess.run(["wds", "request", "--server", "127.0.0.1:\(port)", "--namespace", "images",
                                              "--content", dirs.file, "--mac", "00-11-22-33-44-55"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("5000 bytes in 5 blocks of 1024 bytes"))
        #expect(result.stdout.contains("security  server checksum, client checksum"))
    }

    @Test func errorPacketsExitOneWithTheWin32Code() async throws {
        let dirs = try Self.directories(size: 10)
        defer { try? FileManager.default.removeItem(atPath: dirs.content + "/..") }
        let (server, port) = try await Self.server(content: dirs.content, data: dirs.data)
        defer { server.terminate() }
        let missing = try Self.request(port: port, content: "missing.wim")
        #expect(await missing.waitForExit() == 1)
        #expect(missing.event("server_error")?["error"] as? Int == 2)
        #expect(missing.event("server_error")?["errorName"] as? String == "ERROR_FILE_NOT_FOUND")
        #expect(missing.stderr.contains("ERROR_FILE_NOT_FOUND (0x00000002)"))
        let refused = try #require(await server.wait(for: "request_refused"))
        #expect(refused["errorName"] as? String == "ERROR_FILE_NOT_FOUND")
        let namespace = try WinteropProcess(["wds", "request", "--server", "127.0.0.1:\(port)", "--namespace", "other",
                                             "--content", dirs.file, "--mac", "00:11:22:33:44:55", "--json"])
        #expect(await namespace.waitForExit() == 1)
        #expect(namespace.event("server_error")?["errorName"] as? String == "ERROR_BAD_NETPATH")
    }

    @Test func unauthenticatedRefusedWhenTheProviderDoesNotAllowIt() async throws {
        let dirs = try Self.directories(size: 10)
        defer { try? FileManager.default.removeItem(atPath: dirs.content + "/..") }
        let (server, port) = try await Self.server(content: dirs.content, data: dirs.data, ["--no-allow-unauthenticated"])
        defer { server.terminate() }
        let client = try Self.request(port: port, content: dirs.file)
        #expect(await client.waitForExit() == 1)
        #expect(client.event("server_error")?["errorName"] as? String == "ERROR_ACCESS_DENIED")
    }

    /// 3.1.6: the first request is lost; the client sends it again a second later.
    @Test func aLostRequestIsSentAgainAfterOneSecond() async throws {
        let dirs = try Self.directories(size: 4096)
        defer { try? FileManager.default.removeItem(atPath: dirs.content + "/..") }
        let (server, port) = try await Self.server(content: dirs.content, data: dirs.data)
        defer { server.terminate() }
        let relay = try await UDPRelay(serverPort: port, behaviour: .init(dropRequests: 1))
        let started = ContinuousClock.now
        let client = try Self.request(port: relay.port, content: dirs.file)
        #expect(await client.waitForExit() == 0, "stderr: \(client.stderr)")
        let elapsed = ContinuousClock.now - started
        await relay.close()
        let sends = client.jsonEvents().filter { $0["event"] as? String == "request_sent" }.compactMap { $0["attempt"] as? Int }
        #expect(sends == [1, 2])
        #expect(client.event("session")?["totalBlocks"] as? Int == 4)
        #expect(elapsed >= .milliseconds(900), "answered after \(elapsed): the retransmit came too early")
        #expect(relay.counts.requestsDropped == 1)
        #expect(relay.counts.requestsSeen == 2)
    }

    /// Duplicated requests reach the server twice and both get the same session; the
    /// client takes the first reply and ignores the second.
    @Test func duplicatesGetTheSameSessionAndAreIgnored() async throws {
        let dirs = try Self.directories(size: 100)
        defer { try? FileManager.default.removeItem(atPath: dirs.content + "/..") }
        let (server, port) = try await Self.server(content: dirs.content, data: dirs.data)
        defer { server.terminate() }
        let relay = try await UDPRelay(serverPort: port, behaviour: .init(requestCopies: 2, replyCopies: 2))
        let client = try Self.request(port: relay.port, content: dirs.file)
        #expect(await client.waitForExit() == 0, "stderr: \(client.stderr)")
        #expect(client.events().filter { $0 == "session" }.count == 1)
        let created = try #require(await server.wait(for: "session_created"))
        let reused = try #require(await server.wait(for: "session_reused"))
        #expect(created["sessionId"] as? Int == reused["sessionId"] as? Int)
        #expect(client.event("session")?["sessionId"] as? Int == created["sessionId"] as? Int)
        await relay.close()
    }

    @Test func noReplyTimesOutAfterRetransmitting() async throws {
        // A relay that drops everything stands in for a server that never answers.
        let relay = try await UDPRelay(serverPort: 9, behaviour: .init(dropRequests: 100))
        let client = try Self.request(port: relay.port, content: "x", ["--timeout", "2.5"])
        #expect(await client.waitForExit() == 1)
        await relay.close()
        #expect(client.event("timed_out")?["attempts"] as? Int == 3)
        #expect(relay.counts.requestsSeen == 3)
        #expect(client.stderr.contains("no reply"))
    }

    @Test func malformedDatagramsAreDroppedAndTheServerGoesOn() async throws {
        let dirs = try Self.directories(size: 100)
        defer { try? FileManager.default.removeItem(atPath: dirs.content + "/..") }
        let (server, port) = try await Self.server(content: dirs.content, data: dirs.data)
        defer { server.terminate() }
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let target = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        for bytes in [[0x01, 0x00], [0x07], [0x02, 0x00, 0x00]] as [[UInt8]] {
            try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: ByteBuffer(bytes: bytes)))
        }
        try await channel.close()
        let dropped = try #require(await server.wait(for: "datagram_dropped"))
        #expect(dropped["spec"] as? String == "MS-WDSMSI")
        let client = try Self.request(port: port, content: dirs.file)
        #expect(await client.waitForExit() == 0)
        #expect(server.events().filter { $0 == "datagram_dropped" }.count == 3)
    }

    @Test func badOptionsExitTwoSayingWhich() async throws {
        let dirs = try Self.directories(size: 1)
        defer { try? FileManager.default.removeItem(atPath: dirs.content + "/..") }
        let mac = try WinteropProcess.run(["wds", "request", "--server", "127.0.0.1", "--namespace", "n", "--content", "c", "--mac", "zz"])
        #expect(mac.status == 2)
        #expect(mac.stderr.contains("--mac"))
        let missing = try WinteropProcess.run(["wds", "serve", "--namespace", "images=/nonexistent/wds", "--listen", "127.0.0.1:0", "--data", dirs.data])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("'images'") && missing.stderr.contains("does not exist"))
        let pair = try WinteropProcess.run(["wds", "serve", "--namespace", "images=\(dirs.content)", "--listen", "127.0.0.1:0",
                                            "--server-security-mode", "sign", "--client-security-mode", "none", "--data", dirs.data])
        #expect(pair.status == 2)
        #expect(pair.stderr.contains("3.1.5.1"))
        let none = try WinteropProcess.run(["wds", "serve", "--listen", "127.0.0.1:0", "--data", dirs.data])
        #expect(none.status == 2)
        #expect(none.stderr.contains("--namespace"))
        let range = try WinteropProcess.run(["wds", "serve", "--namespace", "images=\(dirs.content)", "--multicast-range", "10.0.0.0/8", "--data", dirs.data])
        #expect(range.status == 2)
    }
}
