/* pcap_flows.c — what is in a benchmark capture: packets and flows by protocol.
 *
 *   pcap_flows FILE      prints one line:
 *     PACKETS packets (TCP T, UDP U, other O); TCP: C connections on K address/port pairs;
 *     UDP: F flows; snaplen S
 *
 * A TCP connection is a SYN without ACK (its retransmissions counted once: same ports, same
 * ISN); a pair is an unordered address/port 5-tuple, as a UDP flow is. Ethernet (Linux
 * loopback) captures only. Used by tests/bench/open.sh to describe its capture; built with
 * cc -O2 pcap_flows.c -o pcap_flows -lpcap. Not part of sockscope.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------------- a set of 64-bit hashes */
struct set {
	uint64_t *slot;
	size_t cap, n;
};

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h ? h : 1; /* 0 marks an empty slot */
}

static uint64_t hash_bytes(const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a, then mixed */
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return mix(h);
}

static void set_add(struct set *s, uint64_t h)
{
	if (2 * (s->n + 1) > s->cap) {
		struct set g = {.cap = s->cap ? 2 * s->cap : 1 << 16};
		g.slot = calloc(g.cap, sizeof *g.slot);
		if (!g.slot) {
			perror("pcap_flows");
			exit(1);
		}
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i])
				set_add(&g, s->slot[i]);
		free(s->slot);
		*s = g;
	}
	size_t i = h & (s->cap - 1);
	while (s->slot[i] && s->slot[i] != h)
		i = (i + 1) & (s->cap - 1);
	if (!s->slot[i]) {
		s->slot[i] = h;
		s->n++;
	}
}

/* ----------------------------------------------------------------- the capture */
int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: pcap_flows FILE\n");
		return 2;
	}
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "pcap_flows: %s\n", err);
		return 1;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		fprintf(stderr, "pcap_flows: %s: not an Ethernet capture\n", argv[1]);
		return 1;
	}
	struct set tcp_pairs = {0}, tcp_conns = {0}, udp_flows = {0};
	unsigned long long packets = 0, tcp = 0, udp = 0, other = 0;
	struct pcap_pkthdr *h;
	const unsigned char *d;
	int r;
	while ((r = pcap_next_ex(p, &h, &d)) == 1) {
		packets++;
		const unsigned char *ip = d + 14, *l4, *src, *dst;
		size_t alen;
		int proto;
		unsigned type = h->caplen >= 14 ? (unsigned)(d[12] << 8 | d[13]) : 0;
		if (type == 0x0800 && h->caplen >= 14 + 20) {
			proto = ip[9];
			l4 = ip + (ip[0] & 15) * 4;
			src = ip + 12, dst = ip + 16, alen = 4;
		} else if (type == 0x86dd && h->caplen >= 14 + 40) {
			proto = ip[6]; /* no extension headers in this traffic */
			l4 = ip + 40;
			src = ip + 8, dst = ip + 24, alen = 16;
		} else {
			other++;
			continue;
		}
		if ((proto != 6 && proto != 17) || l4 + (proto == 6 ? 14 : 4) > d + h->caplen) {
			other++;
			continue;
		}
		/* unordered 5-tuple: the smaller endpoint first */
		unsigned char a[18], b[18], key[48];
		memcpy(a, src, alen), memcpy(a + alen, l4, 2);
		memcpy(b, dst, alen), memcpy(b + alen, l4 + 2, 2);
		int lt = memcmp(a, b, alen + 2) < 0;
		size_t k = 0;
		key[k++] = (unsigned char)proto;
		memcpy(key + k, lt ? a : b, alen + 2), k += alen + 2;
		memcpy(key + k, lt ? b : a, alen + 2), k += alen + 2;
		if (proto == 17) {
			udp++;
			set_add(&udp_flows, hash_bytes(key, k));
			continue;
		}
		tcp++;
		set_add(&tcp_pairs, hash_bytes(key, k));
		unsigned flags = l4[13];
		if ((flags & 0x02) && !(flags & 0x10)) { /* SYN, no ACK: a connection opens */
			memcpy(key + k, l4 + 4, 4), k += 4;  /* its ISN */
			set_add(&tcp_conns, hash_bytes(key, k));
		}
	}
	if (r == PCAP_ERROR) {
		fprintf(stderr, "pcap_flows: %s: %s\n", argv[1], pcap_geterr(p));
		return 1;
	}
	printf("%llu packets (TCP %llu, UDP %llu, other %llu); TCP: %zu connections on %zu address/port pairs;"
	       " UDP: %zu flows; snaplen %d\n",
	       packets, tcp, udp, other, tcp_conns.n, tcp_pairs.n, udp_flows.n, pcap_snapshot(p));
	pcap_close(p);
	return 0;
}
