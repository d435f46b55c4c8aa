/* The one pager: a page of text lines (a struct textview: the help, the
 * output of a command typed after ':', a referral's detail, the panes
 * beside a list) drawn, scrolled and searched the same way everywhere.
 * s->cursor is the first line shown, s->hilite the line a search found
 * (-1: none), s->hscroll the columns scrolled right (Left/Right). A
 * pane under a list is the list view's (lv_draw_pane). (tui/screen_text.c) */
#ifndef BK_TUI_PAGER_H
#define BK_TUI_PAGER_H

#include "tui/app.h"
#include "tui/draw.h"
#include "tui/keymap.h"

/* The page from s->cursor on, in rows y .. y+h-1 (kept in range first). */
void pager_draw(struct screen *s, const struct textview *tv, int y, int h);

/* The ops of a screen whose state begins with its struct textview: the
 * pager's, and the screen's open, draw (pager_draw_op, or its own for a
 * page built for the width, as the trend's), context line and more (may be NULL). */
void pager_draw_op(struct tui *t, struct screen *s, int y, int h);
int pager_rows(const struct screen *s);
bool pager_matches_op(const struct screen *s, int row, const char *needle);
void pager_close(struct screen *s); /* the page cleared, the state freed */
#define PAGER_SCREEN_OPS(sid, open_fn, draw_fn, context_fn, more_fn)                                   \
	{                                                                                              \
		.id = sid, .open = open_fn, .close = pager_close, .draw = draw_fn, .rows = pager_rows, \
		.matches = pager_matches_op, .context = context_fn, .more = more_fn                    \
	}

#endif
