import MICECore
import NIOCore
import Testing

/// PIN guessing across reconnects, with an injected clock.
@Suite struct PINAttemptLimiterTests {
    static let attacker: [UInt8] = [127, 0, 0, 9]
    static let person: [UInt8] = [127, 0, 0, 2]
    static func at(_ seconds: Double) -> NIODeadline { .uptimeNanoseconds(UInt64(1_000_000_000_000 + seconds * 1e9)) }

    @Test func theFirstWrongPINsAreFreeThenTheBackoffDoublesToItsCap() {
        var limiter = PINAttemptLimiter()
        var now = 0.0
        for _ in 0..<3 {
            #expect(limiter.request(address: Self.attacker, now: Self.at(now)) == .allowed)
            limiter.recordFailure(address: Self.attacker, now: Self.at(now))
            now += 2
        }
        // The third failure starts the backoff: 1 s, then 2, 4, … up to 60.
        var expected = 1.0
        for _ in 0..<10 {
            let failedAt = now - 2
            #expect(limiter.request(address: Self.attacker, now: Self.at(failedAt + expected - 0.001)) == .wait(until: Self.at(failedAt + expected), .address))
            now = max(now, failedAt + expected + 2)
            #expect(limiter.request(address: Self.attacker, now: Self.at(now)) == .allowed)
            limiter.recordFailure(address: Self.attacker, now: Self.at(now))
            now += 2
            expected = min(expected * 2, 60)
        }
        #expect(expected == 60)
    }

    /// The global bucket: five at once, then one every two seconds, whoever asks.
    @Test func theGlobalRateHoldsAcrossAddresses() {
        var limiter = PINAttemptLimiter()
        for index in 0..<5 {
            #expect(limiter.request(address: [10, 0, 0, UInt8(index)], now: Self.at(0)) == .allowed)
        }
        #expect(limiter.request(address: Self.person, now: Self.at(0)) == .wait(until: Self.at(2), .global))
        #expect(limiter.request(address: Self.person, now: Self.at(2)) == .allowed)
        #expect(limiter.request(address: Self.person, now: Self.at(2.5)) == .wait(until: Self.at(4), .global))
    }

    /// Sustained guessing gets one PIN checked every two seconds at most: the 10^8 PINs
    /// take more than six years, while the person waits two seconds after the burst.
    @Test func anOnlineSearchTakesYearsAndAPersonSecondsAfterABurst() {
        var limiter = PINAttemptLimiter()
        var allowed = 0
        // An hour of one attempt every 10 ms from many addresses.
        var t = 0.0
        while t < 3600 {
            let address: [UInt8] = [10, 1, UInt8(Int(t) % 256), UInt8(Int(t * 100) % 256)]
            if limiter.request(address: address, now: Self.at(t)) == .allowed {
                allowed += 1
                limiter.recordFailure(address: address, now: Self.at(t))
            }
            t += 0.01
        }
        #expect(allowed <= 5 + 1800)
        let secondsForTheSpace = 100_000_000.0 / Double(allowed) * 3600
        #expect(secondsForTheSpace / (365 * 86400) > 6)
        // The burst ends; the person's first attempt waits at most one interval.
        guard case .wait(let until, .global) = limiter.request(address: Self.person, now: Self.at(t)) else {
            // Allowed straight away is fine too.
            return
        }
        #expect(until <= Self.at(t + 2))
    }

    @Test func theRightPINForgetsTheBackoff() {
        var limiter = PINAttemptLimiter()
        for index in 0..<4 { limiter.recordFailure(address: Self.person, now: Self.at(Double(index))) }
        #expect(limiter.failures(address: Self.person) == 4)
        limiter.recordSuccess(address: Self.person)
        #expect(limiter.failures(address: Self.person) == 0)
        #expect(limiter.request(address: Self.person, now: Self.at(4)) == .allowed)
    }

    @Test func memoryStaysBounded() {
        var policy = PINAttemptLimiter.Policy()
        policy.maximumAddresses = 8
        var limiter = PINAttemptLimiter(policy: policy)
        for index in 0..<100 { limiter.recordFailure(address: [10, 0, 0, UInt8(index)], now: Self.at(Double(index))) }
        #expect(limiter.failures(address: [10, 0, 0, 0]) == 0)
        #expect(limiter.failures(address: [10, 0, 0, 99]) == 1)
    }
}
