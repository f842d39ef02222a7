import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
import WFDCore
import WFDRoles
import WinteropTestSupport

/// Actions a side handed to its application, in order, from the event loop.
final class ActionRecorder: Sendable {
    private let box = NIOLockedValueBox<[WFDAction]>([])
    func append(_ action: WFDAction) { box.withLockedValue { $0.append(action) } }
    var actions: [WFDAction] { box.withLockedValue { $0 } }

    func wait(timeout: Duration = .seconds(10), until condition: ([WFDAction]) -> Bool) async -> Bool {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if condition(actions) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition(actions)
    }

    var started: WFDStream? { actions.compactMap { if case .startStream(let s) = $0 { return s } else { return nil } }.first }
    var closeReason: WFDCloseReason? { actions.compactMap { if case .close(let r) = $0 { return r } else { return nil } }.first }
}

/// Forwards datagrams to `target`, dropping and swapping the ones the plan names (by
/// arrival index), as a lossy, reordering network would.
final class UDPRelay: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>
    let target: SocketAddress
    let drop: Set<Int>
    /// These get one byte flipped in the middle.
    let corrupt: Set<Int>
    /// Each index here is held and sent after the next datagram.
    let swapWithNext: Set<Int>
    private let state = NIOLockedValueBox<(count: Int, held: ByteBuffer?)>((0, nil))

    init(target: SocketAddress, drop: Set<Int> = [], corrupt: Set<Int> = [], swapWithNext: Set<Int> = []) {
        self.target = target
        self.drop = drop
        self.corrupt = corrupt
        self.swapWithNext = swapWithNext
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var datagram = unwrapInboundIn(data).data
        let (index, held) = state.withLockedValue { s -> (Int, ByteBuffer?) in
            defer { s.count += 1 }
            return (s.count, s.held)
        }
        if drop.contains(index) { return }
        if corrupt.contains(index), let byte = datagram.getInteger(at: datagram.readerIndex + datagram.readableBytes / 2, as: UInt8.self) {
            datagram.setInteger(byte ^ 0x5A, at: datagram.readerIndex + datagram.readableBytes / 2)
        }
        if swapWithNext.contains(index) {
            state.withLockedValue { $0.held = datagram }
            return
        }
        context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: target, data: datagram)), promise: nil)
        if let held {
            state.withLockedValue { $0.held = nil }
            context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: target, data: held)), promise: nil)
        }
        context.flush()
    }
}

/// A WFD sink handler and a source handler on 127.0.0.1: the whole RTSP exchange over TCP,
/// RTP over UDP from a generated transport-stream file (optionally through a lossy relay),
/// the sink's recording, then the source's stop (TEARDOWN trigger, M8, STOP_PROJECTION).
struct LoopbackProjection {
    let media = MPEGTSFixture.stream(count: 2000, interval: 20, bytesPerSecond: 2_000_000)
    let sourceActions = ActionRecorder()
    let sinkActions = ActionRecorder()
    let recorded = NIOLockedValueBox<[UInt8]>([])
    let receiverStats = NIOLockedValueBox<RTPReceiveHandler.Statistics?>(nil)
    let sentStats = NIOLockedValueBox<RTPStreamSender.Statistics?>(nil)

    /// Runs the session; `relay` puts a lossy hop between source and sink.
    func run(drop: Set<Int> = [], swapWithNext: Set<Int> = []) async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let mediaPath = FileManager.default.temporaryDirectory.appendingPathComponent("wfd-\(UUID().uuidString).ts").path
        try Data(media).write(to: URL(fileURLWithPath: mediaPath))
        defer { try? FileManager.default.removeItem(atPath: mediaPath) }

