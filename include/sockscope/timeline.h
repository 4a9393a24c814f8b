/* timeline: the events of a session in time order. For live sessions, packets (from the
 * capture thread, in capture order) and socket API calls (from the probe, slightly late and
 * out of order) meet here and leave in timestamp order after a short hold-back. */
#ifndef SOCKSCOPE_TIMELINE_H
#define SOCKSCOPE_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sockscope/capture.h"
#include "sockscope/decode.h"
#include "sockscope/net.h"
#include "sockscope/track.h"

enum timeline_kind { TIMELINE_FRAME, TIMELINE_API };

struct timeline_item {
    enum timeline_kind kind;
    uint64_t ts_ns;
    struct capture_frame frame; /* TIMELINE_FRAME: data valid until the next push */
    struct api_event api;       /* TIMELINE_API */
};

struct timeline_merge;

/* capacity: items held at most; data_bytes: room for the frames' bytes. */
struct timeline_merge *timeline_merge_new(unsigned capacity, size_t data_bytes);
void timeline_merge_free(struct timeline_merge *m);
/* false when full (the caller pops first, or counts a drop). Frames keep their capture order
 * among themselves; API events are placed by time among everything. */
bool timeline_merge_push_frame(struct timeline_merge *m, const struct capture_frame *f);
bool timeline_merge_push_api(struct timeline_merge *m, const struct api_event *ev);
/* The oldest item if its time is before horizon_ns (UINT64_MAX: any). */
bool timeline_merge_pop(struct timeline_merge *m, uint64_t horizon_ns, struct timeline_item *out);
unsigned timeline_merge_count(const struct timeline_merge *m);

/* ---- a capture file read front to back through decode and track ----
 * What `trace` and the TUI both do, one frame at a time: each frame comes out decoded and
 * tracked, in file order, with its file frame number (the BPF filter keeps numbering). */
struct timeline_pass;

/* Opens path (bpf may be NULL). Refuses link types decode does not know. Returns
 * CAPTURE_OK, or CAPTURE_E_BAD_INPUT / CAPTURE_E_RUNTIME with one line in err naming the
 * file and the reason. */
int timeline_pass_open(const char *path, const char *bpf, struct timeline_pass **out,
                       char *err, size_t errlen);
/* 1: the next frame, decoded into *pkt and tracked into *info (frame data valid as
 * capture_file_next says); 0: end; CAPTURE_E_RUNTIME: the file stops short (err says how,
 * every frame before was delivered). */
int timeline_pass_next(struct timeline_pass *p, struct capture_frame *fr, struct packet *pkt,
                       struct track_info *info, char *err, size_t errlen);
/* The file underneath, for what only the reader knows (keeping frames, releasing pages). */
struct capture_file *timeline_pass_file(struct timeline_pass *p);
void timeline_pass_close(struct timeline_pass *p);

#endif
