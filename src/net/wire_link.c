/* The wire's namespaces and links: a client, a server and a middle network namespace, a veth
 * from each side into the middle, addresses from the documentation ranges, static neighbours
 * (so no ARP or neighbour discovery crosses the wire), offloads off (full checksums,
 * wire-sized segments), and the middle's AF_PACKET sockets. Spoken with rtnetlink and the
 * ethtool ioctl, on a helper thread that moves between the namespaces. */
#define _GNU_SOURCE /* unshare, setns */
#include "wire_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/veth.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define MIDDLE 2

static const char *const ns_name[3] = {"client", "server", "middle"};
static const char *const middle_if[2] = {"wire-c", "wire-s"};
static const char side_if[] = "eth0";
/* locally administered addresses: the side's own, as its peer's static neighbour entry */
static const uint8_t side_mac[2][6] = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01},
                                       {0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
static const char *const side_ipv4[2] = {WIRE_CLIENT_IPV4, WIRE_SERVER_IPV4};
static const char *const side_ipv6[2] = {WIRE_CLIENT_IPV6, WIRE_SERVER_IPV6};

/* ---- rtnetlink ---- */

struct nl_msg {
    struct nlmsghdr nh;
    char room[1024];
};

static void nl_init(struct nl_msg *m, int type, int flags, const void *head, size_t hlen)
{
    memset(m, 0, sizeof *m);
    m->nh.nlmsg_type = (uint16_t)type;
    m->nh.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
    m->nh.nlmsg_len = NLMSG_LENGTH(hlen);
    memcpy(NLMSG_DATA(&m->nh), head, hlen);
}

static struct rtattr *nl_put(struct nl_msg *m, int type, const void *data, size_t len)
{
    struct rtattr *rta = (struct rtattr *)((char *)m + NLMSG_ALIGN(m->nh.nlmsg_len));
    rta->rta_type = (uint16_t)type;
    rta->rta_len = (uint16_t)RTA_LENGTH(len);
    if (len) memcpy(RTA_DATA(rta), data, len);
    m->nh.nlmsg_len = NLMSG_ALIGN(m->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
    return rta;
}

static void nl_end(struct nl_msg *m, struct rtattr *nest)
{
    nest->rta_len = (uint16_t)((char *)m + m->nh.nlmsg_len - (char *)nest);
}

/* Sends one request and reads its acknowledgement: 0, or -1 with errno. */
static int nl_talk(int fd, struct nl_msg *m)
{
    static _Atomic uint32_t seq = 1;
    m->nh.nlmsg_seq = seq++;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, m, m->nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) return -1;
    for (;;) {
        union {
            struct nlmsghdr nh;
            char buf[4096];
        } ans;
        ssize_t n = recv(fd, &ans, sizeof ans, 0);
        if (n < 0) return -1;
        for (struct nlmsghdr *h = &ans.nh; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq != m->nh.nlmsg_seq) continue;
            if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
                errno = EPROTO;
                return -1;
            }
            const struct nlmsgerr *ne = NLMSG_DATA(h);
            if (ne->error == 0) return 0;
            errno = -ne->error;
            return -1;
        }
    }
}

/* `ip link add NAME type veth peer name eth0 netns PEER_NS address MAC` */
static int nl_add_veth(int fd, const char *name, int peer_ns, const uint8_t mac[6])
{
    struct nl_msg m;
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
    nl_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
    nl_put(&m, IFLA_IFNAME, name, strlen(name) + 1);
    struct rtattr *info = nl_put(&m, IFLA_LINKINFO, NULL, 0);
    nl_put(&m, IFLA_INFO_KIND, "veth", 4);
    struct rtattr *data = nl_put(&m, IFLA_INFO_DATA, NULL, 0);
    struct rtattr *peer = nl_put(&m, VETH_INFO_PEER, &ifi, sizeof ifi);
    nl_put(&m, IFLA_IFNAME, side_if, sizeof side_if);
    uint32_t nsfd = (uint32_t)peer_ns;
    nl_put(&m, IFLA_NET_NS_FD, &nsfd, sizeof nsfd);
    nl_put(&m, IFLA_ADDRESS, mac, 6);
    nl_end(&m, peer);
    nl_end(&m, data);
    nl_end(&m, info);
    return nl_talk(fd, &m);
}

