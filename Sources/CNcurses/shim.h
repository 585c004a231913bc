#ifndef WORKBENCH_CNCURSES_SHIM_H
#define WORKBENCH_CNCURSES_SHIM_H
// The wide-character API of ncurses sits behind these two switches.
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <ncursesw/curses.h>

// Swift 6 cannot import these globals/macros as they are: wrap them.
static inline WINDOW *wb_stdscr(void) { return stdscr; }
static inline int wb_lines(void) { return LINES; }
static inline int wb_cols(void) { return COLS; }
static inline attr_t wb_a_bold(void) { return A_BOLD; }
static inline attr_t wb_a_reverse(void) { return A_REVERSE; }
static inline attr_t wb_a_dim(void) { return A_DIM; }
static inline attr_t wb_a_underline(void) { return A_UNDERLINE; }
static inline int wb_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int wb_key_f(int n) { return KEY_F(n); }
#endif
