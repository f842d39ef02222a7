import Dispatch
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SSTPCore
@testable import SSTPRoles
import Testing
import WinteropTransport

/// Issue 10: `sstp listen --store spool` keeps small messages many to a write, and a user
/// gets each one back with `winterop sstp spool`.
@Suite struct SpoolTests {
    @Test func smallMessagesGoToTheSpoolLargeOnesToTheirOwnFileAndSpoolExtractsEachOne() throws {
        let listener = try ListenerProcess(extra: ["--no-fsync", "--store", "spool"])
        defer { _ = listener.stop() }
        let dir = try EndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var files = (0..<3).map { dir.appendingPathComponent("small-\($0)") }
        for (index, file) in files.enumerated() { try EndToEndTests.randomData(100 + index * 300, seed: index).write(to: file) }
        let empty = dir.appendingPathComponent("empty")
        try Data().write(to: empty)
        let big = dir.appendingPathComponent("big")
        try EndToEndTests.randomData(SSTPSpool.messageLimit + 1, seed: 9).write(to: big)
        files += [empty, big]
        let result = try Winterop.run(EndToEndTests.sendArguments(listener.port, files: files))
        #expect(result.status == 0, "\(result.stderr)")
        try listener.waitFor(count: files.count) { $0["event"] as? String == "message" }
        let events = listener.events(named: "message")
        let spool = listener.inbox.appendingPathComponent("spool-00000001").path
        let spooled = events.filter { $0["path"] as? String == spool }
        #expect(spooled.count == 4, "\(events)")
        #expect(spooled.allSatisfy { $0["offset"] is Int })
        let own = try #require(events.first { $0["userRef"] as? String == "big" })
        #expect(own["path"] as? String == listener.inbox.appendingPathComponent("msg-00000001").path)
        #expect(own["offset"] == nil)
        #expect(try Data(contentsOf: big) == Data(contentsOf: URL(fileURLWithPath: own["path"] as? String ?? "")))

        // Every spooled message's bytes are where its event says, and `sstp spool
        // --extract` gives each back as a file of its own, in the order stored.
        let raw = try Data(contentsOf: URL(fileURLWithPath: spool))
        for event in spooled {
            let file = try #require(files.first { $0.lastPathComponent == event["userRef"] as? String })
            let offset = try #require(event["offset"] as? Int), size = try #require(event["size"] as? Int)
            #expect(raw.subdata(in: offset..<offset + size) == (try Data(contentsOf: file)))
        }
        let out = dir.appendingPathComponent("extracted")
        let extract = try Winterop.run(["sstp", "spool", spool, "--extract", out.path, "--json"])
        #expect(extract.status == 0, "\(extract.stderr)")
        let records = extract.events.filter { $0["event"] as? String == "record" }
        #expect(records.map { $0["sequence"] as? Int } == spooled.map { $0["sequence"] as? Int })
        for (record, event) in zip(records, spooled) {
            let file = try #require(files.first { $0.lastPathComponent == event["userRef"] as? String })
            let extracted = try #require(record["extracted"] as? String)
            #expect(try Data(contentsOf: URL(fileURLWithPath: extracted)) == Data(contentsOf: file))
        }
    }

    @Test func aRestartedListenerStartsANewSpoolAndNeverWritesIntoAnEarlierOne() throws {
        let dir = try EndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let inbox = dir.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        let earlier = inbox.appendingPathComponent("spool-00000003")
        try Data("WTSPOOL1".utf8).write(to: earlier)
        let listener = try ListenerProcess(extra: ["--no-fsync", "--store", "spool", "--out", inbox.path])
        defer { _ = listener.stop() }
        let file = dir.appendingPathComponent("new")
        try Data("new message".utf8).write(to: file)
        #expect(try Winterop.run(EndToEndTests.sendArguments(listener.port, files: [file])).status == 0)
        let message = try listener.waitFor { $0["event"] as? String == "message" }
        #expect(message["path"] as? String == inbox.appendingPathComponent("spool-00000004").path)
        #expect(try Data(contentsOf: earlier) == Data("WTSPOOL1".utf8))
    }

    @Test func aRecordCutShortIsReportedAndTheOnesBeforeItRead() throws {
        let dir = try EndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var bytes = ByteBuffer(bytes: SSTPSpool.magic)
        SSTPSpool.writeHeader(size: 3, connection: 1, session: 0, sequence: 1, into: &bytes)
        bytes.writeBytes([1, 2, 3])
        let cut = bytes.writerIndex
        SSTPSpool.writeHeader(size: 10, connection: 1, session: 0, sequence: 2, into: &bytes)
        bytes.writeBytes([4, 5])
        let path = dir.appendingPathComponent("spool-00000001").path
        try Data(bytes.readableBytesView).write(to: URL(fileURLWithPath: path))
        let contents = try SSTPSpool.contents(of: path)
        #expect(contents.records == [SSTPSpool.Record(index: 1, offset: SSTPSpool.magic.count + SSTPSpool.recordHeaderSize, size: 3, connection: 1, session: 0, sequence: 1)])
        #expect(contents.truncatedAt == cut)
        let listed = try Winterop.run(["sstp", "spool", path, "--json"])
        #expect(listed.status == 0)
        #expect(listed.events.map { $0["event"] as? String } == ["record", "truncated"])
        // Not a spool at all: exit 2 with what to give instead.
        let notSpool = dir.appendingPathComponent("x")
        try Data("hello".utf8).write(to: notSpool)
        let refused = try Winterop.run(["sstp", "spool", notSpool.path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("is not a spool file"), "\(refused.stderr)")
    }

    @Test func noSpooledMessageIsAcknowledgedBeforeItsBytesAreWritten() async throws {
        let directory = try EndToEndTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The disk is held: the spool writer runs on `disk`, which is suspended.
        let disk = DispatchQueue(label: "held disk")
        disk.suspend()
        var configuration = try SSTPDeviceConfiguration(listen: "127.0.0.1:0", deviceURLs: ["dpp://listener"], outputDirectory: directory.path, sync: false)
        configuration.store = .spool
        let listener = SSTPDeviceListener(configuration: configuration, events: EventLog(json: true) { _ in }, storeTarget: disk)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let service = listener.service(eventLoopGroup: group)
        let port = try #require(try await service.bind().port)
        let lines = NIOLockedValueBox<[String]>([])
        let sentAll = group.next().makePromise(of: Void.self)
        let events = EventLog(json: true) { line in
            lines.withLockedValue { $0.append(line) }
            if line.contains("\"event\":\"sent\"") && line.contains("\"message\":2") { sentAll.succeed(()) }
        }
        let messages = (0..<3).map { SSTPOutgoingMessage(name: "m\($0)", source: .bytes(ByteBuffer(repeating: UInt8($0), count: 300)), options: .init(acknowledgeImmediately: true)) }
        let sending = Task {
            try await SSTPSender.send(try SSTPSendConfiguration(
                to: "127.0.0.1:\(port)", targetDevice: "dpp://listener", deviceURL: "dpp://sender",
                resource: "apphandler", identity: "grooveIdentity://listener"
            ).with(messages: messages), events: events, group: group)
        }
        try await sentAll.futureResult.get()
        try await Task.sleep(for: .milliseconds(300))
        for channel in service.connections { try? await channel.close() }
        let report = try await sending.value
        disk.resume()
        #expect(report.acknowledged.isEmpty)
        #expect(report.unacknowledged == ["m0", "m1", "m2"])
        #expect(!lines.withLockedValue { $0 }.contains { $0.contains("\"event\":\"acknowledged\"") })
        await service.shutdown()
        try await group.shutdownGracefully()
    }
}
