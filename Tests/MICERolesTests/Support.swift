import Foundation
import MICECore
import MICERoles
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import WinteropTransport
import WinteropWire

/// Collects JSON event lines from an ``EventLog``.
final class EventCollector: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])
    let label: String

    init(_ label: String) { self.label = label }

    var log: EventLog {
        EventLog(json: true) { [lines] line in lines.withLockedValue { $0.append(line) } }
    }

    var all: [String] { lines.withLockedValue { $0 } }

    func names() -> [String] {
        all.compactMap { line in
            guard let range = line.range(of: #""event":""#) else { return nil }
            let rest = line[range.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
    }

    func first(_ event: String) -> String? {
        all.first { $0.contains(#""event":"\#(event)""#) }
    }

    /// Waits until `event` was reported (or the timeout passes).
    @discardableResult
    func wait(for event: String, timeout: Duration = .seconds(20)) async -> String? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let line = first(event) { return line }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return first(event)
    }

    func count(_ event: String) -> Int { names().filter { $0 == event }.count }
}

/// A raw TCP client for feeding a live sink arbitrary bytes.
struct RawConnection: Sendable {
    let channel: any Channel
    private let received: NIOLockedValueBox<[UInt8]>

    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received: NIOLockedValueBox<[UInt8]>
        init(_ received: NIOLockedValueBox<[UInt8]>) { self.received = received }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.withLockedValue { $0 += buffer.readableBytesView }
        }
    }

    static func connect(to address: SocketAddress) async throws -> RawConnection {
        let received = NIOLockedValueBox<[UInt8]>([])
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: false)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(received)) }
            }
            .connect(to: address).get()
        return RawConnection(channel: channel, received: received)
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Closes the write side (the peer sees EOF); the peer may have closed already.
    func finish() async throws {
        try? await channel.close(mode: .output)
    }

    var isActive: Bool { channel.isActive }

    /// Waits until the peer closes (or the timeout passes); returns everything read.
    func readUntilClosed(timeout: Duration = .seconds(20)) async throws -> [UInt8] {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while channel.isActive && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        guard !channel.isActive else { throw TimeoutError() }
        return received.withLockedValue { $0 }
    }

    func close() async {
        try? await channel.close()
    }

    /// Waits for the next complete MS-MICE frames after `consumed` bytes (advanced past them).
    func nextFrames(after consumed: inout Int, timeout: Duration = .seconds(20)) async throws -> [MICEFrame] {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            let bytes = received.withLockedValue { Array($0.dropFirst(consumed)) }
            var buffer = ByteBuffer(bytes: bytes)
            var frames: [MICEFrame] = []
            while let frame = try MICEFrame.read(from: &buffer) { frames.append(frame) }
            if !frames.isEmpty {
                consumed += bytes.count - buffer.readableBytes
                return frames
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TimeoutError()
    }

    struct TimeoutError: Error {}
}
