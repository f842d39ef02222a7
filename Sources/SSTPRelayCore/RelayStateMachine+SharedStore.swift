import NIOCore
import SSTPCore

extension SSTPRelay.RelayStateMachine {
    // MARK: Several relay processes on one store (CoreConfiguration.sharedStore)

    /// The devices attached to this relay now.
    public var attachedDeviceURLs: [String] { deviceConnections.keys.sorted() }

    /// Shared store: messages this relay claimed (oldest first). Those for a device still
    /// attached here are held and delivered like any stored message; those whose device went
    /// meanwhile are released for another relay.
    public mutating func messagesClaimed(_ messages: [StoredMessage], now: NIODeadline) -> [RelayAction] {
        var released: [Int64] = []
        var recipients: [Recipient] = []
        var held: [StoredMessage] = []
        for message in messages.sorted(by: { $0.id < $1.id }) {
            guard deliveryConnection(for: message.recipient.deviceURL) != nil else {
                released.append(message.id)
                continue
            }
            guard inFlight[message.id] == nil, pending[message.recipient]?.contains(where: { $0.id == message.id }) != true else { continue }
            // Claims arrive in id order per claim; one that overtook an earlier claim sorts in.
            let index = pending[message.recipient]?.lastIndex { $0.id < message.id }.map { $0 + 1 } ?? 0
            pending[message.recipient, default: []].insert(message, at: index)
            usage[message.recipient.identityURL, default: .init()].add(message.payload.count)
            held.append(message)
            if !recipients.contains(message.recipient) { recipients.append(message.recipient) }
        }
        var actions: [RelayAction] = released.isEmpty ? [] : [.release(released)]
        for recipient in recipients { actions += deliverOrOpen(recipient) }
        return actions + scheduleTimer(for: held)
    }

    /// Shared store: identity registrations another relay accepted (3.3.5.17).
    public mutating func registrationsLearned(_ learned: [SSTPRelay.Registration]) {
        for registration in learned { registrations[registration.identityURL, default: []].insert(registration.deviceURL) }
    }

    /// Shared store: what is held for devices no longer attached here leaves this relay.
    mutating func releaseDetached(_ devices: [String]) -> [RelayAction] {
        var released: [Int64] = []
        for device in devices where deliveryConnection(for: device) == nil {
            for recipient in pending.keys where recipient.deviceURL == device {
                for message in pending.removeValue(forKey: recipient) ?? [] {
                    released.append(message.id)
                    usage[message.recipient.identityURL]?.remove(message.payload.count)
                }
            }
        }
        guard !released.isEmpty else { return [] }
        return [.release(released.sorted())]
    }
}
