import CWinteropNFPSThread
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// The threads of a transfer's pipeline (read-ahead, cipher, file writer), named after
/// their stage so that `top -H` and `perf` tell them apart.
///
/// Scheduling: the one CBC chain (3.2.7.2) is serial, so the sender's cipher thread is
/// the transfer's critical path, while the receiver's file writer and the sender's event
/// loop have buffers of slack. On Linux's default class a woken thread preempts the
/// running one whenever no core is free: on a two-core machine the cipher, which wakes
/// the sender's loop once per chunk and runs beside the receiver's writer, was preempted
/// about a thousand times per GiB. ``Role/bulk`` threads, and the sender's loop while a
/// package streams (``BulkScheduling``), run in SCHED_BATCH instead: the same CPU share,
/// but their wake-ups wait for a free core or the next tick rather than preempting.
/// Measured, 1 GiB over loopback, interleaved runs: everything in the default class
/// 1,093–1,122 MB/s; the writer and the sender's loop in SCHED_BATCH 1,177–1,300 MB/s,
/// the cipher waiting 0.03–0.05 s per GiB for a core instead of 0.08–0.16 s. The
/// receiver's loop in SCHED_BATCH as well made no measurable difference, so it keeps its
/// class. Unprivileged; a thread outside the default class is left alone.
enum PipelineThread {
    enum Role {
        /// On the transfer's critical path: the default class.
        case critical
        /// Bulk work with buffers of slack: SCHED_BATCH.
        case bulk
    }

    static func start(_ name: String, _ role: Role, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            wo_nfps_thread_set_name(name)
            if role == .bulk { _ = wo_nfps_thread_enter_batch() }
            body()
        }
        thread.name = name
        thread.start()
    }
}

/// The sender's event loop thread in SCHED_BATCH while a package streams on it (see
/// ``PipelineThread``), then back to its class.
final class BulkScheduling: Sendable {
    private let loop: any EventLoop
    private let previous = NIOLockedValueBox<Int32>(-1)

    /// Moves `loop`'s thread to SCHED_BATCH.
    init(_ loop: any EventLoop) {
        self.loop = loop
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
