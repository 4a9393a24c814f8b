/* The private network namespace the demo runs in: as root a new network namespace; else a
 * new user + network namespace (uid/gid maps, setgroups denied). Either way loopback is
 * brought up with an ioctl, and when the kernel refuses, the error names the setting. Then
 * loopback is made to look like Ethernet on the wire: MTU 1500 (ioctl), so SYNs carry MSS
 * 1460, and at most one segment per GSO packet (rtnetlink, best effort), so the capture sees
 * wire-sized segments instead of 64 KB GSO super-packets. */
#define _GNU_SOURCE /* accept4, unshare */
#include "sockscope/net.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdint.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* -1: absent or unreadable */
static long read_setting(const char *proc_sys, const char *name)
{
    char path[512], buf[32];
    snprintf(path, sizeof path, "%s/%s", proc_sys, name);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long v = -1;
    if (fgets(buf, sizeof buf, f)) sscanf(buf, "%ld", &v);
    fclose(f);
    return v;
}

void net_sandbox_explain(const char *proc_sys, const char *what, int errnum, char *err,
                         size_t errlen)
{
    static const char root_fix[] = "or run as root (sudo)";
    if (read_setting(proc_sys, "kernel/unprivileged_userns_clone") == 0)
        snprintf(err, errlen,
                 "%s: %s: this kernel forbids unprivileged user namespaces "
                 "(sysctl kernel.unprivileged_userns_clone = 0); fix: sudo sysctl -w "
                 "kernel.unprivileged_userns_clone=1, %s",
                 what, strerror(errnum), root_fix);
    else if (read_setting(proc_sys, "user/max_user_namespaces") == 0)
        snprintf(err, errlen,
                 "%s: %s: user namespaces are switched off (sysctl "
                 "user.max_user_namespaces = 0); fix: sudo sysctl -w "
                 "user.max_user_namespaces=15000, %s",
                 what, strerror(errnum), root_fix);
    else if (read_setting(proc_sys, "kernel/apparmor_restrict_unprivileged_userns") == 1)
        snprintf(err, errlen,
                 "%s: %s: AppArmor restricts unprivileged user namespaces (sysctl "
                 "kernel.apparmor_restrict_unprivileged_userns = 1, Ubuntu 23.10 and later); "
                 "fix: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an "
                 "AppArmor profile for sockscope that allows userns, %s",
                 what, strerror(errnum), root_fix);
    else if (errnum == ENOSPC)
        snprintf(err, errlen,
                 "%s: %s: the user namespace limit is reached (sysctl "
                 "user.max_user_namespaces, or a parent namespace's); %s",
                 what, strerror(errnum), root_fix);
    else if (errnum == EINVAL)
        snprintf(err, errlen,
                 "%s: %s: the process already runs threads (the namespace must "
                 "be entered before any thread starts)",
                 what, strerror(errnum));
    else
        snprintf(err, errlen,
                 "%s: %s: no kernel setting here forbids user namespaces; a container's "
                 "seccomp profile may (docker: --security-opt seccomp=unconfined), %s",
                 what, strerror(errnum), root_fix);
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return STATUS_E_RUNTIME;
    ssize_t n = write(fd, text, strlen(text));
    int e = errno;
    close(fd);
    errno = e;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int loopback_up(char *err, size_t errlen)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        snprintf(err, errlen, "socket for the loopback ioctl: %s", strerror(errno));
        return STATUS_E_RUNTIME;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    int e = errno;
    close(s);
    if (rc < 0) {
        errno = e;
        return STATUS_E_RUNTIME;
    }
    return STATUS_OK;
}

/* MTU 1500 on lo, as on Ethernet: MSS 1460 over IPv4, 1440 over IPv6. errno on failure. */
static int loopback_mtu(int mtu)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return STATUS_E_RUNTIME;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    ifr.ifr_mtu = mtu;
    int rc = ioctl(s, SIOCSIFMTU, &ifr);
    int e = errno;
    close(s);
    errno = e;
    return rc;
}

/* `ip link set lo gso_max_segs N` without ip: RTM_NEWLINK carrying IFLA_GSO_MAX_SEGS on lo's
 * ifindex, and the kernel's acknowledgement read back. STATUS_OK, or STATUS_E_RUNTIME with
 * errno. */
