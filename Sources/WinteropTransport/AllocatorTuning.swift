import CWinteropAllocator

/// The C allocator's settings for a process that moves bulk data (the roles stream
/// 256 KiB–1 MiB buffers: SSTP reads and command batches, NFPS pieces).
///
/// By default glibc serves any allocation above 128 KiB (or its dynamic threshold) with a
/// fresh `mmap(2)` and hands freed memory back to the kernel as soon as a thread's arena
/// has a little free at its top. A buffer allocated, filled, sent and freed per chunk then
/// costs a page fault (and the kernel zeroing the page) per 4 KiB, every time: measured on
/// `sstp send`, 15 % of its CPU. Keeping such buffers in the heap and letting freed memory
/// stay mapped up to ``trimThreshold`` makes them reused in place. Memory in use is
/// unchanged; what stays mapped after a burst is bounded by the trim threshold per arena.
public enum AllocatorTuning {
    /// Allocations above this still get their own mapping (a 64 MiB ZIP entry buffer…).
    static let mmapThreshold: Int32 = 32 << 20
    /// Free memory an arena keeps mapped at its top before returning it to the kernel.
    static let trimThreshold: Int32 = 64 << 20

    /// Applies the settings; call once, first thing in `main`. False where the C library
    /// has no such settings (the defaults then stay).
    @discardableResult
    public static func apply() -> Bool {
        wo_allocator_set_thresholds(mmapThreshold, trimThreshold) == 1
    }
}
