/* Row builders that every drawing of the diagram needs beyond single arrows: the header that
 * names the lifelines, notes, the time column. Shared so the TUI and the text exporter print
 * the same header and the same times. */
#include "sockscope/view.h"

#include <stdio.h>
#include <string.h>

static void blank_row(struct view_row *r, const struct view_geometry *g)
{
    r->width = g->width;
    for (int i = 0; i < r->width; i++)
        r->cells[i] = (struct cell){' ', STYLE_PLAIN};
}

/* Where view_row_center would put text of n columns over lane i. */
static int centered_x(const struct view_geometry *g, int lane, int n)
{
    int x = g->x[lane] - n / 2;
    if (x < g->time_width) x = g->time_width;
    if (x + n > g->width) x = g->width - n;
    return x;
}

static int columns(const char *text)
{
    int n = 0;
    for (const char *c = text; *c; c++)
        n += ((unsigned char)*c & 0xC0) != 0x80;
    return n;
}

/* Centres text over lane i only if it lands on blank cells with a blank column on each side,
 * so two names never run into each other ("127.0.0.1:5127.0.0.1:52632"). */
static bool center_if_free(struct view_row *r, const struct view_geometry *g, int lane,
                           const char *text)
{
    int n = columns(text), x = centered_x(g, lane, n);
    if (x < 0 || x + n > r->width) return false;
    for (int c = x - 1; c <= x + n; c++)
        if (c >= 0 && c < r->width && r->cells[c].ch != ' ') return false;
    view_row_text(r, x, text, STYLE_HEADER);
    return true;
}

void view_row_center(struct view_row *r, const struct view_geometry *g, int lane, const char *text,
                     enum style s)
{
    view_row_text(r, centered_x(g, lane, columns(text)), text, s);
}

/* Each name on its row (alternate rows when staggered), else on the other row, else only its
 * port (":52632", the part that tells clients apart); a name that fits nowhere is left out
 * rather than overwriting another. True when every name stands whole. */
static bool place_names(struct view_row rows[VIEW_HEADER_MAX_ROWS], const struct view_geometry *g,
                        const struct lifelines *l, char names[][80], int lanes, int passes,
                        bool stagger)
{
    bool whole = true;
    for (int pass = 0; pass < passes; pass++)
        blank_row(&rows[1 + pass], g);
    for (int i = 0; i < lanes; i++) {
        if (!l->ep[i].addr.family) continue;
        int want = stagger || passes > 1 ? i % 2 : 0;
        char port[8];
        snprintf(port, sizeof port, ":%u", l->ep[i].port);
        const char *tries[] = {names[i], port};
        bool placed = false;
        for (int t = 0; t < 2 && !placed; t++) {
            for (int k = 0; k < passes && !placed; k++)
                placed = center_if_free(&rows[1 + (want + k) % passes], g, i, tries[t]);
            if (!placed) whole = false;
        }
    }
    return whole;
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
    /* the role, shortened when lifelines are too close for the word, left out when even one
     * letter would touch its neighbour's */
    for (int i = 0; i < lanes; i++) {
        if (!l->ep[i].addr.family) continue;
        bool server = l->role[i] == ROLE_SERVER;
        if (!center_if_free(&rows[0], g, i, server ? "server" : "client") &&
            !center_if_free(&rows[0], g, i, server ? "srv" : "cli"))
            center_if_free(&rows[0], g, i, server ? "s" : "c");
    }
    int passes = stagger ? 2 : 1;
    while (!place_names(rows, g, l, names, lanes, passes, stagger) && passes == 1)
        passes = 2; /* one name row was not enough for every whole name: stagger them */
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
