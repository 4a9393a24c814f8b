/* The two glyph sets: Unicode box drawing for UTF-8 terminals and pure ASCII for the rest.
 * Never ACS: it turns into "qqqq" over PuTTY, mosh and some tmux setups. */
#include "sockscope/view.h"

static const uint32_t unicode_glyphs[GLYPH_COUNT] = {
    [GLYPH_VLINE] = 0x2502,      [GLYPH_HLINE] = 0x2500,     [GLYPH_HEAD_RIGHT] = 0x25B6,
    [GLYPH_HEAD_LEFT] = 0x25C0,  [GLYPH_TAIL_RIGHT] = 0x251C, [GLYPH_TAIL_LEFT] = 0x2524,
    [GLYPH_CROSS] = 0x253C,      [GLYPH_ELLIPSIS] = 0x2026,  [GLYPH_API] = 0x25CF,
};

static const uint32_t ascii_glyphs[GLYPH_COUNT] = {
    [GLYPH_VLINE] = '|',      [GLYPH_HLINE] = '-',      [GLYPH_HEAD_RIGHT] = '>',
    [GLYPH_HEAD_LEFT] = '<',  [GLYPH_TAIL_RIGHT] = '|', [GLYPH_TAIL_LEFT] = '|',
    [GLYPH_CROSS] = '+',      [GLYPH_ELLIPSIS] = '~',    [GLYPH_API] = '*',
};

uint32_t view_glyph(enum glyph g, bool ascii)
{
    return ascii ? ascii_glyphs[g] : unicode_glyphs[g];
}
