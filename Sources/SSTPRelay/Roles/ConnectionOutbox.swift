import NIOConcurrencyHelpers
import NIOCore
import SSTPRoles

/// What the relay asks of one connection's handler, carried out on its event loop in the
/// order asked: requests made while a run is pending join it, so a burst of deliveries
/// and acknowledgments costs one hop to the event loop and one flush, not one per message.
final class ConnectionOutbox: Sendable {
    typealias Request = @Sendable (SSTPConnectionHandler) -> Void
    private let handler: NIOLoopBound<SSTPConnectionHandler>
    private struct Queue {
        var requests: [Request] = []
        var scheduled = false
    }
    private let queue = NIOLockedValueBox(Queue())

    init(_ handler: SSTPConnectionHandler, on loop: any EventLoop) {
        self.handler = NIOLoopBound(handler, eventLoop: loop)
    }

    func enqueue(_ request: @escaping Request) {
        let schedule = queue.withLockedValue { queue -> Bool in
            queue.requests.append(request)
            guard !queue.scheduled else { return false }
            queue.scheduled = true
            return true
        }
        if schedule { handler.eventLoop.execute { self.run() } }
    }

    /// Carries out every queued request, then flushes once.
    private func run() {
        let handler = self.handler.value
        handler.batchingFlushes {
            while true {
                let requests = queue.withLockedValue { queue -> [Request] in
                    let requests = queue.requests
                    queue.requests = []
                    if requests.isEmpty { queue.scheduled = false }
                    return requests
                }
                guard !requests.isEmpty else { return }
                for request in requests { request(handler) }
            }
        }
    }
}
