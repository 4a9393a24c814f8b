/* The terminal layer, the only file that talks to ncurses: start and restore the terminal
 * (on quit, on error, on SIGINT/SIGTERM, at exit), colour roles per theme, keys, and view
 * rows painted cell by cell with wide characters — never ACS line glyphs. */
#define NCURSES_WIDECHAR 1
#include <poll.h>
#include <curses.h>

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "tui_internal.h"

struct term {
    SCREEN *screen;
    FILE *out, *in;
    bool open, ascii, headless, atexit_done;
    bool colour_started;      /* start_color once per screen: a theme change only pairs again */
    int mouse_y, mouse_x;     /* where the last mouse key happened */
    int told_rows, told_cols; /* what the terminal last reported, when it was clamped */
    bool clamped;
    attr_t attr[TUI_ROLE_COUNT];
    short pair[TUI_ROLE_COUNT];
};

static struct term term;
static volatile sig_atomic_t signalled;
static volatile sig_atomic_t resized; /* SIGWINCH came: read the size before the next key */

/* ncurses keeps its sizes in shorts and crashes on a terminal that reports 40,000 rows
 * (stty rows 40000): sockscope reads the size itself and never passes on more than this. */
#define TERM_MAX_ROWS 1000
#define TERM_MAX_COLS VIEW_MAX_WIDTH

static void on_winch(int sig)
{
    (void)sig;
    resized = 1;
}

/* The size to give ncurses for what the terminal reports; notes when it had to be cut. */
static void clamp_size(int rows, int cols, int *out_rows, int *out_cols)
{
    term.clamped = rows > TERM_MAX_ROWS || cols > TERM_MAX_COLS;
    term.told_rows = rows;
    term.told_cols = cols;
    *out_rows = rows > TERM_MAX_ROWS ? TERM_MAX_ROWS : rows < 1 ? 1 : rows;
    *out_cols = cols > TERM_MAX_COLS ? TERM_MAX_COLS : cols < 1 ? 1 : cols;
}

/* The terminal's size by ioctl; false where it cannot say (not a terminal). */
static bool window_size(int fd, int *rows, int *cols)
{
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || !ws.ws_row || !ws.ws_col) return false;
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return true;
}

bool tui_term_clamped(int *rows, int *cols)
{
    *rows = term.told_rows;
    *cols = term.told_cols;
    return term.clamped;
}

/* Colour per role: foreground, background (-1: the terminal's own), attributes. */
struct role_style {
    short fg, bg;
    attr_t attr;
};

static const struct role_style dark[TUI_ROLE_COUNT] = {
    [STYLE_PLAIN] = {-1, -1, 0},
    [STYLE_DIM] = {-1, -1, A_DIM},
    [STYLE_HEADER] = {-1, -1, A_BOLD},
    [STYLE_TIME] = {-1, -1, A_DIM},
    [STYLE_SYN] = {COLOR_GREEN, -1, 0},
    [STYLE_SYNACK] = {COLOR_GREEN, -1, A_BOLD},
    [STYLE_ACK] = {-1, -1, 0},
    [STYLE_DATA] = {COLOR_CYAN, -1, A_BOLD},
    [STYLE_FIN] = {COLOR_YELLOW, -1, 0},
    [STYLE_RST] = {COLOR_RED, -1, A_BOLD},
    [STYLE_UDP] = {COLOR_MAGENTA, -1, 0},
    [STYLE_ICMP] = {COLOR_MAGENTA, -1, A_BOLD},
    [STYLE_MARK] = {COLOR_RED, -1, 0},
    [STYLE_STATE] = {COLOR_BLUE, -1, A_BOLD},
    [STYLE_NOTE] = {-1, -1, A_DIM},
    [STYLE_API] = {COLOR_YELLOW, -1, A_BOLD},
    [TUI_ROLE_BAR] = {COLOR_BLACK, COLOR_CYAN, 0},
    [TUI_ROLE_BAR_KEY] = {COLOR_WHITE, COLOR_BLUE, A_BOLD},
    [TUI_ROLE_FOOTER] = {COLOR_BLACK, COLOR_CYAN, 0},
    [TUI_ROLE_EXPLAIN] = {COLOR_YELLOW, -1, A_BOLD},
    [TUI_ROLE_MESSAGE] = {COLOR_WHITE, COLOR_RED, A_BOLD},
    [TUI_ROLE_SELECT] = {-1, -1, A_REVERSE},
    [TUI_ROLE_TITLE] = {-1, -1, A_BOLD | A_UNDERLINE},
};

