/* getsockopt(TCP_INFO) read into sockscope's own record: the fields a teaching diagram shows
 * beside the sender's segments. */
#include "sockscope/model.h"
#include "sockscope/tcp_info.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* the kernel's "no threshold yet" (TCP_INFINITE_SSTHRESH) */
#define INFINITE_SSTHRESH 0x7fffffffu

int net_tcp_info_read(int fd, struct net_tcp_info *out)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    memset(&ti, 0, sizeof ti);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0) return -1;
    memset(out, 0, sizeof *out);
    out->ts_ns = stamp_now_ns();
    out->cwnd = ti.tcpi_snd_cwnd;
    out->ssthresh_infinite = ti.tcpi_snd_ssthresh >= INFINITE_SSTHRESH;
    out->ssthresh = out->ssthresh_infinite ? 0 : ti.tcpi_snd_ssthresh;
    out->srtt_us = ti.tcpi_rtt;
    out->rttvar_us = ti.tcpi_rttvar;
    out->rto_us = ti.tcpi_rto;
    out->unacked = ti.tcpi_unacked;
    out->retrans = ti.tcpi_total_retrans;
    out->ca_state = (enum net_tcp_ca_state)ti.tcpi_ca_state;
    return 0;
}

const char *net_tcp_ca_state_name(enum net_tcp_ca_state s)
{
    switch (s) {
    case NET_TCP_CA_OPEN:
        return "open";
    case NET_TCP_CA_DISORDER:
        return "disorder";
    case NET_TCP_CA_CWR:
        return "cwr";
    case NET_TCP_CA_RECOVERY:
        return "recovery";
    case NET_TCP_CA_LOSS:
        return "loss";
    }
    return "?";
}
