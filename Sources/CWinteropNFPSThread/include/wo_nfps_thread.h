// The calling thread's name and scheduling class, for MS-NFPS's transfer pipelines.
// GNU and Linux calls that Swift's Glibc module does not export; elsewhere they do nothing.

#ifndef WO_NFPS_THREAD_H
#define WO_NFPS_THREAD_H

#if !defined(__clang__)
#define _Nonnull
#endif

/// Names the calling thread (its first 15 bytes), as `top -H` and `perf` show it.
void wo_nfps_thread_set_name(const char *_Nonnull name);

/// Moves the calling thread to SCHED_BATCH (the CPU share of SCHED_OTHER, but its
/// wake-ups never preempt the running thread). Returns the policy it had, to give to
/// `wo_nfps_thread_restore`, or -1 when nothing changed.
int wo_nfps_thread_enter_batch(void);

/// Gives the calling thread back the policy `wo_nfps_thread_enter_batch` returned.
void wo_nfps_thread_restore(int policy);

#endif
