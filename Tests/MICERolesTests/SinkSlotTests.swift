import MICECore
@testable import MICERoles
import NIOCore
import NIOPosix
import Testing
import WinteropTransport
import WinteropWire

/// One source at a time (3.1.5.2), under bursts and against idle connections.
@Suite(.serialized) struct SinkSlotTests {
    static func sink(_ events: EventCollector, grace: Duration = .seconds(3)) async throws -> (MICESinkServer, SocketAddress) {
        var configuration = MICESinkConfiguration(
            listen: HostPort(host: "127.0.0.1", port: 0), friendlyName: "Slot Sink", pinMode: .off, dtls: nil)
        configuration.unprovenConnectionGrace = grace
        let server = MICESinkServer(configuration: configuration, events: events.log, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        return (server, try await server.bind())
    }

    /// 40 simultaneous connects: exactly one is admitted, 39 are refused.
    @Test func aBurstAdmitsOneSource() async throws {
        let events = EventCollector("sink")
        let (server, address) = try await Self.sink(events)
        let connections = try await withThrowingTaskGroup(of: RawConnection.self) { group in
            for _ in 0..<40 { group.addTask { try await RawConnection.connect(to: address) } }
            var all: [RawConnection] = []
            for try await connection in group { all.append(connection) }
            return all
        }
        for _ in 0..<2000 where events.count("rejected") < 39 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(events.count("connected") == 1)
        #expect(events.count("rejected") == 39)
        for connection in connections { await connection.close() }
        await server.shutdown()
    }

    /// A connection that sent nothing within the grace period gives way to a newcomer.
    @Test func anIdleConnectionIsDisplaced() async throws {
        let events = EventCollector("sink")
        let (server, address) = try await Self.sink(events, grace: .milliseconds(200))
        let idle = try await RawConnection.connect(to: address)
        // The grace runs from the sink's accept, which may come after connect returns.
        _ = await events.wait(for: "connected")
        try await Task.sleep(for: .milliseconds(300))
        let real = try await RawConnection.connect(to: address)
        _ = try await idle.readUntilClosed()
        #expect(events.count("rejected") == 0)
        #expect(events.first("closed")?.contains(#""reason":"replaced""#) == true, "\(events.all)")
        #expect(real.isActive)
        await real.close()
        await server.shutdown()
    }

    /// A connection that has sent a message keeps the slot: the newcomer is refused.
    @Test func aConnectionThatSpokeKeepsTheSlot() async throws {
        let events = EventCollector("sink")
        let (server, address) = try await Self.sink(events, grace: .milliseconds(200))
        let first = try await RawConnection.connect(to: address)
        let request = MICEMessage.sessionRequest(.init(securityOptions: [], friendlyName: "Src", sourceID: SourceID([UInt8](repeating: 1, count: 16))!))
        try await first.send(try request.encoded())
        _ = await events.wait(for: "session_request")
        try await Task.sleep(for: .milliseconds(300))
        let second = try await RawConnection.connect(to: address)
        _ = try await second.readUntilClosed()
        #expect(events.count("rejected") == 1)
        #expect(first.isActive)
        await first.close()
        await server.shutdown()
    }
}

/// The sink advertises only the address it listens on (none of the other interfaces').
@Suite struct AdvertisedAddressTests {
    @Test func aSpecificBindIsTheOnlyAdvertisedAddress() throws {
        #expect(MICESinkService.specificAddress(try SocketAddress(ipAddress: "127.0.0.1", port: 7250))?.ipAddress == "127.0.0.1")
        #expect(MICESinkService.specificAddress(try SocketAddress(ipAddress: "192.0.2.7", port: 7250))?.ipAddress == "192.0.2.7")
        #expect(MICESinkService.specificAddress(try SocketAddress(ipAddress: "0.0.0.0", port: 7250)) == nil)
        #expect(MICESinkService.specificAddress(try SocketAddress(ipAddress: "::", port: 7250)) == nil)
    }
}
