import NIOCore
import WFDCore

/// The sink's UDP handler on the RTP port: opens each datagram (`open`, the DTLS record
/// layer when stream encryption is on; what does not open is dropped and counted), runs
/// ``RTPReceiver``, hands transport-stream bytes to `output`, asks for an IDR through
/// `onIDRNeeded`, and reports statistics at most once a second through `onStatistics`.
public final class RTPReceiveHandler: ChannelInboundHandler {
    public typealias InboundIn = AddressedEnvelope<ByteBuffer>

    public struct Statistics: Sendable, Hashable {
        public var receiver: RTPReceiver.Statistics
        /// Datagrams `open` refused (not a record of the session, or tampered with).
        public var undecryptable: Int
    }

    private var receiver: RTPReceiver
    private let open: ((ByteBuffer) throws -> ByteBuffer)?
    private let output: ([UInt8]) -> Void
    private let onIDRNeeded: () -> Void
    private let onStatistics: (Statistics) -> Void
    private var undecryptable = 0
    private var lastReport: NIODeadline?

    public init(
        window: Int = 12, open: ((ByteBuffer) throws -> ByteBuffer)? = nil, output: @escaping ([UInt8]) -> Void,
        onIDRNeeded: @escaping () -> Void = {}, onStatistics: @escaping (Statistics) -> Void = { _ in }
    ) {
        self.receiver = RTPReceiver(window: window)
        self.open = open
        self.output = output
        self.onIDRNeeded = onIDRNeeded
        self.onStatistics = onStatistics
    }

    public var statistics: Statistics { Statistics(receiver: receiver.statistics, undecryptable: undecryptable) }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var datagram = unwrapInboundIn(data).data
        if let open {
            do {
                datagram = try open(datagram)
            } catch {
                undecryptable += 1
                return
            }
        }
        handle(receiver.received(datagram))
        let now = NIODeadline.now()
        if lastReport.map({ now - $0 >= .seconds(1) }) ?? true {
            lastReport = now
            onStatistics(statistics)
        }
    }

    /// Delivers what is still held (at the end of the stream).
    public func flush() {
        handle(receiver.flush())
    }

    private func handle(_ outputs: [RTPReceiver.Output]) {
        for item in outputs {
            switch item {
            case .transportStream(let bytes): output(bytes)
            case .requestIDR: onIDRNeeded()
            }
        }
    }
}