/* Light backgrounds: no yellow or cyan text, which vanishes on white. */
static const struct role_style light[TUI_ROLE_COUNT] = {
    [STYLE_PLAIN] = {-1, -1, 0},
    [STYLE_DIM] = {-1, -1, A_DIM},
    [STYLE_HEADER] = {-1, -1, A_BOLD},
    [STYLE_TIME] = {-1, -1, A_DIM},
    [STYLE_SYN] = {COLOR_GREEN, -1, 0},
    [STYLE_SYNACK] = {COLOR_GREEN, -1, A_BOLD},
    [STYLE_ACK] = {-1, -1, 0},
    [STYLE_DATA] = {COLOR_BLUE, -1, A_BOLD},
    [STYLE_FIN] = {COLOR_MAGENTA, -1, 0},
    [STYLE_RST] = {COLOR_RED, -1, A_BOLD},
    [STYLE_UDP] = {COLOR_MAGENTA, -1, 0},
    [STYLE_ICMP] = {COLOR_MAGENTA, -1, A_BOLD},
    [STYLE_MARK] = {COLOR_RED, -1, 0},
    [STYLE_STATE] = {COLOR_BLUE, -1, A_BOLD},
    [STYLE_NOTE] = {-1, -1, A_DIM},
    [STYLE_API] = {COLOR_RED, -1, 0},
    [TUI_ROLE_BAR] = {COLOR_WHITE, COLOR_BLUE, 0},
    [TUI_ROLE_BAR_KEY] = {COLOR_BLACK, COLOR_WHITE, A_BOLD},
    [TUI_ROLE_FOOTER] = {COLOR_WHITE, COLOR_BLUE, 0},
    [TUI_ROLE_EXPLAIN] = {COLOR_BLUE, -1, A_BOLD},
    [TUI_ROLE_MESSAGE] = {COLOR_WHITE, COLOR_RED, A_BOLD},
    [TUI_ROLE_SELECT] = {-1, -1, A_REVERSE},
    [TUI_ROLE_TITLE] = {-1, -1, A_BOLD | A_UNDERLINE},
};

/* Washed-out projectors: everything bold, saturated colours on black, nothing dim. */
static const struct role_style projector[TUI_ROLE_COUNT] = {
    [STYLE_PLAIN] = {COLOR_WHITE, COLOR_BLACK, A_BOLD},
    [STYLE_DIM] = {COLOR_WHITE, COLOR_BLACK, 0},
    [STYLE_HEADER] = {COLOR_WHITE, COLOR_BLACK, A_BOLD},
    [STYLE_TIME] = {COLOR_WHITE, COLOR_BLACK, 0},
    [STYLE_SYN] = {COLOR_GREEN, COLOR_BLACK, A_BOLD},
    [STYLE_SYNACK] = {COLOR_GREEN, COLOR_BLACK, A_BOLD},
    [STYLE_ACK] = {COLOR_WHITE, COLOR_BLACK, A_BOLD},
    [STYLE_DATA] = {COLOR_CYAN, COLOR_BLACK, A_BOLD},
    [STYLE_FIN] = {COLOR_YELLOW, COLOR_BLACK, A_BOLD},
    [STYLE_RST] = {COLOR_RED, COLOR_BLACK, A_BOLD},
    [STYLE_UDP] = {COLOR_MAGENTA, COLOR_BLACK, A_BOLD},
    [STYLE_ICMP] = {COLOR_MAGENTA, COLOR_BLACK, A_BOLD},
    [STYLE_MARK] = {COLOR_RED, COLOR_BLACK, A_BOLD},
    [STYLE_STATE] = {COLOR_YELLOW, COLOR_BLACK, A_BOLD},
    [STYLE_NOTE] = {COLOR_WHITE, COLOR_BLACK, 0},
    [STYLE_API] = {COLOR_YELLOW, COLOR_BLACK, A_BOLD},
    [TUI_ROLE_BAR] = {COLOR_BLACK, COLOR_WHITE, A_BOLD},
    [TUI_ROLE_BAR_KEY] = {COLOR_BLACK, COLOR_YELLOW, A_BOLD},
    [TUI_ROLE_FOOTER] = {COLOR_BLACK, COLOR_WHITE, A_BOLD},
    [TUI_ROLE_EXPLAIN] = {COLOR_YELLOW, COLOR_BLACK, A_BOLD},
    [TUI_ROLE_MESSAGE] = {COLOR_WHITE, COLOR_RED, A_BOLD},
    [TUI_ROLE_SELECT] = {COLOR_BLACK, COLOR_YELLOW, A_BOLD},
    [TUI_ROLE_TITLE] = {COLOR_YELLOW, COLOR_BLACK, A_BOLD | A_UNDERLINE},
};

