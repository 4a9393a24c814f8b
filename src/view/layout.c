/* Rows of the sequence diagram as cells: lifelines at lane columns, arrows with their label
 * near the sending end, state names beside lifelines. The text exporter and the TUI both
 * draw these rows, so what the screen shows and what `trace` prints cannot differ. */
#include "sockscope/view.h"

#include <string.h>

int view_geometry_max_lanes(int width, int time_width)
{
    int span = width - time_width - 2 * VIEW_STATE_MARGIN;
    int lanes = span / VIEW_MIN_PITCH + 1;
    if (lanes < 2)
        lanes = 2;
    return lanes > LIFELINES_MAX ? LIFELINES_MAX : lanes;
}

void view_geometry_init(struct view_geometry *g, int width, int time_width, int lanes)
{
    if (width > VIEW_MAX_WIDTH)
        width = VIEW_MAX_WIDTH;
    if (lanes < 1)
        lanes = 1;
    if (lanes > LIFELINES_MAX)
        lanes = LIFELINES_MAX;
    g->width = width;
    g->time_width = time_width;
    g->lanes = lanes;
    int left = time_width + VIEW_STATE_MARGIN;
    int span = width - left - VIEW_STATE_MARGIN - 1;
    /* Narrow terminals: give up the state margins before the arrows. */
    if (span < (lanes - 1) * VIEW_MIN_PITCH) {
        left = time_width + 1;
        span = width - left - 1;
    }
    g->pitch = lanes > 1 ? span / (lanes - 1) : 0;
    if (g->pitch < 4)
        g->pitch = 4;
    for (int i = 0; i < lanes; i++)
        g->x[i] = left + i * g->pitch;
}

void view_row_lifelines(struct view_row *r, const struct view_geometry *g, bool ascii)
{
    r->width = g->width;
    for (int i = 0; i < r->width; i++)
        r->cells[i] = (struct cell){' ', STYLE_PLAIN};
    for (int i = 0; i < g->lanes; i++)
        if (g->x[i] < r->width)
            r->cells[g->x[i]] = (struct cell){view_glyph(GLYPH_VLINE, ascii), STYLE_DIM};
}

/* Decodes one UTF-8 sequence (labels are ASCII plus the ellipsis); returns bytes used. */
static int utf8_next(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    if ((u[0] & 0xE0) == 0xC0 && (u[1] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
        return 2;
    }
    if ((u[0] & 0xF0) == 0xE0 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
        return 3;
    }
    *cp = '?';
    return 1;
}

static int put_text(struct view_row *r, int x, const char *text, enum style s, bool blank_only)
{
    int used = 0;
    while (*text) {
        uint32_t cp;
        text += utf8_next(text, &cp);
        if (x >= 0 && x < r->width) {
            if (blank_only && r->cells[x].ch != ' ')
                break;
            r->cells[x] = (struct cell){cp, (uint8_t)s};
        }
        x++;
        used++;
    }
    return used;
}

int view_row_text(struct view_row *r, int x, const char *text, enum style s)
{
    return put_text(r, x, text, s, false);
}

int view_row_text_blank(struct view_row *r, int x, const char *text, enum style s)
{
    return put_text(r, x, text, s, true);
}

int view_arrow_label_room(const struct view_geometry *g, int a, int b)
{
    int span = g->x[a] > g->x[b] ? g->x[a] - g->x[b] : g->x[b] - g->x[a];
    /* tail, two shaft cells, a space each side of the label, one shaft cell, head */
    int room = span - 1 - 6;
    return room < 0 ? 0 : room;
}

static int text_chars(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

void view_row_arrow(struct view_row *r, const struct view_geometry *g, int a, int b,
                    const char *label, enum style s, bool ascii)
{
    int xa = g->x[a], xb = g->x[b];
    int lo = xa < xb ? xa : xb, hi = xa < xb ? xb : xa;
    bool right = xb > xa;
    if (hi >= r->width || lo == hi)
        return;
    uint32_t vline = view_glyph(GLYPH_VLINE, ascii), cross = view_glyph(GLYPH_CROSS, ascii);
    uint32_t hline = view_glyph(GLYPH_HLINE, ascii);
    for (int x = lo + 1; x < hi; x++)
        r->cells[x] = (struct cell){r->cells[x].ch == vline ? cross : hline, (uint8_t)s};
    r->cells[xa] = (struct cell){view_glyph(right ? GLYPH_TAIL_RIGHT : GLYPH_TAIL_LEFT, ascii),
                                 (uint8_t)s};
    r->cells[right ? hi - 1 : lo + 1] =
        (struct cell){view_glyph(right ? GLYPH_HEAD_RIGHT : GLYPH_HEAD_LEFT, ascii), (uint8_t)s};

    int n = text_chars(label);
    if (!n || n > view_arrow_label_room(g, a, b))
        return;
    /* Label just after the tail, where the packet leaves: reads like "client says: ...". */
    int start = right ? lo + 3 : hi - 3 - (n + 2) + 1;
    r->cells[start] = (struct cell){' ', (uint8_t)s};
    put_text(r, start + 1, label, s, false);
    r->cells[start + 1 + n] = (struct cell){' ', (uint8_t)s};
}

void view_row_state(struct view_row *r, const struct view_geometry *g, int lane, const char *name)
{
    int n = text_chars(name);
    int x = g->x[lane];
    bool outside_left = lane == 0 && g->lanes > 1 && x - n - 1 >= g->time_width;
    if (outside_left)
        put_text(r, x - n - 1, name, STYLE_STATE, true);
    else
        put_text(r, x + 2, name, STYLE_STATE, true);
}

void view_row_api(struct view_row *r, const struct view_geometry *g, int lane, const char *text,
                  bool ascii)
{
    int x = g->x[lane];
    if (x >= r->width)
        return;
    r->cells[x] = (struct cell){view_glyph(GLYPH_API, ascii), STYLE_API};
    int n = text_chars(text);
    bool rightmost = g->lanes > 1 && lane == g->lanes - 1;
    put_text(r, rightmost ? x - n - 2 : x + 2, text, STYLE_API, false);
}
