/* live_shim.c — LD_PRELOAD shim for tests/bench/live: tries libpcap settings on an unchanged
 * sockscope binary, to find out where live-capture drops come from. Investigation only.
 *
 *   LIVE_SHIM_IMMEDIATE=0|1   override pcap_set_immediate_mode (0: libpcap then uses
 *                             TPACKET_V3 blocks, as tcpdump does, instead of TPACKET_V2 slots)
 *   LIVE_SHIM_TIMEOUT_MS=N    pcap_set_timeout(N) before activation (the V3 block timeout)
 *   LIVE_SHIM_SNAPLEN=N       override pcap_set_snaplen (TPACKET_V2 slots are sized from it)
 *
 * Built by tests/bench/live when BENCH_SHIM is set:
 *   cc -O2 -shared -fPIC -o out/live_shim.so live_shim.c -ldl
 * and preloaded into sockscope only (never into tcpdump, which links libpcap too).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pcap/pcap.h>
#include <stdlib.h>

static int env(const char *name, int *out)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return 0;
	*out = atoi(v);
	return 1;
}

int pcap_set_immediate_mode(pcap_t *p, int on)
{
	int (*real)(pcap_t *, int) = (int (*)(pcap_t *, int))dlsym(RTLD_NEXT, "pcap_set_immediate_mode");
	env("LIVE_SHIM_IMMEDIATE", &on);
	return real(p, on);
}

int pcap_set_snaplen(pcap_t *p, int snaplen)
{
	int (*real)(pcap_t *, int) = (int (*)(pcap_t *, int))dlsym(RTLD_NEXT, "pcap_set_snaplen");
	env("LIVE_SHIM_SNAPLEN", &snaplen);
	return real(p, snaplen);
}

int pcap_activate(pcap_t *p)
{
	int (*real)(pcap_t *) = (int (*)(pcap_t *))dlsym(RTLD_NEXT, "pcap_activate");
	int ms;
	if (env("LIVE_SHIM_TIMEOUT_MS", &ms))
		pcap_set_timeout(p, ms);
	return real(p);
}
