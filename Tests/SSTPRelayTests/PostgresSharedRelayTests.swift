import Foundation
import Glibc
import Testing
import WinteropTestSupport

/// Several `winterop sstp relay` processes on one PostgreSQL database act as one relay
/// (issue 11): what is deposited through one is delivered by the one the recipient is
/// attached to, each message once, in order, byte-identical.
@Suite(.serialized, .enabled(if: LocalPostgres.available, "PostgreSQL's initdb (Debian package postgresql) is not installed"))
struct PostgresSharedRelayTests {
    static func relay(_ server: LocalPostgres, extra: [String] = []) throws -> WinteropProcess {
        try WinteropProcess.winterop(["sstp", "relay", "--listen", "127.0.0.1:0", "--relay-url", "dpp://relay",
                                      "--store", server.url, "--json", "--ack-delay", "0.05"] + extra)
    }

    /// `sstp receive` on `port`, running until it took `count` messages.
    static func receiver(_ port: Int, out: URL, count: Int) throws -> WinteropProcess {
        try WinteropProcess.winterop(["sstp", "receive", "--relay", "127.0.0.1:\(port)", "--relay-url", "dpp://relay",
                                      "--device-url", "dpp://phone", "--identity", "grooveIdentity://alice",
                                      "--out", out.path, "--exit-after", "\(count)", "--json", "--timeout", "30"])
    }

    /// The ids a relay reported in its events `name` (`stored` or `acknowledged`).
    static func ids(_ relay: WinteropProcess, _ name: String) -> [Int64] {
        relay.jsonEvents().filter { $0["event"] as? String == name }.flatMap { ($0["ids"] as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.int64Value } }
    }

    /// The received messages of a finished `sstp receive`, checked against `files`: the same
    /// names in the same order, each byte-identical.
    static func expectReceived(_ receiver: WinteropProcess, _ files: [URL], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let messages = receiver.jsonEvents().filter { $0["event"] as? String == "message" }
        #expect(messages.map { $0["userRef"] as? String } == files.map(\.lastPathComponent), sourceLocation: sourceLocation)
        for (file, message) in zip(files, messages) {
            let path = try #require(message["path"] as? String, sourceLocation: sourceLocation)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(contentsOf: file), "\(file.lastPathComponent) differs", sourceLocation: sourceLocation)
        }
    }

