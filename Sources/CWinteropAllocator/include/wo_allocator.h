#ifndef WO_ALLOCATOR_H
#define WO_ALLOCATOR_H

/// Sets glibc's mmap and trim thresholds (mallopt(3) M_MMAP_THRESHOLD, M_TRIM_THRESHOLD);
/// returns 1 when both were taken, 0 otherwise (or where there is no mallopt).
int wo_allocator_set_thresholds(int mmap_threshold, int trim_threshold);

#endif
