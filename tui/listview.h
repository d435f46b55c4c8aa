/* The one list view. A list screen is a spec (its rows, its columns, its
 * sorts and filters) and its keys; the view owns the cursor, scrolling,
 * the window of rows held, search, the sort and filter in force (kept per
 * screen while the workstation is open), fitting the columns to the width,
 * the header and the empty-list message.
 *
 * Two ways to feed a view:
 *   - load_all: the screen hands every row once (a worklist of a screen or
 *     two); the view filters and sorts them in memory;
 *   - load: the view asks for a window of rows (from, count) and is told
 *     the total; only the rows on screen and a page either side are held.
 *
 * The pure parts (lv_window_want, lv_search, lv_sort, lv_fit) need no
 * curses and are tested in tests/test_listview.c. */
#ifndef BK_TUI_LISTVIEW_H
#define BK_TUI_LISTVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/tui.h"

/* ---- columns ---- */
enum lv_kind {
	LV_TEXT,  /* names, statuses, notes: take the width there is, cut with '~' */
	LV_FIXED, /* ids, case references, money, dates, counts: never cut */
	LV_RAG,   /* the RAG block (3 columns) */
};

/* What a cell function fills: the text (width is what the column has: a
 * date can pick its long form when wide), and optionally a look or a RAG. */
struct lv_cell {
	char *buf;
	size_t len;
	int width;
	enum tui_look look; /* LOOK_NORMAL: the row's own */
	enum rag rag;       /* LV_RAG columns */
};
typedef void (*lv_cell_fn)(void *ud, const void *row, struct lv_cell *c);

struct lv_column {
	const char *label;
	int narrow, wide; /* fixed: the width in narrow and wide form; text: least and wanted */
	enum lv_kind kind;
	bool right;
	int flex;       /* text: its share of the spare width (0: none) */
	int hide_below; /* shown only when the screen is at least this wide; 0: always */
	lv_cell_fn cell;
	const char *short_label; /* text columns: the label when the column is narrower than it; may be NULL */
	bool tight;              /* no gap before it (a flag beside the column before) */
};

/* Widths for the columns at a screen width: fixed columns keep their full
 * width (at least their label's and need[i], the widest cell shown; need
 * may be NULL), wide form when there is room; text
 * columns share what is left by flex. When even that does not fit, text
 * columns shrink (to 4) and then the rightmost columns are left out
 * (width 0), never cut. Columns 1 .. first-1 are left out too (scrolled
 * past; column 0 is frozen). Returns the width used, gaps included. */
int lv_fit(const struct lv_column *cols, int n, int width, int first, const int *need, int *w);

/* ---- sorts and filters ---- */
typedef int (*lv_cmp_fn)(const void *a, const void *b);
struct lv_sort {
	const char *name; /* "due first", "breached first", ... */
	lv_cmp_fn cmp;
};
/* Sort the indexes idx[0..n-1] of rows (size bytes each) stably by cmp. */
bool lv_sort(int *idx, int n, const void *rows, size_t size, lv_cmp_fn cmp);

#define LV_MAX_FILTERS 6
#define LV_MAX_CHOICES 40
struct lv_filter {
	const char *name; /* "status", "lot", ... */
	/* The choices; choice 0 is "any" (or the default). Returns how many. */
	int (*choices)(void *ud, char items[][80], int max);
};

/* ---- windows of rows ---- */
struct lv_window {
	char *rows;
	size_t size;
	int base, n, cap;
};
/* Do rows top .. top+visible-1 of total take in rows the window does not
 * hold? Then *from, *count say which to load (a page either side). */
bool lv_window_want(const struct lv_window *w, int top, int visible, int total, int *from, int *count);
/* Room for the next row of a load, zeroed; NULL when memory runs out. */
void *lv_window_put(struct lv_window *w);
const void *lv_window_row(const struct lv_window *w, int i);

/* ---- search ---- */
typedef bool (*lv_match_fn)(void *ud, int i);
/* The next row matching from start (itself included when from_here) in
 * direction dir (1 or -1), wrapping; -1 when none. *wrapped says it went
 * past an end. */
int lv_search(int n, int start, int dir, bool from_here, lv_match_fn match, void *ud, bool *wrapped);

/* ---- the spec and the view ---- */
struct lv_spec {
	size_t row_size;
	int64_t (*id)(const void *row);
	/* load_all: push every row with lv_push; false when it failed (message set). */
	bool (*load_all)(void *ud, struct lv_window *all);
	/* load: rows from .. from+count-1 into w (lv_window_put each), and the total. */
	bool (*load)(void *ud, int from, int count, struct lv_window *w, int *total);
	/* Does a row pass the filters (values: each filter's choice)? May be NULL. */
	bool (*keep)(void *ud, const void *row, const int *values);
	bool (*matches)(const void *row, const char *needle);
	/* A mark in the gutter: ' ' none, '*' changed since the user last looked. May be NULL. */
	char (*mark)(void *ud, const void *row);
	const struct lv_column *cols;
	int ncols;
	const struct lv_sort *sorts;
	int nsorts;
	int default_sort;
	const struct lv_filter *filters;
	int nfilters;
	const char *sort_title;   /* "Sort the waiting list by"; NULL: "Order the list by" */
	const char *filter_title; /* "Filter the waiting list by"; NULL: "Filter by" */
	const char *empty;        /* the empty list */
	const char *empty_hint;   /* a line under it, or NULL */
	bool filter_reloads;      /* load_all: a filter changes what is read (load again) */
	/* A line above the header ("since you last looked ..."); "" for none. May be NULL. */
	void (*banner)(void *ud, char *buf, size_t len);
};

