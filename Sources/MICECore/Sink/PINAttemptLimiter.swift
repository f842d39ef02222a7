import NIOCore

/// Limits online PIN guessing across connections (3.1.5.6 leaves it to the sink): a
/// per-source-address backoff after a few wrong PINs, doubling up to a cap, and a global
/// rate on PIN_CHALLENGE attempts from everyone. With the defaults (one attempt every
/// 2 s sustained, bursts of 5) a search of the 10^8 PINs takes over six years, while a
/// person with the right PIN waits at most a couple of seconds after a burst ends.
/// Sans-IO: time comes in as `now`.
public struct PINAttemptLimiter: Sendable {
    public struct Policy: Sendable, Hashable {
        /// Wrong PINs from one address before its backoff starts (people mistype).
        public var freeFailures: Int = 3
        /// The first backoff; it doubles with each further wrong PIN.
        public var backoffBase: Duration = .seconds(1)
        public var backoffCap: Duration = .seconds(60)
        /// One global attempt per interval, sustained…
        public var globalInterval: Duration = .seconds(2)
        /// …and this many at once.
        public var globalBurst: Int = 5
        /// Addresses remembered (the oldest is forgotten first), so memory stays bounded.
        public var maximumAddresses: Int = 4096

        public init() {}
    }

    /// Why an attempt must wait.
    public enum Limit: String, Sendable, Hashable {
        case address
        case global
    }

    public enum Decision: Sendable, Hashable {
        case allowed
        case wait(until: NIODeadline, Limit)
    }

    private struct AddressRecord: Sendable {
        var failures: Int
        var notBefore: NIODeadline
        var lastSeen: NIODeadline
    }

    public let policy: Policy
    private var addresses: [[UInt8]: AddressRecord] = [:]
    /// The global bucket: when it was last full, in tokens' worth of time.
    private var bucketEmptyAt: NIODeadline?

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// Asks whether a PIN_CHALLENGE from `address` may be checked now; an allowed
    /// attempt takes one global token.
    public mutating func request(address: [UInt8], now: NIODeadline) -> Decision {
        if let record = addresses[address], record.notBefore > now {
            return .wait(until: record.notBefore, .address)
        }
        let interval = policy.globalInterval.timeAmount
        // The bucket holds `globalBurst` tokens; `bucketEmptyAt` is the time at which it
        // would be empty again if no token were taken from now on (tokens = (now - emptyAt)/interval).
        let full = now - interval * Int64(policy.globalBurst)
        let emptyAt = max(bucketEmptyAt ?? full, full)
        let next = emptyAt + interval
        guard next <= now else { return .wait(until: next, .global) }
        bucketEmptyAt = next
        return .allowed
    }

    /// The attempt from `address` was a wrong PIN.
    public mutating func recordFailure(address: [UInt8], now: NIODeadline) {
        var record = addresses[address] ?? AddressRecord(failures: 0, notBefore: now, lastSeen: now)
        record.failures += 1
        record.lastSeen = now
        let over = record.failures - policy.freeFailures
        if over >= 0 {
            let doubling = Int64(1) << Int64(min(over, 30))
            let backoff = min(policy.backoffBase.timeAmount * doubling, policy.backoffCap.timeAmount)
            record.notBefore = now + backoff
        }
        addresses[address] = record
        if addresses.count > policy.maximumAddresses,
           let oldest = addresses.min(by: { $0.value.lastSeen < $1.value.lastSeen })?.key {
            addresses[oldest] = nil
        }
    }

    /// The right PIN came from `address`: its backoff is forgotten.
    public mutating func recordSuccess(address: [UInt8]) {
        addresses[address] = nil
    }

    /// Wrong PINs on record for `address`.
    public func failures(address: [UInt8]) -> Int { addresses[address]?.failures ?? 0 }
}

extension Duration {
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
