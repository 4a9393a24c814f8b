/* The capture file a TUI session writes while the screen reads it back: unlinked at once and
 * reached through /proc/self/fd, so no way of ending leaves it behind. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sockscope/model.h"
#include "temp_capture_internal.h"

int session_temp_capture_open(struct session_temp_capture *t, char *err, size_t errlen)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    snprintf(t->name, sizeof t->name, "%s/sockscope-XXXXXX.pcap", dir);
    t->fd = mkstemps(t->name, 5);
    if (t->fd < 0) {
        snprintf(err, errlen,
                 "cannot create a temporary capture file in %s: %s (set TMPDIR, or save the "
                 "capture with -w FILE)",
                 dir, strerror(errno));
        t->name[0] = '\0';
        return STATUS_E_RUNTIME;
    }
    /* the same file through /proc: then it needs no name, and no exit can leave it behind */
    snprintf(t->proc, sizeof t->proc, "/proc/self/fd/%d", t->fd);
    struct stat viaproc, own;
    if (stat(t->proc, &viaproc) == 0 && fstat(t->fd, &own) == 0 && viaproc.st_ino == own.st_ino &&
        viaproc.st_dev == own.st_dev && unlink(t->name) == 0) {
        t->name[0] = '\0';
        t->path = t->proc;
    } else {
        t->path = t->name;
    }
    return STATUS_OK;
}

void session_temp_capture_close(struct session_temp_capture *t)
{
    if (t->fd < 0) return;
    if (t->name[0]) unlink(t->name);
    t->name[0] = '\0';
    close(t->fd);
    t->fd = -1;
}