/* No colour at all (NO_COLOR, monochrome terminals): attributes carry the meaning. */
static const attr_t mono[TUI_ROLE_COUNT] = {
    [STYLE_DIM] = A_DIM,           [STYLE_HEADER] = A_BOLD,
    [STYLE_TIME] = A_DIM,          [STYLE_SYNACK] = A_BOLD,
    [STYLE_DATA] = A_BOLD,         [STYLE_RST] = A_BOLD,
    [STYLE_ICMP] = A_BOLD,         [STYLE_MARK] = A_UNDERLINE,
    [STYLE_STATE] = A_BOLD,        [STYLE_NOTE] = A_DIM,
    [STYLE_API] = A_BOLD,          [TUI_ROLE_BAR] = A_REVERSE,
    [TUI_ROLE_BAR_KEY] = A_BOLD,   [TUI_ROLE_FOOTER] = A_REVERSE,
    [TUI_ROLE_EXPLAIN] = A_BOLD,   [TUI_ROLE_MESSAGE] = A_REVERSE | A_BOLD,
    [TUI_ROLE_SELECT] = A_REVERSE, [TUI_ROLE_TITLE] = A_BOLD | A_UNDERLINE,
};

static void set_roles(enum tui_theme theme)
{
    const struct role_style *t = theme == TUI_THEME_LIGHT       ? light
                                 : theme == TUI_THEME_PROJECTOR ? projector
                                                                : dark;
    bool colour =
        theme != TUI_THEME_MONO && has_colors() && (term.colour_started || start_color() == OK);
    /* when refused, pairs with -1 fail and fall back to mono */
    if (colour && !term.colour_started) use_default_colors();
    term.colour_started = term.colour_started || colour;
    for (int i = 0; i < TUI_ROLE_COUNT; i++) {
        term.pair[i] = 0;
        term.attr[i] = mono[i];
        if (!colour) continue;
        term.attr[i] = t[i].attr;
        if (t[i].fg >= 0 || t[i].bg >= 0) {
            if (init_pair((short)(i + 1), t[i].fg, t[i].bg) == OK)
                term.pair[i] = (short)(i + 1);
            else
                term.attr[i] = mono[i];
        }
    }
}

static void on_signal(int sig)
{
    signalled = sig;
}

/* A crash must not leave the terminal raw: restore it, then die of the same signal. */
static void on_crash(int sig)
{
    if (term.open) endwin();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void at_exit(void)
{
    tui_term_close();
}

static bool locale_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
}

static SCREEN *headless_screen(char *err, size_t errlen)
{
    term.out = fopen("/dev/null", "w");
    term.in = fopen("/dev/null", "r");
    if (!term.out || !term.in) {
        snprintf(err, errlen, "/dev/null: %s", strerror(errno));
        return NULL;
    }
    /* the terminal type does not matter where nobody looks; pick one terminfo surely has */
    static const char *const types[] = {"xterm-256color", "xterm", "vt100", "ansi"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        SCREEN *s = newterm(types[i], term.out, term.in);
        if (s) return s;
    }
    snprintf(err, errlen, "no terminfo entry for a headless terminal (xterm, vt100)");
    return NULL;
}

