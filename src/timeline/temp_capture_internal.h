/* The capture file a session's run writes while its screen reads it back (labels, packet
 * detail): made in $TMPDIR or /tmp and unlinked at once, path naming it through
 * /proc/self/fd, so it goes with the process however that ends. Without /proc the name stays
 * until session_temp_capture_close. Private to src/timeline/ (session.c). */
#ifndef SOCKSCOPE_TEMP_CAPTURE_INTERNAL_H
#define SOCKSCOPE_TEMP_CAPTURE_INTERNAL_H

#include <stddef.h>

struct session_temp_capture {
    int fd;           /* -1: none */
    const char *path; /* proc or name: what the capture writes and the screen reads */
    char proc[64];    /* "/proc/self/fd/N" */
    char name[4096];  /* the file's name while it has one */
};

/* STATUS_OK, or STATUS_E_RUNTIME with err naming the directory and the fixes. */
int session_temp_capture_open(struct session_temp_capture *t, char *err, size_t errlen);
void session_temp_capture_close(struct session_temp_capture *t);

#endif
