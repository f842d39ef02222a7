import NIOCore
import SSTPCore

extension SSTPRelay.RelayStateMachine {
    // MARK: Offline Device Delivery Data TTL and Ephemeral Data Delivery timers (3.3.2, 3.3.6)

    /// The earliest TTL of a stored, undelivered sequence fired (3.3.6.1, 3.3.6.2): every
    /// expired one is discarded. A sequence already sent was delivered in time: its timer
    /// was cancelled (3.3.5.12).
    public mutating func deliveryTimerFired(now: NIODeadline) -> [RelayAction] {
        timerDeadline = nil
        var actions: [RelayAction] = []
        var removed: [Int64] = []
        for (recipient, messages) in pending {
            let (expired, kept) = messages.partitioned { ($0.expiry ?? .distantFuture) <= now }
            guard !expired.isEmpty else { continue }
            pending[recipient] = kept.isEmpty ? nil : kept
            for message in expired {
                removed.append(message.id)
                usage[message.recipient.identityURL]?.remove(message.payload.count)
                actions.append(.discarded(message, discardReason(message.message)))
            }
        }
        if !removed.isEmpty { actions.insert(.remove(removed.sorted()), at: 0) }
        return actions + rescheduleTimer()
    }

    /// Which of the two timers set the expiry: the shorter one.
    func discardReason(_ message: SSTP.Message) -> SSTPRelay.DiscardReason {
        guard message.doNotDeliverIfOffline else { return .ephemeralTTL }
        guard let ttl = message.ephemeral?.ttl, ttl > 0 else { return .offlineDeliveryTTL }
        return configuration.offlineDeliveryTTL <= .seconds(Int64(ttl)) ? .offlineDeliveryTTL : .ephemeralTTL
    }

    /// Asks for the timer to fire by the earliest TTL of `added`, newly pending, when that is
    /// earlier than the timer asked for: O(added), so a deposit costs no walk of the backlog.
    /// Messages leaving ``pending`` (delivered, acknowledged, released) leave the timer as it
    /// is: firing early finds nothing expired and asks again (``deliveryTimerFired(now:)``).
    mutating func scheduleTimer(for added: [StoredMessage]) -> [RelayAction] {
        guard let earliest = added.lazy.compactMap(\.expiry).min(), timerDeadline.map({ earliest < $0 }) ?? true else { return [] }
        timerDeadline = earliest
        return [.scheduleTimer(earliest)]
    }

    /// Asks for the earliest pending TTL, when it changed (a walk of every pending message:
    /// when the timer fired, and at start).
    mutating func rescheduleTimer() -> [RelayAction] {
        let earliest = pending.values.lazy.flatMap { $0 }.compactMap(\.expiry).min()
        guard earliest != timerDeadline else { return [] }
        timerDeadline = earliest
        return [earliest.map { .scheduleTimer($0) } ?? .cancelTimer]
    }
}

extension Array {
    /// Elements that match and those that do not, each in order.
    func partitioned(_ matches: (Element) -> Bool) -> ([Element], [Element]) {
        var yes: [Element] = [], no: [Element] = []
        for element in self { if matches(element) { yes.append(element) } else { no.append(element) } }
        return (yes, no)
    }
}
