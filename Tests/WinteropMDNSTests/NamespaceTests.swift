import Foundation
import Testing
import WinteropTestSupport
import WinteropWire
@testable import WinteropMDNS

/// End-to-end over real multicast, inside a network namespace: `winterop mdns announce`
/// against independent resolvers (dig, python-zeroconf) and our own querier, conflicts
/// between two responders, goodbyes on SIGTERM, and our querier against python-zeroconf.
@Suite(.serialized, .enabled(if: NetworkNamespace.available, "needs root and `ip netns` (iproute2)"))
struct NamespaceTests {
    static let interop = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Interop")
    static let containerID = "{8E0B2B2C-5F0C-4A57-9C1A-2B5D3E4F6A7B}"

    static var winterop: String { Command.winterop.path }

    static func announce(_ namespace: NetworkNamespace, name: String, port: Int, host: String) throws -> RunningProcess {
        try namespace.start(winterop, [
            "mdns", "announce", "--json", "--name", name, "--type", "_display._tcp", "--port", "\(port)",
            "--txt", "container_id=\(containerID)", "--host", host,
        ])
    }

    static func json(_ line: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }

    @Test func announcedSinkIsFoundByOurQuerierDigAndZeroconfThenSaysGoodbye() async throws {
        let namespace = try NetworkNamespace()
        let sink = try Self.announce(namespace, name: "Winterop Test Sink", port: 7250, host: "wtsink.local")
        let announced = await sink.waitForLine(timeout: 30) { $0.contains(#""event":"announced""#) }
        try #require(announced != nil, "no announced event; stdout: \(sink.stdout) stderr: \(sink.stderr)")
        #expect(sink.lines.first == #"{"event":"listening","service":"mdns","host":"0.0.0.0","port":5353}"#)
        #expect(sink.lines.dropFirst().first == #"{"event":"probing","name":"Winterop Test Sink._display._tcp.local"}"#)

        // Our querier: resolve and browse.
        let resolved = try await namespace.run(Self.winterop, ["mdns", "resolve", "wtsink.local", "--json", "--timeout", "2"])
        #expect(resolved.status == 0, "\(resolved.stderr)")
        #expect(resolved.stdout == #"{"event":"resolved","host":"wtsink.local","addresses":["127.0.0.1"]}"# + "\n")
        // MS-MICE 2.2.8.2 carries the bare host name: it is looked up in .local.
        let bare = try await namespace.run(Self.winterop, ["mdns", "resolve", "wtsink", "--timeout", "2"])
        #expect(bare.status == 0 && bare.stdout == "wtsink 127.0.0.1\n", "\(bare.stdout) \(bare.stderr)")
        // MS-MICE 3.2.5.1 as Windows does it: DNS (nothing here) and mDNS in parallel.
        let both = try await namespace.run(Self.winterop, ["mdns", "resolve", "wtsink", "--with-dns", "--json", "--timeout", "1.5"])
        #expect(both.stdout == #"{"event":"resolved","host":"wtsink","addresses":["127.0.0.1"],"source":"mdns"}"# + "\n", "\(both.stdout) \(both.stderr)")
        let browsed = try await namespace.run(Self.winterop, ["mdns", "browse", "_display._tcp", "--json", "--timeout", "1"])
        #expect(browsed.status == 0, "\(browsed.stderr)")
        let service = browsed.stdout.split(separator: "\n").map { Self.json(String($0)) }.first { $0["event"] as? String == "service" }
        #expect(service?["instance"] as? String == "Winterop Test Sink")
        #expect(service?["host"] as? String == "wtsink.local")
        #expect(service?["port"] as? Int == 7250)
        #expect(service?["addresses"] as? [String] == ["127.0.0.1"])
        #expect(service?["txt"] as? [String] == ["container_id=\(Self.containerID)"])

        // dig (BIND): legacy unicast queries (RFC 6762 6.7). BIND 9.16+ uses connected UDP
        // sockets, so it only accepts a reply from the address it asked: query 127.0.0.1:5353.
        do {
            let dig = try Prerequisites.dig()
            let a = try await namespace.run(dig, ["-p", "5353", "@127.0.0.1", "wtsink.local", "A", "+short", "+time=2", "+tries=1"])
            #expect(a.stdout == "127.0.0.1\n", "dig A: \(a.stdout) \(a.stderr)")
            let ptr = try await namespace.run(dig, ["-p", "5353", "@127.0.0.1", "_display._tcp.local", "PTR", "+time=2", "+tries=1"])
            #expect(ptr.stdout.contains(#"Winterop\032Test\032Sink._display._tcp.local."#), "dig PTR: \(ptr.stdout)")
            #expect(ptr.stdout.contains("SRV") && ptr.stdout.contains("0 0 7250 wtsink.local."), "dig PTR additionals: \(ptr.stdout)")
            #expect(ptr.stdout.contains("status: NOERROR"))
        }

        // python-zeroconf: browse and resolve over multicast.
        do {
            let python = try Prerequisites.zeroconf()
            let browse = try await namespace.run(python, [Self.interop.appendingPathComponent("zeroconf_browse.py").path, "_display._tcp.local.", "3"], timeout: 30)
            let found = browse.stdout.split(separator: "\n").map { Self.json(String($0)) }.first
            #expect(found?["name"] as? String == "Winterop Test Sink._display._tcp.local.", "zeroconf: \(browse.stdout) \(browse.stderr)")
            #expect(found?["resolved"] as? Bool == true)
            #expect(found?["server"] as? String == "wtsink.local.")
            #expect(found?["port"] as? Int == 7250)
            #expect(found?["addresses"] as? [String] == ["127.0.0.1"])
            #expect((found?["txt"] as? [String: String])?["container_id"] == Self.containerID)
        }

        // SIGTERM: goodbye packets (RFC 6762 10.1) on the wire, then exit 0.
        let capturePython = try Prerequisites.zeroconf()
        let capture: RunningProcess? = try namespace.start(capturePython, [Self.interop.appendingPathComponent("mdns_capture.py").path, "5353", "60", "group"])
        _ = await capture?.waitForLine(timeout: 30) { $0 == "ready" }
        sink.signal(SIGTERM)
        let status = await sink.waitForExit(timeout: 20)
        #expect(status == 0, "stderr: \(sink.stderr)")
        #expect(sink.lines.contains(#"{"event":"goodbye","name":"Winterop Test Sink._display._tcp.local"}"#))
        #expect(sink.lines.last == #"{"event":"stopped"}"#)
        if let capture {
            let instance = try DNSName(["Winterop Test Sink", "_display", "_tcp", "local"])
            func isGoodbye(_ line: String) -> Bool {
                let parts = line.split(separator: " ")
                guard parts.count == 2, parts[0] == "5353", let bytes = Hex.decode(String(parts[1])),
                      let message = try? DNSMessage.decode(bytes: bytes)
                else { return false }
                return message.header.isResponse && !message.answers.isEmpty && message.answers.allSatisfy { $0.ttl == 0 }
                    && message.answers.contains { $0.data == .ptr(instance) }
            }
            // The capture may print the goodbye after the sink has exited: wait for it.
            let goodbye = await capture.waitForLine(timeout: 30, isGoodbye)
            capture.signal(SIGTERM)
            _ = await capture.waitForExit(timeout: 20)
            #expect(goodbye != nil, "no goodbye captured: \(capture.stdout)")
        }
    }

    @Test func secondResponderWithTheSameNameRenamesItself() async throws {
        let namespace = try NetworkNamespace()
        let first = try Self.announce(namespace, name: "Twin", port: 7250, host: "twin-a.local")
        try #require(await first.waitForLine(timeout: 30) { $0.contains(#""event":"announced""#) } != nil, "first: \(first.stdout) \(first.stderr)")
        let second = try Self.announce(namespace, name: "Twin", port: 7251, host: "twin-b.local")
        let renamed = await second.waitForLine(timeout: 30) { $0.contains(#""event":"renamed""#) }
        #expect(renamed == #"{"event":"renamed","from":"Twin._display._tcp.local","to":"Twin (2)._display._tcp.local"}"#, "second: \(second.stdout) \(second.stderr)")
        let announced = await second.waitForLine(timeout: 30) { $0.contains(#""event":"announced""#) }
        #expect(announced == #"{"event":"announced","name":"Twin (2)._display._tcp.local"}"#)
        // The first keeps its name; browsing sees both.
        #expect(!first.stdout.contains("renamed"))
        let browsed = try await namespace.run(Self.winterop, ["mdns", "browse", "_display._tcp", "--json", "--timeout", "1"])
        let instances = browsed.stdout.split(separator: "\n").map { Self.json(String($0)) }.compactMap { $0["instance"] as? String }
        #expect(Set(instances) == ["Twin", "Twin (2)"], "\(browsed.stdout)")
        first.signal(SIGTERM)
        second.signal(SIGTERM)
        #expect(await first.waitForExit(timeout: 20) == 0)
        #expect(await second.waitForExit(timeout: 20) == 0)
    }

    @Test func ourQuerierResolvesAZeroconfResponder() async throws {
        let python = try Prerequisites.zeroconf()
        let namespace = try NetworkNamespace()
        let responder = try namespace.start(python, [
            Self.interop.appendingPathComponent("zeroconf_register.py").path, "ZC Sink", "_display._tcp.local.", "7250", "zcsink.local.",
            "container_id=\(Self.containerID)",
        ])
        try #require(await responder.waitForLine(timeout: 30) { $0 == "registered" } != nil, "zeroconf: \(responder.stderr)")
        let resolved = try await namespace.run(Self.winterop, ["mdns", "resolve", "zcsink.local", "--json", "--timeout", "2"])
        #expect(resolved.stdout == #"{"event":"resolved","host":"zcsink.local","addresses":["127.0.0.1"]}"# + "\n", "\(resolved.stderr)")
        let browsed = try await namespace.run(Self.winterop, ["mdns", "browse", "_display._tcp", "--json", "--timeout", "1.5"])
        let service = browsed.stdout.split(separator: "\n").map { Self.json(String($0)) }.first { $0["event"] as? String == "service" }
        #expect(service?["instance"] as? String == "ZC Sink", "\(browsed.stdout) \(browsed.stderr)")
        #expect(service?["port"] as? Int == 7250)
        #expect(service?["host"] as? String == "zcsink.local")
        #expect(service?["txt"] as? [String] == ["container_id=\(Self.containerID)"])
        responder.signal(SIGKILL)
        _ = await responder.waitForExit(timeout: 20)
    }

    @Test func ipv6TransportAnswersWithTheInterfacesAddresses() async throws {
        let dig = try Prerequisites.dig()
        let namespace = try NetworkNamespace()
        let links = try await namespace.addVethPair("wva", "wvb")
        let sink = try namespace.start(Self.winterop, ["mdns", "announce", "--json", "--ipv6", "--name", "V6 Sink", "--port", "7250", "--host", "v6sink.local"])
        try #require(await sink.waitForLine(timeout: 30) { $0.contains(#""event":"announced""#) } != nil, "\(sink.stdout) \(sink.stderr)")
        let va = try #require(links["wva"]), vb = try #require(links["wvb"])
        // A legacy unicast query over IPv6, received on wva: only wva's address (RFC 6762 14).
        let aaaa = try await namespace.run(dig, ["-p", "5353", "@\(va)%wva", "v6sink.local", "AAAA", "+short", "+time=2", "+tries=1"])
        #expect(aaaa.stdout == "\(va)\n", "dig: \(aaaa.stdout) \(aaaa.stderr); vb \(vb)")
        let onB = try await namespace.run(dig, ["-p", "5353", "@\(vb)%wvb", "v6sink.local", "AAAA", "+short", "+time=2", "+tries=1"])
        #expect(onB.stdout == "\(vb)\n", "dig: \(onB.stdout) \(onB.stderr)")
        // IPv4 goes on as before.
        let a = try await namespace.run(dig, ["-p", "5353", "@127.0.0.1", "v6sink.local", "A", "+short", "+time=2", "+tries=1"])
        #expect(a.stdout == "127.0.0.1\n")
        sink.signal(SIGTERM)
        #expect(await sink.waitForExit(timeout: 20) == 0)
    }

    @Test func resolveOfAnAbsentNameExitsOneAfterTheTimeout() async throws {
        let namespace = try NetworkNamespace()
        let started = Date()
        let result = try await namespace.run(Self.winterop, ["mdns", "resolve", "nobody.local", "--timeout", "0.5"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no answer for nobody.local"))
        #expect(Date().timeIntervalSince(started) >= 0.5 && Date().timeIntervalSince(started) < 10)
    }
}

/// Conflicts between winterop and python-zeroconf over one instance name (RFC 6762 8.1, 9).
@Suite(.serialized, .enabled(if: NetworkNamespace.available, "needs root and `ip netns` (iproute2)"))
struct ZeroconfConflictTests {
    static var register: String { NamespaceTests.interop.appendingPathComponent("zeroconf_register.py").path }

    @Test func zeroconfCannotTakeANameWeDefend() async throws {
        let python = try Prerequisites.zeroconfWithConflictHandling()
        let namespace = try NetworkNamespace()
        let sink = try NamespaceTests.announce(namespace, name: "Contested", port: 7250, host: "ours.local")
        try #require(await sink.waitForLine(timeout: 30) { $0.contains(#""event":"announced""#) } != nil, "\(sink.stderr)")
        let theirs = try await namespace.run(python, [Self.register, "Contested", "_display._tcp.local.", "9999", "theirs.local.", "k=v"], timeout: 30)
        #expect(theirs.status != 0)
        #expect(theirs.stderr.contains("NonUniqueNameException"), "zeroconf: \(theirs.stdout) \(theirs.stderr)")
        #expect(!sink.stdout.contains("renamed"))
        sink.signal(SIGTERM)
        #expect(await sink.waitForExit(timeout: 20) == 0)
    }

    @Test func weRenameWhenZeroconfHoldsTheName() async throws {
        let python = try Prerequisites.zeroconfWithConflictHandling()
        let namespace = try NetworkNamespace()
        let theirs = try namespace.start(python, [Self.register, "Contested", "_display._tcp.local.", "9999", "theirs.local.", "k=v"])
        try #require(await theirs.waitForLine(timeout: 30) { $0 == "registered" } != nil, "zeroconf: \(theirs.stderr)")
        let sink = try NamespaceTests.announce(namespace, name: "Contested", port: 7250, host: "ours.local")
        let renamed = await sink.waitForLine(timeout: 30) { $0.contains(#""event":"renamed""#) }
        #expect(renamed == #"{"event":"renamed","from":"Contested._display._tcp.local","to":"Contested (2)._display._tcp.local"}"#, "\(sink.stdout) \(sink.stderr)")
        #expect(await sink.waitForLine(timeout: 30) { $0.contains(#""event":"announced""#) } == #"{"event":"announced","name":"Contested (2)._display._tcp.local"}"#)
        sink.signal(SIGTERM)
        theirs.signal(SIGKILL)
        #expect(await sink.waitForExit(timeout: 20) == 0)
    }
}
