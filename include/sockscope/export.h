/* export: writes the diagram of a capture in a chosen format, one frame at a time
 * (streaming: nothing proportional to the capture is held). Text draws through view/'s
 * layout; JSON Lines has one object per frame, with tshark's field meanings. */
#ifndef SOCKSCOPE_EXPORT_H
#define SOCKSCOPE_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sockscope/decode.h"
#include "sockscope/track.h"
#include "sockscope/view.h"

/* A buffered writer with fast number formatting: the JSON path writes ~1M lines a second. */
struct out {
    FILE *fp;
    size_t len;
    bool failed; /* a write failed (EPIPE, disk full): stop early */
    char buf[1 << 16];
};

void out_init(struct out *o, FILE *fp);
/* Room for at least n bytes at the returned pointer (n <= sizeof buf); after writing, hand
 * back the end with out_commit. The JSON path writes a whole line this way. */
char *out_reserve(struct out *o, size_t n);
void out_commit(struct out *o, char *end);
void out_flush(struct out *o);
void out_bytes(struct out *o, const char *s, size_t n);
void out_str(struct out *o, const char *s);
void out_char(struct out *o, char c);
void out_u64(struct out *o, uint64_t v);
void out_i64(struct out *o, int64_t v);
/* "1700000000.123456789" */
void out_timestamp(struct out *o, uint64_t ts_ns);
/* Writes bytes as the inside of a JSON string (quotes not included). */
void out_json_escaped(struct out *o, const uint8_t *s, size_t n);

enum time_format { TIME_REL = 0, TIME_ABS, TIME_DELTA };

struct export_options {
    enum time_format time;
    bool raw_seq;    /* raw instead of relative seq/ack in labels */
    bool ascii;      /* pure ASCII glyphs */
    bool color;      /* ANSI colour roles */
    int width;       /* columns for the text diagram */
    bool number;     /* text: a frame-number column before the time (tshark's No.) */
};

/* One frame as the pipeline hands it to an exporter. */
struct export_frame {
    uint32_t number;
    const struct packet *pkt;
    const struct track_info *info;
};

/* JSON Lines: one object per frame. */
void export_json_frame(struct out *o, const struct export_frame *f);

struct api_event;
/* JSON Lines: one object per socket API call (live sessions), mixed with the frames in time
 * order: {"kind":"api","ts":...,"endpoint":...,"peer":...,"call":"accept","phase":"return",
 * "result":5,"thread":2,...} */
void export_json_api(struct out *o, const struct api_event *ev);

/* The text diagram. The lifelines to draw are decided before the first frame (see
 * view_lanes); text keeps its own small state between frames. */
struct text_export;
/* How many lifelines the text diagram fits side by side with these options (its width and
 * time column): the capacity to give lifelines_init. */
int export_text_max_lanes(const struct export_options *opt);
struct text_export *export_text_new(struct out *o, const struct export_options *opt,
                                    struct lifelines *lanes);
void export_text_frame(struct text_export *t, const struct export_frame *f);
/* A socket API call on the lifeline of its socket. */
void export_text_api(struct text_export *t, const struct api_event *ev);
/* Closing lines: a summary of what was drawn and what was not decoded. */
void export_text_finish(struct text_export *t);
void export_text_free(struct text_export *t);

/* `--stats`: track's per-conversation summary as a table (times since base_ns, the first
 * frame) or as JSON Lines records {"kind":"flow",...} (stats.c). */
void export_stats_text(struct out *o, const struct track_summary *s, uint64_t base_ns);
void export_stats_json(struct out *o, const struct track_summary *s);

#endif
