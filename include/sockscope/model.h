/* model: the vocabulary every floor of sockscope shares — an address and an endpoint (one
 * lifeline), the role of a side, what kind of segment a packet is, a socket API call, which
 * endpoint stands on which lifeline, one status set for every stage, and the two rules every
 * thread-starting, time-stamping stage follows (the clocks, the quiet thread). Depends on nothing,
 * so decode, track, timeline, view, export, net and the TUI can all speak it without
 * reaching up or sideways. */
#ifndef SOCKSCOPE_MODEL_H
#define SOCKSCOPE_MODEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- status: what every stage returns, so the command picks its exit code ----
 * 0 ok; negative: the class of failure (exit 1 for runtime, 2 for bad input). Functions that
 * also return counts or "end" use positive values for those. */
enum status {
    STATUS_OK = 0,
    STATUS_E_RUNTIME = -1,   /* out of memory, a read or write error part-way, no thread */
    STATUS_E_BAD_INPUT = -2, /* missing or non-capture file, bad filter, bad argument */
};

/* ---- clocks ----
 * Every time stamp sockscope compares (a frame's, which libpcap takes, an API event's) is
 * CLOCK_REALTIME in nanoseconds since the epoch: the one clock both sides can read. Intervals
 * and deadlines use CLOCK_MONOTONIC instead, which never jumps when the wall clock is set. */
uint64_t stamp_now_ns(void);     /* CLOCK_REALTIME, ns: what a frame or an event is stamped */
uint64_t monotonic_now_ns(void); /* CLOCK_MONOTONIC, ns: for waiting and pacing */

/* ---- threads ----
 * Signals belong to the thread that handles them (the screen's, a streaming loop's): every
 * other thread (capture, feed, the modules' programs) starts with all of them blocked. As
 * pthread_create: 0, or the error number. */
int thread_start_quiet(pthread_t *thread, void *(*fn)(void *), void *arg);

/* ---- addresses and endpoints ---- */

struct ip_address {
    uint8_t family;    /* 4, 6, or 0 when absent */
    uint8_t bytes[16]; /* IPv4 uses the first 4 */
};

/* Dotted quad for IPv4, RFC 5952 text for IPv6. Returns the length of the whole text (as
 * snprintf does); writes at most bufsize - 1 characters and a NUL. */
int ip_address_format(const struct ip_address *a, char *buf, int bufsize);

enum role { ROLE_CLIENT = 0, ROLE_SERVER = 1 };

/* One lifeline: an ip:port. */
struct endpoint {
    struct ip_address addr;
    uint16_t port;
};

bool endpoint_equal(const struct endpoint *a, const struct endpoint *b);
/* "127.0.0.1:12000" or "[::1]:12000"; returns the length as snprintf does. */
int endpoint_format(const struct endpoint *e, char *buf, size_t size);

/* ---- text from outside (model/text.c) ----
 * Writes n bytes of in to out (size bytes, always terminated) with what could act on a
 * terminal escaped: control bytes and bytes that are not UTF-8 as \xHH, C1 and bidi controls
 * and line separators as \uXXXX, a backslash as \\. Returns the length written. */
size_t text_sanitize(const char *in, size_t n, char *out, size_t size);

/* ---- segment kind: what a packet is on the diagram, decided once by track ----
 * The outputs map a kind to their own style (colour, glyph); the event store records it. */
enum segment_kind {
    SEGMENT_OTHER = 0, /* not TCP, UDP or ICMP: a note, no arrow */
    SEGMENT_SYN,
    SEGMENT_SYNACK,
    SEGMENT_ACK,  /* a pure acknowledgement: no payload, no SYN, FIN or RST */
    SEGMENT_DATA, /* carries payload */
    SEGMENT_FIN,
    SEGMENT_RST,
    SEGMENT_UDP,
    SEGMENT_ICMP,
    SEGMENT_SUSPECT, /* an analysis mark: retransmission, out of order, dup ACK, lost... */
    SEGMENT_KIND_COUNT
};

