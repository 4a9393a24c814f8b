/* Pieces of the live capture that live.c wires together: the -w writer (dump.c) and the
 * liveness probe (ready.c). Private to src/capture/. */
#ifndef SOCKSCOPE_CAPTURE_LIVE_INTERNAL_H
#define SOCKSCOPE_CAPTURE_LIVE_INTERNAL_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- -w: a pcap file written by the capture thread ---- */

struct capture_dump {
    pcap_dumper_t *d;    /* NULL: not writing */
    int64_t next_offset; /* where the next record starts; -1 when libpcap cannot say */
};

/* A pcap file with the handle's link type, snaplen and timestamp precision (nanosecond when the
 * handle has it). STATUS_E_BAD_INPUT naming the path when it cannot be created. */
int capture_dump_open(pcap_t *p, const char *path, struct capture_dump *out, char *err,
                      size_t errlen);
/* Writes one frame; returns where its record starts in the file (-1: unknown). */
int64_t capture_dump_write(struct capture_dump *d, const struct pcap_pkthdr *h,
                           const uint8_t *data);
/* Flushes to the kernel; STATUS_E_RUNTIME naming the path when a write failed. */
int capture_dump_flush(struct capture_dump *d, const char *path, char *err, size_t errlen);
void capture_dump_close(struct capture_dump *d);

/* ---- the liveness probe: UDP datagrams a socket on 127.0.0.1 sends to itself ---- */

#define CAPTURE_PROBE_TAG_LEN 16
#define CAPTURE_PROBE_LEN (CAPTURE_PROBE_TAG_LEN + 8) /* tag, then this session's nonce */

struct capture_probe {
    int fd; /* -1: none (err says why) */
    uint16_t port;
    uint8_t payload[CAPTURE_PROBE_LEN];
    char err[160];
};

/* Binds 127.0.0.1:<a free port> and draws a nonce. false (probe->err set) when loopback is
 * unusable. */
bool capture_probe_open(struct capture_probe *p);
void capture_probe_close(struct capture_probe *p);
/* One datagram to itself (no listener elsewhere, so no ICMP), and drains what came back. */
int capture_probe_send(struct capture_probe *p, char *err, size_t errlen);
/* A BPF expression matching our probes: "(user) or (udp ... port P ...)". */
void capture_probe_filter(const struct capture_probe *p, const char *user, char *buf,
                          size_t size);

enum probe_match { PROBE_NONE = 0, PROBE_OTHER, PROBE_OURS };
/* Whether a captured frame is a probe (ours, or another sockscope's): its payload ends the
 * frame, so it is found without decoding any header. */
enum probe_match capture_probe_match(const struct capture_probe *p, const uint8_t *data,
                                     uint32_t caplen, uint32_t wirelen);

#endif
