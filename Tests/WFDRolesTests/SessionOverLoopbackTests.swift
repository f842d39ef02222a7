import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOPosix
import Testing
import WFDCore
import WFDRoles
import WinteropTestSupport

/// A WFD sink handler and a source handler on 127.0.0.1: the whole RTSP exchange over TCP,
/// RTP over UDP from a generated transport-stream file, the recording compared byte for
/// byte, then the source's stop (TEARDOWN trigger, M8, STOP_PROJECTION).
@Suite struct SessionOverLoopbackTests {
    /// Actions a side handed to its application, in order, from the event loop.
    final class Recorder: Sendable {
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
    }

    static func started(_ actions: [WFDAction]) -> WFDStream? {
        actions.compactMap { if case .startStream(let s) = $0 { return s } else { return nil } }.first
    }

    static func closeReason(_ actions: [WFDAction]) -> WFDCloseReason? {
        actions.compactMap { if case .close(let r) = $0 { return r } else { return nil } }.first
    }

    @Test func projectionEndToEnd() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wfd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let mediaPath = directory.appendingPathComponent("in.ts").path
        let recordPath = directory.appendingPathComponent("out.ts").path
        // 2000 packets (376 000 bytes) at 4 Mbyte/s: about 94 ms of stream.
        let media = MPEGTSFixture.stream(count: 2000, interval: 20, bytesPerSecond: 4_000_000)
        try Data(media).write(to: URL(fileURLWithPath: mediaPath))

        // The sink's RTP port, bound first: M3 advertises it.
        let recorder = try TransportStreamRecorder(path: recordPath)
        let received = NIOLockedValueBox(0)
        let rtp = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RTPReceiveHandler(output: { bytes in
                        recorder.write(bytes)
                        received.withLockedValue { $0 += bytes.count }
                    }))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let rtpPort = try #require(rtp.localAddress?.port)
        let sender = try await DatagramBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let senderPort = try #require(sender.localAddress?.port)

        let sourceActions = Recorder()
        let sinkActions = Recorder()
        let sourceConfiguration = WFDSourceStateMachine.Configuration(
            audio: [WFDAudioCodec(format: .aac, modes: 1)], host: "127.0.0.1",
            serverPort: .init(rtp: UInt16(senderPort)), sessionID: "5EED"
        )
        let streamSender = NIOLockedValueBox<RTPStreamSender?>(nil)
        let sourceChannel = NIOLockedValueBox<(any Channel)?>(nil)
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                sourceChannel.withLockedValue { $0 = channel }
                return channel.eventLoop.makeCompletedFuture {
                    let handler = WFDSessionHandler(machine: WFDSourceStateMachine(configuration: sourceConfiguration)) { action in
                        sourceActions.append(action)
                        if case .startStream(let stream) = action, let destination = try? SocketAddress(ipAddress: "127.0.0.1", port: Int(stream.clientPort.rtp)),
                           let reader = try? TransportStreamFile(path: mediaPath) {
                            let s = RTPStreamSender(channel: sender, destination: destination, reader: reader)
                            streamSender.withLockedValue { $0 = s }
                            sender.eventLoop.execute { s.begin() }
                        }
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RTSPMessageDecoder()))
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let rtspPort = try #require(server.localAddress?.port)

        let sinkConfiguration = WFDSinkStateMachine.Configuration(rtpPort: UInt16(rtpPort))
        let sink = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RTSPMessageDecoder()))
                    try channel.pipeline.syncOperations.addHandler(WFDSessionHandler(machine: WFDSinkStateMachine(configuration: sinkConfiguration)) { sinkActions.append($0) })
                }
            }
            .connect(host: "127.0.0.1", port: rtspPort).get()

        #expect(await sinkActions.wait { Self.started($0) != nil }, "the sink never reached PLAY: \(sinkActions.actions)")
        #expect(await sourceActions.wait { Self.started($0) != nil }, "the source never started streaming: \(sourceActions.actions)")
        #expect(Self.started(sinkActions.actions)?.clientPort.rtp == UInt16(rtpPort))
        #expect(Self.started(sinkActions.actions)?.serverPort?.rtp == UInt16(senderPort))
        #expect(Self.started(sourceActions.actions)?.format.videoText == "1920x1080p60 CHP 4.2")

        // The whole file arrives and is recorded unchanged.
        let deadline = ContinuousClock.now + .seconds(10)
        while received.withLockedValue({ $0 }) < media.count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let stats = try await streamSender.withLockedValue { $0 }?.result.get()
        #expect(stats?.packets == (2000 + 6) / 7)
        recorder.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: recordPath)) == Data(media))

        // Stop at the source: TEARDOWN trigger, the sink's M8, then STOP_PROJECTION.
        let child = try #require(sourceChannel.withLockedValue { $0 })
        child.pipeline.fireUserInboundEventTriggered(WFDSessionCommand.stop)
        #expect(await sourceActions.wait { $0.contains(.sendStopProjection) }, "no STOP_PROJECTION: \(sourceActions.actions)")
        #expect(Self.closeReason(sourceActions.actions) == .stopped)
        #expect(await sinkActions.wait { Self.closeReason($0) != nil })
        #expect(Self.closeReason(sinkActions.actions) == .teardown)
        #expect(sinkActions.actions.contains(.stopStream))
        try await sink.closeFuture.get()
        try await server.close()
        try await rtp.close()
        try await sender.close()
    }
}
