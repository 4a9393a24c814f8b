/* live_load.c — paced loopback load for tests/bench/live (the live-capture benchmark).
 *
 *   live_load serve              TCP uppercase echo on 0.0.0.0:12000 (one line per
 *                                connection, closed when the client closes) and UDP
 *                                uppercase echo on 0.0.0.0:12002; prints "ready"; until killed
 *   live_load run PPS SECONDS    open-loop paced client for SECONDS: half of PPS as short TCP
 *                                echo connections (about 10 packets each: handshake, request,
 *                                reply, ACKs, FINs) and half as UDP request/reply exchanges
 *                                (2 packets each); connections rotate over 127.0.0.1-8 so
 *                                ephemeral ports last. Prints one line:
 *                                  load conns=N conns_ok=N udp=N udp_ok=N errors=N
 *                                       seconds=S behind=N
 *                                (behind: starts still due when time ran out: the generator
 *                                could not keep the pace)
 *   live_load probe              one UDP datagram 127.0.0.1:9 -> 127.0.0.1:9 (liveness probe)
 *
 * Built by tests/bench/live with cc -O2. Not part of sockscope.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { PORT_TCP = 12000, PORT_UDP = 12002, N_DST = 8, MAX_INFLIGHT = 4000, TCP_PKTS = 10 };

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void upper(char *p, ssize_t n)
{
	for (ssize_t i = 0; i < n; i++)
		if (p[i] >= 'a' && p[i] <= 'z')
			p[i] = (char)(p[i] - 32);
}

static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Room for bursts, so UDP replies are not lost in socket queues (FORCE works as root, also
 * in a user namespace's own network namespace; otherwise capped by net.core.rmem_max). */
static void big_rcvbuf(int s)
{
	int sz = 8 << 20;
	if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) < 0)
		setsockopt(s, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
}

static struct sockaddr_in addr(int host, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(host ? (uint32_t)(0x7f000000u | (uint32_t)host) : INADDR_ANY);
	return a;
}

/* ----------------------------------------------------------------------------- server */

static _Noreturn void serve(void)
{
	raise_nofile();
	int ep = epoll_create1(0), on = 1;
	int lt = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int us = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (ep < 0 || lt < 0 || us < 0)
		die("socket");
	setsockopt(lt, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	struct sockaddr_in a = addr(0, PORT_TCP);
	if (bind(lt, (struct sockaddr *)&a, sizeof a) < 0 || listen(lt, 4096) < 0)
		die("tcp bind/listen");
	a = addr(0, PORT_UDP);
	if (bind(us, (struct sockaddr *)&a, sizeof a) < 0)
		die("udp bind");
	big_rcvbuf(us);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = lt};
	epoll_ctl(ep, EPOLL_CTL_ADD, lt, &ev);
	ev.data.fd = us;
	epoll_ctl(ep, EPOLL_CTL_ADD, us, &ev);
	puts("ready");
	fflush(stdout);

	static char buf[1 << 16];
	struct epoll_event evs[512];
	for (;;) {
		int n = epoll_wait(ep, evs, 512, -1);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == lt) {
				int c;
				while ((c = accept4(lt, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					struct epoll_event ce = {.events = EPOLLIN, .data.fd = c};
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
				}
			} else if (fd == us) {
				struct sockaddr_storage from;
				socklen_t fl = sizeof from;
				ssize_t r;
				while ((r = recvfrom(us, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl)) >= 0) {
					upper(buf, r);
					(void)!sendto(us, buf, (size_t)r, 0, (struct sockaddr *)&from, fl);
					fl = sizeof from;
				}
			} else {
				ssize_t r;
				while ((r = read(fd, buf, sizeof buf)) > 0) {
					upper(buf, r);
					if (write(fd, buf, (size_t)r) < 0)
						break;
				}
				if (r == 0 || (r < 0 && errno != EAGAIN))
					close(fd); /* the client closed first */
			}
		}
	}
}

/* ----------------------------------------------------------------------------- client */

enum { ST_FREE, ST_CONNECTING, ST_READING };

struct conn {
	int state, got, len;
};

static struct conn *conns; /* indexed by fd */
static int nconns;
static long started, ok, errors, inflight, udp_sent, udp_ok;
static int ep;
static const char MSG[] = "hello tcp world\n";
static const char DGRAM[] = "hello udp world";

static void conn_end(int fd, int good)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd); /* client closes first, as in the textbook */
	conns[fd].state = ST_FREE;
	inflight--;
	if (good)
		ok++;
	else
		errors++;
}

