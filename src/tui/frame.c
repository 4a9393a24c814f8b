/* One frame's bytes read again from the capture, for the packet detail: the event store keeps
 * no bytes (memory stays flat), and a saved capture has no index, so the file is read from
 * its start up to the frame's number (the number it has in the file, before any filter). */
#include <stdlib.h>
#include <string.h>

#include "sockscope/capture.h"
#include "tui_internal.h"

int tui_frame_read(struct tui_frame *f, const char *path, const char *bpf, uint32_t number,
                   char *err, size_t errlen)
{
    if (f->number == number && f->bytes) return TUI_OK;
    f->number = 0;
    if (!f->bytes && !(f->bytes = malloc(TUI_FRAME_MAX))) {
        snprintf(err, errlen, "out of memory");
        return TUI_E_RUNTIME;
    }
    struct capture_file *cf;
    if (capture_file_open(path, bpf, &cf, err, errlen) != CAPTURE_OK) return TUI_E_RUNTIME;
    struct capture_frame fr;
    char why[256];
    int rc = TUI_E_RUNTIME;
    snprintf(err, errlen, "%s changed since it was opened: frame %u cannot be read again", path,
             number);
    while (capture_file_next(cf, &fr, why, sizeof why) > 0 && fr.number <= number) {
        if (fr.number != number) continue;
        f->caplen = fr.caplen < TUI_FRAME_MAX ? fr.caplen : TUI_FRAME_MAX;
        memcpy(f->bytes, fr.data, f->caplen);
        f->wirelen = fr.wirelen;
        f->ts_ns = fr.ts_ns;
        f->linktype = capture_file_linktype(cf);
        f->number = number;
        err[0] = '\0';
        rc = TUI_OK;
        break;
    }
    capture_file_close(cf);
    return rc;
}

void tui_frame_free(struct tui_frame *f)
{
    free(f->bytes);
    f->bytes = NULL;
    f->number = 0;
}
