/* wire internals: the impairment engine (a pure function of the frames, their times and the
 * seed, tested without any network) and the namespace and link set-up, which wire.c joins
 * with its forwarding thread. Private to src/net/. */
#ifndef SOCKSCOPE_WIRE_INTERNAL_H
#define SOCKSCOPE_WIRE_INTERNAL_H

#include <stdatomic.h>

#include "sockscope/wire.h"

/* ---- the impairment engine (wire_impair.c) ---- */

#define WIRE_FLOWS 256 /* connections remembered per sender, for "new segment" counting */

struct wire_flow {
    bool used;
    bool syn_seen, fin_seen;
    uint8_t key[36];    /* src, dst addresses and ports as the sender sends them */
    uint32_t isn, high; /* initial sequence number, highest sequence sent + 1 */
    uint64_t last_ns;
};

struct wire_direction {
    struct wire_impair cfg;
    uint64_t prng;
    bool burst_bad;
    uint64_t link_free_ns; /* the rate: when the link has sent what it holds */
    uint64_t *queue;       /* ring of the times queued frames finish on the link */
    uint32_t qhead, qlen, qcap;
    uint64_t last_out_ns;               /* jitter never reorders: no frame leaves before this */
    uint64_t counts[WIRE_DROP_UDP + 1]; /* named-drop counters of this sender */
    struct wire_flow flows[WIRE_FLOWS];
};

struct wire_impairer {
    struct wire_direction dir[2];
    struct wire_drop drops[WIRE_MAX_DROPS];
    size_t ndrops;
    atomic_bool matched[WIRE_MAX_DROPS];
};

struct wire_verdict {
    enum wire_fate fate;
    enum wire_cause cause;
    int drop_rule;
    unsigned flags;     /* WIRE_FLAG_DELAYED, HELD, DUPLICATED */
    unsigned copies;    /* 0 (dropped), 1, or 2 (duplicated) */
    uint64_t out_ns[2]; /* when each copy leaves the wire (same clock as now_ns) */
};

/* 0, or -1 when out of memory for the rate's queue. */
int wire_impair_init(struct wire_impairer *im, const struct wire_config *c);
void wire_impair_free(struct wire_impairer *im);
/* The fate of one Ethernet frame that `from` sends, entering the wire at now_ns. */
void wire_impair_decide(struct wire_impairer *im, enum role from, const uint8_t *frame,
                        uint32_t len, uint64_t now_ns, struct wire_verdict *v);

/* ---- namespaces and links (wire_link.c) ---- */

struct wire_links {
    int netns[3];  /* [ROLE_CLIENT], [ROLE_SERVER], [2]: the middle, where the wire runs */
    int packet[2]; /* AF_PACKET sockets in the middle, on the veth toward each side */
};

/* Makes the namespaces, veths, addresses and neighbours on a helper thread (the caller's
 * namespace is left as it is). 0, or -1 with err naming the call and the setting. */
int wire_links_create(struct wire_links *l, bool ipv6, char *err, size_t errlen);
void wire_links_close(struct wire_links *l);

#endif
