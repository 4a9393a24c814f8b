/* view: turns tracked packets into what a diagram shows, independent of where it is drawn:
 * arrow labels in words, one lifeline per ip:port placed in lanes, and rows of cells
 * (code point + style role) that the text exporter prints and the TUI paints. */
#ifndef SOCKSCOPE_VIEW_H
#define SOCKSCOPE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sockscope/decode.h"
#include "sockscope/track.h"

/* ---- style roles: what a cell is, so each output picks its own colours ---- */
enum style {
    STYLE_PLAIN = 0,
    STYLE_DIM,
    STYLE_HEADER,
    STYLE_TIME,
    STYLE_SYN,
    STYLE_SYNACK,
    STYLE_ACK,
    STYLE_DATA,
    STYLE_FIN,
    STYLE_RST,
    STYLE_UDP,
    STYLE_ICMP,
    STYLE_MARK,
    STYLE_STATE,
    STYLE_NOTE,
    STYLE_API,
    STYLE_COUNT
};

/* ---- labels ---- */

/* "SYN", "SYN+ACK", "PSH+ACK", "FIN+ACK", "RST+ACK", ... ("none" when no flag is set). */
void view_tcp_flags_name(uint16_t flags, char *buf, size_t size);

struct label_options {
    bool raw_seq; /* raw sequence numbers instead of relative */
    bool ascii;   /* "..." instead of "…" */
};

/* The arrow label of one packet, shortened to fit max_chars (least useful parts dropped
 * first: TCP options, window, then the payload preview is shortened). Returns its length
 * in characters. */
int view_arrow_label(const struct packet *p, const struct track_info *ti,
                     const struct label_options *opt, int max_chars, char *buf, size_t size);

/* Label detail levels (label_detail.c): minimal = flags, relative seq/ack, length (and
 * analysis marks); normal adds the window; full is view_arrow_label (options, payload). */
enum view_detail {
    VIEW_DETAIL_MINIMAL = 0,
    VIEW_DETAIL_NORMAL,
    VIEW_DETAIL_FULL,
    VIEW_DETAIL_COUNT
};

/* "minimal", "normal", "full" */
const char *view_detail_name(enum view_detail d);
/* minimal -> normal -> full -> minimal */
enum view_detail view_detail_next(enum view_detail d);
/* view_arrow_label at a detail level; same return and fitting rules. */
int view_arrow_label_detail(const struct packet *p, const struct track_info *ti,
                            const struct label_options *opt, enum view_detail d, int max_chars,
                            char *buf, size_t size);

/* Payload preview: printable ASCII kept, everything else as \n \r \t \\ \" or \xHH, so
 * control bytes and terminal escapes never reach the terminal raw. Writes at most max_chars
 * characters (an escape counts as its length) and a NUL into buf (max_chars + 1 bytes);
 * returns true if cut short. */
bool view_escape_preview(const uint8_t *s, size_t n, char *buf, size_t max_chars);

/* "connect()", "accept() = 5 from 127.0.0.1:42410", "recv() = 16 bytes" ... */
int view_api_label(const struct api_event *ev, char *buf, size_t size);
/* The explanation line of an API call: its label, then what it means for the wire. */
int view_explain_api(const struct api_event *ev, char *buf, size_t size);

/* The style role of an arrow of this kind (track decides the kind: SYN, data, FIN, RST, UDP,
 * a suspected retransmission...). */
enum style view_segment_style(enum segment_kind k);

/* ---- numbers without printf (labels and JSON, per packet) ---- */
#define VIEW_U64_DIGITS 24
/* Writes v in decimal at the end of buf; returns where its first digit is. */
static inline int view_u64_digits(uint64_t v, char buf[VIEW_U64_DIGITS])
{
    int i = VIEW_U64_DIGITS;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return i;
}


/* ---- rows of cells ---- */
#define VIEW_MAX_WIDTH 1024
#define VIEW_MIN_PITCH 14
#define VIEW_STATE_MARGIN 13 /* room for "SYN-RECEIVED" beside the outer lifelines */

struct cell {
    uint32_t ch; /* a Unicode code point (ASCII when the glyph set is ASCII) */
    uint8_t style;
};

struct view_row {
    int width;
    struct cell cells[VIEW_MAX_WIDTH];
};

struct view_geometry {
    int width, time_width, lanes, pitch;
    int x[LIFELINES_MAX];
};

enum glyph {
    GLYPH_VLINE,       /* │ lifeline */
    GLYPH_HLINE,       /* ─ arrow shaft */
    GLYPH_HEAD_RIGHT,  /* ▶ */
    GLYPH_HEAD_LEFT,   /* ◀ */
    GLYPH_TAIL_RIGHT,  /* ├ arrow leaves to the right */
    GLYPH_TAIL_LEFT,   /* ┤ arrow leaves to the left */
    GLYPH_CROSS,       /* ┼ arrow crosses a lifeline */
    GLYPH_ELLIPSIS,    /* … */
    GLYPH_API,         /* ● a socket API call on a lifeline */
    GLYPH_COUNT
};

uint32_t view_glyph(enum glyph g, bool ascii);

