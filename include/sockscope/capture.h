/* capture: where frames come from. A saved pcap/pcapng file, read frame by frame with
 * nanosecond stamps and an optional BPF filter that keeps the file's frame numbers; or a live
 * interface, read by a capture thread into a ring that the main thread drains. */
#ifndef SOCKSCOPE_CAPTURE_H
#define SOCKSCOPE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sockscope/model.h"

struct capture_frame {
    const uint8_t *data; /* valid until the next capture_file_next() */
    uint32_t caplen, wirelen;
    uint64_t ts_ns;
    uint32_t number; /* 1-based index in the file, counted before the filter */
    int64_t offset;  /* a live capture writing -w: where the frame's record starts in that file
                      * (what a checkpoint needs); -1 otherwise (a file: capture_file_tell) */
};

struct capture_file;

/* Opens path; bpf may be NULL or "". On failure returns an enum status and writes one line
 * naming the file (or expression) and the reason into err. */
int capture_file_open(const char *path, const char *bpf, struct capture_file **out, char *err,
                      size_t errlen);

/* 1: a frame (after the filter); 0: end of file; STATUS_E_RUNTIME: the file stops short
 * (truncated last record or read error) — err says how, everything before was delivered. */
int capture_file_next(struct capture_file *f, struct capture_frame *frame, char *err,
                      size_t errlen);

/* Where the next record starts in the file (after the one just returned), or -1 when the
 * reader cannot say (a stream that cannot tell its position). */
int64_t capture_file_tell(struct capture_file *f);
/* Continues reading at offset (a value capture_file_tell returned for this file, by this
 * reader or another one opened on the same file), numbering the next frame `number` (the
 * BPF filter still applies; numbering counts filtered frames as before). Returns STATUS_OK
 * or STATUS_E_RUNTIME with err. Classic pcap: immediate. pcapng (read by libpcap, which
 * keeps the interfaces of the current section): libpcap reads the section and interface
 * blocks the new place depends on again; the blocks between are skipped by their headers. */
int capture_file_seek(struct capture_file *f, int64_t offset, uint32_t number, char *err,
                      size_t errlen);

/* Which reader: AUTO maps classic pcap files (faster, same frames, same errors) and uses
 * libpcap for the rest; LIBPCAP always uses libpcap (tests compare the two). */
enum capture_reader { CAPTURE_READER_AUTO = 0, CAPTURE_READER_LIBPCAP };
int capture_file_open_reader(const char *path, const char *bpf, enum capture_reader reader,
                             struct capture_file **out, char *err, size_t errlen);

/* Mapped files only (true): from now on a frame's data stays valid after the next call, until
 * capture_file_release_before() passes data beyond it or the file is closed, so frames can be
 * handed to another thread. false (libpcap): data is valid until the next call, as always. */
bool capture_file_keep_frames(struct capture_file *f);
/* Frames whose data lies before data are no longer used (after capture_file_keep_frames). */
void capture_file_release_before(struct capture_file *f, const uint8_t *data);
/* The file got shorter while it was read (the mapped reader: frames read after that may hold
 * zeros; capture_file_next has stopped with an error saying so). */
bool capture_file_changed(const struct capture_file *f);

int capture_file_linktype(const struct capture_file *f);
const char *capture_file_linktype_name(const struct capture_file *f);
void capture_file_close(struct capture_file *f);

/* ---- live capture: an interface, read by a capture thread into a ring ---- */

#define CAPTURE_E_PERMISSION (-3) /* no capture rights: err holds the exact fix */

struct capture_live_options {
    const char *device;     /* "lo", "eth0", "any"; NULL: libpcap's default */
    const char *bpf;        /* NULL or "" for everything */
    int snaplen;            /* 0: 262144 */
    int buffer_kib;         /* kernel buffer; 0: 32768 (32 MiB) */
    unsigned ring_kib;      /* the ring between capture thread and main thread; 0: 16384 */
    const char *write_path; /* -w: every captured frame is also written to this pcap */
};

struct capture_live_stats {
    uint64_t frames;        /* handed to the main thread */
    uint64_t ring_dropped;  /* frames the ring had no room for */
    uint64_t kernel_dropped;/* pcap_stats ps_drop + ps_ifdrop */
};

struct capture_live;

/* Opens and activates the device (immediate mode, nanosecond stamps). Failures: no capture
 * rights → CAPTURE_E_PERMISSION (err: the fix, 3 lines); unknown device, bad filter, -w file
 * that cannot be created → STATUS_E_BAD_INPUT (err names it; for a device, lists them). */
int capture_live_open(const struct capture_live_options *o, struct capture_live **out,
                      char *err, size_t errlen);
/* Starts the capture thread. */
int capture_live_start(struct capture_live *c, char *err, size_t errlen);
/* Loopback only: sends probe datagrams until the capture thread has seen one, so the first
 * packet of the traffic that follows cannot be missed. Probe frames are never delivered. */
int capture_live_wait_ready(struct capture_live *c, int timeout_ms, char *err, size_t errlen);
/* Readable while frames wait in the ring. */
int capture_live_wake_fd(const struct capture_live *c);
/* Main thread: the next frame (data valid until the next call), 1, or 0 when none.
 * frame->number counts every captured frame, ring drops included, so it is the frame's number
 * in the -w file, and frame->offset is where its record starts there (-1 without -w). */
int capture_live_next(struct capture_live *c, struct capture_frame *frame);
int capture_live_linktype(const struct capture_live *c);
const char *capture_live_linktype_name(const struct capture_live *c);
/* The device captured: the one asked for, or libpcap's default. */
const char *capture_live_device(const struct capture_live *c);
/* 1 while the capture thread runs; 0 once it has ended (stopped, or never started);
 * STATUS_E_RUNTIME when it ended on an error (the device went away, -w failed): err says how. */
int capture_live_status(struct capture_live *c, char *err, size_t errlen);
void capture_live_stats(struct capture_live *c, struct capture_live_stats *out);
/* Stops the thread (pcap_breakloop), after which capture_live_next drains what is left. */
void capture_live_stop(struct capture_live *c);
void capture_live_close(struct capture_live *c);

/* ---- the ring between the capture thread and the main thread ----
 * Single producer, single consumer, variable-size records in a byte ring; the producer never
 * blocks: a record that does not fit is dropped and counted. Records up to half the ring's
 * size always fit once the consumer catches up. */
struct capture_ring;

/* bytes is rounded up to a power of two (at least 4096). NULL when out of memory. */
struct capture_ring *capture_ring_new(size_t bytes);
void capture_ring_free(struct capture_ring *r);
/* Producer: one record made of head (hlen bytes) then body (blen bytes). false: no room, the
 * record is dropped and counted. */
bool capture_ring_push(struct capture_ring *r, const void *head, size_t hlen, const void *body,
                       size_t blen);
/* Consumer: the oldest record (8-byte aligned, contiguous) and its length, or NULL when the
 * ring is empty. It stays valid and in place until capture_ring_pop. */
const void *capture_ring_peek(struct capture_ring *r, size_t *len);
void capture_ring_pop(struct capture_ring *r);
uint64_t capture_ring_dropped(const struct capture_ring *r);

#endif
