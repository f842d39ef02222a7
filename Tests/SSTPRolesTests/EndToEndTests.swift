import Crypto
import Foundation
import WinteropTransport
import NIOCore
import SSTPCore
import Testing

/// `winterop sstp send` to `winterop sstp listen`, as separate processes on 127.0.0.1.
@Suite(.serialized) struct EndToEndTests {
    static func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    /// Random bytes, read once; files are slices of it (fast even in debug builds).
    static let pool: Data = {
        let handle = FileHandle(forReadingAtPath: "/dev/urandom")!
        defer { try? handle.close() }
        var bytes = Data()
        while bytes.count < 2 << 20, let chunk = try? handle.readSomeBytes(maximum: (2 << 20) - bytes.count), !chunk.isEmpty { bytes += chunk }
        return bytes
    }()

    static func randomData(_ size: Int, seed: Int) -> Data {
        let start = (seed &* 7919) % (pool.count - size + 1)
        return pool.subdata(in: start..<(start + size))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sstp-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func sendArguments(_ port: Int, target: String = "dpp://listener", files: [URL], extra: [String] = []) -> [String] {
        ["sstp", "send", "--to", "127.0.0.1:\(port)", "--target-device", target, "--device-url", "dpp://sender",
         "--resource", "apphandler", "--identity", "grooveIdentity://listener", "--json"]
            + files.flatMap { ["--file", $0.path] } + extra
    }

    /// Checks every `message` event's file against the sent file of the same UserRef.
    static func checkDelivered(_ listener: ListenerProcess, files: [URL], sourceLocation: SourceLocation = #_sourceLocation) throws {
        try listener.waitFor(count: files.count) { $0["event"] as? String == "message" }
        let byRef = Dictionary(listener.events(named: "message").map { ($0["userRef"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        for file in files {
            let sent = try Data(contentsOf: file)
            let event = try #require(byRef[file.lastPathComponent], "no message for \(file.lastPathComponent)", sourceLocation: sourceLocation)
            let path = try #require(event["path"] as? String)
            let received = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(received == sent, "\(file.lastPathComponent) differs", sourceLocation: sourceLocation)
            #expect(event["sha256"] as? String == sha256(sent), sourceLocation: sourceLocation)
            #expect(event["size"] as? Int == sent.count, sourceLocation: sourceLocation)
        }
    }

    /// (listener version, sender version): the connection runs at the lesser (3.1.5.1, 3.1.5.2).
    @Test(arguments: [("1.5", "1.5"), ("1.6", "1.6"), ("1.6", "1.5"), ("1.5", "1.6")])
    func oneMessageArrivesByteIdenticalAndAcknowledged(_ listenerVersion: String, _ version: String) throws {
        let listener = try ListenerProcess(extra: ["--version", listenerVersion, "--no-fsync"])
        defer { _ = listener.stop() }
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("hello.bin")
        try Self.randomData(100_000, seed: 3).write(to: file)
        let result = try Winterop.run(Self.sendArguments(listener.port, files: [file], extra: ["--version", version, "--ack-immediately", "--ttl", "60", "--user-ref", "hello.bin", "--track"]))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.events.filter { $0["event"] as? String == "acknowledged" }.count == 1)
        #expect(result.events.first { $0["event"] as? String == "connected" }?["version"] as? String == min(version, listenerVersion))
        try Self.checkDelivered(listener, files: [file])
        let event = try #require(listener.events(named: "message").first)
        let flags = try #require(event["flags"] as? [String: Any])
        #expect(flags["acknowledgeImmediately"] as? Bool == true)
        #expect(flags["track"] as? Bool == true)
        #expect(flags["ttl"] as? Int == 60)
        #expect((flags["streamSize"] as? [String: Any])?["messageSize"] as? Int == 100_000)
        #expect(event["resourceURL"] as? String == "apphandler")
        #expect(event["identityURL"] as? String == "grooveIdentity://listener")
    }

    @Test func thousandMessagesOfRandomSizes() throws {
        let listener = try ListenerProcess(extra: ["--no-fsync", "--ack-delay", "0.05"])
        defer { _ = listener.stop() }
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SystemRandomNumberGenerator()
        var files: [URL] = []
        for index in 0..<1000 {
            // Sizes from 0 to 1 MiB: every 100th uniform up to 1 MiB, the rest log-uniform up to
            // 64 KiB, so that the run stays around ten megabytes.
            let size = index == 0 ? 0 : index == 1 ? 1 << 20
                : index % 100 == 50 ? Int.random(in: 0...(1 << 20), using: &rng)
                : Int(pow(2.0, Double.random(in: 0...16, using: &rng)))
            let url = dir.appendingPathComponent(String(format: "m%04d", index))
            try Self.randomData(size, seed: index).write(to: url)
            files.append(url)
        }
        let result = try Winterop.run(Self.sendArguments(listener.port, files: files))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.events.filter { $0["event"] as? String == "acknowledged" }.count == 1000)
        try Self.checkDelivered(listener, files: files)
    }

    @Test func standardInputIsOneMessage() throws {
        let listener = try ListenerProcess(extra: ["--no-fsync", "--ack-delay", "0.05"])
        defer { _ = listener.stop() }
        let payload = Self.randomData(300_000, seed: 5)
        let result = try Winterop.run(Self.sendArguments(listener.port, files: [], extra: ["--user-ref", "stdin"]), stdin: payload)
        #expect(result.status == 0, "\(result.stderr)")
        let event = try listener.waitFor { $0["event"] as? String == "message" }
        #expect(event["sha256"] as? String == Self.sha256(payload))
        // The size was not known beforehand: no StreamSize fields.
        #expect((event["flags"] as? [String: Any])?["streamSize"] == nil)
    }

    @Test(arguments: [false, true])
    func flowControlOnAndOff(_ on: Bool) throws {
        // A tiny high-water mark makes the listener push back often.
        let listener = try ListenerProcess(extra: ["--no-fsync", "--ack-delay", "0.05", "--high-water", "65536"] + (on ? [] : ["--no-flow-control"]))
        defer { _ = listener.stop() }
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try (0..<8).map { index -> URL in
            let url = dir.appendingPathComponent("f\(index)")
            try Self.randomData(1 << 20, seed: index + 1).write(to: url)
            return url
        }
        let result = try Winterop.run(Self.sendArguments(listener.port, files: files))
        #expect(result.status == 0, "\(result.stderr)")
        try Self.checkDelivered(listener, files: files)
        let flowEvents = result.events.filter { $0["event"] as? String == "flow_control" }
        if !on { #expect(flowEvents.isEmpty) }
    }

    @Test func wrongTargetDeviceIsRefused() throws {
        let listener = try ListenerProcess()
        defer { _ = listener.stop() }
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("x")
        try Data([1, 2, 3]).write(to: file)
        let result = try Winterop.run(Self.sendArguments(listener.port, target: "dpp://not-this-one", files: [file]))
        #expect(result.status == 1)
        #expect(result.stderr.contains("WrongDevice"), "\(result.stderr)")
        #expect(result.stderr.contains("not sent: \(file.path)"))
    }

    /// Malformed and out-of-state input on a live listener: each gets the ConnectClose reason
    /// the spec names, and the listener keeps serving.
    @Test func badInputGetsTheSpecsConnectCloseAndTheListenerKeepsServing() throws {
        let listener = try ListenerProcess(extra: ["--no-fsync", "--ack-delay", "0.05"])
        defer { _ = listener.stop() }
        let connect = SSTP.Command.connect(SSTP.Connect(minorVersion: 6, targetDeviceURL: "dpp://listener", sourceDeviceURLs: ["dpp://raw"], peerProductVersion: "raw"))
        let open = SSTP.Command.open(SSTP.Open(sessionId: 1, addressingEntry: .init(resourceURL: "r", identityURL: "i")))
        typealias Reason = SSTP.ConnectClose.Reason
        let cases: [(String, [SSTP.Command], [UInt8], Reason)] = [
            ("unknown CommandId", [], [0x13, 0x07, 0x00, 0, 0, 0, 0], .protocolError),
            ("Data longer than 2055", [], [0x0e, 0x08, 0x08], .protocolError),
            ("EndMessage of 8 bytes", [], [0x0f, 0x08, 0x00, 1, 0, 0, 0, 0], .protocolError),
            ("Open before Connect", [open], [], .tooManyUnknownSessionCmds),
            ("Noop before Connect", [.noop(SSTP.Noop())], [], .protocolError),
            ("Message on an unknown session", [connect, .message(SSTP.Message(sessionId: 9))], [], .tooManyUnknownSessionCmds),
            ("Data before Message", [connect, open, .data(SSTP.Data(sessionId: 1, payload: ByteBuffer(string: "x")))], [], .protocolError),
            ("EndMessage without Data", [connect, open, .message(SSTP.Message(sessionId: 1)), .endMessage(SSTP.EndMessage(sessionId: 1))], [], .protocolError),
            ("Open twice", [connect, open, open], [], .tooManyUnknownSessionCmds),
            ("OpenResponse for no session", [connect, .openResponse(SSTP.OpenResponse(sessionId: 5, responseId: .ok))], [], .tooManyUnknownSessionCmds),
            ("FanoutOpen to a client", [connect, .fanoutOpen(SSTP.FanoutOpen(sessionId: 2, resourceURL: "r", entries: [.init(identityURL: "i")]))], [], .protocolError),
            ("second Connect", [connect, connect], [], .protocolError),
            ("acknowledging unsent messages", [connect, .noop(SSTP.Noop(messageCount: 3))], [], .protocolError),
            ("reserved bits in Open", [connect], [0x05, 0x10, 0x00, 1, 0, 0, 0, 0x61, 0, 0x62, 0, 0x63, 0, 0x80, 0, 0], .protocolError),
        ]
        for (name, commands, raw, reason) in cases {
            let client = try RawClient(port: listener.port)
            for command in commands { try client.send(command) }
            client.send(raw)
            let reply = try client.receiveAll()
            let close = reply.compactMap { c -> SSTP.ConnectClose? in if case .connectClose(let cc) = c { return cc } else { return nil } }
            #expect(close.map(\.reason) == [reason], "\(name): got \(reply.map(\.commandId))")
            client.close()
        }
        // A Connect for another device: ConnectResponse WrongDevice, then ConnectClose.
        let client = try RawClient(port: listener.port)
        try client.send(.connect(SSTP.Connect(minorVersion: 6, targetDeviceURL: "dpp://other", sourceDeviceURLs: ["dpp://raw"], peerProductVersion: "raw")))
        let reply = try client.receiveAll()
        #expect(reply.map(\.commandId) == [.connectResponse, .connectClose])
        if case .connectResponse(let r) = reply.first { #expect(r.responseId == .wrongDevice) }
        // Still serving.
        #expect(listener.process.isRunning)
        // Each violation is reported (the WrongDevice refusal is not a violation of the peer's).
        try listener.waitFor(count: cases.count) { $0["event"] as? String == "protocol_error" }
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("after")
        try Data("still here".utf8).write(to: file)
        let result = try Winterop.run(Self.sendArguments(listener.port, files: [file]))
        #expect(result.status == 0, "\(result.stderr)")
        try Self.checkDelivered(listener, files: [file])
    }

    @Test func peerVanishingMidMessageLeavesNothingAndTheListenerServesOn() throws {
        let listener = try ListenerProcess(extra: ["--no-fsync"])
        defer { _ = listener.stop() }
        let client = try RawClient(port: listener.port)
        try client.send(.connect(SSTP.Connect(minorVersion: 6, targetDeviceURL: "dpp://listener", sourceDeviceURLs: ["dpp://raw"], peerProductVersion: "raw")))
        try client.send(.open(SSTP.Open(sessionId: 1, addressingEntry: .init(resourceURL: "r", identityURL: "i"))))
        try client.send(.message(SSTP.Message(sessionId: 1, userRef: "half")))
        try client.send(.data(SSTP.Data(sessionId: 1, payload: ByteBuffer(repeating: 7, count: 2048))))
        try listener.waitFor { $0["event"] as? String == "session_opened" }
        Thread.sleep(forTimeInterval: 0.2)
        client.close()
        let closed = try listener.waitFor { $0["event"] as? String == "connection_closed" }
        #expect(closed["by"] as? String == "transport")
        // The partial file goes once the writer has finished with it.
        var left = (try? FileManager.default.contentsOfDirectory(atPath: listener.inbox.path)) ?? []
        let deadline = Date().addingTimeInterval(20)
        while !left.isEmpty && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
            left = (try? FileManager.default.contentsOfDirectory(atPath: listener.inbox.path)) ?? []
        }
        #expect(left.isEmpty, "\(left)")
        #expect(listener.events(named: "message").isEmpty)
        // And the next device is served.
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("whole")
        try Data(repeating: 1, count: 5000).write(to: file)
        let result = try Winterop.run(Self.sendArguments(listener.port, files: [file], extra: ["--ack-immediately"]))
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// The receiving device vanishes after the first message: the sender exits 1 and names
    /// what was not acknowledged (3.1.7.1).
    @Test func senderReportsWhatWasNotAcknowledgedWhenThePeerVanishes() throws {
        let server = try RawServer()
        server.serve { fd in
            _ = RawServer.read(fd) { if case .connect = $0 { return true } else { return false } }
            RawServer.write(fd, .connectResponse(SSTP.ConnectResponse(minorVersion: 6, responseId: .ok, peerProductVersion: "raw", targetDeviceURLs: ["dpp://listener"])))
            let opened = RawServer.read(fd) { if case .open = $0 { return true } else { return false } }
            guard case .open(let open)? = opened.last else { return }
            RawServer.write(fd, .openResponse(SSTP.OpenResponse(sessionId: open.sessionId, responseId: .ok)))
            // Take the first sequence whole, then vanish without acknowledging it.
            _ = RawServer.read(fd) { if case .endMessage = $0 { return true } else { return false } }
        }
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try (0..<3).map { index -> URL in
            let url = dir.appendingPathComponent("v\(index)")
            try Data(repeating: UInt8(index), count: 10_000).write(to: url)
            return url
        }
        let result = try Winterop.run(Self.sendArguments(server.port, files: files))
        #expect(result.status == 1)
        #expect(result.stderr.contains("not acknowledged"), "\(result.stderr)")
        #expect(result.stderr.contains(files[0].path))
        let done = try #require(result.events.last)
        #expect(done["event"] as? String == "done")
        #expect((done["acknowledged"] as? [Any])?.isEmpty == true)
    }
}
