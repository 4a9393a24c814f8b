/* Reading saved captures with nanosecond stamps: classic pcap through a mapping
 * (pcap_mmap.c), pcapng and the rest through libpcap. The BPF filter is applied per frame with
 * pcap_offline_filter so frame numbers stay the ones the file has, as tshark shows them.
 * Readers can say where the next record starts and continue there later (checkpoints).
 *
 * Seeking pcapng. libpcap reads it block by block and keeps per section (from one section
 * header block, SHB, to the next) the interfaces its interface description blocks (IDB)
 * declared: they give each packet its time resolution, and a packet naming an interface not
 * declared yet is an error. So after a seek libpcap must hold the interfaces of the section
 * it lands in, declared up to there. The reader notes where sections start as libpcap meets
 * them and how far it has read in the current one; a seek within what was read is a plain
 * fseeko, and one elsewhere walks the block headers in between (cheap, no packet is parsed)
 * and lets libpcap read again only from the last section header or interface block found. */
#include "sockscope/capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "map_internal.h"

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 1u
#define SCAN_BUFFER (1u << 20) /* bytes read at a time when walking block headers */

/* Where libpcap's stdio stream stands (the libpcap reader). */
struct stream_place {
    FILE *stream; /* pcap_file(); NULL when positions cannot be known */
    bool pcapng, swapped;
    int64_t *sections; /* offsets of the SHBs met, ascending; the first is 0 */
    uint32_t nsections, cap_sections;
    int64_t first;   /* where the first record starts: no seek goes before it */
    int64_t section; /* the SHB whose interfaces libpcap holds */
    int64_t read_to; /* libpcap has read that section up to here */
    /* A record libpcap read while a seek looked for where it starts: the next one. */
    struct pcap_pkthdr *pending_h;
    const u_char *pending_data;
    int64_t pending_at;
};

struct capture_file {
    pcap_t *pcap;            /* always open: header checks, link type, filter compilation */
    struct capture_map *map; /* NULL: frames come from libpcap */
    struct bpf_program filter;
    int has_filter;
    uint32_t number;
    int nanosecond;
    bool classic;      /* a classic pcap file: 32-bit stamp fields, unsigned as tshark reads */
    bool classic_nano; /* ... with nanosecond fractions (libpcap scales microseconds up) */
    bool classic_magic_known; /* classic_nano read from the file (a regular file) */
    struct stream_place place;
};

/* Whether a classic pcap file's magic says nanoseconds (a1b23c4d in either order). */
static bool classic_magic_nano(const char *path)
{
    uint8_t m[4] = {0};
    FILE *fp = fopen(path, "rb");
    if (!fp) return false;
    bool nano = fread(m, 1, 4, fp) == 4 &&
                ((m[0] == 0xa1 && m[1] == 0xb2 && m[2] == 0x3c && m[3] == 0x4d) ||
                 (m[0] == 0x4d && m[1] == 0x3c && m[2] == 0xb2 && m[3] == 0xa1));
    fclose(fp);
    return nano;
}

/* libpcap reads a classic record's stamp fields as signed 32 bits in the machine's byte
 * order (0xFFFFFFFF seconds become -1) and scales a microsecond fraction to nanoseconds
 * after that: undo both, so both readers give the unsigned stamp tshark shows. */
static uint64_t classic_stamp(const struct capture_file *f, const struct timeval *tv)
{
    int64_t frac = (int64_t)tv->tv_usec;
    if (!f->nanosecond) frac *= 1000; /* (libpcap gave microseconds after all) */
    if (!f->classic_magic_known)
        return (uint64_t)(uint32_t)tv->tv_sec * 1000000000u + (uint64_t)(frac < 0 ? 0 : frac);
    if (frac < 0) frac += f->classic_nano ? (int64_t)1 << 32 : ((int64_t)1 << 32) * 1000;
    uint32_t frac32 = f->classic_nano ? (uint32_t)frac : (uint32_t)(frac / 1000);
    return capture_stamp_ns((uint32_t)tv->tv_sec, frac32, f->classic_nano);
}

static int fail(char *err, size_t errlen, int code, const char *fmt, const char *a, const char *b)
{
    snprintf(err, errlen, fmt, a, b);
    return code;
}

