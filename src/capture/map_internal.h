/* The fast reader of classic pcap files (file.c picks it when it can): the file is mapped
 * and walked record by record, with libpcap's checks and error messages. Private to
 * src/capture/. */
#ifndef SOCKSCOPE_CAPTURE_MAP_INTERNAL_H
#define SOCKSCOPE_CAPTURE_MAP_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct capture_map;

struct capture_map_record {
    const uint8_t *data;
    uint32_t caplen, wirelen;
    uint32_t sec, frac; /* the record's stamp fields, unsigned in either byte order (as
                         * tshark reads them: 0xFFFFFFFF is 2106, not 1969) */
};

/* A classic pcap stamp in nanoseconds: seconds as unsigned 32 bits, then the fraction
 * (microseconds or nanoseconds). A fraction of a second or more, which only a damaged or
 * hand-made file holds, carries into the seconds as libpcap's arithmetic does; the sum fits
 * in 64 bits for every value of the two fields. */
static inline uint64_t capture_stamp_ns(uint32_t sec, uint32_t frac, bool nanosecond)
{
    return (uint64_t)sec * 1000000000u + (uint64_t)frac * (nanosecond ? 1u : 1000u);
}

/* Maps path when it is a regular file holding a pcap 2.4 capture with one of the four
 * classic magics. snapshot is libpcap's (pcap_snapshot: 0 and oversized values already
 * adjusted). NULL when the file is not one this reader takes: the caller uses libpcap. */
struct capture_map *capture_map_open(const char *path, int snapshot);
/* Nanosecond stamps in the file (magic a1b23c4d, either byte order). */
bool capture_map_nanosecond(const struct capture_map *m);
/* 1: a record; 0: end of file; -1: the file stops short or lies, err holds libpcap's words.
 * An error is sticky. */
int capture_map_next(struct capture_map *m, struct capture_map_record *r, char *err, size_t errlen);
/* Where the next record starts (after the one just returned): the offset seek takes. */
size_t capture_map_tell(const struct capture_map *m);
/* Continues at offset, a value capture_map_tell gave; a sticky error is forgotten (reading
 * again decides). false when offset lies outside the records. */
bool capture_map_seek(struct capture_map *m, size_t offset);
/* Off (default): a record's bytes are valid until the next capture_map_next, and pages
 * behind the reader are dropped as it goes. On: they stay valid until released. */
void capture_map_keep(struct capture_map *m, bool keep);
/* Every record whose data lies before p is no longer used (keep mode). */
void capture_map_release_before(struct capture_map *m, const uint8_t *p);
void capture_map_close(struct capture_map *m);
/* The file got shorter while mapped: what was read past its new end read as zeros, and the
 * reader stops at the next record with an error saying so (sticky). */
bool capture_map_changed(const struct capture_map *m);

/* The SIGBUS guard (map_guard.c): a fault in [base, base + size) zero-fills the page and sets
 * *changed instead of killing the process. false when no slot is free (read with libpcap). */
bool capture_guard_add(const void *base, size_t size, atomic_bool *changed);
void capture_guard_remove(const void *base);

#endif
