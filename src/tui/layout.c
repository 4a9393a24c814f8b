/* Screen layout: which terminal rows hold the header, the diagram, the explanation, the
 * status bar and the footer, and which event sits at the top of the diagram. Pure
 * arithmetic, tested without a terminal. Small terminals lose the footer, then the
 * explanation, before the arrows. */
#include "sockscope/tui.h"

static void compute(struct tui_layout *l, int rows, int cols, int header_rows, bool present)
{
    *l = (struct tui_layout){.rows = rows, .cols = cols, .explain_y = -1, .footer_y = -1};
    if (cols < TUI_MIN_COLS || rows < TUI_MIN_ROWS) {
        l->too_small = true;
        return;
    }
    /* the header gives up its last line (the states) before the diagram gets too short */
    if (header_rows > rows - 5) header_rows = rows - 5;
    if (header_rows < 2) header_rows = 2;
    int y = rows;
    bool footer = rows >= 12, explain = present || rows >= 10;
    if (footer) l->footer_y = --y;
    l->status_y = --y;
    if (explain) {
        l->explain_rows = rows >= 20 ? 2 : 1;
        y -= l->explain_rows;
        l->explain_y = y;
    }
    l->header_y = 0;
    l->header_rows = header_rows;
    l->body_y = header_rows;
    l->body_rows = y - header_rows;
    if (l->body_rows < 2) l->too_small = true;
}

void tui_layout_compute(struct tui_layout *l, int rows, int cols, int header_rows)
{
    compute(l, rows, cols, header_rows, false);
}

void tui_layout_compute_present(struct tui_layout *l, int rows, int cols, int header_rows)
{
    compute(l, rows, cols, header_rows, true);
}

uint32_t tui_layout_top(uint32_t top, uint32_t selected, uint32_t shown, int body_rows,
                        tui_height_fn height, void *ctx)
{
    if (shown == 0 || body_rows <= 0) return 0;
    if (selected >= shown) selected = shown - 1;
    if (top > selected) top = selected;
    /* Walk back from the selection at most a screenful: the lowest top that still shows it. */
    int used = height(ctx, selected);
    uint32_t lowest = selected;
    while (lowest > 0) {
        int h = height(ctx, lowest - 1);
        if (used + h > body_rows) break;
        used += h;
        lowest--;
    }
    if (top < lowest) top = lowest;
    /* Fill the body: with blank rows under the last shown event, pull earlier ones in. */
    used = 0;
    for (uint32_t i = top; i < shown && used <= body_rows; i++)
        used += height(ctx, i);
    while (top > 0 && used < body_rows) {
        int h = height(ctx, top - 1);
        if (used + h > body_rows) break;
        used += h;
        top--;
    }
    return top;
}
