/* capture: where frames come from. For now a saved pcap/pcapng file, read frame by frame
 * with nanosecond stamps and an optional BPF filter that keeps the file's frame numbers. */
#ifndef SOCKSCOPE_CAPTURE_H
#define SOCKSCOPE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

/* Error classes, so the command can pick its exit code (2 = bad input, 1 = runtime). */
enum capture_error {
    CAPTURE_OK = 0,
    CAPTURE_E_BAD_INPUT = -2, /* missing, directory, empty, not a capture, bad filter */
    CAPTURE_E_RUNTIME = -1,   /* read error part-way */
};

struct capture_frame {
    const uint8_t *data; /* valid until the next capture_file_next() */
    uint32_t caplen, wirelen;
    uint64_t ts_ns;
    uint32_t number; /* 1-based index in the file, counted before the filter */
};

struct capture_file;

/* Opens path; bpf may be NULL or "". On failure returns a capture_error and writes one line
 * naming the file (or expression) and the reason into err. */
int capture_file_open(const char *path, const char *bpf, struct capture_file **out, char *err,
                      size_t errlen);

/* 1: a frame (after the filter); 0: end of file; CAPTURE_E_RUNTIME: the file stops short
 * (truncated last record or read error) — err says how, everything before was delivered. */
int capture_file_next(struct capture_file *f, struct capture_frame *frame, char *err,
                      size_t errlen);

int capture_file_linktype(const struct capture_file *f);
const char *capture_file_linktype_name(const struct capture_file *f);
void capture_file_close(struct capture_file *f);

#endif
