/* The two clocks (see model.h): the stamp every frame and API event carries, and the one
 * for waiting. One place, so no stage stamps with another clock by mistake. */
#include <time.h>

#include "sockscope/model.h"

static uint64_t ns_of(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t stamp_now_ns(void)
{
    return ns_of(CLOCK_REALTIME);
}

uint64_t monotonic_now_ns(void)
{
    return ns_of(CLOCK_MONOTONIC);
}