static void conn_send(int fd)
{
	ssize_t w = write(fd, MSG, sizeof MSG - 1);
	if (w != (ssize_t)(sizeof MSG - 1)) {
		conn_end(fd, 0);
		return;
	}
	conns[fd].state = ST_READING;
	conns[fd].got = 0;
	conns[fd].len = (int)w;
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
	epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static void conn_start(void)
{
	started++;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0 || fd >= nconns) {
		if (fd >= 0)
			close(fd);
		errors++;
		return;
	}
	struct sockaddr_in a = addr(1 + (int)(started % N_DST), PORT_TCP);
	inflight++;
	int rc = connect(fd, (struct sockaddr *)&a, sizeof a);
	if (rc < 0 && errno != EINPROGRESS) {
		close(fd);
		inflight--;
		errors++;
		return;
	}
	conns[fd].state = ST_CONNECTING;
	struct epoll_event ev = {.events = EPOLLOUT, .data.fd = fd};
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void conn_event(int fd, unsigned events)
{
	struct conn *c = &conns[fd];
	if (c->state == ST_CONNECTING) {
		int err = 0;
		socklen_t l = sizeof err;
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l);
		if (err || (events & (EPOLLERR | EPOLLHUP)))
			conn_end(fd, 0);
		else
			conn_send(fd);
		return;
	}
	char buf[256];
	ssize_t r;
	while ((r = read(fd, buf, sizeof buf)) > 0)
		c->got += (int)r;
	if (c->got >= c->len)
		conn_end(fd, 1);
	else if (r == 0 || (r < 0 && errno != EAGAIN))
		conn_end(fd, 0);
}

/* A few connected sockets to 127.0.0.1 (replies come from 127.0.0.1: the server's socket is
 * bound to 0.0.0.0, so a socket connected to 127.0.0.2 would refuse them). */
static int udp_socks[N_DST];

static void udp_send(void)
{
	int s = udp_socks[udp_sent % N_DST];
	udp_sent++;
	if (send(s, DGRAM, sizeof DGRAM - 1, 0) < 0)
		errors++;
}

static void udp_drain(int s)
{
	char buf[256];
	while (recv(s, buf, sizeof buf, 0) > 0)
		udp_ok++;
}

static int is_udp(int fd)
{
	for (int i = 0; i < N_DST; i++)
		if (udp_socks[i] == fd)
			return 1;
	return 0;
}

static void poll_once(int timeout_ms)
{
	struct epoll_event evs[1024];
	int n = epoll_wait(ep, evs, 1024, timeout_ms);
	for (int i = 0; i < n; i++) {
		int fd = evs[i].data.fd;
		if (is_udp(fd))
			udp_drain(fd);
		else
			conn_event(fd, evs[i].events);
	}
}

static int run(double pps, double seconds)
{
	raise_nofile();
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	nconns = rl.rlim_cur > 65536 ? 65536 : (int)rl.rlim_cur;
	conns = calloc((size_t)nconns, sizeof *conns);
	if (!conns || (ep = epoll_create1(0)) < 0)
		die("setup");
	for (int i = 0; i < N_DST; i++) {
		int s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		struct sockaddr_in a = addr(1, PORT_UDP);
		if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0)
			die("udp socket");
		big_rcvbuf(s);
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = s};
		epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
		udp_socks[i] = s;
	}
	/* Half the packets from each kind of traffic. */
	double conn_rate = pps / 2 / TCP_PKTS, udp_rate = pps / 2 / 2;
	double t0 = now_s(), el;
	long behind = 0;
	while ((el = now_s() - t0) < seconds) {
		long want_c = (long)(el * conn_rate), want_u = (long)(el * udp_rate);
		while (started < want_c && inflight < MAX_INFLIGHT)
			conn_start();
		while (udp_sent < want_u)
			udp_send();
		behind = want_c - started;
		poll_once(behind > 0 ? 0 : 1);
	}
	double sent_s = now_s() - t0;
	/* Let what is in flight finish (bounded). */
	for (double end = now_s() + 3; now_s() < end && (inflight > 0 || udp_ok < udp_sent);)
		poll_once(10);
	printf("load conns=%ld conns_ok=%ld udp=%ld udp_ok=%ld errors=%ld seconds=%.3f behind=%ld\n",
	       started, ok, udp_sent, udp_ok, errors + inflight, sent_s, behind);
	return 0;
}

static int probe(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0), on = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	struct sockaddr_in a = addr(1, 9);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0)
		die("probe bind"); /* bound to :9, so no ICMP port unreachable */
	static const char m[] = "sockscope-bench-probe";
	if (sendto(s, m, sizeof m - 1, 0, (struct sockaddr *)&a, sizeof a) < 0)
		die("probe send");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "serve"))
		serve();
	if (argc == 2 && !strcmp(argv[1], "probe"))
		return probe();
	if (argc == 4 && !strcmp(argv[1], "run"))
		return run(atof(argv[2]), atof(argv[3]));
	fprintf(stderr, "usage: live_load serve | live_load run PPS SECONDS | live_load probe\n");
	return 2;
}
