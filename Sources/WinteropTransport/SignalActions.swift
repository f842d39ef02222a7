import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs an action for each of some signals while it lives (e.g. `mice source`: SIGUSR1
/// pauses the stream, SIGUSR2 resumes it). The signals' default action (ending the
/// process) is ignored meanwhile and restored by ``cancel()``. SIGINT and SIGTERM stay
/// with swift-service-lifecycle's graceful shutdown.
public final class SignalActions {
    private let sources: [any DispatchSourceSignal]
    private let signals: [Int32]

    public init(_ actions: [Int32: @Sendable () -> Void]) {
        let queue = DispatchQueue(label: "winterop.signal-actions")
        signals = Array(actions.keys)
        sources = actions.map { number, action in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler(handler: action)
            source.resume()
            return source
        }
    }

    /// Stops watching and gives the signals their default action back.
    public func cancel() {
        for source in sources { source.cancel() }
        for number in signals { signal(number, SIG_DFL) }
    }
}
