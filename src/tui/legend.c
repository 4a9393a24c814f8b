/* The legend (l): one line per kind of segment with its arrow drawn in its colour, and the
 * kind named in words, so it reads the same in the mono theme and on a grey projector. */
#include <string.h>

#include "tui_internal.h"

struct entry {
    enum style style;
    bool api; /* a mark on the lifeline instead of an arrow */
    const char *name;
};

static const struct entry entries[] = {
    {STYLE_SYN, false, "SYN       opens a connection"},
    {STYLE_SYNACK, false, "SYN+ACK   accepts it"},
    {STYLE_ACK, false, "ACK       acknowledges, no data"},
    {STYLE_DATA, false, "data      carries bytes (PSH+ACK len=N)"},
    {STYLE_FIN, false, "FIN       no more data from this side"},
    {STYLE_RST, false, "RST       aborts or refuses"},
    {STYLE_UDP, false, "UDP       one datagram"},
    {STYLE_ICMP, false, "ICMP      an error or echo"},
    {STYLE_MARK, false, "[marks]   retransmission, dup ACK..."},
    {STYLE_API, true, "API call  connect(), accept(), send()..."},
    {STYLE_STATE, true, "STATE     a TCP state change"},
};

#define N_ENTRIES ((int)(sizeof entries / sizeof entries[0]))
#define WIDTH 48

void tui_legend_draw(const struct tui_app *a)
{
    const struct tui_layout *l = &a->layout;
    int x = l->cols - WIDTH, y = l->body_y; /* to the edge: no state name shows through */
    if (x < 0) x = 0;
    int rows = N_ENTRIES + 1 < l->body_rows ? N_ENTRIES + 1 : l->body_rows;
    bool ascii = tui_term_ascii();
    char arrow[16], mark[8];
    /* the glyphs of the diagram: tail, shaft, head; the mark of an API call */
    snprintf(arrow, sizeof arrow, "%s", ascii ? "|-->" : "├──▶");
    snprintf(mark, sizeof mark, "%s", ascii ? "  * " : "  ● ");
    char blank[WIDTH + 1];
    memset(blank, ' ', WIDTH);
    blank[WIDTH] = '\0';
    for (int i = 0; i < rows; i++) {
        tui_term_text(y + i, x, blank, STYLE_PLAIN, WIDTH);
        if (i == 0) {
            tui_term_text(y, x + 1, "Legend (l closes)", TUI_ROLE_TITLE, WIDTH - 2);
            continue;
        }
        const struct entry *e = &entries[i - 1];
        int used = tui_term_text(y + i, x + 1, e->api ? mark : arrow,
                                 e->style == STYLE_STATE ? STYLE_DIM : (int)e->style, 4);
        tui_term_text(y + i, x + 2 + used, e->name, e->style, WIDTH - 3 - used);
    }
}
