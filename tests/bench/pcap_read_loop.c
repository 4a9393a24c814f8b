/* pcap_read_loop.c — the floor for `sockscope trace`: read every packet of a capture with
 * libpcap and do nothing else.
 *
 *   pcap_read_loop FILE      prints the packet count
 *
 * Built by tests/bench/lib.sh (for run.sh and open.sh):
 * cc -O2 pcap_read_loop.c -o pcap_read_loop -lpcap
 */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: pcap_read_loop FILE\n");
		return 2;
	}
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
	if (!p) {
		fprintf(stderr, "pcap_read_loop: %s\n", err);
		return 1;
	}
	struct pcap_pkthdr *h;
	const unsigned char *data;
	unsigned long long packets = 0, bytes = 0;
	int r;
	while ((r = pcap_next_ex(p, &h, &data)) == 1) {
		packets++;
		bytes += h->caplen; /* touch the header so the loop cannot be optimised away */
	}
	if (r == PCAP_ERROR) {
		fprintf(stderr, "pcap_read_loop: %s: %s\n", argv[1], pcap_geterr(p));
		return 1;
	}
	pcap_close(p);
	printf("%llu packets, %llu bytes\n", packets, bytes);
	return 0;
}
