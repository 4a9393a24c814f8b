/* wire: sockscope's own network between a client and a server. Each side lives in a network
 * namespace of its own (192.0.2.1 / 2001:db8::1 the client, 192.0.2.2 / 2001:db8::2 the
 * server) with one veth into a third, private namespace where a wire thread forwards the
 * Ethernet frames in user space (AF_PACKET) and decides each one's fate: delay, jitter, rate
 * with a bounded queue, random and burst loss, reordering, duplication, named drops. Every
 * frame is reported twice, where it entered the wire and where it left it. */
#ifndef SOCKSCOPE_WIRE_H
#define SOCKSCOPE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sockscope/model.h" /* enum role, enum status */

/* A frame's sender is named by its role (model.h); it also names a direction: ROLE_CLIENT is
 * client to server. */

#define WIRE_CLIENT_IPV4 "192.0.2.1"
#define WIRE_SERVER_IPV4 "192.0.2.2"
#define WIRE_CLIENT_IPV6 "2001:db8::1"
#define WIRE_SERVER_IPV6 "2001:db8::2"

/* ---- the impairments ---- */

/* Named drops. Each rule drops one packet: the nth of its kind that its sender puts on the
 * wire. Kinds: syn (SYN without ACK), synack, ack (a pure ACK: no payload, no SYN/FIN/RST),
 * data (a TCP segment with payload), fin, rst, udp (a datagram). Counted per sender, over
 * all its connections, in the order the frames enter the wire, whatever their fate. A
 * retransmission is not counted again: a segment counts only when it is new (data: it
 * carries a byte beyond the highest this sender sent on that connection; syn/synack: a new
 * initial sequence number; fin: the first FIN of the connection), so `data:3` drops the third
 * new segment once and its retransmission goes through. ack, rst and udp count every one. */
enum wire_drop_kind {
    WIRE_DROP_SYN,
    WIRE_DROP_SYNACK,
    WIRE_DROP_ACK,
    WIRE_DROP_DATA,
    WIRE_DROP_FIN,
    WIRE_DROP_RST,
    WIRE_DROP_UDP,
};

struct wire_drop {
    enum role sender; /* default: the client, except synack: the server */
    enum wire_drop_kind kind;
    uint32_t nth;  /* 1-based; default 1 */
    char text[32]; /* the spec as written: "data:3", "server:data:2" */
};

#define WIRE_MAX_DROPS 16

/* Gilbert–Elliott burst loss: a good and a bad state; p = P(good -> bad) and r =
 * P(bad -> good) per frame, then the frame is lost with bad_loss in the bad state and
 * good_loss in the good one. */
struct wire_burst {
    bool on;
    double p, r, bad_loss, good_loss;
};

/* One direction: the frames one side sends. Zero everywhere: a plain wire. */
struct wire_impair {
    uint64_t delay_ns;  /* one way */
    uint64_t jitter_ns; /* uniform in [-jitter, +jitter] around the delay; never reorders */
    uint64_t rate_bps;  /* 0: no limit */
    uint32_t queue;     /* with a rate: frames waiting for the link at most (0: 1000) */
    double loss;        /* 0..1, random, from the seed */
    struct wire_burst burst;
    double reorder;   /* 0..1: the frame is held back WIRE_REORDER_HOLD_NS longer */
    double duplicate; /* 0..1: the frame is delivered twice */
};

#define WIRE_REORDER_HOLD_NS 1000000ull /* 1 ms: long enough for the next frames to pass */
#define WIRE_DEFAULT_QUEUE 1000u

struct wire_config {
    struct wire_impair dir[2]; /* [ROLE_CLIENT]: frames the client sends */
    uint64_t seed;             /* the random impairments' seed: the same seed, the same fates */
    struct wire_drop drops[WIRE_MAX_DROPS];
    size_t ndrops;
    bool ipv6;                 /* also 2001:db8::1 and ::2 (a few MLD frames then cross too) */
    const char *sender_pcap;   /* if set: every frame as it entered the wire */
    const char *receiver_pcap; /* if set: every frame as it left the wire */
    bool no_events;            /* true: no wire_event records (pcap files still written) */
    unsigned ring_kib;         /* events ring; 0: 16384 */
    unsigned capacity;         /* frames on the wire at once at most; 0: 16384 */
};

/* ---- option values (wire_spec.c): STATUS_OK, or STATUS_E_BAD_INPUT with one line in err */

int wire_spec_duration(const char *s, uint64_t *ns, char *err, size_t errlen);      /* 25ms */
int wire_spec_rate(const char *s, uint64_t *bps, char *err, size_t errlen);         /* 10mbit */
int wire_spec_percent(const char *s, double *fraction, char *err, size_t errlen);   /* 2% */
int wire_spec_queue(const char *s, uint32_t *frames, char *err, size_t errlen);     /* 64 */
int wire_spec_drop(const char *s, struct wire_drop *d, char *err, size_t errlen);   /* data:3 */
int wire_spec_burst(const char *s, struct wire_burst *b, char *err, size_t errlen); /* 1%,30% */
/* One option by name ("delay", "jitter", "rate", "queue", "loss", "burst", "reorder",
 * "duplicate", "drop", "seed") applied to config. Every value but drop and seed may start
 * with "client:" or "server:" to set one direction only (the frames that side sends);
 * without it both are set. Drops are added (at most WIRE_MAX_DROPS). */
