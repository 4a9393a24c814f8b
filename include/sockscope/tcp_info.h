/* tcp_info: the kernel's own numbers for a TCP socket of the built-in modules (congestion
 * window, slow-start threshold, RTT estimate, RTO, segments in flight, retransmissions,
 * congestion state), read with getsockopt(TCP_INFO), so a diagram can put the sender's real
 * congestion window beside its packets. */
#ifndef SOCKSCOPE_TCP_INFO_H
#define SOCKSCOPE_TCP_INFO_H

#include <stdbool.h>
#include <stdint.h>

enum net_tcp_ca_state { /* the kernel's TCP_CA_* */
                        NET_TCP_CA_OPEN = 0,
                        NET_TCP_CA_DISORDER = 1,
                        NET_TCP_CA_CWR = 2,
                        NET_TCP_CA_RECOVERY = 3,
                        NET_TCP_CA_LOSS = 4,
};

struct net_tcp_info {
    uint64_t ts_ns;         /* CLOCK_REALTIME when read */
    uint32_t cwnd;          /* segments */
    uint32_t ssthresh;      /* segments; meaningless while ssthresh_infinite */
    bool ssthresh_infinite; /* no loss seen yet: slow start has no threshold */
    uint32_t srtt_us, rttvar_us, rto_us;
    uint32_t unacked; /* segments sent and not yet acknowledged */
    uint32_t retrans; /* segments retransmitted over the connection's life */
    enum net_tcp_ca_state ca_state;
};

/* 0, or -1 with errno (not a TCP socket, closed). */
int net_tcp_info_read(int fd, struct net_tcp_info *out);
/* "open", "disorder", "cwr", "recovery", "loss" (the JSON ca_state), "?" otherwise. */
const char *net_tcp_ca_state_name(enum net_tcp_ca_state s);

#endif