/* libpcap's messages for files it cannot parse are terse; say it in plain words. */
static int explain_open_error(const char *path, const char *pcap_msg, char *err, size_t errlen)
{
    if (strstr(pcap_msg, "unknown file format") || strstr(pcap_msg, "bad dump file format"))
        return fail(err, errlen, STATUS_E_BAD_INPUT, "%s: not a pcap or pcapng capture (%s)", path,
                    pcap_msg);
    if (strstr(pcap_msg, "truncated"))
        return fail(err, errlen, STATUS_E_BAD_INPUT, "%s: capture file header is truncated (%s)",
                    path, pcap_msg);
    return fail(err, errlen, STATUS_E_BAD_INPUT, "%s: cannot read capture: %s", path, pcap_msg);
}

/* ---- where the libpcap reader stands ---- */

static int64_t stream_tell(const struct stream_place *sp)
{
    off_t at = ftello(sp->stream);
    return at < 0 ? -1 : (int64_t)at;
}

/* The reader loses track (a stream without positions, a read of block headers that failed,
 * out of memory): tell says -1 and seeking is refused from then on. */
static void place_lost(struct stream_place *sp)
{
    sp->stream = NULL;
}

static void place_init(struct capture_file *f)
{
    struct stream_place *sp = &f->place;
    sp->stream = pcap_file(f->pcap);
    uint32_t magic = 0;
    if (!sp->stream || stream_tell(sp) < 0 ||
        pread(fileno(sp->stream), &magic, sizeof magic, 0) != (ssize_t)sizeof magic) {
        place_lost(sp);
        return;
    }
    sp->pcapng = magic == PCAPNG_SHB;
    sp->swapped = pcap_is_swapped(f->pcap);
    sp->first = sp->read_to = stream_tell(sp);
    /* A stream opened but never sought answers each ftello with an lseek (glibc keeps the
     * descriptor's offset only after a seek): seek once where it stands. */
    if (fseeko(sp->stream, (off_t)sp->read_to, SEEK_SET) != 0) place_lost(sp);
}

