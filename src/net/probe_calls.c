/* The socket API as the modules call it: each wrapper makes the real call and reports it to
 * the probe (CALL before, RETURN after; one RETURN for calls that cannot block). Blocking
 * calls wait in poll() first, so a stop flag or a deadline can end them. */
#define _GNU_SOURCE /* accept4, unshare */
#include "net_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

static void report(struct probe *p, enum api_call call, enum api_phase phase, int fd, uint64_t ts,
                   int64_t result, int err, uint64_t bytes, int addr_fd,
                   const struct sockaddr *peer)
{
    if (!p) return;
    struct api_event ev;
    probe_event_init(&ev, call, phase, fd, ts);
    ev.result = result;
    ev.error = result < 0 ? err : 0;
    ev.bytes = bytes;
    probe_report(p, &ev, addr_fd, peer);
}

static bool again(int e)
{
    return e == EAGAIN || e == EWOULDBLOCK || e == EINTR;
}

int probe_socket(struct probe *p, int domain, int type, int protocol)
{
    uint64_t ts = stamp_now_ns();
    int fd = socket(domain, type | SOCK_CLOEXEC, protocol);
    int e = errno;
    if (p) {
        if (fd >= 0) probe_track_socket(p, fd, type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC));
        struct api_event ev;
        probe_event_init(&ev, API_SOCKET, API_PHASE_RETURN, fd, ts);
        ev.result = fd;
        ev.error = fd < 0 ? e : 0;
        ev.sock_type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
        probe_report(p, &ev, fd, NULL);
    }
    errno = e;
    return fd;
}

int probe_bind(struct probe *p, int fd, const struct sockaddr *a, socklen_t len)
{
    uint64_t ts = stamp_now_ns();
    int r = bind(fd, a, len);
    int e = errno;
    if (r == 0) probe_learn_addresses(p, fd, NULL);
    report(p, API_BIND, API_PHASE_RETURN, fd, ts, r, e, 0, fd, NULL);
    errno = e;
    return r;
}

int probe_listen(struct probe *p, int fd, int backlog)
{
    uint64_t ts = stamp_now_ns();
    int r = listen(fd, backlog);
    int e = errno;
    if (r == 0) probe_mark_listening(p, fd);
    probe_learn_addresses(p, fd, NULL); /* listen() binds a port when bind() did not */
    report(p, API_LISTEN, API_PHASE_RETURN, fd, ts, r, e, 0, fd, NULL);
    errno = e;
    return r;
}

int probe_accept_wait(struct probe *p, int fd, struct sockaddr *a, socklen_t *len,
                      const struct probe_wait *w)
{
    report(p, API_ACCEPT, API_PHASE_CALL, fd, stamp_now_ns(), 0, 0, 0, fd, NULL);
    int r, e;
    socklen_t room = len ? *len : 0;
    for (;;) {
        if (net_wait_fd(fd, POLLIN, w) < 0) {
            r = -1;
            e = errno;
            break;
        }
        if (len) *len = room;
        r = accept4(fd, a, len, SOCK_CLOEXEC);
        e = errno;
        /* ECONNABORTED: the client gave up while queued; wait for the next one */
        if (r >= 0 || !(again(e) || e == ECONNABORTED)) break;
    }
    if (r >= 0 && p) {
        probe_track_socket(p, r, SOCK_STREAM);
        probe_learn_addresses(p, r, NULL);
    }
    report(p, API_ACCEPT, API_PHASE_RETURN, fd, stamp_now_ns(), r, e, 0, r >= 0 ? r : fd, NULL);
    errno = e;
    return r;
}

int probe_connect_wait(struct probe *p, int fd, const struct sockaddr *a, socklen_t len,
                       const struct probe_wait *w)
{
    uint64_t ts = stamp_now_ns();
    int flags = fcntl(fd, F_GETFL);
    bool was_blocking = flags >= 0 && !(flags & O_NONBLOCK);
    if (was_blocking) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int r = connect(fd, a, len);
    int e = errno;
    /* The kernel picked the local port already: the CALL event (and socket()'s, held until
     * now) can name it, even when the connection is then refused. */
    probe_learn_addresses(p, fd, NULL);
    report(p, API_CONNECT, API_PHASE_CALL, fd, ts, 0, 0, 0, fd, a);
    if (r < 0 && e == EINPROGRESS) {
        if (net_wait_fd(fd, POLLOUT, w) < 0) {
            e = errno;
        } else {
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0) soerr = errno;
            r = soerr ? -1 : 0;
            e = soerr;
        }
    }
    if (was_blocking) fcntl(fd, F_SETFL, flags);
    if (r == 0) probe_learn_addresses(p, fd, NULL);
    report(p, API_CONNECT, API_PHASE_RETURN, fd, stamp_now_ns(), r, e, 0, fd, a);
    errno = e;
    return r;
}

ssize_t probe_send_wait(struct probe *p, int fd, const void *buf, size_t n, int flags,
                        const struct probe_wait *w)
{
    report(p, API_SEND, API_PHASE_CALL, fd, stamp_now_ns(), 0, 0, n, fd, NULL);
    size_t done = 0;
    int e = 0;
    bool failed = false;
    do {
        if (net_wait_fd(fd, POLLOUT, w) < 0) {
            e = errno;
            failed = true;
            break;
        }
        ssize_t k = send(fd, (const char *)buf + done, n - done, flags | MSG_DONTWAIT);
        if (k >= 0) {
            done += (size_t)k;
        } else if (!again(errno)) {
            e = errno;
            failed = true;
            break;
        }
    } while (done < n);
    /* as a blocking send(): the bytes sent before an error count, else the error */
    ssize_t r = failed && done == 0 ? -1 : (ssize_t)done;
    report(p, API_SEND, API_PHASE_RETURN, fd, stamp_now_ns(), r, e, done, fd, NULL);
    errno = e;
    return r;
}

