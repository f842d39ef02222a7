import Dispatch
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SSTPCore
@testable import SSTPRoles
import Testing
import WinteropTransport

/// Issue 10's two guarantees: a send ends within a round trip of its last message, and
/// nothing is acknowledged before its bytes are on disk.
@Suite struct DataPathTests {
    @Test func aOneFileSendDoesNotWaitForTheAcknowledgmentTimer() throws {
        // The receiver's Message Acknowledgment Timer is 60 s: only an immediate
        // acknowledgment (the A bit on the last message, 3.1.4.7) ends the send sooner.
        let listener = try ListenerProcess(extra: ["--ack-delay", "60", "--no-fsync"])
        defer { _ = listener.stop() }
        let dir = try EndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("six.txt")
        try Data("hello\n".utf8).write(to: file)
        let started = Date()
        let result = try Winterop.run(EndToEndTests.sendArguments(listener.port, files: [file]))
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(elapsed < 30, "the send took \(elapsed) s")
        let message = try listener.waitFor { $0["event"] as? String == "message" }
        let flags = try #require(message["flags"] as? [String: Any])
        #expect(flags["acknowledgeImmediately"] as? Bool == true)
    }

    @Test func noMessageIsAcknowledgedBeforeItsBytesAreWritten() async throws {
        let directory = try EndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The disk is held: the listener's writer queues run on `disk`, which is suspended.
        let disk = DispatchQueue(label: "held disk")
        disk.suspend()
        let listener = SSTPDeviceListener(
            configuration: try SSTPDeviceConfiguration(listen: "127.0.0.1:0", deviceURLs: ["dpp://listener"], outputDirectory: directory.path, sync: false),
            events: EventLog(json: true) { _ in }, storeTarget: disk)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let service = listener.service(eventLoopGroup: group)
        let port = try #require(try await service.bind().port)
        let lines = NIOLockedValueBox<[String]>([])
        let sentOne = group.next().makePromise(of: Void.self)
        let events = EventLog(json: true) { line in
            lines.withLockedValue { $0.append(line) }
            if line.contains("\"event\":\"sent\"") { sentOne.succeed(()) }
        }
        let sending = Task {
            try await SSTPSender.send(try SSTPSendConfiguration(
                to: "127.0.0.1:\(port)", targetDevice: "dpp://listener", deviceURL: "dpp://sender",
                resource: "apphandler", identity: "grooveIdentity://listener"
            ).with(messages: [SSTPOutgoingMessage(name: "m", source: .bytes(ByteBuffer(repeating: 7, count: 10_000)), options: .init(acknowledgeImmediately: true))]),
            events: events, group: group)
        }
        try await sentOne.futureResult.get()
        // Give the listener time to take the EndMessage in (loopback), then kill every
        // connection without a goodbye while the bytes still wait for the disk.
        try await Task.sleep(for: .milliseconds(300))
        for channel in service.connections { try? await channel.close() }
        let report = try await sending.value
        disk.resume()
        #expect(report.acknowledged.isEmpty)
        #expect(report.unacknowledged == ["m"])
        #expect(!lines.withLockedValue { $0 }.contains { $0.contains("\"event\":\"acknowledged\"") })
        await service.shutdown()
        try await group.shutdownGracefully()
    }
}

extension DataPathTests {
    @Test func aDirectoryAsFileSendsEachOfItsFilesAndProgressIsReportedAFewTimesASecond() throws {
        let listener = try ListenerProcess(extra: ["--no-fsync"])
        defer { _ = listener.stop() }
        let dir = try EndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = (0..<3).map { dir.appendingPathComponent("part-\($0).bin") }
        for (index, file) in files.enumerated() { try EndToEndTests.randomData(700_000, seed: index).write(to: file) }
        try Data("hidden".utf8).write(to: dir.appendingPathComponent(".hidden"))
        let started = Date()
        let result = try Winterop.run(EndToEndTests.sendArguments(listener.port, files: [dir]))
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.status == 0, "\(result.stderr)")
        let events = Winterop.events(result.stdout)
        #expect(events.filter { $0["event"] as? String == "acknowledged" }.map { $0["name"] as? String ?? "" } == files.map(\.path))
        let progress = events.filter { $0["event"] as? String == "progress" }
        #expect(!progress.isEmpty)
        #expect(Double(progress.count) <= elapsed * 4 + 2, "\(progress.count) progress events in \(elapsed) s")
        try EndToEndTests.checkDelivered(listener, files: files)
    }
}

