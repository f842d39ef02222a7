#define _GNU_SOURCE
#include "wo_nfps_thread.h"

#include <pthread.h>
#include <sched.h>

void wo_nfps_thread_set_name(const char *name) {
#ifdef __linux__
    char truncated[16];
    int i = 0;
    for (; i < 15 && name[i] != 0; i++) truncated[i] = name[i];
    truncated[i] = 0;
    pthread_setname_np(pthread_self(), truncated);
#else
    (void)name;
#endif
}

int wo_nfps_thread_enter_batch(void) {
#if defined(__linux__) && defined(SCHED_BATCH)
    int policy = sched_getscheduler(0);
    // Only from the default class: a real-time or idle thread keeps what it was given.
    if (policy != SCHED_OTHER) return -1;
    struct sched_param parameters = {0};
    return sched_setscheduler(0, SCHED_BATCH, &parameters) == 0 ? policy : -1;
#else
    return -1;
#endif
}

void wo_nfps_thread_restore(int policy) {
#ifdef __linux__
    if (policy < 0) return;
    struct sched_param parameters = {0};
    sched_setscheduler(0, policy, &parameters);
#else
    (void)policy;
#endif
}