static SCREEN *tty_screen(char *err, size_t errlen)
{
    const char *type = getenv("TERM");
    if (!type || !*type) {
        snprintf(err, errlen, "TERM is not set: the screen needs to know the terminal type");
        return NULL;
    }
    FILE *out = stdout, *in = stdin;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        /* output or input redirected: draw on the controlling terminal, as less and htop do */
        term.out = fopen("/dev/tty", "w");
        term.in = fopen("/dev/tty", "r");
        if (!term.out || !term.in) {
            snprintf(err, errlen,
                     "no terminal to draw on (/dev/tty: %s); use 'sockscope trace' "
                     "for text output",
                     strerror(errno));
            return NULL;
        }
        out = term.out, in = term.in;
    }
    /* Resizes come to sockscope, not to ncurses (which installs its own handler only where
     * SIGWINCH has none), so that the size is clamped before ncurses sees it; a size too big
     * already at the start reaches ncurses clamped through LINES and COLUMNS. */
    struct sigaction sa = {.sa_handler = on_winch};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGWINCH, &sa, NULL);
    resized = 0;
    int rows, cols, r, c;
    bool set_env = false;
    if (window_size(fileno(out), &rows, &cols)) {
        clamp_size(rows, cols, &r, &c);
        if (term.clamped && !getenv("LINES") && !getenv("COLUMNS")) {
            char v[16];
            snprintf(v, sizeof v, "%d", r);
            setenv("LINES", v, 1);
            snprintf(v, sizeof v, "%d", c);
            setenv("COLUMNS", v, 1);
            set_env = true;
        }
    }
    SCREEN *s = newterm(NULL, out, in);
    if (set_env) {
        unsetenv("LINES");
        unsetenv("COLUMNS");
    }
    return s;
}

/* The sequences terminals send for these keys whatever terminfo says (TERM=xterm-256color
 * inside tmux, or screen, rxvt, the Linux console, VT220 keypads): taken as the keys they
 * are, as htop does, instead of arriving as "~" and stray letters. */
static void common_key_sequences(void)
{
    static const struct {
        const char *seq;
        int key;
    } keys[] = {
        {"\033[H", KEY_HOME},   {"\033OH", KEY_HOME}, {"\033[1~", KEY_HOME},
        {"\033[7~", KEY_HOME},  {"\033[F", KEY_END},  {"\033OF", KEY_END},
        {"\033[4~", KEY_END},   {"\033[8~", KEY_END}, {"\033[5~", KEY_PPAGE},
        {"\033[6~", KEY_NPAGE}, {"\033[A", KEY_UP},   {"\033OA", KEY_UP},
        {"\033[B", KEY_DOWN},   {"\033OB", KEY_DOWN}, {"\033[C", KEY_RIGHT},
        {"\033OC", KEY_RIGHT},  {"\033[D", KEY_LEFT}, {"\033OD", KEY_LEFT},
        {"\033[3~", KEY_DC},    {"\033[Z", KEY_BTAB},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (key_defined(keys[i].seq) <= 0) define_key(keys[i].seq, keys[i].key);
}

int tui_term_open(const struct tui_term_options *o, char *err, size_t errlen)
{
    memset(&term, 0, sizeof term);
    signalled = 0;
    term.headless = o->headless;
    term.ascii = o->ascii || !locale_utf8();
    term.screen = o->headless ? headless_screen(err, errlen) : tty_screen(err, errlen);
    if (!term.screen) {
        if (!err[0]) snprintf(err, errlen, "cannot start the terminal (TERM=%s)", getenv("TERM"));
        if (term.out) fclose(term.out);
        if (term.in) fclose(term.in);
        term.out = term.in = NULL;
        return STATUS_E_RUNTIME;
    }
    term.open = true;
    set_term(term.screen);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    common_key_sequences();
    intrflush(stdscr, FALSE);
    curs_set(0);
    set_escdelay(25);
    set_roles(o->theme);
    /* clicks and the wheel; a terminal without a mouse just never sends them */
    if (o->mouse && !o->headless) {
        mouseinterval(0);
        mmask_t want = BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED;
#ifdef BUTTON5_PRESSED
        want |= BUTTON5_PRESSED;
#endif
        mousemask(want, NULL);
    }

    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_UNDEFINED__)
    /* under the sanitizers their own reports matter more than a tidy terminal */
    signal(SIGSEGV, on_crash);
    /* SIGBUS may belong to capture's guard already (a mapped file that shrinks): it calls
     * whatever it replaced for faults not its own, so only an unowned SIGBUS is taken here */
    struct sigaction bus;
    if (sigaction(SIGBUS, NULL, &bus) == 0 && !(bus.sa_flags & SA_SIGINFO) &&
        bus.sa_handler == SIG_DFL)
        signal(SIGBUS, on_crash);
    signal(SIGFPE, on_crash);
    signal(SIGABRT, on_crash);
#else
    (void)on_crash;
#endif
    /* SIGTSTP (Ctrl-Z) and SIGWINCH: ncurses' own handlers restore the terminal before the
     * stop, set it up again on resume, and turn a resize into KEY_RESIZE. */
    static bool registered;
    if (!registered && atexit(at_exit) == 0) registered = true;
    return STATUS_OK;
}

