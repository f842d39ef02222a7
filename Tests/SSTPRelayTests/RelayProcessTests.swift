import Crypto
import Foundation
import Glibc
import SSTPCore
import Testing
import WinteropTestSupport

/// `winterop sstp relay`, `sstp send` and `sstp receive` as separate processes on 127.0.0.1.
@Suite(.serialized) struct RelayProcessTests {
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sstp-relay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func relay(_ store: URL, port: Int = 0, extra: [String] = []) throws -> WinteropProcess {
        try WinteropProcess.winterop(["sstp", "relay", "--listen", "127.0.0.1:\(port)", "--relay-url", "dpp://relay",
                                      "--store", "sqlite:\(store.path)", "--json"] + extra)
    }

    static func send(_ port: Int, files: [URL], device: String = "dpp://phone") throws -> WinteropProcess.Result {
        try WinteropProcess.run(["sstp", "send", "--to", "127.0.0.1:\(port)", "--target-device", "dpp://relay",
                                 "--device-url", "dpp://sender", "--resource", "app", "--identity", "grooveIdentity://alice",
                                 "--device", device, "--json"] + files.flatMap { ["--file", $0.path] })
    }

    static func receive(_ port: Int, out: URL, count: Int) throws -> WinteropProcess.Result {
        try WinteropProcess.run(["sstp", "receive", "--relay", "127.0.0.1:\(port)", "--relay-url", "dpp://relay",
                                 "--device-url", "dpp://phone", "--identity", "grooveIdentity://alice",
                                 "--out", out.path, "--exit-after", "\(count)", "--json", "--timeout", "20"])
    }

