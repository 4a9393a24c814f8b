/* Row builders that every drawing of the diagram needs beyond single arrows: the header that
 * names the lifelines, notes, the time column. Shared so the TUI and the text exporter print
 * the same header and the same times. */
#include "sockscope/view.h"

#include <string.h>

static void blank_row(struct view_row *r, const struct view_geometry *g)
{
    r->width = g->width;
    for (int i = 0; i < r->width; i++)
        r->cells[i] = (struct cell){' ', STYLE_PLAIN};
}

void view_row_center(struct view_row *r, const struct view_geometry *g, int lane, const char *text,
                     enum style s)
{
    int n = 0;
    for (const char *c = text; *c; c++)
        n += ((unsigned char)*c & 0xC0) != 0x80;
    int x = g->x[lane] - n / 2;
    if (x < g->time_width) x = g->time_width;
    if (x + n > g->width) x = g->width - n;
    view_row_text(r, x, text, s);
}

int view_header_rows(struct view_row rows[VIEW_HEADER_MAX_ROWS], const struct view_geometry *g,
                     const struct lifelines *l, const char *time_title)
{
    char names[LIFELINES_MAX][80];
    bool stagger = false;
    int lanes = l->count < g->lanes ? l->count : g->lanes;
    for (int i = 0; i < lanes; i++) {
        endpoint_format(&l->ep[i], names[i], sizeof names[i]);
        if ((int)strlen(names[i]) >= g->pitch && g->lanes > 1) stagger = true;
    }
    blank_row(&rows[0], g);
    if (time_title) view_row_text(&rows[0], 1, time_title, STYLE_TIME);
    for (int i = 0; i < lanes; i++)
        if (l->ep[i].addr.family)
            view_row_center(&rows[0], g, i, l->role[i] == ROLE_SERVER ? "server" : "client",
                            STYLE_HEADER);
    int passes = stagger ? 2 : 1;
    for (int pass = 0; pass < passes; pass++) {
        blank_row(&rows[1 + pass], g);
        for (int i = 0; i < lanes; i++)
            if ((!stagger || i % 2 == pass) && l->ep[i].addr.family)
                view_row_center(&rows[1 + pass], g, i, names[i], STYLE_HEADER);
    }
    return 1 + passes;
}

void view_row_note(struct view_row *r, const struct view_geometry *g, const char *text)
{
    view_row_text(r, g->x[0] + 2, text, STYLE_NOTE);
}

int view_time_since(uint64_t ts, uint64_t base, char *buf, size_t size)
{
    bool negative = ts < base;
    uint64_t d = negative ? base - ts : ts - base;
    char tmp[32];
    int i = sizeof tmp;
    uint32_t us = (uint32_t)(d % 1000000000u / 1000u);
    for (int k = 0; k < 6; k++, us /= 10)
        tmp[--i] = (char)('0' + us % 10);
    tmp[--i] = '.';
    uint64_t sec = d / 1000000000u;
    do {
        tmp[--i] = (char)('0' + sec % 10);
        sec /= 10;
    } while (sec);
    if (negative) tmp[--i] = '-';
    size_t n = sizeof tmp - (size_t)i;
    if (size == 0) return (int)n;
    if (n >= size) n = size - 1;
    memcpy(buf, tmp + i, n);
    buf[n] = '\0';
    return (int)n;
}