int wire_spec_apply(struct wire_config *c, const char *name, const char *value, char *err,
                    size_t errlen);

/* ---- what the wire reports ---- */

enum wire_point {
    WIRE_POINT_SENT,     /* entered the wire (what left the sender) */
    WIRE_POINT_RECEIVED, /* left the wire (what reached the receiver) */
};

enum wire_fate {
    WIRE_FATE_DELIVERED,
    WIRE_FATE_LOST,       /* cause: a drop rule, random or burst loss */
    WIRE_FATE_QUEUE_DROP, /* the rate's queue (or the wire's capacity) was full */
};

enum wire_cause {
    WIRE_CAUSE_NONE,
    WIRE_CAUSE_DROP_RULE, /* drop_rule names it */
    WIRE_CAUSE_RANDOM,
    WIRE_CAUSE_BURST,
    WIRE_CAUSE_QUEUE_FULL,
    WIRE_CAUSE_CAPACITY,
};

/* SENT events: what the wire decided for the frame; RECEIVED events: what happened. */
enum {
    WIRE_FLAG_DELAYED = 1,    /* SENT: it waits for delay, jitter or the link's rate */
    WIRE_FLAG_HELD = 2,       /* SENT: the reorder rule holds it back */
    WIRE_FLAG_DUPLICATED = 4, /* SENT: it will be delivered twice */
    WIRE_FLAG_REORDERED = 8,  /* RECEIVED: a later frame of its direction left the wire first */
    WIRE_FLAG_COPY = 16,      /* RECEIVED: the second copy of a duplicated frame */
};

struct wire_event {
    enum wire_point point;
    enum role sender;
    uint64_t id;      /* the frame's number on the wire, 1-based; both points share it */
    uint64_t ts_ns;   /* CLOCK_REALTIME: entered (SENT) or left (RECEIVED) the wire */
    uint64_t sent_ns; /* when it entered, at both points */
    enum wire_fate fate;
    enum wire_cause cause;
    int drop_rule; /* index into config drops, or -1 */
    unsigned flags;
    uint32_t len;
    const uint8_t *data; /* the frame (Ethernet), valid until the next wire_next_event */
};

struct wire_stats {
    uint64_t frames[2];    /* entered the wire, per sender */
    uint64_t delivered[2]; /* left it (copies included) */
    uint64_t lost[2];
    uint64_t queue_drops[2];
    uint64_t events_dropped; /* wire_event records the ring had no room for */
    uint64_t kernel_drops;   /* frames the AF_PACKET sockets lost before the wire saw them */
    uint64_t send_errors;    /* frames the receiving veth refused */
};

/* ---- the wire ---- */

struct wire;

/* Makes the three namespaces, the veths (offloads off so that frames carry full checksums
 * and wire-sized segments), the addresses and static neighbours (no ARP crosses), and opens
 * the AF_PACKET sockets. The caller must hold CAP_NET_ADMIN and CAP_SYS_ADMIN over its
 * network namespace: root, or inside net_sandbox_enter(). Does not change the caller's
 * namespace. NULL with one line in err naming the call and, where known, the setting. */
struct wire *wire_new(const struct wire_config *c, char *err, size_t errlen);
/* Moves the calling thread into the client's or the server's namespace: sockets it opens
 * afterwards belong there. STATUS_OK, or STATUS_E_RUNTIME with err. */
int wire_enter_side(struct wire *w, enum role side, char *err, size_t errlen);
/* The namespace's fd (for setns), owned by the wire. */
int wire_side_netns_fd(const struct wire *w, enum role side);
/* Starts the wire thread: from now on frames cross. STATUS_OK or STATUS_E_RUNTIME. */
int wire_start(struct wire *w, char *err, size_t errlen);
/* Stops and joins the thread; frames still on the wire are dropped unreported. Pcap files are
 * flushed. Safe to call twice. */
void wire_stop(struct wire *w);
/* Stops, closes everything: the namespaces and veths go with their last reference (a thread
 * still inside a side's namespace keeps that one alive until it leaves or ends). */
void wire_free(struct wire *w);

/* Readable when events may wait: read it empty (8 bytes), then wire_next_event until 0. */
int wire_wake_fd(const struct wire *w);
/* 1 and *ev filled (its data valid until the next call), or 0 when none waits. One reader. */
int wire_next_event(struct wire *w, struct wire_event *ev);
void wire_get_stats(struct wire *w, struct wire_stats *s);
/* Whether drop rule i has matched a packet yet (false for an index out of range). */
bool wire_drop_matched(const struct wire *w, size_t i);
/* A pcap file failed to be written (disk full...): true and err says which. */
bool wire_failed(struct wire *w, char *err, size_t errlen);

/* "delivered", "lost", "queue_drop", or for a delivered SENT frame "duplicated", "delayed"
 * where they apply (the JSON "fate"). RECEIVED: "delivered" or "reordered". */
const char *wire_fate_name(const struct wire_event *ev);
/* Why: "--drop data:3", "random loss", "burst loss", "queue full", "wire full", or "" */
void wire_cause_text(const struct wire_config *c, const struct wire_event *ev, char *buf, size_t n);

#endif
