/* timeline: the events of a session in time order. For live sessions, packets (from the
 * capture thread, in capture order) and socket API calls (from the probe, slightly late and
 * out of order) meet here and leave in timestamp order after a short hold-back. */
#ifndef SOCKSCOPE_TIMELINE_H
#define SOCKSCOPE_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sockscope/capture.h"
#include "sockscope/net.h"

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

#endif
