/* Benchmark: sockscope's wire against loopback, in one run. Forwarding rate (UDP datagrams of
 * 64 bytes blasted from the client side, counted where they arrive) and added latency per
 * frame (UDP ping-pong round trips: (wire RTT - loopback RTT) / 2), with the wire reporting
 * every frame to a reader thread as the demo would. Runs in a private namespace (root or an
 * unprivileged user namespace); nothing reaches the host's network. Built by wire.sh. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sockscope/net.h"
#include "sockscope/wire.h"

#define PORT 9000
#define PAYLOAD 64

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct run {
    struct wire *w; /* NULL: loopback */
    const char *server_ip;
    long packets, pings;
    /* results */
    long received;
    uint64_t first_ns, last_ns;
    double rtt_us_median, rtt_us_mean;
    atomic_bool ready, done;
};

static int enter(struct run *r, enum role side)
{
    char err[256];
    if (r->w && wire_enter_side(r->w, side, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

static int udp_socket(const char *ip, uint16_t port, struct sockaddr_in *a)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    inet_pton(AF_INET, ip, &a->sin_addr);
    int buf = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf);
    return fd;
}

/* The receiver: counts datagrams until 300 ms pass with none; answers pings (first byte 'p'). */
static void *server_main(void *arg)
{
    struct run *r = arg;
    if (enter(r, ROLE_SERVER) < 0) exit(1);
    struct sockaddr_in a;
    int fd = udp_socket(r->server_ip, PORT, &a);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        perror("bind");
        exit(1);
    }
    atomic_store(&r->ready, true);
    char buf[2048];
    for (;;) {
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (poll(&pf, 1, atomic_load(&r->done) ? 0 : 300) <= 0 && r->received > 0) break;
        if (!(pf.revents & POLLIN)) {
            if (atomic_load(&r->done)) break;
            continue;
        }
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
        if (n <= 0) continue;
        if (buf[0] == 'p') {
            sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
            continue;
        }
        if (buf[0] == 'q') break;
        uint64_t t = now_ns();
        if (r->received++ == 0) r->first_ns = t;
        r->last_ns = t;
    }
    close(fd);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void *client_main(void *arg)
{
    struct run *r = arg;
    if (enter(r, ROLE_CLIENT) < 0) exit(1);
    struct sockaddr_in to;
    int fd = udp_socket(r->server_ip, PORT, &to);
    char buf[PAYLOAD];
    memset(buf, 'x', sizeof buf);
    /* pings first, one at a time: latency without any queue */
    double *rtt = calloc((size_t)r->pings, sizeof *rtt);
    long got = 0;
    buf[0] = 'p';
    for (long i = 0; i < r->pings; i++) {
        uint64_t t0 = now_ns();
        sendto(fd, buf, sizeof buf, 0, (struct sockaddr *)&to, sizeof to);
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (poll(&pf, 1, 1000) != 1) continue;
        if (recv(fd, buf, sizeof buf, 0) <= 0) continue;
        rtt[got++] = (double)(now_ns() - t0) / 1000.0;
    }
    qsort(rtt, (size_t)got, sizeof *rtt, cmp_double);
    double sum = 0;
    for (long i = 0; i < got; i++)
        sum += rtt[i];
    r->rtt_us_mean = got ? sum / (double)got : 0;
    r->rtt_us_median = got ? rtt[got / 2] : 0;
    free(rtt);
    /* then the blast */
    buf[0] = 'd';
    for (long i = 0; i < r->packets; i++)
        while (sendto(fd, buf, sizeof buf, 0, (struct sockaddr *)&to, sizeof to) < 0 &&
               (errno == ENOBUFS || errno == EAGAIN))
            ;
    close(fd);
    return NULL;
}

/* The demo's side of the wire: a reader that takes every event. */
static void *reader_main(void *arg)
{
    struct run *r = arg;
    struct wire_event ev;
    while (!atomic_load(&r->done)) {
        struct pollfd pf = {.fd = wire_wake_fd(r->w), .events = POLLIN};
        poll(&pf, 1, 50);
        uint64_t x;
        (void)!read(pf.fd, &x, sizeof x);
        while (wire_next_event(r->w, &ev) == 1)
            ;
    }
    return NULL;
}

static void measure(struct run *r)
{
    pthread_t s, c, rd;
    atomic_store(&r->ready, false);
    atomic_store(&r->done, false);
    pthread_create(&s, NULL, server_main, r);
    while (!atomic_load(&r->ready))
        usleep(1000);
    if (r->w) pthread_create(&rd, NULL, reader_main, r);
    pthread_create(&c, NULL, client_main, r);
    pthread_join(c, NULL);
    pthread_join(s, NULL);
    atomic_store(&r->done, true);
    if (r->w) pthread_join(rd, NULL);
}

int main(int argc, char **argv)
{
    long packets = argc > 1 ? atol(argv[1]) : 300000;
    long pings = argc > 2 ? atol(argv[2]) : 5000;
    char err[512];
    enum sandbox_kind kind;
    if (net_sandbox_enter(&kind, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    struct run lo = {.server_ip = "127.0.0.1", .packets = packets, .pings = pings};
    measure(&lo);

    struct wire_config c = {0};
    struct wire *w = wire_new(&c, err, sizeof err);
    if (!w || wire_start(w, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    struct run wr = {.w = w, .server_ip = WIRE_SERVER_IPV4, .packets = packets, .pings = pings};
    measure(&wr);
    wire_stop(w);
    struct wire_stats st;
    wire_get_stats(w, &st);
    wire_free(w);

    printf("%-9s %12s %10s %14s %12s\n", "path", "received", "of sent", "packets/s", "RTT us med");
    struct run *runs[2] = {&lo, &wr};
    const char *names[2] = {"loopback", "wire"};
    double pps[2];
    for (int i = 0; i < 2; i++) {
        struct run *r = runs[i];
        double secs = (double)(r->last_ns - r->first_ns) / 1e9;
        pps[i] = secs > 0 ? (double)r->received / secs : 0;
        printf("%-9s %12ld %10ld %14.0f %12.1f\n", names[i], r->received, r->packets, pps[i],
               r->rtt_us_median);
    }
    printf("wire: %.0f packets/s forwarded; added latency per frame %.1f us (median), %.1f us "
           "(mean); %llu frames in, %llu out, %llu lost before the wire saw them (AF_PACKET "
           "buffer), %llu refused by the receiving veth, %llu events dropped\n",
           pps[1], (wr.rtt_us_median - lo.rtt_us_median) / 2, (wr.rtt_us_mean - lo.rtt_us_mean) / 2,
           (unsigned long long)(st.frames[0] + st.frames[1]),
           (unsigned long long)(st.delivered[0] + st.delivered[1]),
           (unsigned long long)st.kernel_drops, (unsigned long long)st.send_errors,
           (unsigned long long)st.events_dropped);
    return 0;
}