ssize_t probe_recv_wait(struct probe *p, int fd, void *buf, size_t n, int flags,
                        const struct probe_wait *w)
{
    report(p, API_RECV, API_PHASE_CALL, fd, stamp_now_ns(), 0, 0, n, fd, NULL);
    ssize_t r;
    int e;
    for (;;) {
        if (net_wait_fd(fd, POLLIN, w) < 0) {
            r = -1;
            e = errno;
            break;
        }
        r = recv(fd, buf, n, flags | MSG_DONTWAIT);
        e = errno;
        if (r >= 0 || !again(e)) break;
    }
    report(p, API_RECV, API_PHASE_RETURN, fd, stamp_now_ns(), r, e, r > 0 ? (uint64_t)r : 0, fd,
           NULL);
    errno = e;
    return r;
}

ssize_t probe_recvfrom_wait(struct probe *p, int fd, void *buf, size_t n, int flags,
                            struct sockaddr *a, socklen_t *len, const struct probe_wait *w)
{
    report(p, API_RECVFROM, API_PHASE_CALL, fd, stamp_now_ns(), 0, 0, n, fd, NULL);
    struct sockaddr_storage from;
    socklen_t flen;
    ssize_t r;
    int e;
    for (;;) {
        if (net_wait_fd(fd, POLLIN, w) < 0) {
            r = -1;
            e = errno;
            break;
        }
        flen = sizeof from;
        r = recvfrom(fd, buf, n, flags | MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
        e = errno;
        if (r >= 0 || !again(e)) break;
    }
    const struct sockaddr *peer = NULL;
    if (r >= 0 && flen > 0) {
        peer = (const struct sockaddr *)&from;
        if (a && len) {
            socklen_t k = *len < flen ? *len : flen;
            memcpy(a, &from, k);
            *len = flen;
        }
        probe_learn_addresses(p, fd, peer);
    }
    report(p, API_RECVFROM, API_PHASE_RETURN, fd, stamp_now_ns(), r, e, r > 0 ? (uint64_t)r : 0, fd,
           peer);
    errno = e;
    return r;
}

ssize_t probe_sendto(struct probe *p, int fd, const void *buf, size_t n, int flags,
                     const struct sockaddr *a, socklen_t len)
{
    report(p, API_SENDTO, API_PHASE_CALL, fd, stamp_now_ns(), 0, 0, n, fd, a);
    ssize_t r = sendto(fd, buf, n, flags, a, len);
    int e = errno;
    /* the first sendto() binds an unbound socket: its CALL (and socket()) are released */
    probe_learn_addresses(p, fd, a);
    report(p, API_SENDTO, API_PHASE_RETURN, fd, stamp_now_ns(), r, e, r > 0 ? (uint64_t)r : 0, fd, a);
    errno = e;
    return r;
}

int probe_shutdown(struct probe *p, int fd, int how)
{
    uint64_t ts = stamp_now_ns();
    int r = shutdown(fd, how);
    int e = errno;
    report(p, API_SHUTDOWN, API_PHASE_RETURN, fd, ts, r, e, (uint64_t)how, fd, NULL);
    errno = e;
    return r;
}

int probe_setsockopt(struct probe *p, int fd, int level, int name, const void *val,
                     socklen_t len)
{
    uint64_t ts = stamp_now_ns();
    int r = setsockopt(fd, level, name, val, len);
    int e = errno;
    struct api_event ev;
    probe_event_init(&ev, API_SETSOCKOPT, API_PHASE_RETURN, fd, ts);
    ev.result = r;
    ev.error = r < 0 ? e : 0;
    ev.opt_level = level;
    ev.opt_name = name;
    if (level == SOL_SOCKET && name == SO_LINGER && len >= (socklen_t)sizeof(struct linger)) {
        const struct linger *lg = val;
        ev.opt_value[0] = lg->l_onoff;
        ev.opt_value[1] = lg->l_linger;
        if (r == 0) probe_mark_linger_abort(p, fd, lg->l_onoff && lg->l_linger == 0);
    } else if (len >= (socklen_t)sizeof(int)) {
        ev.opt_value[0] = *(const int *)val;
    }
    probe_report(p, &ev, fd, NULL);
    errno = e;
    return r;
}

int probe_close(struct probe *p, int fd)
{
    struct api_event ev;
    probe_event_init(&ev, API_CLOSE, API_PHASE_RETURN, fd, stamp_now_ns());
    probe_forget_socket(p, &ev);
    int r = close(fd);
    int e = errno;
    ev.result = r;
    ev.error = r < 0 ? e : 0;
    probe_queue_event(p, &ev);
    errno = e;
    return r;
}

int probe_accept(struct probe *p, int fd, struct sockaddr *a, socklen_t *len)
{
    return probe_accept_wait(p, fd, a, len, NULL);
}

int probe_connect(struct probe *p, int fd, const struct sockaddr *a, socklen_t len)
{
    return probe_connect_wait(p, fd, a, len, NULL);
}

ssize_t probe_send(struct probe *p, int fd, const void *buf, size_t n, int flags)
{
    return probe_send_wait(p, fd, buf, n, flags, NULL);
}

ssize_t probe_recv(struct probe *p, int fd, void *buf, size_t n, int flags)
{
    return probe_recv_wait(p, fd, buf, n, flags, NULL);
}

ssize_t probe_recvfrom(struct probe *p, int fd, void *buf, size_t n, int flags, struct sockaddr *a,
                       socklen_t *len)
{
    return probe_recvfrom_wait(p, fd, buf, n, flags, a, len, NULL);
}
