/* The private network namespace the demo runs in: as root a new network namespace; else a
 * new user + network namespace (uid/gid maps, setgroups denied). Either way loopback is
 * brought up with an ioctl, and when the kernel refuses, the error names the setting. */
#define _GNU_SOURCE /* accept4, unshare */
#include "sockscope/net.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
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
    if (fd < 0) return -1;
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
        return -1;
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
        return -1;
    }
    return 0;
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
            return -1;
        }
        if (loopback_up(err, errlen) < 0) {
            snprintf(err, errlen, "bringing up lo in the new namespace: %s", strerror(errno));
            return -1;
        }
        *kind = SANDBOX_NETNS;
        return 0;
    }

    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
        net_sandbox_explain("/proc/sys", "unshare(CLONE_NEWUSER | CLONE_NEWNET)", errno, err,
                            errlen);
        return -1;
    }
    /* The same ids inside as outside: files written (-w) belong to the user, and the
     * namespace's capabilities are ours until exec. setgroups must be denied before an
     * unprivileged process may write gid_map. */
    char map[64];
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned)uid, (unsigned)uid);
    if (write_file("/proc/self/setgroups", "deny") < 0 && errno != ENOENT) {
        snprintf(err, errlen, "writing /proc/self/setgroups: %s", strerror(errno));
        return -1;
    }
    if (write_file("/proc/self/uid_map", map) < 0) {
        net_sandbox_explain("/proc/sys", "writing /proc/self/uid_map", errno, err, errlen);
        return -1;
    }
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned)gid, (unsigned)gid);
    if (write_file("/proc/self/gid_map", map) < 0) {
        net_sandbox_explain("/proc/sys", "writing /proc/self/gid_map", errno, err, errlen);
        return -1;
    }
    /* AppArmor's restriction lets unshare() succeed but takes the capabilities away: this
     * is where it shows */
    if (loopback_up(err, errlen) < 0) {
        net_sandbox_explain("/proc/sys", "bringing up lo in the new namespace", errno, err, errlen);
        return -1;
    }
    *kind = SANDBOX_USERNS;
    return 0;
}
