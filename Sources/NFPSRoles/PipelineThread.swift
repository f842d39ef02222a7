import CWinteropNFPSThread
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// The threads of a transfer's pipeline (read-ahead, cipher, file writer), named after
/// their stage so that `top -H` and `perf` tell them apart.
///
/// Scheduling: the one CBC chain (3.2.7.2) is serial, so the sender's cipher thread is
/// the transfer's critical path; every other stage has buffers of slack. On Linux's
/// default class a thread that wakes another is preempted by it whenever no core is
/// free, and the cipher wakes the reader and the event loop once per chunk: on two
/// cores it lost about a fifth of its time that way. ``Role/throughput`` threads (and
/// the event loops while a package streams, ``BulkScheduling``) run in SCHED_BATCH
/// instead: the same CPU share, but their wake-ups wait for a free core or the next
/// tick rather than preempting. Unprivileged, and nothing changes elsewhere.
enum PipelineThread {
    enum Role {
        /// On the transfer's critical path: the default class.
        case criticalPath
        /// Bulk work with buffers of slack: SCHED_BATCH.
        case throughput
    }

    // EXPERIMENT toggles (temporary).
    static let experiment: Set<String> = Set((ProcessInfo.processInfo.environment["WO_NFPS_EXP"] ?? "").split(separator: ",").map(String.init))

    static func start(_ name: String, _ role: Role, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            wo_nfps_thread_set_name(name)
            if role == .throughput, !experiment.contains("nobatch") { _ = wo_nfps_thread_enter_batch() }
            body()
        }
        thread.name = name
        thread.start()
    }
}

/// An event loop's thread in SCHED_BATCH while a package streams on it (see
/// ``PipelineThread``), then back to its class.
final class BulkScheduling: Sendable {
    private let loop: any EventLoop
    private let previous = NIOLockedValueBox<Int32>(-1)

    /// Moves `loop`'s thread to SCHED_BATCH.
    init(_ loop: any EventLoop) {
        self.loop = loop
        guard !PipelineThread.experiment.contains("noloop") else { return }
        loop.execute { [previous] in previous.withLockedValue { $0 = wo_nfps_thread_enter_batch() } }
    }

    /// Gives the thread back its class; once.
    func end() {
        loop.execute { [previous] in
            let policy = previous.withLockedValue { policy in
                defer { policy = -1 }
                return policy
            }
            wo_nfps_thread_restore(policy)
        }
    }
}