static int loopback_gso_max_segs(uint32_t segs)
{
    unsigned idx = if_nametoindex("lo");
    if (idx == 0) return STATUS_E_RUNTIME;
    int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (s < 0) return STATUS_E_RUNTIME;

    struct {
        struct nlmsghdr nh;
        struct ifinfomsg ifi;
        char attrs[RTA_SPACE(sizeof(uint32_t))];
    } req;
    memset(&req, 0, sizeof req);
    req.nh.nlmsg_len = NLMSG_LENGTH(sizeof req.ifi);
    req.nh.nlmsg_type = RTM_NEWLINK;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    req.nh.nlmsg_seq = 1;
    req.ifi.ifi_family = AF_UNSPEC;
    req.ifi.ifi_index = (int)idx;
    struct rtattr *rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
    rta->rta_type = IFLA_GSO_MAX_SEGS;
    rta->rta_len = RTA_LENGTH(sizeof segs);
    memcpy(RTA_DATA(rta), &segs, sizeof segs);
    req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);

    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    int rc = -1, e = EPROTO;
    if (sendto(s, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
        e = errno;
    } else {
        /* the answer to a request is synchronous: one NLMSG_ERROR, error 0 = done */
        union {
            struct nlmsghdr nh;
            char buf[1024];
        } ans;
        ssize_t n = recv(s, &ans, sizeof ans, 0);
        if (n < 0) {
            e = errno;
        } else {
            for (struct nlmsghdr *h = &ans.nh; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
                if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq != req.nh.nlmsg_seq) continue;
                if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) break;
                const struct nlmsgerr *ne = NLMSG_DATA(h);
                if (ne->error == 0)
                    rc = STATUS_OK;
                else
                    e = -ne->error;
                break;
            }
        }
    }
    close(s);
    if (rc < 0) errno = e;
    return rc;
}

/* After lo is up: Ethernet's MTU (an error if refused: the same capability just brought lo
 * up), then one segment per GSO packet. The GSO limit is best effort: a kernel that refuses
 * it (older kernels, some sandboxes) still gives MSS 1460, only bulk sends then reach the tap
 * as super-packets of several segments; a demo is still worth running, so this is silent. */
static int loopback_like_ethernet(void)
{
    if (loopback_mtu(1500) < 0) return STATUS_E_RUNTIME;
    (void)loopback_gso_max_segs(1);
    return STATUS_OK;
}

int net_sandbox_enter(enum sandbox_kind *kind, char *err, size_t errlen)
{
    *kind = SANDBOX_NONE;
    if (geteuid() == 0) {
        if (unshare(CLONE_NEWNET) < 0) {
            snprintf(err, errlen, "unshare(CLONE_NEWNET) as root: %s%s", strerror(errno),
                     errno == EPERM ? " (a container without CAP_SYS_ADMIN? docker: "
                                      "--cap-add SYS_ADMIN)"
                                    : "");
            return STATUS_E_RUNTIME;
        }
        if (loopback_up(err, errlen) < 0) {
            snprintf(err, errlen, "bringing up lo in the new namespace: %s", strerror(errno));
            return STATUS_E_RUNTIME;
        }
        if (loopback_like_ethernet() < 0) {
            snprintf(err, errlen, "setting lo's MTU to 1500 in the new namespace: %s",
                     strerror(errno));
            return STATUS_E_RUNTIME;
        }
        *kind = SANDBOX_NETNS;
        return STATUS_OK;
    }

    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
        net_sandbox_explain("/proc/sys", "unshare(CLONE_NEWUSER | CLONE_NEWNET)", errno, err,
                            errlen);
        return STATUS_E_RUNTIME;
    }
    /* The same ids inside as outside: files written (-w) belong to the user, and the
     * namespace's capabilities are ours until exec. setgroups must be denied before an
     * unprivileged process may write gid_map. */
    char map[64];
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned)uid, (unsigned)uid);
    if (write_file("/proc/self/setgroups", "deny") < 0 && errno != ENOENT) {
        snprintf(err, errlen, "writing /proc/self/setgroups: %s", strerror(errno));
        return STATUS_E_RUNTIME;
    }
    if (write_file("/proc/self/uid_map", map) < 0) {
        net_sandbox_explain("/proc/sys", "writing /proc/self/uid_map", errno, err, errlen);
        return STATUS_E_RUNTIME;
    }
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned)gid, (unsigned)gid);
    if (write_file("/proc/self/gid_map", map) < 0) {
        net_sandbox_explain("/proc/sys", "writing /proc/self/gid_map", errno, err, errlen);
        return STATUS_E_RUNTIME;
    }
    /* AppArmor's restriction lets unshare() succeed but takes the capabilities away: this
     * is where it shows */
    if (loopback_up(err, errlen) < 0) {
        net_sandbox_explain("/proc/sys", "bringing up lo in the new namespace", errno, err, errlen);
        return STATUS_E_RUNTIME;
    }
    if (loopback_like_ethernet() < 0) {
        net_sandbox_explain("/proc/sys", "setting lo's MTU to 1500 in the new namespace", errno,
                            err, errlen);
        return STATUS_E_RUNTIME;
    }
    *kind = SANDBOX_USERNS;
    return STATUS_OK;
}
