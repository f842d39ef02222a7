import Logging
import NIOCore
import NIOPosix

/// Asks the responder handler to send goodbyes (RFC 6762 10.1); the promise completes
/// once they are written.
struct MDNSShutdownRequest: Sendable {
    let promise: EventLoopPromise<Void>
}

/// The NIO shell around ``MDNSResponder``: decodes datagrams, feeds the state machine,
/// writes its messages (multicast on every interface), reports its events and owns its timer.
final class MDNSResponderHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private var responder: MDNSResponder
    private let interfaces: [NIONetworkDevice]
    private let group: SocketAddress
    private let logger: Logger
    private let onEvent: @Sendable (MDNSResponderEvent) -> Void
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?
    private var context: ChannelHandlerContext?

    init(responder: MDNSResponder, interfaces: [NIONetworkDevice], group: SocketAddress, logger: Logger, onEvent: @escaping @Sendable (MDNSResponderEvent) -> Void) {
        self.responder = responder
        self.interfaces = interfaces
        self.group = group
        self.logger = logger
        self.onEvent = onEvent
    }

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        execute(responder.start(now: .now()), context: context)
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive, self.context == nil {
            self.context = context
            execute(responder.start(now: .now()), context: context)
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
        execute(responder.messageReceived(message, from: envelope.remoteAddress, now: .now()), context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let request = event as? MDNSShutdownRequest {
            timer?.cancel()
            timer = nil
            let actions = responder.shutdown(now: .now())
            let written = execute(actions, context: context)
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
    private func execute(_ actions: [MDNSResponder.Action], context: ChannelHandlerContext) -> [EventLoopFuture<Void>] {
        var futures: [EventLoopFuture<Void>] = []
        for action in actions {
            switch action {
            case .send(let message, let destination):
                futures += send(message, to: destination, context: context)
            case .event(let event):
                onEvent(event)
            }
        }
        context.flush()
        rescheduleTimer(context: context)
        return futures
    }

    private func send(_ message: DNSMessage, to destination: MDNSDestination, context: ChannelHandlerContext) -> [EventLoopFuture<Void>] {
        let bytes: ByteBuffer
        do {
            bytes = try message.encode()
        } catch {
            logger.error("mDNS: could not encode a message: \(error)")
            return []
        }
        switch destination {
        case .unicast(let address):
            let promise = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: address, data: bytes)), promise: promise)
            return [promise.futureResult.recover { _ in }]
        case .multicast:
            guard interfaces.count > 1, let provider = context.channel as? any SocketOptionProvider else {
                let promise = context.eventLoop.makePromise(of: Void.self)
                context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: group, data: bytes)), promise: promise)
                return [promise.futureResult.recover { _ in }]
            }
            // One copy per interface (RFC 6762 15): choose the interface, then write at once.
            var futures: [EventLoopFuture<Void>] = []
            for device in interfaces {
                guard case .v4(let v4) = device.address else { continue }
                _ = provider.setIPMulticastIF(v4.address.sin_addr)
                let promise = context.eventLoop.makePromise(of: Void.self)
                context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: group, data: bytes)), promise: promise)
                futures.append(promise.futureResult.recover { _ in })
            }
            return futures
        }
    }

    private func rescheduleTimer(context: ChannelHandlerContext) {
        guard let deadline = responder.nextDeadline else {
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
            guard let context = handler.context else { return }
            handler.execute(handler.responder.timerFired(now: .now()), context: context)
        }
    }
}
