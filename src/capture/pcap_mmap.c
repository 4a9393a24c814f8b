/* Classic pcap files read through a private read-only mapping instead of libpcap's fread:
 * no copy per frame. Records are walked with libpcap's checks and messages, and pages behind
 * the reader are handed back so resident memory stays small whatever the file's size. */
#include "map_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_HEADER 24u
#define RECORD_HEADER 16u
#define MAX_CAPLEN 262144u      /* libpcap's max_snaplen_for_dlt for our link types */
#define RELEASE_STEP (8u << 20) /* hand pages back in steps of this many bytes */
#define PREFETCH_AHEAD 4096u    /* bytes the cache is asked for ahead of the reader */

struct capture_map {
    const uint8_t *base;
    size_t size, pos;
    size_t released;   /* pages before this offset were handed back */
    size_t prefetched; /* cache lines before this offset were asked for */
    size_t page;
    uint32_t snapshot;
    bool swapped, nanosecond, keep;
    atomic_bool changed; /* set by the SIGBUS guard: the file shrank under the mapping */
    char error[160];     /* non-empty: the file stopped short, sticky */
};

static uint32_t get32(const uint8_t *p, bool swapped)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swapped ? __builtin_bswap32(v) : v;
}

static uint16_t get16(const uint8_t *p, bool swapped)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return swapped ? __builtin_bswap16(v) : v;
}

/* The four magics: microsecond and nanosecond stamps, in either byte order. */
static bool read_magic(const uint8_t *p, bool *swapped, bool *nanosecond)
{
    uint32_t magic = get32(p, false);
    switch (magic) {
    case 0xa1b2c3d4u:
        *swapped = false, *nanosecond = false;
        return true;
    case 0xa1b23c4du:
        *swapped = false, *nanosecond = true;
        return true;
    case 0xd4c3b2a1u:
        *swapped = true, *nanosecond = false;
        return true;
    case 0x4d3cb2a1u:
        *swapped = true, *nanosecond = true;
        return true;
    default:
        return false;
    }
}

struct capture_map *capture_map_open(const char *path, int snapshot)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)FILE_HEADER ||
        (uint64_t)st.st_size > SIZE_MAX || snapshot <= 0) {
        close(fd);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    void *base = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (base == MAP_FAILED) return NULL;
    struct capture_map *m = calloc(1, sizeof *m);
    if (!m || !read_magic(base, &m->swapped, &m->nanosecond) ||
        get16((const uint8_t *)base + 4, m->swapped) != 2 ||
        get16((const uint8_t *)base + 6, m->swapped) != 4) {
        /* pcap 2.0-2.3 may have caplen and len swapped, DG/UX 543.0 has: leave to libpcap */
        free(m);
        munmap(base, size);
        return NULL;
    }
    atomic_init(&m->changed, false);
    if (!capture_guard_add(base, size, &m->changed)) {
        free(m);
        munmap(base, size);
        return NULL;
    }
    madvise(base, size, MADV_SEQUENTIAL);
    m->base = base;
    m->size = size;
    m->pos = FILE_HEADER;
    m->page = (size_t)sysconf(_SC_PAGESIZE);
    m->snapshot = (uint32_t)snapshot;
    return m;
}

bool capture_map_nanosecond(const struct capture_map *m)
{
    return m->nanosecond;
}

void capture_map_keep(struct capture_map *m, bool keep)
{
    m->keep = keep;
}

/* Drops the mapping's pages before offset (they stay in the page cache), in big steps. */
static void release_to(struct capture_map *m, size_t offset)
{
    size_t end = offset & ~(m->page - 1);
    if (end <= m->released || end - m->released < RELEASE_STEP) return;
    madvise((void *)(m->base + m->released), end - m->released, MADV_DONTNEED);
    m->released = end;
}

void capture_map_release_before(struct capture_map *m, const uint8_t *p)
{
    if (p >= m->base && p <= m->base + m->size) release_to(m, (size_t)(p - m->base));
}

