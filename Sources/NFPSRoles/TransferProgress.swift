import Foundation
import NIOConcurrencyHelpers
import WinteropTransport

/// Progress of one transfer: `progress` events at most four times a second with
/// `--json`, a progress bar (throughput and time left) on standard error when it is a
/// terminal, nothing otherwise.
final class TransferProgress: Sendable {
    private struct State {
        var total: UInt64 = 0
        var last: ContinuousClock.Instant
        var drewBar = false
    }
    private let events: EventLog
    private let start = ContinuousClock.now
    private let state: NIOLockedValueBox<State>
    private let bar: Bool

    init(events: EventLog) {
        self.events = events
        self.state = NIOLockedValueBox(State(last: ContinuousClock.now))
        self.bar = !events.json && isatty(STDERR_FILENO) == 1
    }

    var seconds: Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// The size the Share header announced (0 = unknown).
    func setTotal(_ total: UInt64) {
        state.withLockedValue { $0.total = total }
    }

    /// `bytes` of the package are through.
    func update(_ bytes: UInt64) {
        let now = ContinuousClock.now
        let total: UInt64? = state.withLockedValue { state in
            guard now - state.last >= .milliseconds(250) else { return nil }
            state.last = now
            state.drewBar = bar
            return state.total
        }
        guard let total else { return }
        let rate = seconds > 0 ? Double(bytes) / seconds : 0
        if events.json {
            events.emit(NFPSEvent.progress(bytes: bytes, total: total, bytesPerSecond: rate))
        } else if bar {
            FileHandle.standardError.writeText(Self.barLine(bytes: bytes, total: total, rate: rate))
        }
    }

    /// Clears the bar before the final line.
    func finish() {
        if state.withLockedValue({ $0.drewBar }) {
            FileHandle.standardError.writeText("\r\u{1B}[K")
        }
    }

    static func barLine(bytes: UInt64, total: UInt64, rate: Double) -> String {
        let speed = "\(ByteCount(UInt64(rate)))/s"
        guard total > 0 else { return "\r\u{1B}[K\(ByteCount(bytes))  \(speed)" }
        let fraction = min(1, Double(bytes) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let left = rate > 0 && total > bytes ? Double(total - bytes) / rate : 0
        return "\r\u{1B}[K[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] "
            + "\(Int(fraction * 100))%  \(ByteCount(bytes)) of \(ByteCount(total))  \(speed)  \(Int(left.rounded())) s left"
    }
}