/* ---- socket API calls: what the probes report ---- */

enum api_call {
    API_SOCKET,
    API_BIND,
    API_LISTEN,
    API_ACCEPT,
    API_CONNECT,
    API_SEND,
    API_RECV,
    API_SENDTO,
    API_RECVFROM,
    API_SHUTDOWN,
    API_CLOSE,
    API_SETSOCKOPT,
    API_CALL_COUNT
};

enum api_phase { API_PHASE_CALL, API_PHASE_RETURN };

struct api_event {
    uint64_t ts_ns; /* CLOCK_REALTIME in ns: the clock pcap stamps use */
    enum api_call call;
    enum api_phase phase;
    int fd;
    int64_t result;        /* return value (phase RETURN): fd, byte count, 0 or -1 */
    int error;             /* errno when result < 0 */
    uint32_t thread;       /* 1, 2, ...: order in which the probe first saw the thread */
    int sock_type;         /* SOCK_STREAM or SOCK_DGRAM */
    bool listening;        /* the server's welcoming socket */
    struct endpoint local; /* addr.family 0 while not known */
    struct endpoint peer;  /* addr.family 0 while not known */
    uint64_t bytes;        /* send/recv: asked for (CALL) or done (RETURN);
                            * shutdown: how (SHUT_RD, SHUT_WR, SHUT_RDWR) */
    int opt_level, opt_name; /* setsockopt: SOL_SOCKET, IPPROTO_TCP...; SO_LINGER... */
    int opt_value[2];        /* the int it set, or SO_LINGER's {l_onoff, l_linger} */
    bool abortive;           /* close of a TCP socket after SO_LINGER {on, 0 s}: a RST */
};

const char *api_call_name(enum api_call c); /* "accept" */
/* "SO_LINGER", "TCP_NODELAY"... for the options a course meets; NULL for others. */
const char *api_option_name(int level, int name);

/* ---- lifelines: which endpoint stands on which lifeline (a column of the diagram) ----
 * Small captures get one lifeline per endpoint for the whole diagram, clients left and
 * servers right as textbooks draw them; with more endpoints than lifelines, a dynamic set
 * reuses them, least recently used first. */
#define LIFELINES_MAX 32

struct lifelines {
    int count, capacity;
    bool dynamic; /* more endpoints than lifelines: reused, least recently used first */
    struct endpoint ep[LIFELINES_MAX];
    enum role role[LIFELINES_MAX];
    uint64_t last_used[LIFELINES_MAX];
    uint64_t generation; /* changes whenever a lifeline gets an endpoint */
};

void lifelines_init(struct lifelines *l, int capacity);
int lifelines_find(const struct lifelines *l, const struct endpoint *e);
/* Planning pass: records an endpoint; false once there are more than capacity. */
bool lifelines_note(struct lifelines *l, const struct endpoint *e, enum role r);
/* Clients on the left in order of appearance, servers on the right (textbook layout). */
void lifelines_arrange(struct lifelines *l);
/* Keeps a lifeline for the next endpoint of role r (its address family stays 0 until then),
 * so a live diagram can put clients left and the server right before any of them appears. */
void lifelines_reserve(struct lifelines *l, enum role r);
/* Drawing pass: the lifeline of e, taking a free or the least recently used one in dynamic
 * mode (*changed set when a lifeline got a new endpoint). -1 if none can be had. */
int lifelines_take(struct lifelines *l, const struct endpoint *e, enum role r, uint64_t clock,
                   bool *changed);
/* The lifeline of a socket's local endpoint for an API call. A wildcard address (0.0.0.0, ::)
 * matches the lifeline with the same port: the welcoming socket bound to all addresses stands
 * on the lifeline its connections use. IPv4-mapped IPv6 addresses count as IPv4. */
int lifelines_take_socket(struct lifelines *l, const struct endpoint *e, enum role r,
                          uint64_t clock, bool *changed);

#endif