/* No automatic IPv6 addresses (no link-local, so no DAD, router or MLD frames from it). */
static int nl_addr_gen_none(int fd, int ifindex)
{
    struct nl_msg m;
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
    nl_init(&m, RTM_NEWLINK, 0, &ifi, sizeof ifi);
    struct rtattr *spec = nl_put(&m, IFLA_AF_SPEC, NULL, 0);
    struct rtattr *inet6 = nl_put(&m, AF_INET6, NULL, 0);
    uint8_t mode = IN6_ADDR_GEN_MODE_NONE;
    nl_put(&m, IFLA_INET6_ADDR_GEN_MODE, &mode, 1);
    nl_end(&m, inet6);
    nl_end(&m, spec);
    return nl_talk(fd, &m);
}

static int nl_link_up(int fd, int ifindex)
{
    struct nl_msg m;
    struct ifinfomsg ifi = {
        .ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_flags = IFF_UP, .ifi_change = IFF_UP};
    nl_init(&m, RTM_NEWLINK, 0, &ifi, sizeof ifi);
    return nl_talk(fd, &m);
}

static int nl_add_address(int fd, int ifindex, int family, const char *text, int prefix)
{
    uint8_t addr[16];
    if (inet_pton(family, text, addr) != 1) {
        errno = EINVAL;
        return -1;
    }
    size_t alen = family == AF_INET ? 4 : 16;
    struct nl_msg m;
    struct ifaddrmsg ifa = {.ifa_family = (uint8_t)family,
                            .ifa_prefixlen = (uint8_t)prefix,
                            .ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0,
                            .ifa_index = (uint32_t)ifindex};
    nl_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
    nl_put(&m, IFA_LOCAL, addr, alen);
    nl_put(&m, IFA_ADDRESS, addr, alen);
    uint32_t flags = ifa.ifa_flags;
    nl_put(&m, IFA_FLAGS, &flags, sizeof flags);
    return nl_talk(fd, &m);
}

/* `ip neigh replace ADDR lladdr MAC dev IF nud permanent` */
static int nl_add_neighbour(int fd, int ifindex, int family, const char *text, const uint8_t mac[6])
{
    uint8_t addr[16];
    if (inet_pton(family, text, addr) != 1) {
        errno = EINVAL;
        return -1;
    }
    struct nl_msg m;
    struct ndmsg nd = {
        .ndm_family = (uint8_t)family, .ndm_ifindex = ifindex, .ndm_state = NUD_PERMANENT};
    nl_init(&m, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, &nd, sizeof nd);
    nl_put(&m, NDA_DST, addr, family == AF_INET ? 4 : 16);
    nl_put(&m, NDA_LLADDR, mac, 6);
    return nl_talk(fd, &m);
}

/* ---- ioctls ---- */

static int ethtool_set(int s, const char *ifname, uint32_t cmd, uint32_t value)
{
    struct ethtool_value ev = {.cmd = cmd, .data = value};
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
    ifr.ifr_data = (void *)&ev;
    return ioctl(s, SIOCETHTOOL, &ifr);
}

static int lo_up(int s)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) return -1;
    ifr.ifr_flags |= IFF_UP;
    return ioctl(s, SIOCSIFFLAGS, &ifr);
}

/* ---- the set-up, on its own thread ---- */

struct setup {
    struct wire_links *l;
    bool ipv6;
    int rc;
    char err[256];
};

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        int e_ = errno;                                                                            \
        char what_[160];                                                                           \
        snprintf(what_, sizeof what_, __VA_ARGS__);                                                \
        snprintf(st->err, sizeof st->err, "wire: %s: %s", what_, strerror(e_));                    \
        goto out;                                                                                  \
    } while (0)

