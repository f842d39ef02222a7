import Foundation
import WinteropTransport
import NIOCore
import WFDCore
import WinteropWire

/// Where transport-stream bytes come from, read in chunks (a file, a pipe from GStreamer).
public protocol TransportStreamReader: AnyObject {
    /// The next bytes, nil at the end, or empty when none are ready yet (a live source):
    /// the sender then asks again shortly. Called on the event loop: it must not block.
    func read() throws -> [UInt8]?
}

/// Reads a file in 64 KiB chunks; with `loop` it starts again at the end (`--loop`).
public final class TransportStreamFile: TransportStreamReader {
    private let path: String
    private let loop: Bool
    private var handle: FileHandle?

    public init(path: String, loop: Bool = false) throws {
        self.path = path
        self.loop = loop
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TransportStreamError.cannotOpen(path)
        }
        self.handle = handle
    }

    public func read() throws -> [UInt8]? {
        guard let handle else { return nil }
        let data = try handle.readSomeBytes()
        if !data.isEmpty { return Array(data) }
        try? handle.close()
        self.handle = loop ? FileHandle(forReadingAtPath: path) : nil
        return self.handle == nil ? nil : []
    }
}

public enum TransportStreamError: Error, CustomStringConvertible {
    case cannotOpen(String)
    public var description: String {
        switch self {
        case .cannotOpen(let path): return "cannot open the media file \(path): check that it exists and is readable"
        }
    }
}

/// Sends a transport stream as RTP/MP2T over a UDP channel, each datagram when its PCR says
/// (``MPEGTSPacer``, ``RTPMP2TPacketizer``). With `seal`, each RTP packet is passed through
/// it first (MS-MICE 3.2.5.7: one DTLS record per datagram). Runs on the channel's loop.
public final class RTPStreamSender {
    public struct Statistics: Sendable, Hashable {
        public var packets = 0
        public var bytes = 0
    }

    private let channel: any Channel
    private let destination: SocketAddress
    private let reader: any TransportStreamReader
    private let seal: (([UInt8]) throws -> [UInt8])?
    private var pacer = MPEGTSPacer()
    private var packetizer: RTPMP2TPacketizer
    /// Set: datagrams go at this constant rate instead of by the PCR.
    private var rate: ConstantRatePacing?
    private var queue: [RTPMP2TPacketizer.Datagram] = []
    private var start: NIODeadline?
    private var finished = false
    private var stopped = false
    private var scheduled: Scheduled<Void>?
    public private(set) var statistics = Statistics()
    private let done: EventLoopPromise<Statistics>

    /// Completes with the counts when the stream ends or ``stop()`` is called; fails on a bad stream.
    public var result: EventLoopFuture<Statistics> { done.futureResult }

    public init(
        channel: any Channel, destination: SocketAddress, reader: any TransportStreamReader, packetizer: RTPMP2TPacketizer = RTPMP2TPacketizer(ssrc: 1),
        rate: ConstantRatePacing? = nil, seal: (([UInt8]) throws -> [UInt8])? = nil
    ) {
        self.channel = channel
        self.rate = rate
        self.destination = destination
        self.reader = reader
        self.packetizer = packetizer
        self.seal = seal
        self.done = channel.eventLoop.makePromise()
    }

    /// Starts sending; call on the channel's event loop.
    public func begin() {
        channel.eventLoop.assertInEventLoop()
        pump()
    }

    /// How soon a reader with nothing ready is asked again.
    static let readerRetry = TimeAmount.milliseconds(5)

    /// When ``pause()`` was called; nil while sending.
    private var pausedAt: NIODeadline?

    /// M9: stop sending; the schedule resumes where it was (``resume()``).
    public func pause() {
        channel.eventLoop.assertInEventLoop()
        guard !stopped, pausedAt == nil else { return }
        pausedAt = .now()
        scheduled?.cancel()
    }

    /// M7 after M9: send again, every due time moved on by the pause (no burst of what was not sent).
    public func resume() {
        channel.eventLoop.assertInEventLoop()
        guard let pausedAt else { return }
        self.pausedAt = nil
        if let start { self.start = start + (NIODeadline.now() - pausedAt) }
        pump()
    }

    public func stop() {
        channel.eventLoop.assertInEventLoop()
        guard !stopped else { return }
        stopped = true
        scheduled?.cancel()
        done.succeed(statistics)
    }

    private func refill() throws {
        while queue.count < 64 && !finished {
            guard let bytes = try reader.read() else {
                finished = true
                enqueue(packetizer.packetize(pacer.finish()) + packetizer.flush())
                return
            }
            if bytes.isEmpty { return }  // nothing ready yet
            enqueue(packetizer.packetize(try pacer.append(bytes)))
        }
    }

    private func enqueue(_ datagrams: [RTPMP2TPacketizer.Datagram]) {
        guard var pacing = rate else { return queue += datagrams }
        queue += pacing.retime(datagrams)
        rate = pacing
    }

    private func pump() {
        guard !stopped, pausedAt == nil else { return }
        do {
            try refill()
            let loopBound = NIOLoopBound(self, eventLoop: channel.eventLoop)
            guard !queue.isEmpty || finished else {
                // A live source has nothing yet: ask again soon, without blocking the loop.
                scheduled = channel.eventLoop.scheduleTask(in: Self.readerRetry) { loopBound.value.pump() }
                return
            }
            let now = NIODeadline.now()
            // The clock starts with the first datagram, not with a source still warming up.
            let start = self.start ?? now
            self.start = start
            while let next = queue.first, start + .nanoseconds(next.due) <= now {
                queue.removeFirst()
                var bytes = next.bytes
                if let seal { bytes = try seal(bytes) }
                statistics.packets += 1
                statistics.bytes += bytes.count
                channel.write(AddressedEnvelope(remoteAddress: destination, data: channel.allocator.buffer(bytes: bytes)), promise: nil)
                if queue.count < 16 { try refill() }
            }
            channel.flush()
            guard let next = queue.first else {
                if !finished {
                    scheduled = channel.eventLoop.scheduleTask(in: Self.readerRetry) { loopBound.value.pump() }
                    return
                }
                stopped = true
                done.succeed(statistics)
                return
            }
            scheduled = channel.eventLoop.scheduleTask(deadline: start + .nanoseconds(next.due)) { loopBound.value.pump() }
        } catch {
            stopped = true
            done.fail(error)
        }
    }
}
