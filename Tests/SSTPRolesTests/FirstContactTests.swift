import Foundation
import NIOCore
import SSTPCore
import Testing

/// Issue 8: no message lost or overwritten, limits that hold, configuration refused up front.
@Suite(.serialized) struct FirstContactTests {
    @Test func aListenerNeverOverwritesWhatIsAlreadyInItsOutputDirectory() throws {
        let dir = try EndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let inbox = dir.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        // What an earlier run left: its messages keep their bytes and names.
        try Data("earlier one".utf8).write(to: inbox.appendingPathComponent("msg-00000001"))
        try Data("earlier seven".utf8).write(to: inbox.appendingPathComponent("msg-00000007"))
        let listener = try ListenerProcess(extra: ["--no-fsync", "--out", inbox.path])
        defer { _ = listener.stop() }
        let file = dir.appendingPathComponent("new.bin")
        try Data("new message".utf8).write(to: file)
        let result = try Winterop.run(EndToEndTests.sendArguments(listener.port, files: [file]))
        #expect(result.status == 0, "\(result.stderr)")
        let message = try listener.waitFor { $0["event"] as? String == "message" }
        #expect(message["path"] as? String == inbox.appendingPathComponent("msg-00000008").path)
        #expect(try Data(contentsOf: inbox.appendingPathComponent("msg-00000001")) == Data("earlier one".utf8))
        #expect(try Data(contentsOf: inbox.appendingPathComponent("msg-00000008")) == Data("new message".utf8))
    }

    @Test(arguments: ["/etc/passwd", "/etc/passwd/inbox"])
    func anUnusableOutputDirectoryIsRefusedAtStart(_ out: String) throws {
        let result = try Winterop.run(["sstp", "listen", "--listen", "127.0.0.1:0", "--device-url", "dpp://x", "--out", out])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--out \(out)"), "\(result.stderr)")
        #expect(!result.stderr.contains("NSCocoaErrorDomain") && !result.stderr.contains("Error Domain"))
        #expect(!result.stdout.contains("listening"))
    }

    @Test func aMessageOverTheSizeLimitClosesItsSessionAndLeavesNoFile() throws {
        let listener = try ListenerProcess(extra: ["--no-fsync", "--max-message-size", "4096"])
        defer { _ = listener.stop() }
        let dir = try EndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("big.bin")
        try EndToEndTests.randomData(100_000, seed: 5).write(to: file)
        let result = try Winterop.run(EndToEndTests.sendArguments(listener.port, files: [file]))
        #expect(result.status == 1)
        #expect(result.stderr.contains("QuotaWouldBeExceeded"), "\(result.stderr)")
        let limit = try listener.waitFor { $0["event"] as? String == "protocol_error" }
        #expect(limit["reason"] as? String == "QuotaWouldBeExceeded")
        #expect(limit["session"] != nil)
        // The listener serves on; nothing of the refused message is left.
        let small = dir.appendingPathComponent("small.bin")
        try Data("fits".utf8).write(to: small)
        #expect(try Winterop.run(EndToEndTests.sendArguments(listener.port, files: [small])).status == 0)
        _ = try listener.waitFor { $0["event"] as? String == "message" }
        let left = try FileManager.default.contentsOfDirectory(atPath: listener.directory.appendingPathComponent("inbox").path)
        #expect(left == ["msg-00000001"], "\(left)")
    }

    @Test func connectionsBeyondMaxConnectionsAreRefusedWithAnEvent() throws {
        let listener = try ListenerProcess(extra: ["--max-connections", "1"])
        defer { _ = listener.stop() }
        let first = try RawClient(port: listener.port)
        try first.send(.connect(SSTP.Connect(minorVersion: 6, targetDeviceURL: "dpp://listener", sourceDeviceURLs: ["dpp://a"], peerProductVersion: "raw")))
        _ = try listener.waitFor { $0["event"] as? String == "connected" }
        let second = try RawClient(port: listener.port)
        #expect(try second.receiveAll().isEmpty)
        let refused = try listener.waitFor { $0["event"] as? String == "connection_limit" }
        #expect(refused["limit"] as? Int == 1)
        first.close()
    }
}

extension FirstContactTests {
    static func openDescriptors(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    @Test func halfSentMessagesHoldNoDescriptors() throws {
        let listener = try ListenerProcess(extra: ["--no-fsync"])
        defer { _ = listener.stop() }
        let client = try RawClient(port: listener.port)
        try client.send(.connect(SSTP.Connect(minorVersion: 6, targetDeviceURL: "dpp://listener", sourceDeviceURLs: ["dpp://raw"], peerProductVersion: "raw")))
        _ = try listener.waitFor { $0["event"] as? String == "connected" }
        let before = Self.openDescriptors(listener.process.processIdentifier)
        // 200 sessions, each inside a message that never ends.
        for id: UInt32 in 1...200 {
            try client.send(.open(SSTP.Open(sessionId: id, addressingEntry: SSTP.AddressingEntry(resourceURL: "r", identityURL: "i"))))
            try client.send(.message(SSTP.Message(sessionId: id)))
            try client.send(.data(SSTP.Data(sessionId: id, payload: ByteBuffer(repeating: 1, count: 1000))))
        }
        _ = try listener.waitFor(count: 200) { $0["event"] as? String == "session_opened" }
        Thread.sleep(forTimeInterval: 0.2)
        let during = Self.openDescriptors(listener.process.processIdentifier)
        #expect(during - before < 10, "\(before) descriptors before, \(during) with 200 messages half sent")
        client.close()
    }
}

/// Issue 8: a write that fails mid-message (the disk is full).
extension FirstContactTests {
    static let fullDevice = FileManager.default.isWritableFile(atPath: "/dev/full")

