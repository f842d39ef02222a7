import NIOConcurrencyHelpers
import NIOCore
import WinteropTransport

/// Events gathered while a burst is handled and written together on the next turn of an
/// event loop: with thousands of messages a second, one write per batch instead of one per
/// event. Order is kept.
final class EventBatch: Sendable {
    let events: EventLog
    private let loop: any EventLoop
    private struct Pending {
        var events: [any RoleEvent] = []
        var scheduled = false
    }
    private let pending = NIOLockedValueBox(Pending())

    init(_ events: EventLog, loop: any EventLoop) {
        self.events = events
        self.loop = loop
    }

    func emit(_ event: some RoleEvent) {
        let schedule = pending.withLockedValue { pending -> Bool in
            pending.events.append(event)
            guard !pending.scheduled else { return false }
            pending.scheduled = true
            return true
        }
        if schedule { loop.execute { self.write() } }
    }

    /// Writes what is gathered now (also before the process reports its end).
    func write() {
        let gathered = pending.withLockedValue { pending -> [any RoleEvent] in
            defer { pending.events = []; pending.scheduled = false }
            return pending.events
        }
        events.emit(lines: gathered.map { event in (event.name, event.fields, { event.text }) })
    }
}
