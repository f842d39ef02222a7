import SSTPCore

extension SSTPRelay.RelayStateMachine {
    // MARK: Refusing a sequence for quota (3.1.4.5, 3.1.4.2.1, 3.1.5.19)

    /// A sequence over its identity's quota is not stored. Its InboundMessageList entry still
    /// has to be completed and counted (3.1.4.2.1: MessageCount is the run of complete
    /// entries at the old end, and the originator removes that many of its oldest
    /// OutboundMessageList entries, 3.1.5.19: skipping one would shift every later
    /// acknowledgment onto the wrong sequence). So the refusal is told in an order the
    /// originator can read: once every sequence received before it on the connection is
    /// complete, a Noop acknowledges them all, then Close QuotaWouldBeExceeded ends the
    /// session (3.1.4.5), and only then is the refused entry completed. Whatever of that
    /// session is still unacknowledged when the Close arrives was refused; what was stored
    /// was acknowledged before it.
    mutating func refuseForQuota(_ deposit: SSTPRelay.Deposit, sessionId: UInt32) -> [RelayAction] {
        heldRefusals[deposit] = sessionId
        return releaseRefusals(deposit.connection)
    }

    /// The refusals of `connection` whose earlier sequences are all complete now, in order.
    mutating func releaseRefusals(_ connection: ConnectionID) -> [RelayAction] {
        guard !heldRefusals.isEmpty else { return [] }
        var actions: [RelayAction] = []
        for (deposit, sessionId) in heldRefusals.filter({ $0.key.connection == connection }).sorted(by: { $0.key.sequence < $1.key.sequence }) {
            guard !outstanding(before: deposit) else { break }
            heldRefusals[deposit] = nil
            actions += [.acknowledgeNow(connection), .closeSession(connection, sessionId: sessionId, .quotaWouldBeExceeded), .acknowledgeDeposit(deposit)]
        }
        return actions
    }

    /// Whether a sequence received before `deposit` on its connection is not complete yet.
    func outstanding(before deposit: SSTPRelay.Deposit) -> Bool {
        let earlier = { (other: SSTPRelay.Deposit) in other.connection == deposit.connection && other.sequence < deposit.sequence }
        return committing.keys.contains(where: earlier) || fanoutProgress.keys.contains(where: earlier) || heldRefusals.keys.contains(where: earlier)
    }
}
