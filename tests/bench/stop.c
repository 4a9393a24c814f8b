/* tests/bench/stop.c — how long capture_live_stop() takes on an idle loopback capture: the
 * figure that test_live's stop check gave up for a liveness bound (the thread polls with a
 * 500 ms period, so a stop that waited for it instead of its wake-up shows here as ~250 ms).
 * Run by stop.sh inside a private network namespace; prints the median and the worst. */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sockscope/capture.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 50;
    if (runs < 1 || runs > 10000) {
        fprintf(stderr, "usage: stop [RUNS 1-10000]\n");
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr = {0};
    strcpy(ifr.ifr_name, "lo");
    if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) != 0 ||
        (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)) {
        perror("stop: bringing lo up");
        return 1;
    }
    close(fd);
    double *ms = malloc(sizeof *ms * (size_t)runs);
    for (int i = 0; i < runs; i++) {
        char err[1024];
        struct capture_live_options o = {.device = "lo"};
        struct capture_live *c;
        if (capture_live_open(&o, &c, err, sizeof err) != STATUS_OK ||
            capture_live_start(c, err, sizeof err) != STATUS_OK ||
            capture_live_wait_ready(c, 2000, err, sizeof err) != STATUS_OK) {
            fprintf(stderr, "stop: %s\n", err);
            return 1;
        }
        double t0 = now_ms();
        capture_live_stop(c);
        ms[i] = now_ms() - t0;
        capture_live_close(c);
    }
    qsort(ms, (size_t)runs, sizeof *ms, cmp);
    printf("capture_live_stop on an idle lo: median %.3f ms, worst %.3f ms (%d runs)\n",
           ms[runs / 2], ms[runs - 1], runs);
    free(ms);
    return 0;
}