struct listview {
	const struct lv_spec *spec;
	void *ud;
	enum screen_id sid;
	struct lv_window win; /* load: the window; load_all: every row */
	int *idx;             /* load_all: the rows kept, in order */
	int total;            /* rows of the list (after the filters) */
	int cursor, top;
	int sort;  /* index into spec->sorts */
	bool desc; /* that order reversed */
	int filter[LV_MAX_FILTERS];
	int hcol;       /* first column shown after the frozen one */
	int64_t marked; /* the row a reload found changed under the cursor: marked '>' */
	bool failed;
};

/* Start a view over spec for screen sid; the sort and filters come back as
 * the user left them on that screen while the workstation is open. */
void lv_init(struct listview *lv, const struct lv_spec *spec, void *ud, enum screen_id sid);
void lv_finish(struct listview *lv);
/* Load the rows again. follow: the cursor goes to the row with that id
 * (0: it stays on its screen line, the list keeps its scroll position).
 * When the row under the cursor came back changed (an action on it), it is
 * marked. */
bool lv_reload(struct listview *lv, int64_t follow);
/* Sort or filter again (in memory when load_all), the cursor at the top. */
void lv_set_sort(struct listview *lv, int sort, bool desc);
void lv_set_filter(struct listview *lv, int k, int value);
void lv_clear_filters(struct listview *lv);
/* The row under the cursor, or row i; NULL when none (loads its window). */
const void *lv_current(struct listview *lv);
const void *lv_row(struct listview *lv, int i);
int lv_find_id(struct listview *lv, int64_t id);

/* Screens built on the view keep a struct listview as the first member of
 * their state; these are their ops. */
void lv_draw(struct tui *t, struct screen *s, int y, int h);
int lv_rows(const struct screen *s);
bool lv_matches(const struct screen *s, int row, const char *needle);
/* Sync the screen's cursor and scroll into the view and back. */
void lv_from_screen(struct listview *lv, const struct screen *s);
void lv_to_screen(const struct listview *lv, struct screen *s);
/* Keys the view gives every list screen: choose a sort, a filter. */
void lv_choose_sort(struct tui *t, struct screen *s);
void lv_choose_filter(struct tui *t, struct screen *s);
void lv_sort_step(struct tui *t, struct screen *s, int dir);

/* "since you last looked": the time the user last closed the workstation on
 * this database (0: never), kept in $XDG_STATE_HOME/brokerage/; and the
 * time to remember when it closes. */
int64_t lv_last_looked(const char *db, const char *login);
void lv_remember_looked(const char *db, const char *login, int64_t now);
/* The workstation closes (app.c): the time is remembered for the user. */
void lv_session_end(struct tui *t);

/* ---- tables (reports) ---- */
/* A table of core's model (core/report.h: typed columns, further parts,
 * section and total rows, notes) on the list view. Every line of the page
 * (a part's title, its group names and headings, its rows, a rule before
 * its totals, its notes wrapped) is a row of the view, made at once for the
 * screen's width; the columns are fitted by lv_fit: numbers, money, dates
 * and counts fixed at their widest cell (never cut), text at its widest up
 * to 40 columns, the first column frozen while the others scroll
 * (lv.hcol); `/` searches the cells and notes; the data rows of a part can
 * be sorted by any of its columns. The screen's state starts with a
 * struct lv_table; s->cursor is the first line shown (a page, no cursor
 * row), and the headings of the part being read stay in view. */
struct bk_table;

struct lv_tpart {
	const struct bk_table *t;
	int n;                  /* columns (at most 64) */
	struct lv_column *cols; /* as lv_fit takes them */
	char **labels;          /* the wider line of each heading: what lv_fit measures */
	int *need;              /* the widest cell of each column, gap included */
	int *split;             /* where a heading breaks onto a second line, -1: it does not */
	int *order;             /* the table's rows in the order shown */
	bool groups, two_lines;
	int head_first, n_head; /* its heading lines */
	int maxoff;             /* the most columns scrolling right may skip */
};

struct lv_table {
	struct listview lv; /* first: the view's ops read it */
	struct lv_spec spec;
	const struct bk_table *table;
	struct lv_tpart *parts;
	int n_parts;
	char **notes; /* the wrapped note lines */
	int n_notes, cap_notes;
	int laid_cols; /* the width the lines were made for; 0: make them again */
	int max_head;
	int sort_part, sort_col; /* sort_col -1: the rows in core's order */
	bool sort_desc;
	bool ascii, failed;
};

/* Show table (the caller keeps it alive while shown) on lt for screen sid.
 * False when memory ran out. */
bool lv_table_init(struct lv_table *lt, const struct bk_table *table, enum screen_id sid, bool ascii);
/* A new run of the same report: the place and sort kept where they still fit. */
bool lv_table_set(struct lv_table *lt, const struct bk_table *table);
void lv_table_finish(struct lv_table *lt);
/* The screen's ops (s->st starts with a struct lv_table). */
void lv_table_draw(struct tui *t, struct screen *s, int y, int h);
bool lv_table_matches(const struct screen *s, int row, const char *needle);
/* "part 2 of 3, rows 1-40 of 120; columns 1, 2-6 of 12, Right: later": where
 * the page drawn from line top over h lines is. */
void lv_table_where(struct lv_table *lt, int top, int h, char *buf, size_t len);
/* Scroll the columns after the first one (dir -1 or 1); false when they
 * cannot go further that way. */
bool lv_table_hscroll(struct lv_table *lt, int top, int dir);
/* The part shown at line top; its column labels for a choice (at most max). */
int lv_table_part_at(const struct lv_table *lt, int top);
/* Sort the data rows of part by column col (the same column again:
 * reversed); -1: core's order. Between its sections and totals, which stay. */
void lv_table_sort(struct lv_table *lt, int part, int col);

#endif