/* The namespace this thread is in, and in it a netlink and an ioctl socket. */
static int enter_sockets(int nsfd, int *nl, int *io)
{
    if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) < 0) return -1;
    *nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (*nl < 0) return -1;
    *io = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    return *io < 0 ? -1 : 0;
}

static void close_sockets(int *nl, int *io)
{
    if (*nl >= 0) close(*nl);
    if (*io >= 0) close(*io);
    *nl = *io = -1;
}

/* eth0 in a side's namespace: offloads off, up, addresses, the peer as a static neighbour. */
static int setup_side(struct setup *st, int side)
{
    int nl = -1, io = -1, rc = -1;
    const char *ns = ns_name[side];
    if (enter_sockets(st->l->netns[side], &nl, &io) < 0) FAIL("entering the %s namespace", ns);
    int idx = (int)if_nametoindex(side_if);
    if (idx == 0) FAIL("%s in the %s namespace", side_if, ns);
    /* with offloads on, frames leave with partial checksums and as 64 KB GSO packets: the
     * receiving kernel would drop what the wire forwards */
    static const struct {
        uint32_t cmd;
        const char *name;
    } off[] = {{ETHTOOL_STXCSUM, "tx-checksumming"},
               {ETHTOOL_STSO, "tcp-segmentation-offload"},
               {ETHTOOL_SGSO, "generic-segmentation-offload"}};
    for (size_t i = 0; i < sizeof off / sizeof off[0]; i++)
        if (ethtool_set(io, side_if, off[i].cmd, 0) < 0)
            FAIL("SIOCETHTOOL %s off on %s in the %s namespace", off[i].name, side_if, ns);
    if (nl_addr_gen_none(nl, idx) < 0 && st->ipv6)
        FAIL("IPv6 address generation mode of %s in the %s namespace", side_if, ns);
    if (nl_link_up(nl, idx) < 0) FAIL("RTM_NEWLINK up %s in the %s namespace", side_if, ns);
    if (nl_add_address(nl, idx, AF_INET, side_ipv4[side], 24) < 0)
        FAIL("RTM_NEWADDR %s/24 in the %s namespace", side_ipv4[side], ns);
    int peer = 1 - side;
    if (nl_add_neighbour(nl, idx, AF_INET, side_ipv4[peer], side_mac[peer]) < 0)
        FAIL("RTM_NEWNEIGH %s in the %s namespace", side_ipv4[peer], ns);
    if (st->ipv6) {
        if (nl_add_address(nl, idx, AF_INET6, side_ipv6[side], 64) < 0)
            FAIL("RTM_NEWADDR %s/64 in the %s namespace (IPv6 switched off?)", side_ipv6[side], ns);
        if (nl_add_neighbour(nl, idx, AF_INET6, side_ipv6[peer], side_mac[peer]) < 0)
            FAIL("RTM_NEWNEIGH %s in the %s namespace", side_ipv6[peer], ns);
    }
    rc = 0;
out:
    close_sockets(&nl, &io);
    return rc;
}

static int open_packet_socket(struct setup *st, int side, int ifindex)
{
    /* protocol 0 until bound: a socket made with ETH_P_ALL hears every device meanwhile */
    int s = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0) FAIL("socket(AF_PACKET) in the middle namespace");
    struct sockaddr_ll ll = {
        .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = ifindex};
    if (bind(s, (struct sockaddr *)&ll, sizeof ll) < 0) {
        close(s);
        FAIL("binding the AF_PACKET socket to %s", middle_if[side]);
    }
    /* the frames the wire itself sends out of this veth are not the other side's */
    int one = 1;
    if (setsockopt(s, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) < 0) {
        close(s);
        FAIL("PACKET_IGNORE_OUTGOING on %s (Linux 4.20 or later)", middle_if[side]);
    }
    /* the veth's qdisc would only queue what the wire already timed (best effort) */
    (void)setsockopt(s, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
    int pending;
    socklen_t plen = sizeof pending;
    (void)getsockopt(s, SOL_SOCKET, SO_ERROR, &pending, &plen); /* and clears it */
    int buf = 8 << 20;
    if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf) < 0)
        (void)setsockopt(s, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    st->l->packet[side] = s;
    return 0;
out:
    return -1;
}

