/* The two-thread `trace`: the calling thread reads, decodes and tracks into fixed-size
 * records of a single-producer single-consumer ring; a second thread formats and writes them.
 * Only for mapped captures, whose frame bytes stay valid while records wait in the ring. */
#ifndef SOCKSCOPE_CLI_TRACE_PIPELINE_H
#define SOCKSCOPE_CLI_TRACE_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "sockscope/decode.h"
#include "sockscope/export.h"
#include "sockscope/track.h"

typedef void (*trace_frame_fn)(void *ctx, const struct export_frame *f);

/* One frame by value; pkt's payload points into frame, the mapped capture. */
struct trace_rec {
    const uint8_t *frame;
    uint32_t number;
    struct packet pkt;
    struct track_info info;
};

struct trace_pipe;

/* Starts the consumer thread, which calls fn(ctx, frame) for every record pushed, in order,
 * until *failed (written only by fn) turns true: then it skips the rest. NULL: no thread
 * (out of memory or threads): the caller stays single-threaded. */
struct trace_pipe *trace_pipe_start(trace_frame_fn fn, void *ctx, const bool *failed);
/* Producer: the record to fill next (waits while the ring is full). */
struct trace_rec *trace_pipe_slot(struct trace_pipe *p);
/* Producer: hands the filled slot over. */
void trace_pipe_push(struct trace_pipe *p);
/* Producer: true once the consumer has seen *failed: nothing more will be written. */
bool trace_pipe_stopped(struct trace_pipe *p);
/* Producer: the frame bytes of the oldest record the consumer may still use, or NULL when it
 * has used every record pushed. */
const uint8_t *trace_pipe_oldest(struct trace_pipe *p);
/* Producer: no more records; waits until the consumer has handled every one, then frees. */
void trace_pipe_finish(struct trace_pipe *p);

#endif
