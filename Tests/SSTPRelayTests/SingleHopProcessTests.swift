import Foundation
import Glibc
import SSTPCore
import SSTPRoles
import Testing
import WinteropTransport
import WinteropTestSupport

/// Single-hop fanout between three `winterop sstp relay` processes on 127.0.0.1, as the
/// examples of 4.2.6, 4.2.6.1, 4.2.6.2, 4.3.3 and 4.3.4 describe: client A (this test) on
/// Relay1; B local to Relay1; D and E on Relay2; F on Relay3. Each recipient takes
/// delivery with `winterop sstp receive`.
@Suite(.serialized) struct SingleHopProcessTests {
    static let relay1 = "dpp://relay1", relay2 = "dpp://relay2", relay3 = "dpp://relay3"
    static let b = SSTP.FanoutOpen.Entry(identityURL: "grooveIdentity://b", deviceURL: "dpp://b")
    static let d = SSTP.FanoutOpen.Entry(identityURL: "grooveIdentity://d", deviceURL: "dpp://d", relayURL: relay2)
    static let e = SSTP.FanoutOpen.Entry(identityURL: "grooveIdentity://e", deviceURL: "dpp://e", relayURL: relay2)
    static let f = SSTP.FanoutOpen.Entry(identityURL: "grooveIdentity://f", deviceURL: "dpp://f", relayURL: relay3)

    struct Relays {
        var one: WinteropProcess, two: WinteropProcess, three: WinteropProcess
        var ports: [String: Int]
        func stop() { for relay in [one, two, three] { kill(relay.process.processIdentifier, SIGCONT); relay.terminate() } }
    }

    static func relay(_ url: String, store: URL, extra: [String] = []) throws -> WinteropProcess {
        try WinteropProcess.winterop(["sstp", "relay", "--listen", "127.0.0.1:0", "--relay-url", url, "--store", "sqlite:\(store.path)",
                                      "--ack-delay", "0.02", "--json"] + extra)
    }

    /// Relay2 and Relay3, then Relay1 with both as --peer.
    static func startRelays(in work: URL, relay2Extra: [String] = []) async throws -> Relays {
        let two = try relay(relay2, store: work.appendingPathComponent("relay2.sqlite"), extra: relay2Extra)
        let three = try relay(relay3, store: work.appendingPathComponent("relay3.sqlite"))
        let port2 = try #require(await two.listeningPort(service: "sstp-relay"), "Relay2 did not listen: \(two.stderr)")
        let port3 = try #require(await three.listeningPort(service: "sstp-relay"), "Relay3 did not listen: \(three.stderr)")
        let one = try relay(relay1, store: work.appendingPathComponent("relay1.sqlite"),
                            extra: ["--peer", "\(relay2)=127.0.0.1:\(port2)", "--peer", "\(relay3)=127.0.0.1:\(port3)"])
        let port1 = try #require(await one.listeningPort(service: "sstp-relay"), "Relay1 did not listen: \(one.stderr)")
        return Relays(one: one, two: two, three: three, ports: [relay1: port1, relay2: port2, relay3: port3])
    }

    /// `sstp receive` for `entry`'s device at the relay it belongs to: the payloads in order.
    static func receive(_ entry: SSTP.FanoutOpen.Entry, _ relays: Relays, count: Int, in work: URL) throws -> [Data] {
        let relay = entry.relayURL.isEmpty ? relay1 : entry.relayURL
        let port = try #require(relays.ports[relay])
        let out = work.appendingPathComponent("inbox-\(entry.deviceURL.dropFirst(6))")
        let result = try WinteropProcess.run(["sstp", "receive", "--relay", "127.0.0.1:\(port)", "--relay-url", relay,
                                              "--device-url", entry.deviceURL, "--identity", entry.identityURL,
                                              "--out", out.path, "--exit-after", "\(count)", "--json", "--timeout", "20"])
        #expect(result.status == 0, "sstp receive \(entry.deviceURL) failed: \(result.stderr)")
        let paths = RelayProcessTests.events(result.stdout).filter { $0["event"] as? String == "message" }.compactMap { $0["path"] as? String }
        return try paths.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
    }

    /// Client A on Relay1 with a 'ready' fanout session to B, D and E.
    static func fanoutToBDE(_ relays: Relays) async throws -> (FanoutClient, UInt32) {
        let a = try await clientA(relays)
        let session = try await a.openFanout([b, d, e])
        try await a.ready(session)
        return (a, session)
    }

    static func clientA(_ relays: Relays) async throws -> FanoutClient {
        try await FanoutClient.connect(port: try #require(relays.ports[relay1]), relayURL: relay1, deviceURL: "dpp://a")
    }

    static func payload(_ i: Int) -> [UInt8] { (0..<(300 + 2500 * i)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) } }