size_t capture_map_tell(const struct capture_map *m)
{
    return m->pos;
}

bool capture_map_seek(struct capture_map *m, size_t offset)
{
    if (offset < FILE_HEADER || offset > m->size) return false;
    if (!m->keep) {
        /* What was read is handed back now; counting starts again from the new place. */
        size_t end = m->pos & ~(m->page - 1);
        if (end > m->released)
            madvise((void *)(m->base + m->released), end - m->released, MADV_DONTNEED);
        m->released = offset & ~(m->page - 1);
    }
    m->pos = offset;
    m->prefetched = offset;
    m->error[0] = '\0';
    return true;
}

bool capture_map_changed(const struct capture_map *m)
{
    return atomic_load(&m->changed);
}

/* Touches every page of a record before it is handed out, so that a file cut short under the
 * mapping shows here (the guard zero-fills and flags it) rather than in the decoder. */
static bool record_intact(struct capture_map *m, const uint8_t *start, size_t len)
{
    volatile const uint8_t *p = start;
    for (size_t off = 0; off < len; off += m->page)
        (void)p[off];
    if (len) (void)p[len - 1];
    if (!atomic_load(&m->changed)) return true;
    snprintf(m->error, sizeof m->error, "the file changed while it was read (it is shorter now)");
    return false;
}

static int stop(struct capture_map *m, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", m->error);
    return -1;
}

int capture_map_next(struct capture_map *m, struct capture_map_record *r, char *err, size_t errlen)
{
    if (m->error[0]) return stop(m, err, errlen);
    size_t avail = m->size - m->pos;
    if (avail == 0) return 0;
    if (!m->keep) release_to(m, m->pos);
    /* The first read of each record waits for memory otherwise: ask for it ahead of time. */
    size_t ahead = m->pos + PREFETCH_AHEAD < m->size ? m->pos + PREFETCH_AHEAD : m->size;
    for (; m->prefetched < ahead; m->prefetched += 64)
        __builtin_prefetch(m->base + m->prefetched);
    if (avail < RECORD_HEADER) {
        snprintf(m->error, sizeof m->error,
                 "truncated dump file; tried to read %u header bytes, only got %zu", RECORD_HEADER,
                 avail);
        return stop(m, err, errlen);
    }
    const uint8_t *h = m->base + m->pos;
    if (!record_intact(m, h, RECORD_HEADER)) return stop(m, err, errlen);
    uint32_t caplen = get32(h + 8, m->swapped);
    r->sec = get32(h, m->swapped);
    r->frac = get32(h + 4, m->swapped);
    r->wirelen = get32(h + 12, m->swapped);
    avail -= RECORD_HEADER;
    if (caplen > MAX_CAPLEN) {
        if (caplen > m->snapshot)
            snprintf(m->error, sizeof m->error,
                     "invalid packet capture length %u, bigger than snaplen of %u", caplen,
                     m->snapshot);
        else
            snprintf(m->error, sizeof m->error,
                     "invalid packet capture length %u, bigger than maximum of %u", caplen,
                     MAX_CAPLEN);
        return stop(m, err, errlen);
    }
    /* A record longer than the snapshot length: libpcap delivers the first snapshot bytes
     * and skips the rest. */
    uint32_t keep = caplen > m->snapshot ? m->snapshot : caplen;
    if (avail < keep || avail < caplen) {
        snprintf(m->error, sizeof m->error,
                 "truncated dump file; tried to read %u captured bytes, only got %zu",
                 avail < keep ? keep : caplen, avail);
        return stop(m, err, errlen);
    }
    if (!record_intact(m, h, RECORD_HEADER + keep)) return stop(m, err, errlen);
    r->data = h + RECORD_HEADER;
    r->caplen = keep;
    m->pos += RECORD_HEADER + caplen;
    return 1;
}

void capture_map_close(struct capture_map *m)
{
    if (!m) return;
    capture_guard_remove(m->base);
    munmap((void *)m->base, m->size);
    free(m);
}
