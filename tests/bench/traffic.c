/* traffic.c — fast real loopback traffic for the sockscope benchmark capture.
 *
 *   traffic serve                         uppercase-echo servers, until killed:
 *                                           TCP 12000 echo (one line per connection),
 *                                           TCP 12001 bulk sink (read to EOF, reply "OK\n"),
 *                                           UDP 12002 echo; all dual-stack on [::]
 *   traffic run SHORT BULK BULK_MB UDP RATE_MBPS [UDP_PER_FLOW]
 *                                         SHORT short TCP echo connections (half over ::1),
 *                                         BULK bulk transfers of BULK_MB each, paced at
 *                                         RATE_MBPS MB/s (so tcpdump keeps up),
 *                                         UDP request/reply exchanges (half over ::1),
 *                                         the three loads in parallel threads.
 *                                         UDP_PER_FLOW: exchanges per UDP flow (each flow
 *                                         from a fresh socket, so a fresh source port);
 *                                         0 or absent: all of them on one socket per
 *                                         address family (two flows).
 *
 * Built by tests/bench/lib.sh (for run.sh and open.sh) with cc -O2 -pthread.
 * Not part of sockscope.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { PORT_ECHO = 12000, PORT_BULK = 12001, PORT_UDP = 12002 };

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void upper(char *p, ssize_t n)
{
	for (ssize_t i = 0; i < n; i++)
		if (p[i] >= 'a' && p[i] <= 'z')
			p[i] = (char)(p[i] - 32);
}

static int listen_on(int type, int port)
{
	int s = socket(AF_INET6, type | SOCK_NONBLOCK, 0), off = 0, on = 1;
	if (s < 0)
		die("socket");
	setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_any};
	if (bind(s, (struct sockaddr *)&a, sizeof a) < 0)
		die("bind");
	if (type == SOCK_STREAM && listen(s, 4096) < 0)
		die("listen");
	return s;
}

/* ----------------------------------------------------------------------------- server */

/* epoll data: fd in the low 32 bits, kind in the high bits */
enum { K_LISTEN_ECHO = 1, K_LISTEN_BULK, K_UDP, K_ECHO, K_BULK };
static uint64_t tag(int kind, int fd) { return ((uint64_t)kind << 32) | (uint32_t)fd; }

static _Noreturn void serve(void)
{
	int ep = epoll_create1(0);
	int le = listen_on(SOCK_STREAM, PORT_ECHO), lb = listen_on(SOCK_STREAM, PORT_BULK);
	int us = listen_on(SOCK_DGRAM, PORT_UDP);
	struct epoll_event ev = {.events = EPOLLIN};
	ev.data.u64 = tag(K_LISTEN_ECHO, le);
	epoll_ctl(ep, EPOLL_CTL_ADD, le, &ev);
	ev.data.u64 = tag(K_LISTEN_BULK, lb);
	epoll_ctl(ep, EPOLL_CTL_ADD, lb, &ev);
	ev.data.u64 = tag(K_UDP, us);
	epoll_ctl(ep, EPOLL_CTL_ADD, us, &ev);
	puts("ready");
	fflush(stdout);

	static char buf[1 << 16];
	struct epoll_event evs[256];
	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1);
		if (n < 0 && errno == EINTR)
			continue;
		for (int i = 0; i < n; i++) {
			int kind = (int)(evs[i].data.u64 >> 32), fd = (int)(uint32_t)evs[i].data.u64;
			if (kind == K_LISTEN_ECHO || kind == K_LISTEN_BULK) {
				int c;
				while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					struct epoll_event ce = {.events = EPOLLIN};
					ce.data.u64 = tag(kind == K_LISTEN_ECHO ? K_ECHO : K_BULK, c);
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
				}
			} else if (kind == K_UDP) {
				struct sockaddr_storage from;
				socklen_t fl = sizeof from;
				ssize_t r;
				while ((r = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl)) >= 0) {
					upper(buf, r);
					sendto(fd, buf, (size_t)r, 0, (struct sockaddr *)&from, fl);
					fl = sizeof from;
				}
			} else {
				ssize_t r;
				while ((r = read(fd, buf, sizeof buf)) > 0) {
					if (kind == K_ECHO) {
						upper(buf, r);
						if (write(fd, buf, (size_t)r) < 0)
							break;
					}
				}
				if (r == 0 || (r < 0 && errno != EAGAIN)) {
					/* EOF: the client closed first; the bulk sink confirms */
					if (kind == K_BULK && r == 0 && write(fd, "OK\n", 3) < 0) {
					}
					close(fd); /* also leaves the epoll set */
				}
			}
		}
	}
}

