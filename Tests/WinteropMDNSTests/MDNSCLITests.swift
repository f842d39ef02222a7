import Foundation
import NIOPosix
import Testing
@testable import WinteropMDNS

/// `winterop mdns …` and `winterop decode dns` as a person runs them (no network needed).
@Suite struct MDNSCLITests {
    static var winterop: String { Command.winterop.path }

    @Test func decodeDNSPrintsTheMessage() async throws {
        let result = try await Command.run(Self.winterop, ["decode", "dns", "--json", "0000 0000 0001 0000 0000 0000 04 73696e6b 05 6c6f63616c 00 0001 8001"])
        #expect(result.status == 0)
        #expect(result.stdout.contains(#""questions":[{"name":"sink.local","type":"A","class":"IN","unicastResponse":true}]"#), "\(result.stdout)")
    }

    @Test func decodeDNSRejectsACompressionLoopNamingTheRule() async throws {
        let result = try await Command.run(Self.winterop, ["decode", "dns", "0000 0000 0001 0000 0000 0000 c00c 0001 0001"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("RFC 1035 4.1.4"), "\(result.stderr)")
    }

    @Test func usageErrorsExitTwo() async throws {
        let missingName = try await Command.run(Self.winterop, ["mdns", "announce", "--port", "7250"])
        #expect(missingName.status == 2)
        let badType = try await Command.run(Self.winterop, ["mdns", "announce", "--name", "TV", "--type", "display", "--port", "7250"])
        #expect(badType.status == 2)
        #expect(badType.stderr.contains("_name._tcp"))
        let longName = try await Command.run(Self.winterop, ["mdns", "announce", "--name", String(repeating: "x", count: 64), "--port", "7250"])
        #expect(longName.status == 2)
        let badHost = try await Command.run(Self.winterop, ["mdns", "resolve", "a..local"])
        #expect(badHost.status == 2)
        #expect(badHost.stderr.contains("invalid DNS name"))
        let badTimeout = try await Command.run(Self.winterop, ["mdns", "browse", "_display._tcp", "--timeout", "0"])
        #expect(badTimeout.status == 2)
    }

    @Test func helpListsTheThreeCommands() async throws {
        let result = try await Command.run(Self.winterop, ["mdns", "--help"])
        #expect(result.status == 0)
        for command in ["announce", "resolve", "browse"] {
            #expect(result.stdout.contains(command))
        }
    }
}

/// MS-MICE 3.2.5.1 resolution through the system resolver, on the host (no multicast needed).
@Suite struct HostNameResolutionTests {
    @Test func dnsAnswersWhenMDNSCannot() async throws {
        let started = ContinuousClock.now
        // A generous timer: this machine may be loaded; /etc/hosts answers at once otherwise.
        let resolution = await MDNSQuerier.resolveHostWithDNS("localhost", timeout: .seconds(60), eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        #expect(resolution.source == .dns)
        #expect(resolution.addresses.compactMap(\.ipAddress).contains { $0 == "127.0.0.1" || $0 == "::1" })
        // DNS answering ends the wait: it does not sit out the timer (a loaded machine's
        // shared thread pool can take many seconds to get to the lookup).
        #expect(ContinuousClock.now - started < .seconds(50))
    }

    @Test func theDiscoveryTimerBoundsAFailedLookup() async throws {
        let started = ContinuousClock.now
        let resolution = await MDNSQuerier.resolveHostWithDNS("no-such-host-winterop-test.invalid", timeout: .milliseconds(300), eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        #expect(resolution == HostNameResolution(addresses: [], source: .none))
        // Bounded by the timer, not by the lookups. The slack is wide because the whole
        // suite shares two cores (0.3 s alone; up to 10 s seen under the full parallel run).
        #expect(ContinuousClock.now - started < .seconds(25))
    }

    @Test func cliWithDNS() async throws {
        let result = try await Command.run(Command.winterop.path, ["mdns", "resolve", "localhost", "--with-dns", "--json", "--timeout", "20"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#""source":"dns""#))
    }
}
