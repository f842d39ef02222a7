import MICECore
import MICERoles
import NIOCore
import NIOPosix
import Testing
import WinteropTransport
import WinteropWire

/// The NIO sink against real sockets on 127.0.0.1: the MS-MICE source role,
/// and raw clients sending malformed bytes.
@Suite(.serialized) struct SinkServerTests {
    static func startSink(
        _ events: EventCollector, pinMode: MICESinkConfiguration.PINMode = .off, replace: Bool = false,
        sessionTimeout: Duration = .seconds(30), dtls: (any MICEDTLSFactory)? = nil
    ) async throws -> (MICESinkServer, SocketAddress) {
        let server = MICESinkServer(
            configuration: MICESinkConfiguration(
                listen: HostPort(host: "127.0.0.1", port: 0), friendlyName: "Test Sink", pinMode: pinMode,
                replaceExisting: replace, sessionEstablishmentTimeout: sessionTimeout, dtls: dtls
            ),
            events: events.log, eventLoopGroup: MultiThreadedEventLoopGroup.singleton
        )
        let address = try await server.bind()
        return (server, address)
    }

    static func sourceConfiguration(sink: SocketAddress, stopAfter: Duration? = .milliseconds(200)) -> MICESourceConfiguration {
        MICESourceConfiguration(
            sinkHost: "127.0.0.1", sinkPort: sink.port ?? 0,
            sinkCapability: MICECapability(streamEncryption: false, pin: false),
            encryption: .off, wantPIN: false, friendlyName: "Test Source",
            rtspListen: HostPort(host: "127.0.0.1", port: 0), stopAfter: stopAfter, dtls: nil
        )
    }

    @Test func plainSessionConnectsBackAndStops() async throws {
        let sinkEvents = EventCollector("sink")
        let (server, address) = try await Self.startSink(sinkEvents)
        let sourceEvents = EventCollector("source")
        let source = MICESource(
            configuration: Self.sourceConfiguration(sink: address, stopAfter: nil), events: sourceEvents.log,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, pinProvider: { nil }
        )
        let running = Task { try await source.run() }
        // Stop once the stream runs (a fixed --stop-after could come before M7 on a loaded machine).
        #expect(await sinkEvents.wait(for: "stream_started") != nil, "\(sinkEvents.names())")
        source.disconnect()
        let reason = try await running.value
        #expect(reason == .localDisconnect)
        #expect(sourceEvents.names().starts(with: ["listening", "connected", "source_ready", "rtsp_connected"]))
        await sinkEvents.wait(for: "closed")
        // The WFD session ran on the connect-back and ended with M8 before STOP_PROJECTION.
        #expect(sinkEvents.names() == ["listening", "connected", "source_ready", "rtsp_connected", "wfd_negotiated", "stream_started", "stream_ended", "stop_projection", "closed"])
        #expect(sinkEvents.first("closed")?.contains("stop_projection") == true)
        await server.shutdown()
    }