    /// The first connection's first session (SessionId 0) writes its message to `.incoming-1-0.part`;
    /// made a link to /dev/full, every write into it fails with ENOSPC, as on a full disk.
    @Test(.enabled(if: fullDevice, "needs a writable /dev/full"))
    func aFullDiskMidMessageIsNotAcknowledgedClosesTheSessionAndTheListenerServesOn() throws {
        let listener = try ListenerProcess(extra: ["--no-fsync"])
        defer { _ = listener.stop() }
        let part = listener.inbox.appendingPathComponent(".incoming-1-0.part")
        try FileManager.default.createSymbolicLink(atPath: part.path, withDestinationPath: "/dev/full")
        let dir = try EndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Larger than the listener's high-water mark (4 MiB): its end cannot be read before
        // writes have come back, so the failure is always found mid-message (a message
        // read whole before the first write fails is, rightly, a connection closed with
        // InternalError instead: its acknowledgment can never come).
        let big = dir.appendingPathComponent("big.bin")
        try Data(repeating: 0x5A, count: 16 << 20).write(to: big)
        let result = try Winterop.run(EndToEndTests.sendArguments(listener.port, files: [big]))
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("QuotaWouldBeExceeded"), "\(result.stderr)")
        #expect(!result.events.contains { $0["event"] as? String == "acknowledged" })
        let failed = try listener.waitFor { $0["event"] as? String == "store_failed" }
        #expect((failed["error"] as? String)?.contains("No space left on device") == true, "\(failed)")
        _ = try listener.waitFor { $0["event"] as? String == "session_closed" && $0["reason"] as? String == "QuotaWouldBeExceeded" }
        // The listener serves on, and nothing of the failed message is left.
        let small = dir.appendingPathComponent("small.bin")
        try Data("fits".utf8).write(to: small)
        #expect(try Winterop.run(EndToEndTests.sendArguments(listener.port, files: [small])).status == 0)
        _ = try listener.waitFor { $0["event"] as? String == "message" }
        let left = try FileManager.default.contentsOfDirectory(atPath: listener.inbox.path)
        #expect(left == ["msg-00000001"], "\(left)")
    }
}

/// Issue 8: the per-process cap on messages in progress, and what a user is told about device URLs.
extension FirstContactTests {
    @Test func aMessageBeyondTheProcessCapClosesItsSessionWithAnEvent() throws {
        let listener = try ListenerProcess(extra: ["--no-fsync", "--max-messages-in-progress", "2"])
        defer { _ = listener.stop() }
        let client = try RawClient(port: listener.port)
        try client.send(.connect(SSTP.Connect(minorVersion: 6, targetDeviceURL: "dpp://listener", sourceDeviceURLs: ["dpp://raw"], peerProductVersion: "raw")))
        _ = try listener.waitFor { $0["event"] as? String == "connected" }
        for id: UInt32 in 1...3 {
            try client.send(.open(SSTP.Open(sessionId: id, addressingEntry: SSTP.AddressingEntry(resourceURL: "r", identityURL: "i"))))
            try client.send(.message(SSTP.Message(sessionId: id)))
            try client.send(.data(SSTP.Data(sessionId: id, payload: ByteBuffer(repeating: 1, count: 100))))
        }
        let limit = try listener.waitFor { $0["event"] as? String == "message_limit" }
        #expect(limit["session"] as? Int == 3 && limit["limit"] as? Int == 2, "\(limit)")
        _ = try listener.waitFor { $0["event"] as? String == "session_closed" && $0["session"] as? Int == 3 }
        // The two admitted messages still complete.
        for id: UInt32 in 1...2 { try client.send(.endMessage(SSTP.EndMessage(sessionId: id))) }
        _ = try listener.waitFor(count: 2) { $0["event"] as? String == "message" }
        client.close()
    }

    @Test func theListenerSaysWhichDeviceURLsItAcceptsAndWrongDeviceSaysWhatToCheck() throws {
        let listener = try ListenerProcess()
        defer { _ = listener.stop() }
        let accepting = try listener.waitFor { $0["event"] as? String == "accepting" }
        #expect(accepting["deviceURLs"] as? [String] == ["dpp://listener"])
        let dir = try EndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("x")
        try Data([1]).write(to: file)
        let result = try Winterop.run(EndToEndTests.sendArguments(listener.port, target: "dpp://not-this-one", files: [file]))
        #expect(result.status == 1)
        #expect(result.stderr.contains("dpp://not-this-one is not one of its device URLs"), "\(result.stderr)")
        #expect(result.stderr.contains("--target-device"), "\(result.stderr)")
    }
}