/* ----------------------------------------------------------------------------- client */

struct load {
	long count;
	long mb;
	long rate;
	long done;
	long per_flow; /* UDP: exchanges per socket, 0 = one socket per family for all */
};

static socklen_t peer(int v6, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		a->sin6_addr = in6addr_loopback;
		return sizeof *a;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof *a;
}

static int connect_to(int v6, int port)
{
	struct sockaddr_storage ss;
	socklen_t l = peer(v6, port, &ss);
	for (int tries = 0;; tries++) {
		int s = socket(ss.ss_family, SOCK_STREAM, 0);
		if (s < 0)
			die("socket");
		if (connect(s, (struct sockaddr *)&ss, l) == 0)
			return s;
		if (errno != EADDRNOTAVAIL || tries > 1000)
			die("connect");
		close(s); /* ephemeral ports exhausted for a moment */
		usleep(1000);
	}
}

static void *short_conns(void *arg)
{
	struct load *ld = arg;
	char msg[64], buf[128];
	for (long i = 0; i < ld->count; i++) {
		int s = connect_to((int)(i & 1), PORT_ECHO);
		int n = snprintf(msg, sizeof msg, "hello tcp world %ld\n", i);
		if (write(s, msg, (size_t)n) != n)
			die("write");
		int got = 0;
		while (got < n) {
			ssize_t r = read(s, buf + got, sizeof buf - (size_t)got);
			if (r <= 0)
				break;
			got += (int)r;
		}
		close(s); /* client closes first */
		ld->done++;
	}
	return NULL;
}

static void *bulk(void *arg)
{
	struct load *ld = arg;
	static char buf[1 << 16];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = "hello tcp world "[i % 16];
	for (long i = 0; i < ld->count; i++) {
		int s = connect_to(0, PORT_BULK);
		unsigned int rate = (unsigned int)(ld->rate * 1000000);
		if (setsockopt(s, SOL_SOCKET, SO_MAX_PACING_RATE, &rate, sizeof rate) < 0)
			perror("SO_MAX_PACING_RATE");
		long left = ld->mb * 1000000;
		while (left > 0) {
			ssize_t w = write(s, buf, left < (long)sizeof buf ? (size_t)left : sizeof buf);
			if (w <= 0)
				die("bulk write");
			left -= w;
		}
		shutdown(s, SHUT_WR);
		while (read(s, buf, sizeof buf) > 0) {
		}
		close(s);
		ld->done++;
	}
	return NULL;
}

static int udp_socket(int v6)
{
	struct sockaddr_storage ss;
	socklen_t l = peer(v6, PORT_UDP, &ss);
	int s = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (s < 0)
		die("udp socket");
	if (connect(s, (struct sockaddr *)&ss, l) < 0)
		die("udp connect");
	struct timeval tv = {.tv_sec = 1};
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return s;
}

static void *udp(void *arg)
{
	struct load *ld = arg;
	int s4 = udp_socket(0), s6 = udp_socket(1);
	char msg[64], buf[128];
	for (long i = 0; i < ld->count; i++) {
		if (ld->per_flow > 0 && i > 0 && i % (2 * ld->per_flow) == 0) {
			/* the next flow of each family: new sockets, new source ports */
			close(s4);
			close(s6);
			s4 = udp_socket(0);
			s6 = udp_socket(1);
		}
		int s = (i & 1) ? s6 : s4;
		int n = snprintf(msg, sizeof msg, "hello udp world %ld", i);
		if (send(s, msg, (size_t)n, 0) != n)
			die("udp send");
		if (recv(s, buf, sizeof buf, 0) > 0)
			ld->done++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "serve") == 0)
		serve();
	if ((argc != 7 && argc != 8) || strcmp(argv[1], "run") != 0) {
		fprintf(stderr, "usage: traffic serve | traffic run SHORT BULK BULK_MB UDP RATE_MBPS [UDP_PER_FLOW]\n");
		return 2;
	}
	struct load sl = {.count = atol(argv[2])};
	struct load bl = {.count = atol(argv[3]), .mb = atol(argv[4]), .rate = atol(argv[6])};
	struct load ul = {.count = atol(argv[5]), .per_flow = argc == 8 ? atol(argv[7]) : 0};
	pthread_t t[3];
	pthread_create(&t[0], NULL, short_conns, &sl);
	pthread_create(&t[1], NULL, bulk, &bl);
	pthread_create(&t[2], NULL, udp, &ul);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	fprintf(stderr, "traffic: %ld short TCP connections, %ld bulk transfers of %ld MB, %ld UDP exchanges\n",
	        sl.done, bl.done, bl.mb, ul.done);
	return 0;
}
