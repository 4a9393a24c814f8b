/* The line typed after '/' (search the diagram, or filter the flow list) and ':' (display
 * filter): a one-line editor in the status bar, with its slice of keys in front of the
 * screen's. Enter applies, Esc cancels, Backspace erases; the flow list's filter applies with
 * every key, so the list narrows as one types. */
#include <string.h>

#include "tui_internal.h"

static const char *prefix(enum tui_prompt_kind k)
{
    switch (k) {
    case TUI_PROMPT_SEARCH:
        return "/";
    case TUI_PROMPT_FILTER:
        return ":";
    case TUI_PROMPT_FLOWS:
        return "filter flows: ";
    default:
        return "";
    }
}

/* The flow list narrows as one types (it lists again when drawn); the other lines only
 * change the status bar. */
static unsigned live(struct tui_app *a)
{
    if (a->prompt != TUI_PROMPT_FLOWS) return TUI_REACT_BARS;
    snprintf(a->flows.filter, sizeof a->flows.filter, "%s", a->input);
    return TUI_REACT_SCREEN;
}

unsigned tui_prompt_start(struct tui_app *a, int kind)
{
    a->prompt = (enum tui_prompt_kind)kind;
    a->input[0] = '\0';
    if (kind == TUI_PROMPT_FILTER) snprintf(a->input, sizeof a->input, "%s", a->filter.text);
    if (kind == TUI_PROMPT_FLOWS) snprintf(a->input, sizeof a->input, "%s", a->flows.filter);
    snprintf(a->input_before, sizeof a->input_before, "%s", a->input);
    return TUI_REACT_BARS; /* the line replaces the status bar, its keys the footer */
}

static void put_utf8(char *s, size_t size, uint32_t c)
{
    size_t n = strlen(s);
    char b[4];
    size_t k;
    if (c < 0x80) {
        b[0] = (char)c;
        k = 1;
    } else if (c < 0x800) {
        b[0] = (char)(0xC0 | c >> 6);
        b[1] = (char)(0x80 | (c & 0x3F));
        k = 2;
    } else if (c < 0x10000) {
        b[0] = (char)(0xE0 | c >> 12);
        b[1] = (char)(0x80 | (c >> 6 & 0x3F));
        b[2] = (char)(0x80 | (c & 0x3F));
        k = 3;
    } else {
        b[0] = (char)(0xF0 | c >> 18);
        b[1] = (char)(0x80 | (c >> 12 & 0x3F));
        b[2] = (char)(0x80 | (c >> 6 & 0x3F));
        b[3] = (char)(0x80 | (c & 0x3F));
        k = 4;
    }
    if (n + k >= size) return;
    memcpy(s + n, b, k);
    s[n + k] = '\0';
}

unsigned tui_prompt_key(struct tui_app *a, int key)
{
    if (key < 0x20 || key == 0x7f || key >= 0x110000) return TUI_REACT_NONE;
    put_utf8(a->input, sizeof a->input, (uint32_t)key);
    return live(a);
}

static unsigned erase(struct tui_app *a, int arg)
{
    (void)arg;
    size_t n = strlen(a->input);
    while (n > 0 && ((unsigned char)a->input[n - 1] & 0xC0) == 0x80)
        n--;
    if (n > 0) n--;
    a->input[n] = '\0';
    return live(a);
}

static unsigned accept(struct tui_app *a, int arg)
{
    (void)arg;
    enum tui_prompt_kind k = a->prompt;
    char err[160];
    if (k == TUI_PROMPT_FILTER) {
        if (tui_filter_parse(&a->filter, a->input, err, sizeof err) != 0) {
            snprintf(a->message, sizeof a->message, "filter: %s", err);
            return TUI_REACT_BARS; /* stay in the prompt to fix it */
        }
        a->prompt = TUI_PROMPT_NONE;
        tui_scope_refilter(a);
        if (a->filter.count)
            snprintf(a->message, sizeof a->message, "%u events pass the filter", a->vis.count);
        return TUI_REACT_SCREEN;
    }
    a->prompt = TUI_PROMPT_NONE;
    if (k == TUI_PROMPT_SEARCH) {
        if (a->input[0]) snprintf(a->search, sizeof a->search, "%s", a->input);
        if (a->search[0]) tui_search_next(a, true);
    }
    return TUI_REACT_SCREEN;
}

static unsigned cancel(struct tui_app *a, int arg)
{
    (void)arg;
    unsigned r = TUI_REACT_BARS;
    if (a->prompt == TUI_PROMPT_FLOWS) {
        snprintf(a->input, sizeof a->input, "%s", a->input_before);
        r = live(a);
    }
    a->prompt = TUI_PROMPT_NONE;
    return r;
}

void tui_prompt_draw(const struct tui_app *a, int y)
{
    tui_term_fill(y, TUI_ROLE_BAR);
    int x = tui_term_text(y, 0, prefix(a->prompt), TUI_ROLE_BAR_KEY, a->layout.cols);
    x += tui_term_text(y, x, a->input, TUI_ROLE_BAR, a->layout.cols - x);
    tui_term_text(y, x, "_", TUI_ROLE_BAR_KEY, a->layout.cols - x);
    if (a->message[0]) {
        int n = (int)strlen(a->message) + 1;
        int mx = a->layout.cols - n < x + 3 ? x + 3 : a->layout.cols - n;
        if (mx < a->layout.cols) tui_term_text(y, mx, a->message, TUI_ROLE_MESSAGE, n);
    }
}

static const struct tui_action actions[] = {
    {{TUI_KEY_ENTER}, "Apply", "search, filter or keep the text typed", accept, 0},
    {{TUI_KEY_ESC}, "Cancel", "leave the line unchanged", cancel, 0},
    {{TUI_KEY_BACKSPACE}, "Erase", "erase the last character", erase, 0},
};

const struct tui_keys tui_keys_prompt = TUI_KEYS(actions, NULL);
