/* Keys by name: how the footer and the help spell a key ("Space", "→" or "Right", "^F"), and
 * the reverse for headless scripts. */
#include <string.h>

#include "tui_internal.h"

static const struct {
    int key;
    const char *name, *glyph;
} named[] = {
    {' ', "Space", "Space"},
    {TUI_KEY_UP, "Up", "↑"},
    {TUI_KEY_DOWN, "Down", "↓"},
    {TUI_KEY_LEFT, "Left", "←"},
    {TUI_KEY_RIGHT, "Right", "→"},
    {TUI_KEY_PGUP, "PgUp", "PgUp"},
    {TUI_KEY_PGDN, "PgDn", "PgDn"},
    {TUI_KEY_HOME, "Home", "Home"},
    {TUI_KEY_END, "End", "End"},
    {TUI_KEY_ENTER, "Enter", "Enter"},
    {TUI_KEY_ESC, "Esc", "Esc"},
    {TUI_KEY_TAB, "Tab", "Tab"},
    {TUI_KEY_BTAB, "S-Tab", "S-Tab"},
    {TUI_KEY_BACKSPACE, "Backspace", "Backspace"},
    {TUI_KEY_CLICK, "Click", "Click"},
    {TUI_KEY_WHEEL_UP, "WheelUp", "WheelUp"},
    {TUI_KEY_WHEEL_DOWN, "WheelDown", "WheelDown"},
    {TUI_KEY_SLEFT, "S-Left", "S-←"},
    {TUI_KEY_SRIGHT, "S-Right", "S-→"},
};

const char *tui_key_name(int key, bool ascii, char buf[8])
{
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (named[i].key == key) return ascii ? named[i].name : named[i].glyph;
    if (key > 0 && key < 0x20) {
        buf[0] = '^';
        buf[1] = (char)(key + '@');
        buf[2] = '\0';
    } else if (key > 0x20 && key < 0x7f) {
        buf[0] = (char)key;
        buf[1] = '\0';
    } else {
        buf[0] = '?';
        buf[1] = '\0';
    }
    return buf;
}

int tui_key_from_name(const char *name)
{
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (!strcmp(named[i].name, name)) return named[i].key;
    if (name[0] == '^' && name[1] >= '@' && name[1] <= '_' && !name[2]) return name[1] - '@';
    if (name[0] == '^' && name[1] >= 'a' && name[1] <= 'z' && !name[2]) return TUI_CTRL(name[1]);
    if (name[0] > 0x20 && name[0] < 0x7f && !name[1]) return name[0];
    return TUI_KEY_NONE;
}
