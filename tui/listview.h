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

#include "core/workflow.h"
#include "tui/app.h"
#include "tui/draw.h"
#include "tui/screens.h"

/* ---- fields: what a column, a search, a sort or a filter reads of a row
 * without a function of the screen's ---- */
enum lv_field_kind {
	LVF_NONE,        /* none: the cell function says */
	LVF_TEXT,        /* char[]: as it is */
	LVF_ID,          /* int64_t: the number; blank when 0 */
	LVF_INT,         /* int: the number (a lot, a rank, a count) */
	LVF_MONEY,       /* int64_t pence: "£24.50" ("GBP 24.50" in ASCII) */
	LVF_HOURS,       /* int minutes: "12.5"; "-" when below 0 (not kept) */
	LVF_INSTANT,     /* int64_t UTC seconds, in the zone: the longer form when the column is wide */
	LVF_STATUS,      /* enum wf_status, in words */
	LVF_SPOT_STATUS, /* enum wf_spot_status, in words */
	LVF_FLAG,        /* bool: "!" when set */
	LVF_YESNO,       /* bool: "yes" or "no" */
};
struct lv_field {
	enum lv_field_kind kind;
	size_t off; /* offsetof the row's struct */
	bool dash;  /* empty text, 0 or no time shows "-" */
};
#define LV_AT(kind, type, member)                         \
	{                                                 \
		LVF_##kind, offsetof(type, member), false \
	}
#define LV_AT_DASH(kind, type, member)                   \
	{                                                \
		LVF_##kind, offsetof(type, member), true \
	}

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
/* The text of a field of row as a column shows it in c->width columns (a
 * cell function's shape; ud is not read). */
void lv_cell_field(void *ud, const struct lv_field *f, const void *row, struct lv_cell *c);
/* A cell function that shows one field of the row: most columns need no
 * other. `LV_FIELD_CELL(cell_case, TEXT, struct wrow, case_ref);` The size
 * of the member is checked against the kind. */