extension SSTPSendConfiguration {
    /// The same send with other messages.
    func with(messages: [SSTPOutgoingMessage]) -> SSTPSendConfiguration {
        var copy = self
        copy.messages = messages
        return copy
    }
}

/// Issue 10: `--stdin-messages`, many length-prefixed messages on standard input.
extension DataPathTests {
    static func lengthPrefixed(_ messages: [Data]) -> Data {
        var stream = Data()
        for message in messages {
            withUnsafeBytes(of: UInt32(message.count).bigEndian) { stream.append(contentsOf: $0) }
            stream.append(message)
        }
        return stream
    }

    @Test func standardInputMessagesAreEachAMessage() throws {
        let listener = try ListenerProcess(extra: ["--no-fsync"])
        defer { _ = listener.stop() }
        let messages = (0..<50).map { EndToEndTests.randomData($0 * 97 % 5000, seed: $0) }
        let result = try Winterop.run(EndToEndTests.sendArguments(listener.port, files: [], extra: ["--stdin-messages"]),
                                      stdin: Self.lengthPrefixed(messages))
        #expect(result.status == 0, "\(result.stderr)")
        _ = try listener.waitFor(count: messages.count) { $0["event"] as? String == "message" }
        let byRef = Dictionary(listener.events(named: "message").map { ($0["userRef"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        for (index, message) in messages.enumerated() {
            let event = try #require(byRef["stdin#\(index + 1)"])
            #expect(event["size"] as? Int == message.count)
            #expect(try Data(contentsOf: URL(fileURLWithPath: event["path"] as? String ?? "")) == message)
        }
    }

    @Test func aTruncatedStandardInputMessageIsRefusedBeforeAnythingIsSent() throws {
        var stream = Self.lengthPrefixed([Data("one".utf8)])
        stream.append(contentsOf: [0, 0, 0, 10, 1, 2])
        let result = try Winterop.run(["sstp", "send", "--to", "127.0.0.1:1", "--target-device", "dpp://x", "--device-url", "dpp://y",
                                       "--resource", "r", "--identity", "i", "--stdin-messages"], stdin: stream)
        #expect(result.status == 2)
        #expect(result.stderr.contains("message 2 says 10 bytes but standard input ends after 2"), "\(result.stderr)")
    }
}

/// Issue 10: `--no-sha256` on both sides leaves the digest out (it is most of the CPU of
/// large transfers); the bytes are delivered all the same.
extension DataPathTests {
    @Test func noSHA256LeavesTheDigestFieldsOutOnBothSides() throws {
        let listener = try ListenerProcess(extra: ["--no-fsync", "--no-sha256"])
        defer { _ = listener.stop() }
        let dir = try EndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("m.bin")
        let payload = EndToEndTests.randomData(200_000, seed: 3)
        try payload.write(to: file)
        let result = try Winterop.run(EndToEndTests.sendArguments(listener.port, files: [file], extra: ["--no-sha256"]))
        #expect(result.status == 0, "\(result.stderr)")
        let sent = try #require(result.events.first { $0["event"] as? String == "sent" })
        #expect(sent["sha256"] == nil)
        let message = try listener.waitFor { $0["event"] as? String == "message" }
        #expect(message["sha256"] == nil)
        #expect(try Data(contentsOf: URL(fileURLWithPath: message["path"] as? String ?? "")) == payload)
    }
}

extension DataPathTests {
    /// Issue 8: a sender whose OutboundMessageList fills waits for acknowledgments, asking
    /// for them at once, and so never stalls for the receiver's 5 s timer.
    @Test func aSenderWithAFullOutboundListWaitsForAcknowledgmentsWithoutStalling() async throws {
        let listener = try ListenerProcess(extra: ["--no-fsync"])
        defer { _ = listener.stop() }
        var configuration = try SSTPSendConfiguration(
            to: "127.0.0.1:\(listener.port)", targetDevice: "dpp://listener", deviceURL: "dpp://sender",
            resource: "apphandler", identity: "grooveIdentity://listener"
        ).with(messages: (0..<40).map { SSTPOutgoingMessage(name: "m\($0)", source: .bytes(ByteBuffer(repeating: UInt8($0), count: 300))) })
        configuration.connection.maximumOutboundMessages = 4
        let start = ContinuousClock.now
        let report = try await SSTPSender.send(configuration, events: EventLog(json: true) { _ in })
        #expect(report.succeeded, "\(report.failureSummary)")
        #expect(report.acknowledged.count == 40)
        // Ten rounds of four: waiting out the 5 s timer each round would take 45 s or more;
        // the bound leaves room for a loaded machine.
        #expect(ContinuousClock.now - start < .seconds(30))
    }
}