    /// 4.2.6: one fanout session to B (Relay1), D and E (Relay2). The session turns 'ready'
    /// only once the single-hop session is; every message is acknowledged, and each
    /// recipient receives every message, byte-identical and in order.
    @Test func fanoutReachesLocalAndRemoteRecipientsInOrder() async throws {
        let work = try RelayProcessTests.temporaryDirectory()
        let relays = try await Self.startRelays(in: work)
        defer { relays.stop() }
        let (a, session) = try await Self.fanoutToBDE(relays)
        #expect(relays.one.event("peer_connected") { $0["relay"] as? String == Self.relay2 } != nil, "ready before the single-hop session was")
        for i in 1...4 { try await a.send(Self.payload(i), on: session, reference: UInt64(i)) }
        try await a.waitUntil("all four are acknowledged") { $0.acknowledged == [1, 2, 3, 4] }
        // Acknowledged end to end: Relay2 had committed its copies.
        #expect(relays.two.jsonEvents().filter { $0["event"] as? String == "stored" }.count == 4)
        await a.disconnect()
        for entry in [Self.b, Self.d, Self.e] {
            #expect(try Self.receive(entry, relays, count: 4, in: work) == (1...4).map { Data(Self.payload($0)) }, "\(entry.deviceURL)")
        }
    }

    /// 4.3.3 and 4.3.4: client A's session 1 goes to Relay2, 2 is local, 3 goes to Relay3;
    /// client A2's session goes to Relay2 over the same relay-to-relay connection. With
    /// Relay3 stopped, A and B are acknowledged and C is not; C is acknowledged once Relay3
    /// runs again and has stored it.
    @Test func acknowledgmentWaitsForTheNextHopsCommit() async throws {
        let work = try RelayProcessTests.temporaryDirectory()
        let relays = try await Self.startRelays(in: work)
        defer { relays.stop() }
        let port1 = try #require(relays.ports[Self.relay1])
        let device1 = try await FanoutClient.connect(port: port1, relayURL: Self.relay1, deviceURL: "dpp://device1")
        let device2 = try await FanoutClient.connect(port: port1, relayURL: Self.relay1, deviceURL: "dpp://device2")
        let s1 = try await device1.openFanout([Self.d]), s2 = try await device1.openFanout([Self.b]), s3 = try await device1.openFanout([Self.f])
        let t1 = try await device2.openFanout([Self.e])
        for s in [s1, s2, s3] { try await device1.ready(s) }
        try await device2.ready(t1)

        try await device1.send(Array("A".utf8), on: s1, reference: 0xA)
        try await device1.send(Array("B".utf8), on: s2, reference: 0xB)
        try await device2.send(Array("D".utf8), on: t1, reference: 0xD)
        try await device1.waitUntil("A and B are acknowledged") { $0.acknowledged == [0xA, 0xB] }
        try await device2.waitUntil("D is acknowledged") { $0.acknowledged == [0xD] }

        kill(relays.three.process.processIdentifier, SIGSTOP)
        try await device1.send(Array("C".utf8), on: s3, reference: 0xC)
        // Relay1 forwarded C (its third forward, after A and D) to the stopped Relay3: nothing
        // can have acknowledged it.
        let forwards = { relays.one.jsonEvents().filter { $0["event"] as? String == "forwarded" }.count }
        let deadline = ContinuousClock.now + .seconds(30)
        while forwards() < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(forwards() == 3)
        #expect(device1.record.withLockedValue { $0.acknowledged } == [0xA, 0xB])
        kill(relays.three.process.processIdentifier, SIGCONT)
        try await device1.waitUntil("C is acknowledged") { $0.acknowledged == [0xA, 0xB, 0xC] }
        #expect(await relays.three.wait(for: "stored") != nil)

        // 4.3.4: one relay-to-relay connection to Relay2 carries both clients' sessions.
        #expect(relays.one.jsonEvents().filter { $0["event"] as? String == "peer_connected" && $0["relay"] as? String == Self.relay2 }.count == 1)
        await device1.disconnect()
        await device2.disconnect()
        for (entry, text) in [(Self.d, "A"), (Self.b, "B"), (Self.f, "C"), (Self.e, "D")] {
            #expect(try Self.receive(entry, relays, count: 1, in: work) == [Data(text.utf8)], "\(entry.deviceURL)")
        }
    }

