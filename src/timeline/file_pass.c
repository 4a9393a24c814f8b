/* A capture file read front to back through decode and track: the pass `trace` makes, and
 * the one the TUI makes to index a file or to rebuild labels. One place opens the file,
 * refuses link types decode does not know, and keeps the tracker that numbers streams. */
#include "sockscope/timeline.h"

#include <stdio.h>
#include <stdlib.h>

struct timeline_pass {
    struct capture_file *file;
    struct tracker *tracker;
    int linktype;
};

int timeline_pass_open(const char *path, const char *bpf, struct timeline_pass **out,
                       char *err, size_t errlen)
{
    *out = NULL;
    struct capture_file *cf;
    int rc = capture_file_open(path, bpf, &cf, err, errlen);
    if (rc != STATUS_OK)
        return rc;
    int linktype = capture_file_linktype(cf);
    if (!decode_linktype_supported(linktype)) {
        snprintf(err, errlen,
                 "%s: link type %d (%s) is not supported; sockscope decodes Ethernet, Linux "
                 "cooked (SLL, SLL2), BSD loopback and raw IP captures",
                 path, linktype, capture_file_linktype_name(cf));
        capture_file_close(cf);
        return STATUS_E_BAD_INPUT;
    }
    struct timeline_pass *p = calloc(1, sizeof *p);
    struct tracker *tr = track_new();
    if (!p || !tr) {
        free(p);
        track_free(tr);
        capture_file_close(cf);
        snprintf(err, errlen, "%s: out of memory", path);
        return STATUS_E_RUNTIME;
    }
    p->file = cf;
    p->tracker = tr;
    p->linktype = linktype;
    *out = p;
    return STATUS_OK;
}

int timeline_pass_next(struct timeline_pass *p, struct capture_frame *fr, struct packet *pkt,
                       struct track_info *info, char *err, size_t errlen)
{
    if (!p->tracker) { /* a failed restart (out of memory) */
        snprintf(err, errlen, "out of memory");
        return STATUS_E_RUNTIME;
    }
    int rc = capture_file_next(p->file, fr, err, errlen);
    if (rc <= 0)
        return rc;
    timeline_step_frame(p->tracker, p->linktype, fr, pkt, info);
    return 1;
}

int timeline_pass_next_number(struct timeline_pass *p, uint32_t number, struct capture_frame *fr,
                              struct packet *pkt, struct track_info *info, char *err,
                              size_t errlen)
{
    if (!p->tracker) {
        snprintf(err, errlen, "out of memory");
        return STATUS_E_RUNTIME;
    }
    int rc;
    do
        rc = capture_file_next(p->file, fr, err, errlen);
    while (rc > 0 && fr->number < number); /* frames the first pass never saw: untracked */
    if (rc <= 0) return rc;
    if (fr->number != number) return 2;
    timeline_step_frame(p->tracker, p->linktype, fr, pkt, info);
    return 1;
}

struct capture_file *timeline_pass_file(struct timeline_pass *p)
{
    return p->file;
}

const struct tracker *timeline_pass_tracker(const struct timeline_pass *p)
{
    return p->tracker;
}

int timeline_pass_restart(struct timeline_pass *p, int64_t offset, uint32_t number, int fd,
                          int64_t snap_offset, char *err, size_t errlen)
{
    /* the old tracker goes first: two big trackers at once would double the peak memory */
    track_free(p->tracker);
    p->tracker = snap_offset < 0 ? track_new() : track_load(fd, (uint64_t)snap_offset);
    int rc = STATUS_OK;
    if (!p->tracker) {
        snprintf(err, errlen, "the index of the capture cannot be read back (temporary file)");
        rc = STATUS_E_RUNTIME;
    } else {
        rc = capture_file_seek(p->file, offset, number, err, errlen);
    }
    if (rc != STATUS_OK && !p->tracker) p->tracker = track_new(); /* never without one */
    return rc;
}

void timeline_pass_close(struct timeline_pass *p)
{
    if (!p)
        return;
    track_free(p->tracker);
    capture_file_close(p->file);
    free(p);
}
