import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SSTPCore
import SSTPRoles
import WinteropTransport

/// Throughput measurements of the SSTP codec and device roles, each against a baseline
/// measured in the same run (memcpy, a plain loopback TCP transfer). Used by the
/// SSTPBenchmarks benchmark target. Build in release.
enum SSTPMeasurements {
    public struct Figure: Sendable, CustomStringConvertible {
        public var name: String
        public var value: Double
        public var unit: String
        public var baseline: Double?
        public var ratio: Double? { baseline.map { value / $0 } }
        public var description: String {
            let v = String(format: "%.1f", value)
            if let baseline, let ratio {
                return "\(name): \(v) \(unit) (baseline \(String(format: "%.1f", baseline)) \(unit), ratio \(String(format: "%.2f", ratio)))"
            }
            return "\(name): \(v) \(unit)"
        }
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Encodes `count` Data commands of 2048-byte payloads into one buffer.
    public static func encodeData(count: Int, into buffer: inout ByteBuffer, payload: ByteBuffer) {
        buffer.clear()
        for _ in 0..<count {
            SSTP.Data.writeCommands(sessionId: 7, payload: payload, into: &buffer)
        }
    }

    /// Encodes one whole message sequence as `sstp send` sends it: Message (UserRef and
    /// StreamSize), its payload as Data commands of at most 2048 bytes, EndMessage.
    public static func encodeMessage(payload: ByteBuffer, into buffer: inout ByteBuffer) {
        buffer.clear()
        let size = UInt64(payload.readableBytes)
        let message = SSTP.Message(
            sessionId: 7, messageCount: 1, userRef: "stdin#1",
            streamSize: SSTP.Message.StreamSize(byteStreamSize: size, sessionSize: size, messageSize: size))
        try? message.encode(into: &buffer, version: .v1_6)
        SSTP.Data.writeCommands(sessionId: 7, payload: payload, into: &buffer)
        try? SSTP.EndMessage(sessionId: 7).encode(into: &buffer, version: .v1_6)
    }

    /// Decodes every command of `stream`; returns the payload bytes seen.
    public static func decodeData(_ stream: ByteBuffer) -> Int {
        var buffer = stream
        var total = 0
        while let command = try? SSTP.CommandStream.decodeCommand(from: &buffer, version: .v1_6) {
            if case .data(let d) = command { total += d.payload.readableBytes }
        }
        return total
    }

    /// Data command encode and decode throughput (MB/s of payload), each against memcpy of the same bytes.
    public static func dataCodec(commands: Int = 50_000, rounds: Int = 5) -> [Figure] {
        let payload = ByteBuffer(repeating: 0xA5, count: SSTP.Data.maximumPayload)
        var stream = ByteBuffer()
        stream.reserveCapacity(commands * (SSTP.Data.maximumPayload + SSTP.Data.overhead))
        let bytes = Double(commands * SSTP.Data.maximumPayload)
        var encode = Double.infinity, decode = Double.infinity, copyIn = Double.infinity, copyOut = Double.infinity
        let chunk = [UInt8](repeating: 0x5A, count: SSTP.Data.maximumPayload)
        let source = [UInt8](repeating: 0x5A, count: commands * SSTP.Data.maximumPayload)
        var destination = [UInt8](repeating: 0, count: commands * SSTP.Data.maximumPayload)
        var small = [UInt8](repeating: 0, count: SSTP.Data.maximumPayload)
        var seen = 0
        for _ in 0..<rounds {
            encode = min(encode, seconds { encodeData(count: commands, into: &stream, payload: payload) })
            decode = min(decode, seconds { seen = decodeData(stream) })
            // Encode's floor: the same 2048 bytes copied to successive places of one large buffer.
            copyIn = min(copyIn, seconds {
                chunk.withUnsafeBytes { s in
                    destination.withUnsafeMutableBytes { d in
                        var offset = 0
                        while offset < d.count {
                            memcpy(d.baseAddress! + offset, s.baseAddress!, SSTP.Data.maximumPayload)
                            offset += SSTP.Data.maximumPayload
                        }
                    }
                }
            })
            // Decode's floor: every payload byte of the large buffer copied out once.
            copyOut = min(copyOut, seconds {
                source.withUnsafeBytes { s in
                    small.withUnsafeMutableBytes { d in
                        var offset = 0
                        while offset < s.count {
                            memcpy(d.baseAddress!, s.baseAddress! + offset, SSTP.Data.maximumPayload)
                            offset += SSTP.Data.maximumPayload
                        }
                    }
                }
            })
        }
        precondition(seen == Int(bytes), "decoded \(seen) of \(bytes) bytes")
        let mb = bytes / 1e6
        return [
            Figure(name: "Data encode (2048-byte payloads)", value: mb / encode, unit: "MB/s", baseline: mb / copyIn),
            Figure(name: "Data decode (2048-byte payloads)", value: mb / decode, unit: "MB/s", baseline: mb / copyOut),
        ]
    }

    /// A device that takes every session and completes every message at once, discarding it.
    final class DiscardingApplication: SSTPApplication {
        let received: NIOLockedValueBox<Int>
        init(received: NIOLockedValueBox<Int>) { self.received = received }
        func openReceived(_ handler: SSTPConnectionHandler, sessionId: UInt32, entry: SSTP.AddressingEntry) -> SSTP.ResourceHandlerAvailability { .ready }
        func messageReceived(_ handler: SSTPConnectionHandler, entry: SSTP.InboundMessageList.Entry) {
            received.withLockedValue { $0 += 1 }
            handler.resourceHandlerCompleted(sequence: entry.sequence)
        }
    }