    /// 4.2.6.1: D is unavailable on Relay2 (locked out there): Relay2's SessionStatus reaches
    /// client A as LockedOut for D's entry; B and E still get the message.
    @Test func lossOfRemoteResourceHandlerReachesTheOriginator() async throws {
        let work = try RelayProcessTests.temporaryDirectory()
        let relays = try await Self.startRelays(in: work, relay2Extra: ["--lockout", Self.d.deviceURL])
        defer { relays.stop() }
        let a = try await Self.clientA(relays)
        let session = try await a.openFanout([Self.b, Self.d, Self.e])
        try await a.waitUntil("D is reported lost") { $0.removed.contains { $0.session == session && $0.status == .lockedOut } }
        #expect(a.record.withLockedValue { $0.removed.first?.indexes } == [1])
        try await a.ready(session)
        try await a.send(Array("after D".utf8), on: session, reference: 1)
        try await a.waitUntil("the message is acknowledged") { $0.acknowledged == [1] }
        await a.disconnect()
        for entry in [Self.b, Self.e] {
            #expect(try Self.receive(entry, relays, count: 1, in: work) == [Data("after D".utf8)], "\(entry.deviceURL)")
        }
    }

    /// 4.2.6.2: Relay2 is lost (SIGKILL): client A is told ConnectionClosed for D and E, and
    /// its session goes on with B. A relay nobody can reach is HostNotReachable (3.3.5.6.1).
    @Test func lossOfRemoteRelayReachesTheOriginator() async throws {
        let work = try RelayProcessTests.temporaryDirectory()
        let relays = try await Self.startRelays(in: work)
        defer { relays.stop() }
        let (a, session) = try await Self.fanoutToBDE(relays)
        try await a.send(Array("first".utf8), on: session, reference: 1)
        try await a.waitUntil("the first is acknowledged") { $0.acknowledged == [1] }
        kill(relays.two.process.processIdentifier, SIGKILL)
        try await a.waitUntil("D and E are reported lost") { $0.removed.contains { $0.status == .connectionClosed && $0.indexes == [1, 2] } }
        try await a.send(Array("second".utf8), on: session, reference: 2)
        try await a.waitUntil("the second is acknowledged") { $0.acknowledged == [1, 2] }

        let nowhere = SSTP.FanoutOpen.Entry(identityURL: "grooveIdentity://g", deviceURL: "dpp://g", relayURL: "grooveDNS://127.0.0.1:1")
        let lost = try await a.openFanout([Self.b, nowhere])
        try await a.waitUntil("the unreachable relay is reported") { $0.removed.contains { $0.session == lost && $0.status == .hostNotReachable && $0.indexes == [1] } }
        await a.disconnect()
        #expect(try Self.receive(Self.b, relays, count: 2, in: work) == [Data("first".utf8), Data("second".utf8)])
    }

    /// `sstp send --fanout` deposits files through Relay1 for D on Relay2 and B on Relay1;
    /// it exits 0 once Relay1 acknowledged them, which it does only after Relay2 stored
    /// them. Both take delivery of every file in order.
    @Test func sstpSendFanoutGoesThroughTheNextRelay() async throws {
        let work = try RelayProcessTests.temporaryDirectory()
        let relays = try await Self.startRelays(in: work)
        defer { relays.stop() }
        let files = try RelayProcessTests.makeFiles(in: work, count: 3)
        let sent = try WinteropProcess.run(["sstp", "send", "--to", "127.0.0.1:\(try #require(relays.ports[Self.relay1]))", "--target-device", Self.relay1,
                                            "--device-url", "dpp://a", "--resource", "apphandler",
                                            "--fanout", "\(Self.d.identityURL)=\(Self.d.deviceURL)@\(Self.relay2)",
                                            "--fanout", "\(Self.b.identityURL)=\(Self.b.deviceURL)", "--json"] + files.flatMap { ["--file", $0.path] })
        #expect(sent.status == 0, "sstp send --fanout failed: \(sent.stderr)")
        #expect(relays.two.jsonEvents().filter { $0["event"] as? String == "stored" }.count == 3)
        let expected = try files.map { try Data(contentsOf: $0) }
        #expect(try Self.receive(Self.d, relays, count: 3, in: work) == expected)
        #expect(try Self.receive(Self.b, relays, count: 3, in: work) == expected)
    }

    @Test func fanoutOptionParsesItsEntries() throws {
        let configuration = try SSTPSendConfiguration(
            to: "127.0.0.1:1", targetDevice: "dpp://relay1", deviceURL: "dpp://a", resource: "app", identity: "",
            files: [], fanout: ["id://d=dpp://d@dpp://relay2", "id://b=dpp://b", "id://e=@dpp://relay2"]
        )
        #expect(configuration.fanout == [
            SSTP.FanoutOpen.Entry(identityURL: "id://d", deviceURL: "dpp://d", relayURL: "dpp://relay2"),
            SSTP.FanoutOpen.Entry(identityURL: "id://b", deviceURL: "dpp://b"),
            SSTP.FanoutOpen.Entry(identityURL: "id://e", deviceURL: "", relayURL: "dpp://relay2"),
        ])
        #expect(throws: RoleFailure.self) {
            try SSTPSendConfiguration(to: "127.0.0.1:1", targetDevice: "dpp://r", deviceURL: "dpp://a", resource: "app", identity: "", fanout: ["no-equals"])
        }
    }
}
