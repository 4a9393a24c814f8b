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
#include "sockscope/track.h"

enum timeline_kind { TIMELINE_FRAME, TIMELINE_API };

/* ---- one frame through decode and track: the step of every loop over frames ----
 * The file passes, the live feed and the streaming commands all take it, then hand pkt and
 * info to their sink (the store, an exporter). pkt's views point into fr->data; the tracker
 * numbers the frame fr->number. */
void timeline_step_frame(struct tracker *tr, int linktype, const struct capture_frame *fr,
                         struct packet *pkt, struct track_info *info);

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
 * STATUS_OK, or STATUS_E_BAD_INPUT / STATUS_E_RUNTIME with one line in err naming the
 * file and the reason. */
int timeline_pass_open(const char *path, const char *bpf, struct timeline_pass **out,
                       char *err, size_t errlen);
/* 1: the next frame, decoded into *pkt and tracked into *info (frame data valid as
 * capture_file_next says); 0: end; STATUS_E_RUNTIME: the file stops short (err says how,
 * every frame before was delivered). */
int timeline_pass_next(struct timeline_pass *p, struct capture_frame *fr, struct packet *pkt,
                       struct track_info *info, char *err, size_t errlen);
/* The same for frame `number` exactly: frames before it are read but neither decoded nor
 * tracked (a live session's file holds frames its ring had to drop, which the first pass
 * never tracked). 1: that frame; 2: the file skips past it (*fr is the frame after); 0 end. */
int timeline_pass_next_number(struct timeline_pass *p, uint32_t number, struct capture_frame *fr,
                              struct packet *pkt, struct track_info *info, char *err,
                              size_t errlen);
/* The file underneath, for what only the reader knows (keeping frames, releasing pages). */
struct capture_file *timeline_pass_file(struct timeline_pass *p);
/* The tracker as it is after the last frame (checkpoints save it). */
const struct tracker *timeline_pass_tracker(const struct timeline_pass *p);
/* Continues at file offset `offset` with frame number `number` and the tracker saved at
 * snap_offset in fd (snap_offset < 0: a fresh tracker), as a checkpoint recorded them. On
 * failure the pass stands nowhere known (its tracker is fresh, or NULL if even that failed):
 * restart it again before reading. */
int timeline_pass_restart(struct timeline_pass *p, int64_t offset, uint32_t number, int fd,
                          int64_t snap_offset, char *err, size_t errlen);
void timeline_pass_close(struct timeline_pass *p);

/* ---- the event store: one compact record per frame and per socket API call ----
 * Appended by one producer thread (the file indexer, or a live session's pipeline) while one
 * reader (the TUI) draws from it. Records and flow rows live in chunks that never move; the
 * producer makes a batch visible with timeline_store_publish (counts published with release
 * order), the reader takes a consistent view with timeline_store_sync (acquire). Published
 * records never change; a flow row's counters and states do, through relaxed atomics, so the
 * flow list can read them while the producer counts. Lanes are numbered as endpoints appear
 * (the reader arranges them); at most LIFELINES_MAX, later endpoints' packets are notes. */
#define TIMELINE_NO_FLOW UINT32_MAX
#define TIMELINE_NO_LANE 0xFF
#define TIMELINE_MAX_LANES LIFELINES_MAX

enum {
    TIMELINE_EV_NOTE = 1u << 0,        /* no arrow: not TCP/UDP, or no lane */
    TIMELINE_EV_SRC_CHANGED = 1u << 1, /* the sender's TCP state changed */
    TIMELINE_EV_DST_CHANGED = 1u << 2,
    TIMELINE_EV_API = 1u << 3, /* a socket API call: frame is its index among the calls */
    TIMELINE_EV_FROM_SERVER = 1u << 4, /* sent by the flow's server (lanes drawn per flow) */
};

struct timeline_event {
    uint64_t ts_ns;
    uint32_t frame;         /* number in the file (before the filter); API: call index */
    uint32_t flow;          /* index into the flow table, TIMELINE_NO_FLOW for other frames */
    uint8_t lane_a, lane_b; /* sender's and receiver's lane (API: its lane in lane_a) */
    uint8_t kind;           /* enum segment_kind (the arrow's, even without a lane here) */
    uint8_t bits;           /* TIMELINE_EV_* */
    uint8_t states;         /* sender's state after (low nibble), receiver's (high) */
    uint8_t states_before;
    uint16_t flags; /* TCP flags, 0 otherwise (the display filter's "flag") */
};

/* One conversation. Fields above `packets` are set before the row is published and never
 * change; the counters are updated by the producer as packets come. selected belongs to the
 * reader (the flow list's choice). */
struct timeline_flow {
    uint32_t stream;                  /* tcp.stream or udp.stream, as trace's --flow */
    uint8_t proto;                    /* PROTO_TCP or PROTO_UDP */
    uint8_t lane_client, lane_server; /* lanes, TIMELINE_NO_LANE when none */
    bool selected;
    struct endpoint client, server;
    uint64_t first_ns;
    _Atomic uint32_t packets;
    _Atomic uint8_t state_client, state_server; /* enum tcp_state after its last packet */
    _Atomic uint64_t bytes;                     /* frame bytes on the wire */
    _Atomic uint64_t last_ns;
};

/* Where a re-read can start: the file offset of event `event`'s frame and the tracker as it
 * was before that frame (saved in the store's snapshot file at snap_offset; -1: a fresh
 * tracker, for the first checkpoint). */
struct timeline_checkpoint {
    uint32_t event, frame;
    int64_t offset, snap_offset;
};