/* Index of the last known section starting at or before offset (sections[0] is 0). */
static uint32_t section_index(const struct stream_place *sp, int64_t offset)
{
    uint32_t lo = 0, hi = sp->nsections;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (sp->sections[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static bool note_section(struct stream_place *sp, int64_t at)
{
    uint32_t i = sp->nsections ? section_index(sp, at) : 0;
    if (sp->nsections && sp->sections[i] == at) return true;
    if (sp->nsections == sp->cap_sections) {
        uint32_t cap = sp->cap_sections ? sp->cap_sections * 2 : 4;
        int64_t *grown = realloc(sp->sections, cap * sizeof *grown);
        if (!grown) return false;
        sp->sections = grown;
        sp->cap_sections = cap;
    }
    if (sp->nsections && sp->sections[i] < at) i++;
    memmove(sp->sections + i + 1, sp->sections + i, (sp->nsections - i) * sizeof *sp->sections);
    sp->sections[i] = at;
    sp->nsections++;
    return true;
}

/* What lies in a run of pcapng blocks. */
struct block_walk {
    int64_t last_shb;   /* start of the last SHB, -1 if none */
    int64_t first_desc; /* start of the first SHB or IDB from last_shb on, -1 if none */
    int64_t desc_end;   /* end of the last SHB or IDB, -1 if none */
    int64_t last_block; /* start of the last block */
};

/* Walks the block headers in [from, to), noting the sections met. false when the blocks do
 * not end exactly at `to` (not a record boundary) or the file cannot be read. */
static bool walk_blocks(struct stream_place *sp, int64_t from, int64_t to, struct block_walk *w)
{
    *w = (struct block_walk){.last_shb = -1, .first_desc = -1, .desc_end = -1, .last_block = -1};
    size_t size = to - from < (int64_t)SCAN_BUFFER ? (size_t)(to - from) : SCAN_BUFFER;
    uint8_t *buf = malloc(size > 8 ? size : 8);
    if (!buf) return false;
    int64_t buf_at = from;
    size_t buf_len = 0;
    int64_t at = from;
    bool ok = true;
    while (ok && at < to) {
        if (at + 8 > buf_at + (int64_t)buf_len) {
            size_t want = to - at < (int64_t)size ? (size_t)(to - at) : size;
            ssize_t got = want >= 8 ? pread(fileno(sp->stream), buf, want, at) : -1;
            if (got < 8) {
                ok = false;
                break;
            }
            buf_at = at;
            buf_len = (size_t)got;
        }
        uint32_t type, len;
        memcpy(&type, buf + (at - buf_at), 4);
        memcpy(&len, buf + (at - buf_at) + 4, 4);
        if (sp->swapped) {
            type = __builtin_bswap32(type);
            len = __builtin_bswap32(len);
        }
        if (len < 12 || len % 4 || len > to - at) {
            ok = false;
            break;
        }
        if (type == PCAPNG_SHB) {
            ok = note_section(sp, at);
            w->last_shb = w->first_desc = at;
            w->desc_end = at + len;
        } else if (type == PCAPNG_IDB) {
            if (w->first_desc < 0) w->first_desc = at;
            w->desc_end = at + len;
        }
        w->last_block = at;
        at += len;
    }
    free(buf);
    return ok && at == to;
}

/* After libpcap read [before, after): a lone packet block (without options) tells nothing;
 * anything else is walked for the section headers libpcap just met. */
static void place_account(struct stream_place *sp, int64_t before, int64_t after, uint32_t caplen)
{
    if (after < 0) {
        place_lost(sp);
        return;
    }
    if (after - before != 32 + (((int64_t)caplen + 3) & ~3)) {
        struct block_walk w;
        if (!walk_blocks(sp, before, after, &w)) {
            place_lost(sp);
            return;
        }
        if (w.last_shb >= 0) {
            sp->section = w.last_shb;
            sp->read_to = after;
        }
    }
    if (after > sp->read_to) sp->read_to = after;
}

/* pcap_next_ex, keeping count of where the stream stands. */
static int read_libpcap(struct capture_file *f, struct pcap_pkthdr **h, const u_char **data)
{
    struct stream_place *sp = &f->place;
    if (sp->pending_h) {
        *h = sp->pending_h;
        *data = sp->pending_data;
        sp->pending_h = NULL;
        return 1;
    }
    if (!sp->stream || !sp->pcapng) return pcap_next_ex(f->pcap, h, data);
    int64_t before = stream_tell(sp);
    int rc = pcap_next_ex(f->pcap, h, data);
    if (rc == 1 && sp->stream) place_account(sp, before, stream_tell(sp), (*h)->caplen);
    return rc;
}

static int seek_error(char *err, size_t errlen, int64_t offset, const char *why)
{
    snprintf(err, errlen, "cannot continue reading at offset %lld: %s", (long long)offset, why);
    return STATUS_E_RUNTIME;
}

static int seek_stream(struct capture_file *f, int64_t offset, char *err, size_t errlen)
{
    struct stream_place *sp = &f->place;
    if (fseeko(sp->stream, (off_t)offset, SEEK_SET) != 0)
        return seek_error(err, errlen, offset, strerror(errno));
    return STATUS_OK;
}

/* libpcap reads again from `from` until it has read the blocks before desc_end; the stream
 * then stands at offset, or the record starting there is pending. */
static int reread_descriptions(struct capture_file *f, int64_t from, int64_t desc_end,
                               int64_t offset, char *err, size_t errlen)
{
    struct stream_place *sp = &f->place;
    int rc = seek_stream(f, from, err, errlen);
    for (int64_t at = from; rc == STATUS_OK && at < desc_end;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        if (read_libpcap(f, &h, &data) != 1 || !sp->stream)
            return seek_error(err, errlen, offset, "the capture cannot be read up to there");
        int64_t after = stream_tell(sp);
        if (after > offset) {
            /* The record just read is the one at offset if only blocks without packets
             * lie between: it comes next. */
            struct block_walk before, all;
            if (!walk_blocks(sp, at, offset, &before) || !walk_blocks(sp, at, after, &all) ||
                all.last_block < offset)
                return seek_error(err, errlen, offset, "not where a record starts");
            sp->pending_h = h;
            sp->pending_data = data;
            sp->pending_at = offset;
            return STATUS_OK;
        }
        at = after;
    }
    return rc == STATUS_OK ? seek_stream(f, offset, err, errlen) : rc;
}

static int seek_libpcap(struct capture_file *f, int64_t offset, char *err, size_t errlen)
{
    struct stream_place *sp = &f->place;
    sp->pending_h = NULL;
    if (!sp->stream)
        return seek_error(err, errlen, offset, "this reader cannot say where records start");
    struct stat st;
    if (offset < sp->first ||
        (fstat(fileno(sp->stream), &st) == 0 && S_ISREG(st.st_mode) && offset > st.st_size))
        return seek_error(err, errlen, offset, "outside the records of the file");
    if (!sp->pcapng) return seek_stream(f, offset, err, errlen);

    int64_t section = sp->sections[section_index(sp, offset)];
    int64_t from = section == sp->section ? sp->read_to : section;
    if (offset <= from) return seek_stream(f, offset, err, errlen);
    struct block_walk w;
    if (!walk_blocks(sp, from, offset, &w))
        return seek_error(err, errlen, offset, "not where a record starts");
    if (w.desc_end < 0) {
        /* Only packets and statistics in between: nothing libpcap would have learned. */
        sp->read_to = offset;
        return seek_stream(f, offset, err, errlen);
    }
    return reread_descriptions(f, w.first_desc, w.desc_end, offset, err, errlen);
}

int64_t capture_file_tell(struct capture_file *f)
{
    if (f->map) return (int64_t)capture_map_tell(f->map);
    if (f->place.pending_h) return f->place.pending_at;
    return f->place.stream ? stream_tell(&f->place) : -1;
}

int capture_file_seek(struct capture_file *f, int64_t offset, uint32_t number, char *err,
                      size_t errlen)
{
    if (number == 0) return seek_error(err, errlen, offset, "frame numbers start at 1");
    if (offset < 0) return seek_error(err, errlen, offset, "not an offset in the file");
    int rc = STATUS_OK;
    if (f->map) {
        if (!capture_map_seek(f->map, (size_t)offset))
            rc = seek_error(err, errlen, offset, "outside the records of the file");
    } else {
        rc = seek_libpcap(f, offset, err, errlen);
    }
    if (rc == STATUS_OK) f->number = number - 1;
    return rc;
}

/* Link types whose records libpcap hands over untouched (no pseudo-header byte swapping)
 * with the usual 256 KiB ceiling on a record: the ones the mapped reader may take. */
static bool mappable_linktype(int dlt)
{
    switch (dlt) {
    case DLT_NULL:
    case DLT_EN10MB:
    case DLT_RAW:
    case DLT_LOOP:
    case DLT_LINUX_SLL:
    case DLT_IPV4:
    case DLT_IPV6:
    case DLT_LINUX_SLL2:
        return true;
    default:
        return false;
    }
}

int capture_file_open(const char *path, const char *bpf, struct capture_file **out, char *err,
                      size_t errlen)
{
    return capture_file_open_reader(path, bpf, CAPTURE_READER_AUTO, out, err, errlen);
}

int capture_file_open_reader(const char *path, const char *bpf, enum capture_reader reader,
                             struct capture_file **out, char *err, size_t errlen)
{
    struct stat st;
    char pcap_err[PCAP_ERRBUF_SIZE] = "";

    *out = NULL;
    if (stat(path, &st) != 0)
        return fail(err, errlen, STATUS_E_BAD_INPUT, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return fail(err, errlen, STATUS_E_BAD_INPUT,
                    "%s: is a directory, expected a pcap or pcapng file%s", path, "");
    if (S_ISREG(st.st_mode) && st.st_size == 0)
        return fail(err, errlen, STATUS_E_BAD_INPUT, "%s: empty file, not a capture%s", path, "");

    struct capture_file *f = calloc(1, sizeof *f);
    if (!f) return fail(err, errlen, STATUS_E_RUNTIME, "%s: out of memory%s", path, "");
    f->pcap = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, pcap_err);
    if (!f->pcap) {
        free(f);
        return explain_open_error(path, pcap_err, err, errlen);
    }
    f->nanosecond = pcap_get_tstamp_precision(f->pcap) == PCAP_TSTAMP_PRECISION_NANO;
    /* libpcap gives pcapng files their section's version (1), classic pcap files 2 */
    f->classic = pcap_major_version(f->pcap) == 2;
    /* (a pipe cannot be read twice: its rare negative fractions stay as libpcap gives them) */
    f->classic_magic_known = f->classic && S_ISREG(st.st_mode);
    if (f->classic_magic_known) f->classic_nano = classic_magic_nano(path);
    if (reader == CAPTURE_READER_AUTO && S_ISREG(st.st_mode) &&
        mappable_linktype(pcap_datalink(f->pcap)))
        f->map = capture_map_open(path, pcap_snapshot(f->pcap));

    if (bpf && *bpf) {
        if (pcap_compile(f->pcap, &f->filter, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            snprintf(err, errlen, "invalid filter expression '%s': %s", bpf, pcap_geterr(f->pcap));
            capture_map_close(f->map);
            pcap_close(f->pcap);
            free(f);
            return STATUS_E_BAD_INPUT;
        }
        f->has_filter = 1;
    }
    if (!f->map && !note_section(&f->place, 0)) {
        capture_file_close(f);
        return fail(err, errlen, STATUS_E_RUNTIME, "%s: out of memory%s", path, "");
    }
    if (!f->map) place_init(f);
    *out = f;
    return STATUS_OK;
}

/* The mapped reader: same numbering, filter and error wording as the libpcap loop below. */
static int next_mapped(struct capture_file *f, struct capture_frame *frame, char *err,
                       size_t errlen)
{
    struct capture_map_record r;
    char why[256];

    for (;;) {
        int rc = capture_map_next(f->map, &r, why, sizeof why);
        if (rc == 0) return 0;
        if (rc < 0) {
            snprintf(err, errlen, "capture stops short after frame %u: %s", f->number, why);
            return STATUS_E_RUNTIME;
        }
        f->number++;
        if (f->has_filter) {
            struct pcap_pkthdr h = {.caplen = r.caplen, .len = r.wirelen};
            if (!pcap_offline_filter(&f->filter, &h, r.data)) continue;
        }
        frame->data = r.data;
        frame->caplen = r.caplen;
        frame->wirelen = r.wirelen;
        frame->ts_ns = capture_stamp_ns(r.sec, r.frac, capture_map_nanosecond(f->map));
        frame->number = f->number;
        frame->offset = -1;
        return 1;
    }
}

int capture_file_next(struct capture_file *f, struct capture_frame *frame, char *err, size_t errlen)
{
    struct pcap_pkthdr *h;
    const u_char *data;

    if (f->map) return next_mapped(f, frame, err, errlen);
    for (;;) {
        int rc = read_libpcap(f, &h, &data);
        if (rc == PCAP_ERROR_BREAK) return 0;
        if (rc != 1) {
            snprintf(err, errlen, "capture stops short after frame %u: %s", f->number,
                     pcap_geterr(f->pcap));
            return STATUS_E_RUNTIME;
        }
        f->number++;
        if (f->has_filter && !pcap_offline_filter(&f->filter, h, data)) continue;
        frame->data = data;
        frame->caplen = h->caplen;
        frame->wirelen = h->len;
        if (f->classic)
            frame->ts_ns = classic_stamp(f, &h->ts);
        else
            frame->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000u +
                           (uint64_t)h->ts.tv_usec * (f->nanosecond ? 1u : 1000u);
        frame->number = f->number;
        frame->offset = -1;
        return 1;
    }
}

bool capture_file_keep_frames(struct capture_file *f)
{
    if (!f->map) return false;
    capture_map_keep(f->map, true);
    return true;
}

void capture_file_release_before(struct capture_file *f, const uint8_t *data)
{
    if (f->map) capture_map_release_before(f->map, data);
}

bool capture_file_changed(const struct capture_file *f)
{
    return f->map && capture_map_changed(f->map);
}

int capture_file_linktype(const struct capture_file *f)
{
    return pcap_datalink(f->pcap);
}

const char *capture_file_linktype_name(const struct capture_file *f)
{
    const char *name = pcap_datalink_val_to_name(pcap_datalink(f->pcap));
    return name ? name : "unknown";
}

void capture_file_close(struct capture_file *f)
{
    if (!f) return;
    if (f->has_filter) pcap_freecode(&f->filter);
    capture_map_close(f->map);
    pcap_close(f->pcap);
    free(f->place.sections);
    free(f);
}