    /// Waits until `relay` reported acknowledgments for all of `ids`.
    static func waitAcknowledged(_ relay: WinteropProcess, _ ids: Set<Int64>) async -> [Int64] {
        let clock = ContinuousClock(), deadline = clock.now + .seconds(30)
        while clock.now < deadline, !ids.isSubset(of: Set(Self.ids(relay, "acknowledged"))) {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return Self.ids(relay, "acknowledged")
    }

    @Test func aDepositOnOneRelayIsDeliveredOnceInOrderByTheRelayTheRecipientIsAttachedTo() async throws {
        let server = try #require(try LocalPostgres.start(), "a PostgreSQL server could not be started")
        defer { server.stop() }
        let work = try RelayProcessTests.temporaryDirectory()
        let first = try Self.relay(server), second = try Self.relay(server)
        defer { first.terminate(); second.terminate() }
        let firstPort = try #require(await first.listeningPort(service: "sstp-relay"), "\(first.stderr)")
        let secondPort = try #require(await second.listeningPort(service: "sstp-relay"), "\(second.stderr)")

        // Live: the recipient is attached to the second relay while the depositor uses the first.
        let files = try RelayProcessTests.makeFiles(in: work, count: 24)
        let receiving = try Self.receiver(secondPort, out: work.appendingPathComponent("live"), count: files.count)
        defer { receiving.terminate() }
        _ = try #require(await second.waitForLine { $0.contains("\"identity_registered\"") }, "the recipient did not attach: \(receiving.stderr)")
        let sent = try RelayProcessTests.send(firstPort, files: files)
        #expect(sent.status == 0, "sstp send failed: \(sent.stderr)")
        #expect(await receiving.waitForExit() == 0, "sstp receive failed: \(receiving.stderr)")
        try Self.expectReceived(receiving, files)
        let stored = Self.ids(first, "stored")
        #expect(stored.count == files.count && stored == stored.sorted(), "ids from the database's sequence, increasing: \(stored)")
        let acknowledged = await Self.waitAcknowledged(second, Set(stored))
        #expect(acknowledged.sorted() == stored, "each delivered and acknowledged once")
        #expect(Self.ids(first, "delivered").isEmpty && first.event("delivered") == nil, "the first relay delivered nothing")

        // Offline, then attached to the other relay: deposited on the second, received from the first.
        let later = Array(files.prefix(5))
        #expect(try RelayProcessTests.send(secondPort, files: later).status == 0)
        let fromFirst = try Self.receiver(firstPort, out: work.appendingPathComponent("later"), count: later.count)
        defer { fromFirst.terminate() }
        #expect(await fromFirst.waitForExit() == 0, "\(fromFirst.stderr)")
        try Self.expectReceived(fromFirst, later)

        // Identity-targeted (the registration came through the second relay): deposited on the
        // first while offline, received from the second.
        let targeted = Array(files.suffix(3))
        let identitySent = try WinteropProcess.run(["sstp", "send", "--to", "127.0.0.1:\(firstPort)", "--target-device", "dpp://relay",
                                                     "--device-url", "dpp://sender", "--resource", "app", "--identity", "grooveIdentity://alice",
                                                     "--json"] + targeted.flatMap { ["--file", $0.path] })
        #expect(identitySent.status == 0, "\(identitySent.stderr)")
        let fromSecond = try Self.receiver(secondPort, out: work.appendingPathComponent("targeted"), count: targeted.count)
        defer { fromSecond.terminate() }
        #expect(await fromSecond.waitForExit() == 0, "\(fromSecond.stderr)")
        try Self.expectReceived(fromSecond, targeted)
    }

    /// Two relays with claim lease `lease`; the recipient attaches to the second, then stops
    /// (SIGSTOP), and messages are deposited through the first: the second claims them all,
    /// delivers and acknowledges none. `end` then ends the second relay; the recipient,
    /// attached to the first now, must receive every message, in order.
    static func claimsHeldByARelayThatEnds(lease: String, files count: Int, _ end: (WinteropProcess) async -> Void) async throws {
        let server = try #require(try LocalPostgres.start(), "a PostgreSQL server could not be started")
        defer { server.stop() }
        let work = try RelayProcessTests.temporaryDirectory()
        let survivor = try relay(server, extra: ["--claim-lease", lease]), holder = try relay(server, extra: ["--claim-lease", lease])
        defer { survivor.terminate(); holder.terminate() }
        let survivorPort = try #require(await survivor.listeningPort(service: "sstp-relay"), "\(survivor.stderr)")
        let holderPort = try #require(await holder.listeningPort(service: "sstp-relay"), "\(holder.stderr)")
        let files = try RelayProcessTests.makeFiles(in: work, count: count)
        let stalled = try receiver(holderPort, out: work.appendingPathComponent("stalled"), count: files.count)
        defer { kill(stalled.process.processIdentifier, SIGKILL) }
        _ = try #require(await holder.waitForLine { $0.contains("\"identity_registered\"") }, "\(stalled.stderr)")
        kill(stalled.process.processIdentifier, SIGSTOP)
        #expect(try RelayProcessTests.send(survivorPort, files: files).status == 0)
        let clock = ContinuousClock(), deadline = clock.now + .seconds(30)
        while clock.now < deadline, ids(holder, "claimed").count < files.count {
            try? await Task.sleep(for: .milliseconds(50))
        }
        #expect(ids(holder, "claimed").count == files.count, "the second relay claimed them")
        #expect(ids(holder, "acknowledged").isEmpty)
        await end(holder)
        kill(stalled.process.processIdentifier, SIGKILL)

        let receiving = try receiver(survivorPort, out: work.appendingPathComponent("taken-over"), count: files.count)
        defer { receiving.terminate() }
        #expect(await receiving.waitForExit() == 0, "sstp receive failed: \(receiving.stderr)")
        try expectReceived(receiving, files)
    }

    /// A relay that dies holding claims (SIGKILL): once its lease (2 s) expired, the other
    /// relay the device attaches to takes them over and delivers every message, in order.
    @Test func aDeadRelaysClaimsAreTakenOverOnceTheirLeaseExpired() async throws {
        try await Self.claimsHeldByARelayThatEnds(lease: "2", files: 8) { holder in
            kill(holder.process.processIdentifier, SIGKILL)
            _ = await holder.waitForExit()
        }
    }

    /// A relay stopped with SIGTERM gives up its claims as it ends: the other relay delivers
    /// them at once, long before their lease (600 s here) would have expired.
    @Test func aStoppedRelayReleasesItsClaims() async throws {
        try await Self.claimsHeldByARelayThatEnds(lease: "600", files: 5) { holder in
            holder.terminate()
            #expect(await holder.waitForExit() == 0, "\(holder.stderr)")
        }
    }
}
