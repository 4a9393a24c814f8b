/* One frame's bytes read again from the capture, for the packet detail: the event store keeps
 * no bytes (memory stays flat), so the frame is read from the checkpoint before its event,
 * through the app's one re-reader (the one labels and search read through). */
#include <stdlib.h>
#include <string.h>

#include "sockscope/capture.h"
#include "tui_internal.h"

int tui_frame_read(struct tui_frame *f, struct timeline_store *s, struct timeline_reread **reader,
                   const char *path, const char *bpf, uint32_t event, char *err, size_t errlen)
{
    const struct timeline_event *e = timeline_store_event(s, event);
    if (f->number == e->frame && f->bytes) return STATUS_OK;
    f->number = 0;
    if (!f->bytes && !(f->bytes = malloc(TUI_FRAME_MAX))) {
        snprintf(err, errlen, "out of memory");
        return STATUS_E_RUNTIME;
    }
    if (!*reader && timeline_reread_open(s, path, bpf, reader, err, errlen) != STATUS_OK)
        return STATUS_E_RUNTIME;
    struct capture_frame fr;
    struct packet pkt;
    struct track_info info;
    uint32_t got = 0;
    int n = timeline_reread_seek(*reader, event, err, errlen) == STATUS_OK;
    while (n > 0 && got <= event) {
        n = timeline_reread_next(*reader, &got, &fr, &pkt, &info, err, errlen);
        if (n > 0 && got == event) {
            f->caplen = fr.caplen < TUI_FRAME_MAX ? fr.caplen : TUI_FRAME_MAX;
            memcpy(f->bytes, fr.data, f->caplen);
            f->wirelen = fr.wirelen;
            f->ts_ns = fr.ts_ns;
            f->linktype = capture_file_linktype(timeline_reread_file(*reader));
            f->number = e->frame;
            return STATUS_OK;
        }
    }
    if (n == 0) snprintf(err, errlen, "%s: frame %u is not in the file (yet)", path, e->frame);
    timeline_reread_close(*reader); /* start over next time */
    *reader = NULL;
    return STATUS_E_RUNTIME;
}

void tui_frame_free(struct tui_frame *f)
{
    free(f->bytes);
    f->bytes = NULL;
    f->number = 0;
}