    @Test func garbageTruncatedAndOversizedMessagesTearDownButTheSinkKeepsServing() async throws {
        let events = EventCollector("sink")
        let (server, address) = try await Self.startSink(events)
        // Garbage: Size 0x0001 is smaller than the header.
        let garbage = try await RawConnection.connect(to: address)
        try await garbage.send([0x00, 0x01, 0xFF, 0xFF, 0x13, 0x37])
        _ = try await garbage.readUntilClosed()
        // Unknown command with a valid frame.
        let unknown = try await RawConnection.connect(to: address)
        try await unknown.send([0x00, 0x08, 0x01, 0x09, 0x04, 0x00, 0x01, 0x00])
        _ = try await unknown.readUntilClosed()
        // Oversized: a TLV declaring more than the message holds.
        let oversized = try await RawConnection.connect(to: address)
        try await oversized.send([0x00, 0x08, 0x01, 0x03, 0x04, 0xFF, 0xFF, 0x00])
        _ = try await oversized.readUntilClosed()
        // Truncated: half a message, then the client goes away.
        let truncated = try await RawConnection.connect(to: address)
        try await truncated.send([0x00, 0x3D, 0x01, 0x01, 0x00])
        try await truncated.finish()
        _ = try await truncated.readUntilClosed()
        for _ in 0..<2000 where events.count("closed") < 4 { try await Task.sleep(for: .milliseconds(10)) }
        let reasons = events.all.filter { $0.contains(#""event":"closed""#) }
        #expect(reasons.count == 4)
        #expect(reasons.filter { $0.contains("malformed_message") }.count == 3)
        // Still serving: a real source completes.
        let sourceEvents = EventCollector("source")
        let reason = try await MICESource(
            configuration: Self.sourceConfiguration(sink: address), events: sourceEvents.log,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, pinProvider: { nil }
        ).run()
        #expect(reason == .localDisconnect)
        await server.shutdown()
    }

    @Test func secondConnectionIsRefused() async throws {
        let events = EventCollector("sink")
        let (server, address) = try await Self.startSink(events)
        let first = try await RawConnection.connect(to: address)
        _ = await events.wait(for: "connected")
        let second = try await RawConnection.connect(to: address)
        _ = try await second.readUntilClosed()
        #expect(events.count("rejected") == 1)
        #expect(first.isActive)
        await first.close()
        await server.shutdown()
    }

    @Test func replaceExistingClosesTheFirst() async throws {
        let events = EventCollector("sink")
        let (server, address) = try await Self.startSink(events, replace: true)
        let first = try await RawConnection.connect(to: address)
        _ = await events.wait(for: "connected")
        let second = try await RawConnection.connect(to: address)
        _ = try await first.readUntilClosed()
        #expect(events.first("closed")?.contains("replaced") == true)
        #expect(second.isActive)
        await second.close()
        await server.shutdown()
    }

    @Test func sessionTimerTearsDownAnIdleConnection() async throws {
        let events = EventCollector("sink")
        let (server, address) = try await Self.startSink(events, sessionTimeout: .milliseconds(200))
        let idle = try await RawConnection.connect(to: address)
        _ = try await idle.readUntilClosed()
        #expect(events.first("closed")?.contains("session_establishment_timeout") == true)
        await server.shutdown()
    }

    @Test func shutdownSendsStopProjection() async throws {
        let events = EventCollector("sink")
        let (server, address) = try await Self.startSink(events)
        let client = try await RawConnection.connect(to: address)
        _ = await events.wait(for: "connected")
        async let bytes = client.readUntilClosed()
        await server.shutdown()
        let received = try await bytes
        let message = try MICEMessage.decode(bytes: received)
        #expect(message.type == .stopProjection)
        #expect(events.first("closed")?.contains("local_disconnect") == true)
    }

    @Test func sourceReportsConnectionFailure() async throws {
        // Port 1: nothing listens there (a port freed by this test could go to a concurrent one).
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 1)
        let events = EventCollector("source")
        let reason = try await MICESource(
            configuration: Self.sourceConfiguration(sink: address), events: events.log,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, pinProvider: { nil }
        ).run()
        #expect(reason.code == "connection_failed")
        #expect(events.first("closed")?.contains("connection_failed") == true)
    }

    @Test func sourceGivesUpWhenTheSinkNeverConnectsBack() async throws {
        // A fake sink that accepts and never answers.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        var configuration = Self.sourceConfiguration(sink: silent.localAddress!)
        configuration.controlChannelTimeout = .milliseconds(300)
        let events = EventCollector("source")
        let reason = try await MICESource(configuration: configuration, events: events.log, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, pinProvider: { nil }).run()
        #expect(reason == .controlChannelTimeout)
        try await silent.close()
    }

    @Test func discoveryTimerBoundsResolution() async throws {
        var configuration = Self.sourceConfiguration(sink: try SocketAddress(ipAddress: "127.0.0.1", port: 7250))
        configuration.sinkHost = "sink-that-never-resolves"
        configuration.discoveryTimeout = .milliseconds(200)
        let events = EventCollector("source")
        let reason = try await MICESource(
            configuration: configuration, events: events.log, eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            resolver: { _, _ in try await Task.sleep(for: .seconds(5)); return [] }, pinProvider: { nil }
        ).run()
        #expect(reason == .discoveryTimeout)
    }
}