/* What the reader sees after a sync. */
struct timeline_snapshot {
    uint32_t events, flows, calls, checkpoints;
    uint64_t first_ts;
    int lane_count;
    struct endpoint lane_ep[TIMELINE_MAX_LANES];
    uint8_t lane_role[TIMELINE_MAX_LANES];        /* enum role */
    uint8_t lane_first_state[TIMELINE_MAX_LANES]; /* TCP state before the lane's first event */
    uint32_t lane_generation;                     /* changes when a lane changes */
    uint32_t tcp, udp, other, no_lane;            /* frames by kind */
    uint64_t bytes_done, bytes_total;             /* indexing progress (file sources) */
    bool done;                                    /* the producer has finished */
    bool failed;                                  /* ... on an error (error says it) */
    char warning[256];                            /* the file stops short: what was said */
    char error[256];
};

struct timeline_store;

struct timeline_store *timeline_store_new(void);
void timeline_store_free(struct timeline_store *s);

/* Reader: the published state. */
void timeline_store_sync(struct timeline_store *s, struct timeline_snapshot *out);
/* Events published so far (any thread). */
uint32_t timeline_store_published(struct timeline_store *s);
const struct timeline_event *timeline_store_event(const struct timeline_store *s, uint32_t i);
struct timeline_flow *timeline_store_flow(const struct timeline_store *s, uint32_t i);
const struct api_event *timeline_store_call(const struct timeline_store *s, uint32_t i);
const struct timeline_checkpoint *timeline_store_checkpoint(const struct timeline_store *s,
                                                            uint32_t i);
/* The last published checkpoint at or before event (NULL: none). */
const struct timeline_checkpoint *timeline_store_checkpoint_before(struct timeline_store *s,
                                                                   uint32_t event);
/* Readable when something was published since the last sync (an eventfd); -1 if none. */
int timeline_store_wake_fd(const struct timeline_store *s);
/* The descriptor tracker snapshots are saved into (an unlinked temporary file), or -1. */
int timeline_store_snapshot_fd(struct timeline_store *s);

/* Producer. Lanes kept for roles before anything appears (a demo's clients and server). */
void timeline_store_reserve_lane(struct timeline_store *s, enum role r);
/* Records a decoded, tracked frame; false when out of memory (nothing recorded). */
bool timeline_store_add_frame(struct timeline_store *s, const struct packet *p,
                              const struct track_info *ti, uint32_t frame, uint32_t wirelen);
/* Records a socket API call on the lifeline of its socket. */
bool timeline_store_add_call(struct timeline_store *s, const struct api_event *ev);
bool timeline_store_add_checkpoint(struct timeline_store *s, const struct timeline_checkpoint *c);
/* A checkpoint before event `event`, whose frame is `frame` at file offset `offset`: tr is
 * saved in the store's snapshot file. Returns how many events until the next one is worth
 * it (at least min_gap; more for a big tracker, so the file holds at most 16 bytes of
 * snapshot per event), or 0 when it could not be saved (no temporary file, disk full). */
uint64_t timeline_store_checkpoint_tracker(struct timeline_store *s, const struct tracker *tr,
                                           uint32_t event, uint32_t frame, int64_t offset,
                                           uint32_t min_gap);
void timeline_store_progress(struct timeline_store *s, uint64_t done, uint64_t total);
/* Makes everything recorded so far visible to the reader and wakes it (at most once per
 * wake_every_ns, unless final). */
void timeline_store_publish(struct timeline_store *s);
/* The producer is done: warning (may be NULL or "") says why the file stopped short, error
 * (may be NULL) that it failed. Publishes and wakes. */
void timeline_store_finish(struct timeline_store *s, const char *warning, const char *error);

/* ---- the file indexer: a capture file read into a store by a background thread ---- */
struct timeline_indexer;

/* Opens path, reads its first frame (so a file that holds no readable frame is refused here,
 * as STATUS_E_BAD_INPUT, like a missing file or an unknown link type), then indexes the rest
 * in a thread, publishing as it goes; checkpoints every checkpoint_every events (0: none). */
int timeline_index_start(struct timeline_store *s, const char *path, const char *bpf,
                         uint32_t checkpoint_every, struct timeline_indexer **out, char *err,
                         size_t errlen);
/* Stops the thread (at once if it is still reading) and frees the indexer. */
void timeline_index_stop(struct timeline_indexer *x);

/* ---- a stored capture read again from the checkpoint nearest an event ----
 * Labels, packet details and searches need each frame decoded and tracked exactly as the
 * first pass saw it; a checkpoint (file offset + the tracker as it was) lets them start
 * near the event instead of at the first frame. */
struct timeline_reread;

int timeline_reread_open(struct timeline_store *s, const char *path, const char *bpf,
                         struct timeline_reread **out, char *err, size_t errlen);
/* Positions the reader so that its next frame is the first frame event at or after `event`:
 * from where it stands when that is on the way, else from the last checkpoint before it. */
int timeline_reread_seek(struct timeline_reread *r, uint32_t event, char *err, size_t errlen);
/* The next frame event: its index in the store, the frame decoded and tracked. 1, 0 at the
 * end of the file (or of what the store holds), STATUS_E_RUNTIME when the file no longer
 * holds what the store says (err: which frame). */
int timeline_reread_next(struct timeline_reread *r, uint32_t *event, struct capture_frame *fr,
                         struct packet *pkt, struct track_info *info, char *err, size_t errlen);
/* The file underneath (its link type). */
struct capture_file *timeline_reread_file(struct timeline_reread *r);
/* Frames read since open (tests: how far a seek made it read). */
uint64_t timeline_reread_frames(const struct timeline_reread *r);
void timeline_reread_close(struct timeline_reread *r);

#endif