    static func discardingServer(group: EventLoopGroup, received: NIOLockedValueBox<Int>, ackDelay: Duration) async throws -> Channel {
        try await ServerBootstrap(group: group)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    var configuration = SSTP.ConnectionConfiguration(localDeviceURLs: ["dpp://bench"])
                    configuration.timers.messageAcknowledgment = ackDelay
                    let handler = SSTPConnectionHandler(configuration: configuration, initiatedConnection: false, application: DiscardingApplication(received: received))
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    /// Sends `messages` over one connection and returns the seconds until all are acknowledged.
    static func timeSend(group: EventLoopGroup, port: Int, messages: [SSTPOutgoingMessage]) async throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        var configuration = SSTPSendConfiguration(
            to: HostPort(host: "127.0.0.1", port: port),
            connection: SSTP.ConnectionConfiguration(localDeviceURLs: ["dpp://sender"]), targetDeviceURL: "dpp://bench",
            entry: SSTP.AddressingEntry(resourceURL: "bench", identityURL: "grooveIdentity://bench"),
            messages: messages
        )
        configuration.digests = false
        let report = try await SSTPSender.send(configuration, events: EventLog(json: true) { _ in }, group: group)
        guard report.succeeded else { throw SSTPSendError.connectionClosed }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Counts received bytes and signals when `expected` have arrived.
    final class ByteSink: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let state: NIOLockedValueBox<(count: Int, done: EventLoopPromise<Void>?)>
        let expected: Int
        init(expected: Int, done: EventLoopPromise<Void>) {
            self.expected = expected
            self.state = NIOLockedValueBox((0, done))
        }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let n = unwrapInboundIn(data).readableBytes
            let promise = state.withLockedValue { s -> EventLoopPromise<Void>? in
                s.count += n
                if s.count >= expected, let p = s.done { s.done = nil; return p }
                return nil
            }
            promise?.succeed(())
        }
    }

    /// Plain TCP over loopback: the same bytes written in 64 KiB buffers with the same
    /// water marks, into a server that counts them.
    static func timeRawTCP(group: EventLoopGroup, bytes: Int) async throws -> Double {
        let loop = group.next()
        let done = loop.makePromise(of: Void.self)
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ByteSink(expected: bytes, done: done)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let client = try await ClientBootstrap(group: loop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.writeBufferWaterMark, value: .init(low: 256 << 10, high: 1 << 20))
            .connect(host: "127.0.0.1", port: server.localAddress!.port!).get()
        let chunk = ByteBuffer(repeating: 0x42, count: 64 << 10)
        let start = DispatchTime.now().uptimeNanoseconds
        try await loop.submit {
            let writer = RawWriter(channel: client, chunk: chunk, remaining: bytes)
            writer.pump()
        }.get()
        try await done.futureResult.get()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        try await client.close()
        try await server.close()
        return elapsed
    }

    /// Writes while the channel is writable, resuming on writability (event-loop bound).
    final class RawWriter: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let channel: Channel
        let chunk: ByteBuffer
        var remaining: Int
        init(channel: Channel, chunk: ByteBuffer, remaining: Int) {
            self.channel = channel
            self.chunk = chunk
            self.remaining = remaining
            try? channel.pipeline.syncOperations.addHandler(self)
        }
        func pump() {
            while remaining > 0 && channel.isWritable {
                let piece = chunk.getSlice(at: 0, length: min(remaining, chunk.readableBytes))!
                remaining -= piece.readableBytes
                channel.write(piece, promise: nil)
            }
            channel.flush()
        }
        func channelWritabilityChanged(context: ChannelHandlerContext) {
            if context.channel.isWritable { pump() }
            context.fireChannelWritabilityChanged()
        }
    }

    /// One-connection send throughput of 1 MiB messages against plain loopback TCP.
    public static func sendThroughput(messages: Int = 64, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> Figure {
        let received = NIOLockedValueBox(0)
        let server = try await discardingServer(group: group, received: received, ackDelay: .milliseconds(5))
        let size = 1 << 20
        let payload = ByteBuffer(repeating: 0x33, count: size)
        let list = (0..<messages).map { SSTPOutgoingMessage(name: "m\($0)", source: .bytes(payload)) }
        var sstp = Double.infinity, raw = Double.infinity
        for _ in 0..<3 {
            sstp = min(sstp, try await timeSend(group: group, port: server.localAddress!.port!, messages: list))
            raw = min(raw, try await timeRawTCP(group: group, bytes: messages * size))
        }
        try await server.close()
        let mb = Double(messages * size) / 1e6
        return Figure(name: "send 1 MiB messages, one connection", value: mb / sstp, unit: "MB/s", baseline: mb / raw)
    }

    /// Messages per second with 256-byte messages, each acknowledged.
    public static func smallMessages(messages: Int = 20_000, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> Figure {
        let received = NIOLockedValueBox(0)
        let server = try await discardingServer(group: group, received: received, ackDelay: .milliseconds(5))
        let payload = ByteBuffer(repeating: 0x44, count: 256)
        let list = (0..<messages).map { SSTPOutgoingMessage(name: "m\($0)", source: .bytes(payload)) }
        var best = Double.infinity
        for _ in 0..<3 {
            best = min(best, try await timeSend(group: group, port: server.localAddress!.port!, messages: list))
        }
        try await server.close()
        return Figure(name: "256-byte messages, acknowledged", value: Double(messages) / best, unit: "messages/s")
    }
}