void tui_term_close(void)
{
    if (!term.open) return;
    term.open = false;
    endwin();
    delscreen(term.screen);
    term.screen = NULL;
    if (term.out) fclose(term.out);
    if (term.in) fclose(term.in);
    term.out = term.in = NULL;
    struct sigaction sa = {.sa_handler = SIG_DFL};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGWINCH, &sa, NULL);
}

bool tui_term_ascii(void)
{
    return term.ascii;
}

void tui_term_set_theme(enum tui_theme theme)
{
    if (term.open) set_roles(theme);
}

void tui_term_size(int *rows, int *cols)
{
    getmaxyx(stdscr, *rows, *cols);
}

static int mouse_key(void)
{
    MEVENT ev;
    if (getmouse(&ev) != OK) return TUI_KEY_NONE;
    term.mouse_y = ev.y;
    term.mouse_x = ev.x;
    if (ev.bstate & BUTTON4_PRESSED) return TUI_KEY_WHEEL_UP;
#ifdef BUTTON5_PRESSED
    if (ev.bstate & BUTTON5_PRESSED) return TUI_KEY_WHEEL_DOWN;
#endif
    if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) return TUI_KEY_CLICK;
    return TUI_KEY_NONE;
}

static int translate(int ch)
{
    switch (ch) {
    case KEY_UP:
        return TUI_KEY_UP;
    case KEY_DOWN:
        return TUI_KEY_DOWN;
    case KEY_LEFT:
        return TUI_KEY_LEFT;
    case KEY_RIGHT:
        return TUI_KEY_RIGHT;
    case KEY_PPAGE:
        return TUI_KEY_PGUP;
    case KEY_NPAGE:
        return TUI_KEY_PGDN;
    case KEY_HOME:
    case KEY_FIND:
        return TUI_KEY_HOME;
    case KEY_END:
    case KEY_SELECT:
        return TUI_KEY_END;
    case KEY_ENTER:
        return TUI_KEY_ENTER;
    case KEY_RESIZE:
        return TUI_KEY_RESIZE;
    case KEY_BACKSPACE:
        return TUI_KEY_BACKSPACE;
    case KEY_BTAB:
        return TUI_KEY_BTAB;
    case KEY_SLEFT:
        return TUI_KEY_SLEFT;
    case KEY_SRIGHT:
        return TUI_KEY_SRIGHT;
    case KEY_MOUSE:
        return mouse_key();
    default:
        return TUI_KEY_NONE;
    }
}

static int read_key(void);

int tui_term_key(int timeout_ms)
{
    return tui_term_key_or_wake(timeout_ms, -1);
}

int tui_term_key_or_wake(int timeout_ms, int wake_fd)
{
    if (signalled) return TUI_KEY_SIGNAL;
    if (term.headless) return TUI_KEY_NONE;
    if (resized) {
        resized = 0;
        int rows, cols;
        if (window_size(fileno(term.out ? term.out : stdout), &rows, &cols)) {
            tui_term_resize(rows, cols);
            return TUI_KEY_RESIZE;
        }
    }
    if (wake_fd >= 0) {
        /* a key ncurses has already read ahead comes first; then wait for either */
        timeout(0);
        int key = read_key();
        if (key != TUI_KEY_NONE) return key;
        struct pollfd p[2] = {{.fd = STDIN_FILENO, .events = POLLIN},
                              {.fd = wake_fd, .events = POLLIN}};
        int rc = poll(p, 2, timeout_ms < 0 || timeout_ms > 200 ? 200 : timeout_ms);
        if (signalled) return TUI_KEY_SIGNAL;
        if (rc > 0 && (p[1].revents & POLLIN) && !(p[0].revents & POLLIN)) return TUI_KEY_WAKE;
        if (rc <= 0) return TUI_KEY_NONE;
        return read_key(); /* the first byte is there; ncurses waits ESCDELAY for the rest */
    }
    /* wake at least every 200 ms, so a signal is noticed even if getch goes back to sleep */
    timeout(timeout_ms < 0 || timeout_ms > 200 ? 200 : timeout_ms);
    return read_key();
}