#define LV_FIELD_CELL(fn, kind, type, member) LV_CELL_(fn, kind, type, member, false)
#define LV_FIELD_CELL_DASH(fn, kind, type, member) LV_CELL_(fn, kind, type, member, true)
#define LV_CELL_(fn, kind, type, member, dash)                                                 \
	static void fn(void *ud, const void *row, struct lv_cell *c)                           \
	{                                                                                      \
		static const struct lv_field f = { LVF_##kind, offsetof(type, member), dash }; \
		lv_cell_field(ud, &f, row, c);                                                 \
	}                                                                                      \
	_Static_assert(LVF_SIZE_##kind == 0 || sizeof(((type *)0)->member) == LVF_SIZE_##kind, #member)
#define LVF_SIZE_TEXT 0
#define LVF_SIZE_ID 8
#define LVF_SIZE_INT sizeof(int)
#define LVF_SIZE_MONEY 8
#define LVF_SIZE_HOURS sizeof(int)
#define LVF_SIZE_INSTANT 8
#define LVF_SIZE_STATUS sizeof(enum wf_status)
#define LVF_SIZE_SPOT_STATUS sizeof(enum wf_spot_status)
#define LVF_SIZE_FLAG sizeof(bool)
#define LVF_SIZE_YESNO sizeof(bool)

/* Widths for the columns at a screen width: fixed columns keep their full
 * width (at least their label's and need[i], the widest cell shown; need
 * may be NULL), wide form when there is room; text columns take up to
 * their wide width, or their widest cell shown (need[i]) when that is
 * less, and share what is left by flex. When even that does not fit, text
 * columns shrink (to 4) and then the rightmost columns are left out
 * (width 0), never cut. Columns 1 .. first-1 are left out too (scrolled
 * past; column 0 is frozen). Returns the width used, gaps included. */
int lv_fit(const struct lv_column *cols, int n, int width, int first, const int *need, int *w);

/* ---- sorts and filters ---- */
typedef int (*lv_cmp_fn)(const void *a, const void *b);
struct lv_sort {
	const char *name; /* "due first", "breached first", ... */
	lv_cmp_fn cmp;    /* NULL: by key */
	/* Without cmp: the rows in the order of this field (text and times:
	 * empty or none last; flags: set first; most_first: the largest
	 * number first), rows alike in the spec's default order. */
	struct lv_field key;
	bool most_first;
};
/* Sort the indexes idx[0..n-1] of rows (size bytes each) stably by cmp. */
bool lv_sort(int *idx, int n, const void *rows, size_t size, lv_cmp_fn cmp);
/* The same by a sort of a spec's: its cmp, or its key then tie. */
bool lv_sort_by(int *idx, int n, const void *rows, size_t size, const struct lv_sort *by, lv_cmp_fn tie);

#define LV_MAX_FILTERS 6
#define LV_MAX_CHOICES 40
/* How the view keeps a row for a filter's choice k (k 0 keeps every row). */
enum lv_rule {
	LVR_SCREEN,   /* the spec's keep decides */
	LVR_LOT,      /* an INT field: the number of the k-th configured lot */
	LVR_DISTRICT, /* a TEXT field: the name of the k-th configured district */
	LVR_VALUE,    /* an INT or status field: k - 1 */
	LVR_YES_NO,   /* a bool field: set for choice 1, not set for choice 2 */
};
struct lv_filter {
	const char *name; /* "status", "lot", ... */
	/* The choices; choice 0 is "any" (or the default). Returns how many.
	 * NULL: the words below, or for LVR_LOT, LVR_DISTRICT and a status
	 * field "any" and each lot, district or status. */
	int (*choices)(void *ud, char items[][80], int max);
	enum lv_rule rule;
	struct lv_field field;
	const char *const *words; /* the choices, NULL-terminated; may be NULL */
};

/* ---- windows of rows ---- */
struct lv_window {
	char *rows;
	size_t size;
	int base, n, cap;
	bool full; /* a row did not fit in memory: the list is incomplete */
};
/* Do rows top .. top+visible-1 of total take in rows the window does not
 * hold? Then *from, *count say which to load (a page either side). */
bool lv_window_want(const struct lv_window *w, int top, int visible, int total, int *from, int *count);
/* Room for the next row of a load, zeroed; NULL (and w->full) when memory
 * runs out: a load_all list then says it is incomplete. */
void *lv_window_put(struct lv_window *w);

/* ---- search ---- */
typedef bool (*lv_match_fn)(void *ud, int i);
/* The next row matching from start (itself included when from_here) in
 * direction dir (1 or -1), wrapping; -1 when none. *wrapped says it went
 * past an end. */
int lv_search(int n, int start, int dir, bool from_here, lv_match_fn match, void *ud, bool *wrapped);

/* A load that walks every row of the list (core hands them one by one) and
 * keeps those of the window from .. upto-1: lv_walk_put counts the row and
 * says where it goes, NULL when it is outside the window (or memory ran
 * out); n is then the total. */
struct lv_walk {
	struct lv_window *w;
	int from, upto, n;
};
void *lv_walk_put(struct lv_walk *k);

/* ---- the spec and the view ---- */
#define LV_MAX_SEARCH 4
struct lv_spec {
	size_t row_size;
	int64_t (*id)(const void *row); /* NULL: the key field */
	struct lv_field key;            /* an ID field that tells rows apart */
	/* The referral a row is about (an ID field; version may be LVF_NONE). */
	struct lv_field referral, version;
	/* load_all: every row, each into lv_window_put; false when it failed (message set). */
	bool (*load_all)(void *ud, struct lv_window *all);
	/* load: rows from .. from+count-1 into w (lv_window_put each), and the total. */
	bool (*load)(void *ud, int from, int count, struct lv_window *w, int *total);
	/* Does a row pass the filters (values: each filter's choice)? May be NULL. */
	bool (*keep)(void *ud, const void *row, const int *values);
	bool (*matches)(void *ud, const void *row, const char *needle); /* NULL: search the fields below */
	struct lv_field search[LV_MAX_SEARCH];                          /* text fields `/` looks in */
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
	/* The screen's own state to free when it closes (lv_close). May be NULL. */
	void (*finish)(void *ud);
	/* The row under the cursor in full, in lines of width columns, for a
	 * pane under the list (lv_draw_pane). May be NULL. */
	void (*pane)(void *ud, const void *row, int width, struct textview *tv);
};

struct listview {
	const struct lv_spec *spec;
	void *ud;
	struct tui *t; /* NULL below the screen (tests) */
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
	bool partial; /* the loader read the first screen alone: the whole list follows (lv_more) */
	/* the pane: built for this row at this width */
	struct textview pane;
	int64_t pane_id;
	int pane_width;
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
/* Filter again (in memory when load_all), the cursor at the top. */
void lv_set_filter(struct listview *lv, int k, int value);
void lv_clear_filters(struct listview *lv);
/* Row i; NULL when none (loads its window). */
const void *lv_row(struct listview *lv, int i);
int lv_find_id(struct listview *lv, int64_t id);

/* Screens built on the view keep a struct listview as the first member of
 * their state (size bytes): lv_open makes it zeroed and starts the view
 * (the screen then sets its own and calls lv_show, which loads the first
 * rows, the cursor at the top); these are their ops. */
void *lv_open(struct tui *t, struct screen *s, size_t size, const struct lv_spec *spec);
bool lv_show(struct screen *s);
/* The open op of a screen with nothing of its own to set first: lv_open and lv_show. */
#define LV_OPEN(fn, type, spec)                                    \
	static bool fn(struct tui *t, struct screen *s, void *arg) \
	{                                                          \
		(void)arg;                                         \
		if (!lv_open(t, s, sizeof(type), &(spec)))         \
			return false;                              \
		lv_show(s);                                        \
		return true;                                       \
	}                                                          \
	_Static_assert(1, #fn)
/* The ops table of a list screen: the view's ops, and the screen's open,
 * draw (lv_draw, or its own around it) and context line. */
#define LV_SCREEN_OPS(sid, open_fn, draw_fn, context_fn)                                                    \
	{                                                                                                   \
		.id = sid, .open = open_fn, .close = lv_close, .reload = lv_screen_reload, .draw = draw_fn, \
		.rows = lv_rows, .matches = lv_matches, .context = context_fn, .referral = lv_referral,     \
		.more = lv_more, .cursor_rows = true                                                        \
	}
void lv_close(struct screen *s);
void lv_screen_reload(struct tui *t, struct screen *s);
/* The whole list after a partial first read, the cursor and scroll kept. */
bool lv_more(struct tui *t, struct screen *s);
bool lv_referral(const struct screen *s, struct referral_ref *out);
/* The list in rows y .. y+list_h-1 and under it, in the rest of h, a rule
 * and the pane of the row under the cursor (spec->pane). Returns the
 * pane's lines that did not fit. */
int lv_draw_pane(struct tui *t, struct screen *s, int y, int h, int list_h);
/* The row under the screen's cursor, or NULL; lv_at_or says none (an
 * error message) when there is none. */
const void *lv_at(const struct screen *s);
const void *lv_at_or(struct tui *t, const struct screen *s, const char *none);
/* The choices of filter k: the screen's, or the view's own (the lots, the
 * districts, the statuses, the words), "any" first. Returns how many. */
int lv_choices(const struct listview *lv, int k, char items[][80], int max);
void lv_draw(struct tui *t, struct screen *s, int y, int h);
int lv_rows(const struct screen *s);
bool lv_matches(const struct screen *s, int row, const char *needle);
/* Sync the screen's cursor and scroll into the view and back. */
void lv_from_screen(struct listview *lv, const struct screen *s);
void lv_to_screen(const struct listview *lv, struct screen *s);
/* A key the view gives every list screen (the sort keys are its own): choose a filter. */
void lv_choose_filter(struct tui *t, struct screen *s);

/* Cells more than one list shows; ud is the screen's state (its list view
 * first). The RAG of a deadline now (core's wf_rag), and a provider with
 * its rank of those ranked ("Acme Care 2/5", the name cut to fit; the name
 * alone when rank is 0; "-" when none). */
enum rag lv_due_rag(const void *ud, int64_t deadline);
void lv_cell_provider(struct lv_cell *c, const char *provider, int rank, int ranked);

/* ---- tables (reports) ---- */
/* A table of core's model (core/report.h: typed columns, further parts,
 * section and total rows, notes) on the list view: each line of the page
 * is a row of the view, made for the screen's width; the first column is
 * frozen while the others scroll (lv.hcol). The screen's state starts with
 * a struct lv_table; s->cursor is the first line shown (a page, no cursor
 * row), and the headings of the part being read stay in view. */
struct bk_table;

struct lv_tpart {
	const struct bk_table *t;
	int n;                  /* columns (at most 64) */
	struct lv_column *cols; /* as lv_fit takes them; each label the wider line of its heading */
	struct lt_head *head;   /* each column's heading on its lines */
	int *need;              /* the widest cell of each column, gap included */
	int *order;             /* the table's rows in the order shown */
	int first;              /* the first column's width as measured */
	bool groups, two_lines;
	int head_first, n_head; /* its heading lines */
	int rows_end;           /* the line after its rows */
	int maxoff;             /* the most columns scrolling right may skip */
};

struct lv_table {
	struct listview lv; /* first: the view's ops read it */
	struct lv_tpart *parts;
	int n_parts;
	struct textview text; /* the lines of text across the page (titles, sections, notes) */
	int laid_cols;        /* the width the lines were made for; 0: make them again */
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
/* The screen's draw op (s->st starts with a struct lv_table); its rows and
 * matches are the view's lv_rows and lv_matches. */
void lv_table_draw(struct tui *t, struct screen *s, int y, int h);
/* "part 2 of 3, rows 1-40 of 120; columns 1, 2-6 of 12, Right: later; sorted
 * by Days waited": where the page drawn from line top over h lines is. */
void lv_table_where(struct lv_table *lt, int top, int h, char *buf, size_t len);
/* Scroll the columns after the first one (dir -1 or 1); false when they
 * cannot go further that way. */
bool lv_table_hscroll(struct lv_table *lt, int top, int dir);
/* The part shown at line top. */
int lv_table_part_at(struct lv_table *lt, int top);
/* Sort the data rows of part by column col (the same column again:
 * reversed); -1: core's order. Between its sections and totals, which stay. */
void lv_table_sort(struct lv_table *lt, int part, int col);

#endif