/* Places the lanes across width columns after a time column of time_width. */
void view_geometry_init(struct view_geometry *g, int width, int time_width, int lanes);
/* Maximum lanes that fit in width at the minimum pitch. */
int view_geometry_max_lanes(int width, int time_width);

/* A blank row with every lifeline drawn. */
void view_row_lifelines(struct view_row *r, const struct view_geometry *g, bool ascii);
/* Writes ASCII text at column x (clipped to the row), in a style. Returns columns used. */
int view_row_text(struct view_row *r, int x, const char *text, enum style s);
/* Writes text only into blank cells, so it never covers a lifeline. */
int view_row_text_blank(struct view_row *r, int x, const char *text, enum style s);
/* An arrow from lane a to lane b with label (already fitted), label near the sending end. */
void view_row_arrow(struct view_row *r, const struct view_geometry *g, int a, int b,
                    const char *label, enum style s, bool ascii);
/* Room for a label on an arrow between lanes a and b. */
int view_arrow_label_room(const struct view_geometry *g, int a, int b);
/* An API call on lane i: a mark on the lifeline and the text beside it, on the side that
 * faces the other lifelines. */
void view_row_api(struct view_row *r, const struct view_geometry *g, int lane, const char *text,
                  bool ascii);
/* Puts a state name beside lane i: outside the diagram for the outer lanes, right otherwise. */
void view_row_state(struct view_row *r, const struct view_geometry *g, int lane, const char *name);

/* ---- shared row builders (rows.c): pieces both the text exporter and the TUI need ---- */
#define VIEW_HEADER_MAX_ROWS 3

/* Writes text centred on lane i's column, kept inside the diagram's width. */
void view_row_center(struct view_row *r, const struct view_geometry *g, int lane, const char *text,
                     enum style s);
/* The header over the lifelines into rows[0..]: the roles ("client", "server"), then each
 * ip:port (on two staggered rows when names are wider than the pitch); time_title ("time")
 * goes in the time column. Lanes without an endpoint stay blank. Returns the rows written
 * (2 or 3). */
int view_header_rows(struct view_row rows[VIEW_HEADER_MAX_ROWS], const struct view_geometry *g,
                     const struct lifelines *l, const char *time_title);
/* A note (a frame that belongs to no conversation) beside the first lifeline. */
void view_row_note(struct view_row *r, const struct view_geometry *g, const char *text);
/* "0.000042": seconds.microseconds from base to ts ("-0.000003" when ts is earlier: captures
 * are not always in time order). Returns the length. */
int view_time_since(uint64_t ts, uint64_t base, char *buf, size_t size);

/* ---- explanations (explain.c): one plain-language line per event, for teaching ---- */

/* What this packet means, in words a student can follow ("SYN+ACK: the server accepts; its
 * ack 1 = the client's initial sequence number + 1"). frame is its number in the capture.
 * Returns the length (cut to fit size, always terminated). */
int view_explain(const struct packet *p, const struct track_info *ti, uint32_t frame, char *buf,
                 size_t size);

/* ---- header fields with their offsets (fields.c): for the packet detail and its hex ---- */
#define VIEW_FIELD_NAME 32
#define VIEW_FIELD_VALUE 96

struct view_field {
    const char *layer;           /* "Ethernet", "IPv4", "TCP", "UDP", "Data"... (static) */
    char name[VIEW_FIELD_NAME];  /* "Source port" */
    char value[VIEW_FIELD_VALUE]; /* "51582", "0x012 SYN+ACK", "(truncated: ...)" */
    uint32_t offset;             /* first byte, counted from the start of the frame */
    uint32_t size;               /* bytes it touches (a bit field: the bytes holding it) */
    uint32_t layer_offset;       /* where its layer's header starts */
    uint8_t bits;                /* 0: whole bytes; else a bit field of this many bits... */
    uint8_t first_bit;           /* ...starting at this bit of the first byte (0 = MSB) */
    bool truncated;              /* the capture ends here: no field after this one */
    uint8_t stop;                /* enum decode_stop: how this field ends the list, if it does */
};

/* Decodes one frame into *p (as decode_packet) and lists every header field decode read,
 * outermost first, with its byte offset and size: link layer, IPv4/IPv6 (options, extension
 * headers), TCP (each option, each SACK block), UDP, ICMP (and the quoted packet), then the
 * payload and any trailer. A header cut short ends the list with a truncated entry, where
 * decode stopped. Returns the number written (at most max). */
int view_fields_decode(int linktype, const uint8_t *frame, uint32_t caplen, uint32_t wirelen,
                       uint64_t ts_ns, struct packet *p, struct view_field *out, int max);

/* The same list for a frame decoded before: decodes frame again as p says it was captured
 * (link type, lengths). */
int view_fields_walk(const struct packet *p, const uint8_t *frame, struct view_field *out,
                     int max);
/* One sentence for a field: "UDP Length: 2 bytes at offset 38 (byte 4 of the UDP header)
 * = 23". Returns the length. */
int view_field_describe(const struct view_field *f, char *buf, size_t size);

#endif