        let sinkChannel = NIOLockedValueBox<(any Channel)?>(nil)
        let rtp = try await WFDChannels.bindRTPReceiver(group: group, host: "127.0.0.1", port: 0) { [recorded] in
            RTPReceiveHandler(output: { bytes in recorded.withLockedValue { $0 += bytes } }, onIDRNeeded: {
                sinkChannel.withLockedValue { $0 }?.pipeline.fireUserInboundEventTriggered(WFDSessionCommand.idrNeeded)
            })
        }
        let rtpAddress = try #require(rtp.localAddress)
        let relay = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UDPRelay(target: rtpAddress, drop: drop, swapWithNext: swapWithNext))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let relayPort = try #require(relay.localAddress?.port)
        let sender = try await WFDChannels.bindRTPSender(group: group, host: "127.0.0.1")
        let senderPort = try #require(sender.localAddress?.port)

        let sourceConfiguration = WFDSourceStateMachine.Configuration(
            audio: [WFDAudioCodec(format: .aac, modes: 1)], host: "127.0.0.1",
            serverPort: .init(rtp: UInt16(senderPort)), sessionID: "5EED"
        )
        let streamResult = NIOLockedValueBox<EventLoopFuture<RTPStreamSender.Statistics>?>(nil)
        let sourceChannel = NIOLockedValueBox<(any Channel)?>(nil)
        let useRelay = !drop.isEmpty || !swapWithNext.isEmpty
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { [sourceActions] channel in
                sourceChannel.withLockedValue { $0 = channel }
                return channel.eventLoop.makeCompletedFuture {
                    let handler = WFDSessionHandler(machine: WFDSourceStateMachine(configuration: sourceConfiguration)) { action in
                        sourceActions.append(action)
                        guard case .startStream(let stream) = action else { return }
                        let port = useRelay ? relayPort : Int(stream.clientPort.rtp)
                        guard let destination = try? SocketAddress(ipAddress: "127.0.0.1", port: port) else { return }
                        sender.eventLoop.execute {
                            guard let reader = try? TransportStreamFile(path: mediaPath) else { return }
                            let s = RTPStreamSender(channel: sender, destination: destination, reader: reader)
                            streamResult.withLockedValue { $0 = s.result }
                            s.begin()
                        }
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RTSPMessageDecoder()))
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let rtspPort = try #require(server.localAddress?.port)

        let sinkConfiguration = WFDSinkStateMachine.Configuration(rtpPort: UInt16(rtpAddress.port ?? 0))
        let sink = try await ClientBootstrap(group: group)
            .channelInitializer { [sinkActions] channel in
                sinkChannel.withLockedValue { $0 = channel }
                return channel.eventLoop.makeCompletedFuture {
                    try WFDChannels.addSession(to: channel.pipeline.syncOperations, machine: WFDSinkStateMachine(configuration: sinkConfiguration)) { sinkActions.append($0) }
                }
            }
            .connect(host: "127.0.0.1", port: rtspPort).get()

        #expect(await sinkActions.wait { _ in sinkActions.started != nil }, "the sink never reached PLAY: \(sinkActions.actions)")
        #expect(await sourceActions.wait { _ in sourceActions.started != nil }, "the source never started streaming: \(sourceActions.actions)")
        let streamed = try await sourceActions.wait { _ in streamResult.withLockedValue { $0 } != nil }
            ? streamResult.withLockedValue { $0 }?.get() : nil
        sentStats.withLockedValue { $0 = streamed }
        // Wait for the datagrams still in flight (polling, up to 20 s: a loaded machine runs
        // the receiving loop late), then flush what the receiver holds.
        let expected = (streamed?.packets ?? 0) - drop.count
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        while clock.now < deadline {
            let received = try await rtp.eventLoop.submit {
                try rtp.pipeline.syncOperations.handler(type: RTPReceiveHandler.self).statistics.receiver.packets
            }.get()
            if received >= expected { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        try await rtp.eventLoop.submit { [receiverStats] in
            let handler = try rtp.pipeline.syncOperations.handler(type: RTPReceiveHandler.self)
            handler.flush()
            receiverStats.withLockedValue { $0 = handler.statistics }
        }.get()

        let child = try #require(sourceChannel.withLockedValue { $0 })
        child.pipeline.fireUserInboundEventTriggered(WFDSessionCommand.stop)
        #expect(await sourceActions.wait { $0.contains(.sendStopProjection) }, "no STOP_PROJECTION: \(sourceActions.actions)")
        #expect(await sinkActions.wait { _ in sinkActions.closeReason != nil })
        try await sink.closeFuture.get()
        try await server.close()
        for channel in [rtp, relay, sender] { try await channel.close() }
    }
}

@Suite struct SessionOverLoopbackTests {
    @Test func projectionEndToEnd() async throws {
        let run = LoopbackProjection()
        try await run.run()
        #expect(run.sinkActions.started?.serverPort != nil)
        #expect(run.sourceActions.started?.format.videoText == "1920x1080p60 CHP 4.2")
        #expect(run.sinkActions.started == run.sourceActions.started)
        #expect(run.sentStats.withLockedValue { $0 }?.packets == (2000 + 6) / 7)
        #expect(run.recorded.withLockedValue { $0 } == run.media, "the recording is the file, byte for byte")
        #expect(run.receiverStats.withLockedValue { $0 }?.receiver.lost == 0)
        #expect(run.sourceActions.closeReason == .stopped)
        #expect(run.sinkActions.closeReason == .teardown)
        #expect(run.sinkActions.actions.contains(.stopStream))
    }

    @Test func lossAndReorderingAreCountedAndLossAsksForAnIDR() async throws {
        let run = LoopbackProjection()
        try await run.run(drop: [40], swapWithNext: [100, 200])
        let stats = try #require(run.receiverStats.withLockedValue { $0 }?.receiver)
        #expect(stats.lost == 1)
        #expect(stats.reordered == 2)
        #expect(stats.packets == (2000 + 6) / 7 - 1)
        #expect(run.recorded.withLockedValue { $0 }.count == run.media.count - 7 * 188)
        // The receiver's loss went out as M13 and reached the source's encoder.
        #expect(run.sourceActions.actions.contains(.sendIDR))
        #expect(run.sinkActions.closeReason == .teardown)
    }
}