static int read_key(void)
{
    wint_t wc;
    int rc = get_wch(&wc);
    if (signalled) return TUI_KEY_SIGNAL;
    if (rc == ERR) return TUI_KEY_NONE;
    if (rc == KEY_CODE_YES) return translate((int)wc);
    if (wc == '\r' || wc == '\n') return TUI_KEY_ENTER;
    if (wc == 27) return TUI_KEY_ESC;
    if (wc == 127 || wc == 8) return TUI_KEY_BACKSPACE;
    return (int)wc;
}

void tui_term_resize(int rows, int cols)
{
    int r, c;
    clamp_size(rows, cols, &r, &c);
    resizeterm(r, c);
}

void tui_term_mouse(int *y, int *x)
{
    *y = term.mouse_y;
    *x = term.mouse_x;
}

void tui_term_set_mouse(int y, int x)
{
    term.mouse_y = y;
    term.mouse_x = x;
}

void tui_term_erase(void)
{
    erase();
}

static void put_cell(int y, int x, uint32_t ch, int role, attr_t extra)
{
    wchar_t w[2] = {(wchar_t)ch, 0};
    if (ch < 0x20 || ch == 0x7f)
        w[0] = '?'; /* view rows hold printable text only; never let a control byte through */
    cchar_t cc;
    setcchar(&cc, w, term.attr[role] | extra, term.pair[role], NULL);
    mvadd_wch(y, x, &cc);
}

void tui_term_row(int y, const struct view_row *r, bool selected)
{
    tui_term_row_panned(y, r, selected, 0, 0);
}

void tui_term_row_panned(int y, const struct view_row *r, bool selected, int keep, int offset)
{
    int cols = COLS;
    attr_t extra = selected ? A_REVERSE : 0;
    for (int x = 0; x < cols; x++) {
        int from = x < keep ? x : x + offset;
        struct cell c =
            from >= 0 && from < r->width ? r->cells[from] : (struct cell){' ', STYLE_PLAIN};
        put_cell(y, x, c.ch, c.style < STYLE_COUNT ? c.style : STYLE_PLAIN, extra);
    }
}

int tui_term_text(int y, int x, const char *text, int role, int max_cols)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    int used = 0;
    const char *s = text;
    size_t left = strlen(text);
    while (left && used < max_cols && x + used < COLS) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, s, left, &st);
        if (n == (size_t)-1 || n == (size_t)-2) {
            wc = '?';
            n = 1;
            memset(&st, 0, sizeof st);
        }
        put_cell(y, x + used, (uint32_t)wc, role, 0);
        s += n;
        left -= n;
        used++;
    }
    return used;
}

void tui_term_fill(int y, int role)
{
    for (int x = 0; x < COLS; x++)
        put_cell(y, x, ' ', role, 0);
}

void tui_term_flush(void)
{
    refresh();
}

void tui_term_dump(FILE *out)
{
    for (int y = 0; y < LINES; y++) {
        char line[4 * 1024 + 8];
        size_t len = 0, keep = 0;
        for (int x = 0; x < COLS && len + MB_CUR_MAX < sizeof line; x++) {
            cchar_t cc;
            wchar_t w[CCHARW_MAX + 1];
            attr_t at;
            short pair;
            if (mvin_wch(y, x, &cc) == ERR || getcchar(&cc, w, &at, &pair, NULL) == ERR) w[0] = ' ';
            mbstate_t st;
            memset(&st, 0, sizeof st);
            size_t n = wcrtomb(line + len, w[0] ? w[0] : L' ', &st);
            if (n == (size_t)-1) {
                line[len] = '?';
                n = 1;
            }
            len += n;
            if (w[0] != ' ' && w[0]) keep = len;
        }
        fwrite(line, 1, keep, out);
        fputc('\n', out);
    }
}
