import NIOCore

/// One timer a shell runs for its state machine's `start…Timer` / `cancel…Timer` actions:
/// starting it replaces one still running, cancelling forgets it. One event loop only.
public struct ShellTimer {
    private var scheduled: Scheduled<Void>?

    public init() {}

    /// Fires `fire` on `loop` after `duration`, in place of any earlier start.
    public mutating func start(in duration: Duration, on loop: any EventLoop, _ fire: @escaping @Sendable () -> Void) {
        scheduled?.cancel()
        scheduled = loop.scheduleTask(in: duration.timeAmount, fire)
    }

    public mutating func cancel() {
        scheduled?.cancel()
        scheduled = nil
    }
}
