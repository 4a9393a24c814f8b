/* A stored capture read again near an event: labels, packet details and searches need each
 * frame decoded and tracked as the first pass saw it (relative numbers, marks, states), and a
 * checkpoint (file offset, frame number, the tracker saved) lets them start at most one
 * checkpoint interval before the event instead of at the first frame. The reader stays open
 * between uses, so reading on from where it stands (scrolling down) costs nothing extra. */
#include <stdio.h>
#include <stdlib.h>

#include "sockscope/timeline.h"

struct timeline_reread {
    struct timeline_store *store;
    struct timeline_pass *pass;
    const char *path, *bpf;
    uint32_t next;       /* the store event the next frame read belongs to */
    int64_t first_offset; /* where the first record starts */
    uint64_t frames;
};

int timeline_reread_open(struct timeline_store *s, const char *path, const char *bpf,
                         struct timeline_reread **out, char *err, size_t errlen)
{
    *out = NULL;
    struct timeline_reread *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return STATUS_E_RUNTIME;
    }
    int rc = timeline_pass_open(path, bpf, &r->pass, err, errlen);
    if (rc != STATUS_OK) {
        free(r);
        return rc;
    }
    r->store = s;
    r->path = path;
    r->bpf = bpf;
    r->first_offset = capture_file_tell(timeline_pass_file(r->pass));
    *out = r;
    return STATUS_OK;
}

int timeline_reread_seek(struct timeline_reread *r, uint32_t event, char *err, size_t errlen)
{
    const struct timeline_checkpoint *cp = timeline_store_checkpoint_before(r->store, event);
    uint32_t from = cp ? cp->event : 0;
    if (r->next <= event && r->next >= from) return STATUS_OK; /* on the way: read on */
    int rc;
    if (cp) {
        rc = timeline_pass_restart(r->pass, cp->offset, cp->frame,
                                   timeline_store_snapshot_fd(r->store), cp->snap_offset, err,
                                   errlen);
    } else if (r->first_offset >= 0) {
        rc = timeline_pass_restart(r->pass, r->first_offset, 1, -1, -1, err, errlen);
    } else { /* a reader that cannot say where it is: from the start, opened again */
        struct timeline_pass *p;
        rc = timeline_pass_open(r->path, r->bpf, &p, err, errlen);
        if (rc == STATUS_OK) {
            timeline_pass_close(r->pass);
            r->pass = p;
        }
    }
    if (rc != STATUS_OK) {
        r->next = UINT32_MAX; /* nowhere known: the next seek restarts */
        return rc;
    }
    r->next = from;
    return STATUS_OK;
}

int timeline_reread_next(struct timeline_reread *r, uint32_t *event, struct capture_frame *fr,
                         struct packet *pkt, struct track_info *info, char *err, size_t errlen)
{
    /* calls live in the store only: the file holds frames */
    uint32_t published = timeline_store_published(r->store);
    while (r->next < published &&
           (timeline_store_event(r->store, r->next)->bits & TIMELINE_EV_API))
        r->next++;
    if (r->next >= published) return 0;
    char why[256];
    const struct timeline_event *e = timeline_store_event(r->store, r->next);
    int rc = timeline_pass_next_number(r->pass, e->frame, fr, pkt, info, why, sizeof why);
    if (rc != 1) {
        snprintf(err, errlen, "%s changed since it was opened: frame %u cannot be read again",
                 r->path, e->frame);
        r->next = UINT32_MAX; /* where the file stands is unknown: the next seek starts over */
        return STATUS_E_RUNTIME;
    }
    r->frames++;
    *event = r->next++;
    return 1;
}

struct capture_file *timeline_reread_file(struct timeline_reread *r)
{
    return timeline_pass_file(r->pass);
}

uint64_t timeline_reread_frames(const struct timeline_reread *r)
{
    return r->frames;
}

void timeline_reread_close(struct timeline_reread *r)
{
    if (!r) return;
    timeline_pass_close(r->pass);
    free(r);
}
