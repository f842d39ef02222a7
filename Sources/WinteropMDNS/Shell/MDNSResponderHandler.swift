import Logging
import NIOCore
import NIOPosix

/// Asks the responder handler to send goodbyes (RFC 6762 10.1); the promise completes
/// once they are written.
struct MDNSShutdownRequest: Sendable {
    let promise: EventLoopPromise<Void>
}

/// One socket the responder speaks through: IPv4 (224.0.0.251) or IPv6 (ff02::fb), with
/// the interfaces that joined the group on it.
struct MDNSTransport: Sendable {
    var isIPv6: Bool
    var group: SocketAddress
    var interfaces: [NIONetworkDevice]
}

/// The NIO shell around ``MDNSResponder``: decodes datagrams, feeds the state machine,
/// writes its messages (multicast on every interface of every transport), reports its
/// events and owns its timer.
///
/// One instance serves every transport's channel (IPv4 and, when enabled, IPv6); the
/// channels share one event loop, so the state machine sees one ordered stream of events.
final class MDNSResponderHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private var responder: MDNSResponder
    private let transports: [MDNSTransport]
    private let interfaceAddresses: MDNSInterfaceAddresses
    /// The interface the message being handled came in on (for unicast replies, RFC 6762 14).
    private var receivingInterface: Int?
    private let logger: Logger
    private let onEvent: @Sendable (MDNSResponderEvent) -> Void
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?
    /// The channel context of each transport (same order as `transports`), once added.
    private var contexts: [ChannelHandlerContext?]
    private var started = false

    init(responder: MDNSResponder, transports: [MDNSTransport], logger: Logger, onEvent: @escaping @Sendable (MDNSResponderEvent) -> Void) {
        self.responder = responder
        self.transports = transports
        self.contexts = Array(repeating: nil, count: transports.count)
        let devices = (try? System.enumerateDevices()) ?? transports.flatMap(\.interfaces)
        self.interfaceAddresses = MDNSInterfaceAddresses(devices: devices)
        self.logger = logger
        self.onEvent = onEvent
    }

    /// Added to the channel of transport `index`: starts once every transport is in place.
    func attach(_ context: ChannelHandlerContext, transport index: Int) {
        guard contexts.indices.contains(index) else { return }
        contexts[index] = context
        if !started, contexts.allSatisfy({ $0 != nil }) {
            started = true
            execute(responder.start(now: .now()))
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let isIPv6: Bool
        if case .v6 = context.channel.localAddress { isIPv6 = true } else { isIPv6 = false }
        if let index = transports.firstIndex(where: { $0.isIPv6 == isIPv6 }) {
            attach(context, transport: index)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let message: DNSMessage
        do {
            message = try DNSMessage.decode(envelope.data)
        } catch {
            // RFC 6762 18: a malformed packet is dropped; the rest of the service goes on.
            logger.debug("mDNS: dropped a malformed packet", metadata: ["from": "\(envelope.remoteAddress)", "error": "\(error)"])
            return
        }
        receivingInterface = envelope.metadata?.packetInfo?.interfaceIndex
        defer { receivingInterface = nil }
        execute(responder.messageReceived(message, from: envelope.remoteAddress, now: .now()))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let request = event as? MDNSShutdownRequest {
            timer?.cancel()
            timer = nil
            let written = execute(responder.shutdown(now: .now()))
            if written.isEmpty {
                request.promise.succeed()
            } else {
                EventLoopFuture.andAllComplete(written, on: context.eventLoop).cascade(to: request.promise)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A failed send (no route on one interface, a refused unicast port) is not fatal.
        logger.debug("mDNS: \(error)")
    }

    @discardableResult
    private func execute(_ actions: [MDNSResponder.Action]) -> [EventLoopFuture<Void>] {
        var futures: [EventLoopFuture<Void>] = []
        for action in actions {
            switch action {
            case .send(let message, let destination):
                futures += send(message, to: destination)
            case .event(let event):
                onEvent(event)
            }
        }
        rescheduleTimer()
        return futures
    }

    private func send(_ message: DNSMessage, to destination: MDNSDestination) -> [EventLoopFuture<Void>] {
        switch destination {
        case .unicast(let address):
            let isIPv6: Bool
            if case .v6 = address { isIPv6 = true } else { isIPv6 = false }
            guard let index = transports.firstIndex(where: { $0.isIPv6 == isIPv6 }), let context = contexts[index] else { return [] }
            let restricted = interfaceAddresses.restrict(message, toInterface: receivingInterface)
            return write(restricted, to: address, context: context)
        case .multicast:
            var futures: [EventLoopFuture<Void>] = []
            for (index, transport) in transports.enumerated() {
                guard let context = contexts[index] else { continue }
                futures += multicast(message, transport: transport, context: context)
            }
            return futures
        }
    }

    /// One copy per interface (RFC 6762 14), each naming that interface's addresses: choose
    /// the interface, then write at once (the option applies to the next send).
    private func multicast(_ message: DNSMessage, transport: MDNSTransport, context: ChannelHandlerContext) -> [EventLoopFuture<Void>] {
        guard transport.interfaces.count > 1 || transport.isIPv6, let provider = context.channel as? any SocketOptionProvider else {
            return write(interfaceAddresses.restrict(message, toInterface: transport.interfaces.first?.interfaceIndex), to: transport.group, context: context)
        }
        var futures: [EventLoopFuture<Void>] = []
        for device in transport.interfaces {
            switch device.address {
            case .v4(let v4):
                _ = provider.setIPMulticastIF(v4.address.sin_addr)
            case .v6:
                _ = provider.setIPv6MulticastIF(CUnsignedInt(device.interfaceIndex))
            default:
                continue
            }
            futures += write(interfaceAddresses.restrict(message, toInterface: device.interfaceIndex), to: transport.group, context: context)
        }
        return futures
    }

    private func write(_ message: DNSMessage, to address: SocketAddress, context: ChannelHandlerContext) -> [EventLoopFuture<Void>] {
        let bytes: ByteBuffer
        do {
            bytes = try message.encode()
        } catch {
            logger.error("mDNS: could not encode a message: \(error)")
            return []
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: address, data: bytes)), promise: promise)
        return [promise.futureResult.recover { _ in }]
    }

    private func rescheduleTimer() {
        guard let deadline = responder.nextDeadline, let context = contexts.compactMap({ $0 }).first else {
            timer?.cancel()
            timer = nil
            timerDeadline = nil
            return
        }
        if timerDeadline == deadline, timer != nil { return }
        timer?.cancel()
        timerDeadline = deadline
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let handler = loopBound.value
            handler.timer = nil
            handler.timerDeadline = nil
            handler.execute(handler.responder.timerFired(now: .now()))
        }
    }
}