    static func events(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    static func makeFiles(in directory: URL, count: Int) throws -> [URL] {
        try (0..<count).map { i in
            let url = directory.appendingPathComponent("file-\(i).bin")
            var bytes = [UInt8](repeating: 0, count: 100 + i * 997)
            for j in bytes.indices { bytes[j] = UInt8(truncatingIfNeeded: (j &* 31) ^ (i &* 131) ^ (j >> 7)) }
            try Data(bytes).write(to: url)
            return url
        }
    }

    /// Deposits while the recipient is offline, SIGKILLs the relay, restarts it on the
    /// same store and receives every file byte-identical and in order.
    @Test func depositedMessagesSurviveSIGKILLAndAreReceivedInOrder() async throws {
        let work = try Self.temporaryDirectory()
        let store = work.appendingPathComponent("relay.sqlite")
        let files = try Self.makeFiles(in: work, count: 5)

        let first = try Self.relay(store)
        let port = try #require(await first.listeningPort(service: "sstp-relay"), "the relay did not report listening")
        let sent = try Self.send(port, files: files)
        #expect(sent.status == 0, "sstp send failed: \(sent.stderr)")
        kill(first.process.processIdentifier, SIGKILL)
        _ = await first.waitForExit()

        let second = try Self.relay(store, port: port)
        defer { second.terminate() }
        _ = try #require(await second.listeningPort(service: "sstp-relay"))
        #expect(second.event("store_opened")?["stored"] as? Int == files.count)
        let out = work.appendingPathComponent("inbox")
        let received = try Self.receive(port, out: out, count: files.count)
        #expect(received.status == 0, "sstp receive failed: \(received.stderr)")
        let messages = Self.events(received.stdout).filter { $0["event"] as? String == "message" }
        #expect(messages.map { $0["userRef"] as? String } == files.map(\.lastPathComponent))
        for (file, message) in zip(files, messages) {
            let path = try #require(message["path"] as? String)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(contentsOf: file), "\(file.lastPathComponent) differs")
        }
        // Acknowledged by the device: the relay's store empties.
        let emptied = await second.waitForLine { line in line.contains("\"acknowledged\"") }
        #expect(emptied != nil)
    }

    @Test func sigtermStopsTheRelayCleanlyAndKeepsWhatItStored() async throws {
        let work = try Self.temporaryDirectory()
        let store = work.appendingPathComponent("relay.sqlite")
        let relay = try Self.relay(store)
        let port = try #require(await relay.listeningPort(service: "sstp-relay"))
        #expect(try Self.send(port, files: Self.makeFiles(in: work, count: 2)).status == 0)
        relay.terminate()
        #expect(await relay.waitForExit() == 0, "\(relay.stderr)")
        #expect(relay.events().last == "stopped")
        let again = try Self.relay(store)
        defer { again.terminate() }
        _ = await again.listeningPort(service: "sstp-relay")
        #expect(again.event("store_opened")?["stored"] as? Int == 2)
    }

    @Test func relayRefusesAStoreItCannotUse() throws {
        let result = try WinteropProcess.run(["sstp", "relay", "--listen", "127.0.0.1:0", "--relay-url", "dpp://relay", "--store", "mysql://x"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--store"))
    }

    @Test func receiveWithNoRelayListeningExitsOneWithASentence() throws {
        let result = try WinteropProcess.run(["sstp", "receive", "--relay", "127.0.0.1:1", "--relay-url", "dpp://relay",
                                              "--device-url", "dpp://phone", "--identity", "grooveIdentity://alice"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot connect to 127.0.0.1:1"))
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test func receiveNeedsAnIdentity() throws {
        let result = try WinteropProcess.run(["sstp", "receive", "--relay", "127.0.0.1:1", "--relay-url", "dpp://relay", "--device-url", "dpp://phone"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--identity"))
    }

    @Test func identityRegisteredByReceiveGetsIdentityTargetedMessages() async throws {
        let work = try Self.temporaryDirectory()
        let relay = try Self.relay(work.appendingPathComponent("relay.sqlite"))
        defer { relay.terminate() }
        let port = try #require(await relay.listeningPort(service: "sstp-relay"))
        // Register first (a receive that waits for one message), then deposit for the identity.
        let out = work.appendingPathComponent("inbox")
        async let receiving = Task.detached { try Self.receive(port, out: out, count: 1) }.value
        _ = await relay.waitForLine { $0.contains("\"identity_registered\"") }
        let files = try Self.makeFiles(in: work, count: 1)
        #expect(try Self.send(port, files: files, device: "").status == 0)
        let received = try await receiving
        #expect(received.status == 0, "\(received.stderr)")
        #expect(try Data(contentsOf: out.appendingPathComponent("msg-00000001")) == Data(contentsOf: files[0]))
    }

    /// A Register session's registration is committed before it is answered: after SIGKILL
    /// and a restart, an identity-targeted deposit made while the device is offline is
    /// stored for it and delivered when it connects.
    @Test func registrationsSurviveSIGKILL() async throws {
        let work = try Self.temporaryDirectory()
        let store = work.appendingPathComponent("relay.sqlite")
        let first = try Self.relay(store)
        let port = try #require(await first.listeningPort(service: "sstp-relay"))
        let registering = try WinteropProcess.winterop(["sstp", "receive", "--relay", "127.0.0.1:\(port)", "--relay-url", "dpp://relay",
                                                          "--device-url", "dpp://phone", "--identity", "grooveIdentity://alice", "--json"])
        defer { registering.terminate() }
        #expect(await registering.wait(for: "registered") != nil, "\(registering.stderr)")
        kill(first.process.processIdentifier, SIGKILL)
        _ = await first.waitForExit()
        _ = await registering.waitForExit()

        let second = try Self.relay(store, port: port)
        defer { second.terminate() }
        _ = try #require(await second.listeningPort(service: "sstp-relay"))
        #expect(second.event("store_opened")?["registrations"] as? Int == 1)
        let files = try Self.makeFiles(in: work, count: 2)
        let sent = try Self.send(port, files: files, device: "")
        #expect(sent.status == 0, "the identity-targeted deposit was refused: \(sent.stderr)")
        let out = work.appendingPathComponent("inbox")
        let received = try Self.receive(port, out: out, count: 2)
        #expect(received.status == 0, "\(received.stderr)")
        for (index, file) in files.enumerated() {
            #expect(try Data(contentsOf: out.appendingPathComponent("msg-0000000\(index + 1)")) == Data(contentsOf: file))
        }
    }

    /// --quota-messages 2: the third file would pass alice's quota; the relay closes the
    /// session with QuotaWouldBeExceeded and `sstp send` fails naming it; two are stored.
    @Test func aDepositPastTheQuotaIsRefusedWithQuotaWouldBeExceeded() async throws {
        let work = try Self.temporaryDirectory()
        let relay = try Self.relay(work.appendingPathComponent("relay.sqlite"), extra: ["--quota-messages", "2"])
        defer { relay.terminate() }
        let port = try #require(await relay.listeningPort(service: "sstp-relay"))
        let sent = try Self.send(port, files: Self.makeFiles(in: work, count: 3))
        #expect(sent.status == 1)
        #expect(sent.stderr.contains("QuotaWouldBeExceeded"), "\(sent.stderr)")
        #expect(await relay.wait(for: "quota_exceeded") { $0["identity"] as? String == "grooveIdentity://alice" } != nil)
        let received = try Self.receive(port, out: work.appendingPathComponent("inbox"), count: 2)
        #expect(received.status == 0, "\(received.stderr)")
    }

    /// --quota-messages 1, two sequences sent back to back on one session: the first is
    /// stored and acknowledged before the Close QuotaWouldBeExceeded arrives, the refused
    /// second one is not acknowledged while its session is open, and a sequence on another
    /// identity's session afterwards is acknowledged as itself (3.1.4.2.1, 3.1.5.19).
    @Test func aRefusedSequenceIsToldApartFromTheStoredOnes() async throws {
        let work = try Self.temporaryDirectory()
        let relay = try Self.relay(work.appendingPathComponent("relay.sqlite"), extra: ["--quota-messages", "1"])
        defer { relay.terminate() }
        let port = try #require(await relay.listeningPort(service: "sstp-relay"))
        let client = try await FanoutClient.connect(port: port, relayURL: "dpp://relay", deviceURL: "dpp://sender")
        let alice = try await client.open(SSTP.AddressingEntry(resourceURL: "app", identityURL: "grooveIdentity://alice", deviceURL: "dpp://phone"))
        try await client.ready(alice)
        try await client.send([1], on: alice, reference: 1)
        try await client.send([2], on: alice, reference: 2)
        try await client.waitUntil("alice's session is closed") { $0.closed[alice] != nil }
        #expect(client.record.withLockedValue { $0.closed[alice] } == .quotaWouldBeExceeded)
        #expect(client.record.withLockedValue { $0.acknowledgedAtClose[alice] } == [1], "the stored sequence is acknowledged before the Close, the refused one is not")
        let bob = try await client.open(SSTP.AddressingEntry(resourceURL: "app", identityURL: "grooveIdentity://bob", deviceURL: "dpp://bob"))
        try await client.ready(bob)
        try await client.send([3], on: bob, reference: 3)
        try await client.waitUntil("bob's sequence is acknowledged") { $0.acknowledged.contains(3) }
        #expect(client.record.withLockedValue { $0.acknowledged } == [1, 2, 3])
        #expect(await relay.wait(for: "stored") { ($0["recipients"] as? [String]) == ["dpp://bob"] } != nil)
        #expect(relay.jsonEvents().filter { $0["event"] as? String == "stored" }.count == 2)
        await client.disconnect()
    }

    /// `sstp send --fanout` with one destination behind a relay nobody can reach: the relay
    /// reports it lost (SessionStatus HostNotReachable, 3.3.5.6.1) and `sstp send --json`
    /// says so in a destinations_lost event; the local destination gets every file, and the
    /// send exits 1 naming the lost destination.
    @Test func sstpSendFanoutReportsALostDestinationAsAnEvent() async throws {
        let work = try Self.temporaryDirectory()
        let relay = try Self.relay(work.appendingPathComponent("relay.sqlite"))
        defer { relay.terminate() }
        let port = try #require(await relay.listeningPort(service: "sstp-relay"))
        let files = try Self.makeFiles(in: work, count: 2)
        let sent = try WinteropProcess.run(["sstp", "send", "--to", "127.0.0.1:\(port)", "--target-device", "dpp://relay",
                                            "--device-url", "dpp://sender", "--resource", "app",
                                            "--fanout", "grooveIdentity://alice=dpp://phone",
                                            "--fanout", "grooveIdentity://gone=dpp://gone@grooveDNS://127.0.0.1:1", "--json"]
                                           + files.flatMap { ["--file", $0.path] })
        #expect(sent.status == 1, "\(sent.stdout)\n\(sent.stderr)")
        let events = Self.events(sent.stdout)
        let lost = try #require(events.first { $0["event"] as? String == "destinations_lost" }, "\(sent.stdout)")
        #expect(lost["status"] as? String == "HostNotReachable")
        #expect(lost["destinations"] as? [String] == ["grooveIdentity://gone dpp://gone@grooveDNS://127.0.0.1:1"])
        let done = try #require(events.first { $0["event"] as? String == "done" })
        #expect(done["acknowledged"] as? [String] == files.map(\.path))
        #expect((done["failure"] as? String)?.contains("dpp://gone") == true)
        let received = try Self.receive(port, out: work.appendingPathComponent("inbox"), count: files.count)
        #expect(received.status == 0, "\(received.stderr)")
    }

    /// --max-device-connections 1 (NumberOfConcurrentDeviceConnections): a second connection
    /// of the same device is answered Ok, then ConnectClose CrossedConnections (3.1.5.1).
    @Test func aSecondConnectionOfADeviceIsClosedWithCrossedConnections() async throws {
        let work = try Self.temporaryDirectory()
        let relay = try Self.relay(work.appendingPathComponent("relay.sqlite"), extra: ["--max-device-connections", "1"])
        defer { relay.terminate() }
        let port = try #require(await relay.listeningPort(service: "sstp-relay"))
        let first = try await FanoutClient.connect(port: port, relayURL: "dpp://relay", deviceURL: "dpp://phone")
        let second = try await FanoutClient.connect(port: port, relayURL: "dpp://relay", deviceURL: "dpp://phone")
        try await second.waitUntil("the second connection is closed") { $0.ended }
        #expect(second.record.withLockedValue { $0.endCause }.contains("rossedConnections"), "\(second.record.withLockedValue { $0.endCause })")
        #expect(!first.record.withLockedValue { $0.ended })
        await first.disconnect()
    }
}
