/* Drawing (draw.c): the looks, text that is always sanitised and measured
 * in display columns, cells, boxes, times for list columns, and pages of
 * text lines. */
#ifndef BK_TUI_DRAW_H
#define BK_TUI_DRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/workflow.h"

/* ---- RAG (core/workflow.h says what it means) ---- */
const char *rag_marker(enum rag r); /* "[R]", "[A]", "[G]", "   " */

/* ---- drawing (draw.c) ---- */
enum tui_look {
	LOOK_NORMAL,
	LOOK_BAR,
	LOOK_TAB,
	LOOK_TAB_CUR,
	LOOK_HEAD,
	LOOK_SELECT,
	LOOK_TITLE,
	LOOK_DIM,
	LOOK_RED,
	LOOK_AMBER,
	LOOK_GREEN,
	LOOK_ERROR,
	LOOK_OK,
	LOOK_KEY,
	LOOK_MATCH,
	LOOK_FIELD,
	LOOK_FIELD_CUR,
	LOOK_COUNT
};
void draw_init_colours(bool no_color);
void draw_set_ascii(bool ascii);
/* User text as it is drawn: escapes, controls and bidi overrides removed. */
void draw_clean(const char *in, char *out, size_t len);
int draw_attr(enum tui_look look);
enum tui_look draw_rag_look(enum rag r);
/* Display width of text (UTF-8 in a UTF-8 locale). */
int text_width(const char *s);
/* Copy s into out cut or padded to exactly width columns; right aligns.
 * Cut text ends with '~' so a reader knows. */
void text_fit(const char *s, int width, bool right, char *out, size_t outlen);
/* Draw text at y,x in at most width columns (padded when pad), always
 * sanitised first: user text can never move the cursor or clear. Returns
 * the columns used. */
int draw_text(int y, int x, int width, const char *text, int attr, bool pad);
/* Text fitted to exactly width columns as text_fit fits it (cut with '~',
 * right aligned when right), drawn in attr: a cell of a list. */
void draw_cell(int y, int x, int width, const char *text, bool right, int attr);
/* A list row's RAG in 3 columns: a coloured block with its letter, or
 * [R]/[A]/[G] in base without colour; blank in base when none. */
void draw_rag(int y, int x, enum rag r, int base);
/* A line of width columns filled with attr. */
void draw_fill(int y, int x, int width, int attr);
void draw_hline(int y, int x, int width, bool ascii);
void draw_box(int y, int x, int h, int w, bool ascii, int attr);

/* Money as the screen shows it ("£24.50", "GBP 24.50" in ASCII), in one of
 * eight buffers that take turns: for the arguments of one printf, not to
 * keep. */
const char *money_text(int64_t pence);

/* An instant in the configured zone, short enough for a list column. */
enum when_style {
	WHEN_NUMERIC, /* "02/03 10:00" */
	WHEN_SHORT,   /* "2 Mar 10:00" */
	WHEN_DAY,     /* "Mon 2 Mar 10:00" */
	WHEN_YEAR,    /* "2 Mar 26 10:00" */
};
void when_format(int64_t t, enum when_style style, char *buf, size_t len);

/* A page of text lines: details, help, command output. */
struct tline {
	char *text;
	enum tui_look look;
};
struct textview {
	struct tline *v;
	int n, cap;
};
void tv_clear(struct textview *tv);
void tv_add(struct textview *tv, enum tui_look look, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Add text wrapped at width columns; continuation lines are indented. */
void tv_add_wrapped(struct textview *tv, enum tui_look look, int width, int indent, const char *text);
/* The same of a formatted text (of any length). */
void tv_addf(struct textview *tv, enum tui_look look, int width, int indent, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void tv_draw(const struct textview *tv, int first, int y, int h, int hilite, int hscroll);
bool text_contains(const char *hay, const char *needle); /* case-insensitive */
/* Copy src (NULL: "") into dst of len bytes, cut on a character boundary. */
void str_copy(char *dst, size_t len, const char *src);
/* Text added at *off of buf (of len bytes), cut to fit; *off stays inside buf. */
void str_appendf(char *buf, size_t len, size_t *off, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
