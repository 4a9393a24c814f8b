/* Time and waiting for the modules: every blocking socket call waits in short poll() slices
 * so that a stop flag (set by SIGINT/SIGTERM or a scenario) is noticed within 50 ms. */
#include "net_internal.h"

#include <errno.h>
#include <poll.h>
#include <time.h>

enum { WAIT_SLICE_MS = 50 };

static uint64_t monotonic_ms(void)
{
    return monotonic_now_ns() / 1000000u;
}

bool net_stopped(atomic_bool *stop)
{
    return stop && atomic_load(stop);
}

void net_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

int net_wait_fd(int fd, short events, const struct probe_wait *w)
{
    atomic_bool *stop = w ? w->stop : NULL;
    bool limited = w && w->timeout_ms >= 0;
    uint64_t deadline = limited ? monotonic_ms() + (uint64_t)w->timeout_ms : 0;
    for (;;) {
        if (net_stopped(stop)) {
            errno = EINTR;
            return -1;
        }
        int slice = stop ? WAIT_SLICE_MS : -1;
        if (limited) {
            uint64_t now = monotonic_ms();
            if (now >= deadline) {
                errno = ETIMEDOUT;
                return -1;
            }
            if (slice < 0 || deadline - now < (uint64_t)slice) slice = (int)(deadline - now);
        }
        struct pollfd pfd = {.fd = fd, .events = events};
        int n = poll(&pfd, 1, slice);
        if (n > 0) return 1;
        if (n < 0 && errno != EINTR) return 1; /* let the real call report the error */
    }
}