static void *setup_main(void *arg)
{
    struct setup *st = arg;
    struct wire_links *l = st->l;
    int nl = -1, io = -1;
    st->rc = -1;
    /* a thread may change its own network namespace; three in a row leave it in the middle */
    for (int i = 0; i < 3; i++) {
        if (unshare(CLONE_NEWNET) < 0)
            FAIL("unshare(CLONE_NEWNET) for the %s namespace (needs root, or the sandbox's "
                 "user namespace first)",
                 ns_name[i]);
        l->netns[i] = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (l->netns[i] < 0) FAIL("opening /proc/thread-self/ns/net");
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0 || lo_up(s) < 0) {
            if (s >= 0) close(s);
            FAIL("bringing up lo in the %s namespace", ns_name[i]);
        }
        close(s);
    }
    if (enter_sockets(-1, &nl, &io) < 0) FAIL("rtnetlink socket in the middle namespace");
    for (int side = 0; side < 2; side++) {
        if (nl_add_veth(nl, middle_if[side], l->netns[side], side_mac[side]) < 0) {
            if (errno == EOPNOTSUPP)
                FAIL("RTM_NEWLINK veth %s: this kernel has no veth (CONFIG_VETH; as root: "
                     "modprobe veth)",
                     middle_if[side]);
            FAIL("RTM_NEWLINK veth %s (peer %s in the %s namespace)", middle_if[side], side_if,
                 ns_name[side]);
        }
        int idx = (int)if_nametoindex(middle_if[side]);
        if (idx == 0) FAIL("%s after creating it", middle_if[side]);
        (void)nl_addr_gen_none(nl, idx); /* the middle sends nothing of its own */
        /* GRO would merge segments before the wire sees them */
        if (ethtool_set(io, middle_if[side], ETHTOOL_SGRO, 0) < 0)
            FAIL("SIOCETHTOOL generic-receive-offload off on %s", middle_if[side]);
        if (nl_link_up(nl, idx) < 0) FAIL("RTM_NEWLINK up %s", middle_if[side]);
        /* after up: a packet socket bound to a link that is down holds ENETDOWN for its
         * first call */
        if (open_packet_socket(st, side, idx) < 0) goto out;
    }
    close_sockets(&nl, &io);
    for (int side = 0; side < 2; side++)
        if (setup_side(st, side) < 0) goto out;
    st->rc = 0;
out:
    close_sockets(&nl, &io);
    return NULL;
}

int wire_links_create(struct wire_links *l, bool ipv6, char *err, size_t errlen)
{
    for (int i = 0; i < 3; i++)
        l->netns[i] = -1;
    l->packet[0] = l->packet[1] = -1;
    struct setup st = {.l = l, .ipv6 = ipv6, .rc = -1};
    pthread_t t;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int e = pthread_create(&t, NULL, setup_main, &st);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e) {
        snprintf(err, errlen, "wire: starting the set-up thread: %s", strerror(e));
        return -1;
    }
    pthread_join(t, NULL);
    if (st.rc < 0) {
        snprintf(err, errlen, "%s", st.err);
        wire_links_close(l);
        return -1;
    }
    return 0;
}

void wire_links_close(struct wire_links *l)
{
    for (int i = 0; i < 2; i++)
        if (l->packet[i] >= 0) close(l->packet[i]);
    for (int i = 0; i < 3; i++)
        if (l->netns[i] >= 0) close(l->netns[i]);
    l->packet[0] = l->packet[1] = -1;
    l->netns[0] = l->netns[1] = l->netns[2] = -1;
}
