import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
import WinteropTransport

/// The listener every role runs on: bind, limits, displacement and goodbyes, on 127.0.0.1.
@Suite struct ListenerServiceTests {
    /// A role that echoes and records what the listener asked of it.
    final class RecordingRole: ListenerRole {
        let goodbyes = NIOLockedValueBox<[GoodbyeReason]>([])
        let refusals = NIOLockedValueBox(0)
        let initialized = NIOLockedValueBox(0)

        func initialize(_ channel: any Channel) throws {
            initialized.withLockedValue { $0 += 1 }
            try channel.pipeline.syncOperations.addHandler(Echo())
        }

        func sayGoodbye(_ channel: any Channel, reason: GoodbyeReason) {
            goodbyes.withLockedValue { $0.append(reason) }
            var bye = channel.allocator.buffer(capacity: 3)
            bye.writeString("bye")
            channel.writeAndFlush(bye).whenComplete { _ in channel.close(promise: nil) }
        }

        func refused(_ channel: any Channel, limit: Int, events: EventLog, service: String) {
            refusals.withLockedValue { $0 += 1 }
        }
    }

    final class Echo: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.writeAndFlush(data, promise: nil)
        }
    }

    final class Lines: Sendable {
        let box = NIOLockedValueBox<[String]>([])
    }

    static func listener(_ role: RecordingRole, max: Int? = nil, overflow: ListenerOverflow = .refuse, lines: Lines = Lines()) -> ListenerService {
        let events = EventLog(json: true) { line in lines.box.withLockedValue { $0.append(line) } }
        return ListenerService(
            configuration: ListenerConfiguration(
                service: "test", address: HostPort(host: "127.0.0.1", port: 0),
                maxConnections: max, overflow: overflow, shutdownGrace: .seconds(2)),
            role: role, events: events, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
    }

    /// Connects and returns the channel with everything it reads collected.
    static func connect(_ address: SocketAddress) async throws -> (any Channel, Collector) {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(to: address).get()
        return (channel, collector)
    }

    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let text = NIOLockedValueBox("")
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            text.withLockedValue { $0 += String(buffer: buffer) }
        }
    }

    @Test func bindsPortZeroAndReportsTheRealPort() async throws {
        let lines = Lines()
        let service = Self.listener(RecordingRole(), lines: lines)
        let address = try await service.bind()
        #expect(address.port != 0)
        #expect(lines.box.withLockedValue { $0 } == [#"{"event":"listening","service":"test","host":"127.0.0.1","port":\#(address.port ?? 0)}"#])
        await service.shutdown()
    }

    @Test func aBindFailureNamesTheServiceAddressAndOption() async throws {
        let first = Self.listener(RecordingRole())
        let address = try await first.bind()
        let second = ListenerService(
            configuration: ListenerConfiguration(service: "second", address: HostPort(host: "127.0.0.1", port: address.port ?? 0)),
            role: RecordingRole(), events: EventLog(json: true) { _ in }, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        do {
            try await second.bind()
            Issue.record("binding a port in use succeeded")
        } catch {
            #expect(error.description.contains("second cannot listen on 127.0.0.1:\(address.port ?? 0)"))
            #expect(error.description.contains("already in use"))
            #expect(error.description.contains("--listen"))
            #expect(!error.description.contains("descriptor"))
        }
        await first.shutdown()
    }

    /// Connections count from accept, so a burst cannot exceed the limit.
    @Test func aBurstOfConnectionsNeverExceedsTheLimit() async throws {
        let role = RecordingRole()
        let service = Self.listener(role, max: 1)
        let address = try await service.bind()
        var clients: [any Channel] = []
        for _ in 0..<20 {
            clients.append(try await Self.connect(address).0)
        }
        try await waitUntil { role.refusals.withLockedValue { $0 } == 19 }
        #expect(service.connections.count == 1)
        for client in clients { try? await client.close() }
        await service.shutdown()
    }

    @Test func displaceOldestSaysGoodbyeToTheOldConnection() async throws {
        let role = RecordingRole()
        let service = Self.listener(role, max: 1, overflow: .displaceOldest)
        let address = try await service.bind()
        let (first, firstReads) = try await Self.connect(address)
        try await waitUntil { service.connections.count == 1 }
        let (second, _) = try await Self.connect(address)
        try await first.closeFuture.get()
        #expect(firstReads.text.withLockedValue { $0 } == "bye")
        #expect(role.goodbyes.withLockedValue { $0 } == [.displaced])
        #expect(service.connections.count == 1)
        try await second.close()
        await service.shutdown()
    }

    @Test func shutdownSaysGoodbyeToEveryConnectionAndStopsAccepting() async throws {
        let role = RecordingRole()
        let service = Self.listener(role)
        let address = try await service.bind()
        let (a, aReads) = try await Self.connect(address)
        let (b, bReads) = try await Self.connect(address)
        try await waitUntil { service.connections.count == 2 }
        await service.shutdown()
        try await a.closeFuture.get()
        try await b.closeFuture.get()
        #expect(aReads.text.withLockedValue { $0 } == "bye")
        #expect(bReads.text.withLockedValue { $0 } == "bye")
        #expect(role.goodbyes.withLockedValue { $0 } == [.shutdown, .shutdown])
        // Nothing is accepted any more. (A connect may still succeed: a concurrent test
        // can have been given the freed port; then it is not this service that answers.)
        if let (late, _) = try? await Self.connect(address) {
            try? await Task.sleep(for: .milliseconds(200))
            #expect(role.initialized.withLockedValue { $0 } == 2, "the stopped service took a connection")
            try? await late.close()
        }
        #expect(service.connections.isEmpty)
    }

    @Test func udpListenerRunsTheRoleOnTheDatagramChannel() async throws {
        final class DatagramEcho: ChannelInboundHandler, Sendable {
            typealias InboundIn = AddressedEnvelope<ByteBuffer>
            typealias OutboundOut = AddressedEnvelope<ByteBuffer>
            func channelRead(context: ChannelHandlerContext, data: NIOAny) {
                context.writeAndFlush(data, promise: nil)
            }
        }
        struct UDPRole: ListenerRole {
            func initialize(_ channel: any Channel) throws {
                try channel.pipeline.syncOperations.addHandler(DatagramEcho())
            }
        }
        let service = ListenerService(
            configuration: ListenerConfiguration(service: "udp", address: HostPort(host: "127.0.0.1", port: 0), transport: .udp),
            role: UDPRole(), events: EventLog(json: true) { _ in }, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let address = try await service.bind()
        let collector = DatagramCollector()
        let client = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        var payload = client.allocator.buffer(capacity: 4)
        payload.writeString("ping")
        try await client.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: payload))
        try await waitUntil { collector.received.withLockedValue { $0 } == ["ping"] }
        try await client.close()
        await service.shutdown()
    }

    final class DatagramCollector: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let received = NIOLockedValueBox<[String]>([])
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            received.withLockedValue { $0.append(String(buffer: envelope.data)) }
        }
    }
}

/// Polls `condition` for up to 5 s without blocking a thread.
func waitUntil(_ condition: @Sendable () -> Bool) async throws {
    for _ in 0..<500 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("condition not met within 5 s")
}
