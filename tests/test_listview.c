/* The list view below the screen: windowed loading (a reload keeps the
 * cursor where it was or on the row followed; rows outside the window are
 * fetched), the search walk (next and previous, wrapping, no match), the
 * sorts (stable; breached first; urgent first) and fitting columns to the
 * width (fixed columns never cut, text columns take the width there is),
 * and a report's table on it (two-line headings, sort, the frozen column). */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <curses.h>

#include "core/describe.h"
#include "core/report.h"
#include "core/worklist.h"
#include "tui/listview.h"

/* ---- a list of 1000 rows behind a loader that counts its calls ---- */
struct item {
	int64_t id;
	char name[16];
};

static struct {
	int total;
	int64_t first_id; /* row i has id first_id + i */
	int loads;
	int last_from, last_count;
} src;

static bool load(void *ud, int from, int count, struct lv_window *w, int *total)
{
	(void)ud;
	src.loads++;
	src.last_from = from;
	src.last_count = count;
	for (int i = from; i < from + count && i < src.total; i++) {
		struct item *it = lv_window_put(w);
		if (!it)
			return false;
		it->id = src.first_id + i;
		snprintf(it->name, sizeof it->name, "row %d", i);
	}
	*total = src.total;
	return true;
}

static int64_t item_id(const void *row)
{
	return ((const struct item *)row)->id;
}

static const struct lv_spec window_spec = {
	.row_size = sizeof(struct item),
	.id = item_id,
	.load = load,
};

static void test_window_fetches_rows_outside(void **state)
{
	(void)state;
	memset(&src, 0, sizeof src);
	src.total = 1000;
	src.first_id = 1;
	struct listview lv;
	lv_init(&lv, &window_spec, NULL, SCR_APPROVALS);
	assert_true(lv_reload(&lv, 0));
	assert_int_equal(lv.total, 1000);
	assert_true(lv.win.n < 1000); /* only a window is held */
	int from, count;
	assert_false(lv_window_want(&lv.win, 0, 20, lv.total, &from, &count));
	assert_true(lv_window_want(&lv.win, 900, 20, lv.total, &from, &count));
	assert_true(from <= 900 && from + count >= 920);
	int loads = src.loads;
	const struct item *it = lv_row(&lv, 950);
	assert_non_null(it);
	assert_int_equal(it->id, 951);
	assert_int_equal(src.loads, loads + 1);
	/* within the new window: no load */
	assert_non_null(lv_row(&lv, 951));
	assert_int_equal(src.loads, loads + 1);
	assert_null(lv_row(&lv, 1000));
	lv_finish(&lv);
}

static void test_window_reload_keeps_place(void **state)
{
	(void)state;
	memset(&src, 0, sizeof src);
	src.total = 1000;
	src.first_id = 1;
	struct listview lv;
	lv_init(&lv, &window_spec, NULL, SCR_APPROVALS);
	assert_true(lv_reload(&lv, 0));
	lv.top = 400;
	lv.cursor = 410; /* the 11th line of the screen, on id 411 */
	assert_int_equal(((const struct item *)lv_row(&lv, lv.cursor))->id, 411);
	/* two rows come in above: a plain reload keeps the screen line and the
	 * scroll, and marks the row the cursor was on */
	src.first_id = -1;
	assert_true(lv_reload(&lv, 0));
	assert_int_equal(lv.top, 400);
	assert_int_equal(lv.cursor, 410);
	assert_int_equal(lv.marked, 411);
	/* following the row: the cursor is on the same id, on the same line */
	src.first_id = -3;
	assert_true(lv_reload(&lv, 411));
	assert_int_equal(((const struct item *)lv_row(&lv, lv.cursor))->id, 411);
	assert_int_equal(lv.cursor - lv.top, 10);
	/* the list got shorter than the cursor: it stays in range */
	src.total = 5;
	assert_true(lv_reload(&lv, 0));
	assert_int_equal(lv.cursor, 4);
	lv_finish(&lv);
}

/* ---- a load that walks every row (core hands them one by one) ---- */
static struct lv_walk walk;

static bool walk_load(void *ud, int from, int count, struct lv_window *w, int *total)
{
	(void)ud;
	src.loads++;
	walk = (struct lv_walk){ w, from, from + count, 0 };
	for (int i = 0; i < src.total; i++) {
		struct item *it = lv_walk_put(&walk);
		if (it)
			it->id = src.first_id + i;
	}
	*total = walk.n;
	return true;
}

static const struct lv_spec walk_spec = {
	.row_size = sizeof(struct item),
	.id = item_id,
	.load = walk_load,
};

static void test_walk_keeps_the_window(void **state)
{
	(void)state;
	memset(&src, 0, sizeof src);
	src.total = 500;
	src.first_id = 1;
	struct listview lv;
	lv_init(&lv, &walk_spec, NULL, SCR_APPROVALS);
	assert_true(lv_reload(&lv, 0));
	assert_int_equal(lv.total, 500);             /* every row counted */
	assert_true(lv.win.n > 0 && lv.win.n < 500); /* the window's kept */
	const struct item *it = lv_row(&lv, 321);    /* outside it: walked again, kept */
	assert_non_null(it);
	assert_int_equal(it->id, 322);
	assert_int_equal(((const struct item *)lv_row(&lv, lv.win.base))->id, lv.win.base + 1);
	assert_false(lv.win.full);
	lv_finish(&lv);
}

/* ---- search ---- */
static const char *const names[] = { "Acme", "Birch", "acme two", "Cedar", "Dale" };

static bool match_acme(void *ud, int i)
{
	(void)ud;
	return text_contains(names[i], "acme");
}

static bool match_cedar(void *ud, int i)
{
	(void)ud;
	return text_contains(names[i], "cedar");
}

static bool match_none(void *ud, int i)
{
	(void)ud;
	(void)i;
	return false;
}

static void test_search_walks_and_wraps(void **state)
{
	(void)state;
	bool wrapped;
	assert_int_equal(lv_search(5, 0, 1, true, match_acme, NULL, &wrapped), 0);
	assert_false(wrapped);
	assert_int_equal(lv_search(5, 0, 1, false, match_acme, NULL, &wrapped), 2);
	assert_false(wrapped);
	assert_int_equal(lv_search(5, 2, 1, false, match_acme, NULL, &wrapped), 0); /* next wraps to the top */
	assert_true(wrapped);
	assert_int_equal(lv_search(5, 2, -1, false, match_acme, NULL, &wrapped), 0); /* previous */
	assert_false(wrapped);
	assert_int_equal(lv_search(5, 0, -1, false, match_acme, NULL, &wrapped), 2); /* previous wraps to the end */
	assert_true(wrapped);
	/* the one match, found again from itself: round the whole list */
	assert_int_equal(lv_search(5, 3, 1, false, match_cedar, NULL, &wrapped), 3);
	assert_true(wrapped);
	assert_int_equal(lv_search(5, 1, 1, false, match_none, NULL, &wrapped), -1);
	assert_int_equal(lv_search(0, 0, 1, true, match_acme, NULL, &wrapped), -1);
}

/* ---- sorts ---- */
static int by_case_only(const void *a, const void *b)
{
	return strcmp(((const struct bk_work_row *)a)->case_ref, ((const struct bk_work_row *)b)->case_ref);
}

static void test_sort_is_stable(void **state)
{
	(void)state;
	struct bk_work_row rows[6];
	memset(rows, 0, sizeof rows);
	/* same case reference for 0, 2, 4: their order must stay 0, 2, 4 */
	const char *refs[] = { "B", "A", "B", "C", "B", "A" };
	for (int i = 0; i < 6; i++) {
		snprintf(rows[i].case_ref, sizeof rows[i].case_ref, "%s", refs[i]);
		rows[i].id = 10 - i; /* ids against the order */
	}
	int idx[6] = { 0, 1, 2, 3, 4, 5 };
	/* a comparison that looks at the case reference alone */
	assert_true(lv_sort(idx, 6, rows, sizeof rows[0], by_case_only));
	assert_string_equal(rows[idx[0]].case_ref, "A");
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[1], 5);
	assert_int_equal(idx[2], 0);
	assert_int_equal(idx[3], 2);
	assert_int_equal(idx[4], 4);
	assert_int_equal(idx[5], 3);
}

static void test_sort_breached_and_urgent_first(void **state)
{
	(void)state;
	struct bk_work_row rows[5];
	memset(rows, 0, sizeof rows);
	for (int i = 0; i < 5; i++) {
		rows[i].id = i + 1;
		rows[i].needs_you = true;
		rows[i].reason = WORK_DUE;
		rows[i].deadline = 1000 + 100 * i;
	}
	rows[3].breached = true;
	rows[1].breached = true;
	rows[4].urgent = true;
	int idx[5] = { 0, 1, 2, 3, 4 };
	assert_true(lv_sort(idx, 5, rows, sizeof rows[0], bk_work_cmp_breached));
	assert_int_equal(idx[0], 1); /* breached, soonest due first */
	assert_int_equal(idx[1], 3);
	assert_int_equal(idx[2], 0);
	for (int i = 0; i < 5; i++)
		idx[i] = i;
	assert_true(lv_sort(idx, 5, rows, sizeof rows[0], bk_work_cmp_urgent));
	assert_int_equal(idx[0], 4);
	assert_int_equal(idx[1], 0);
	/* due first: what needs you before what does not, deadlines before none */
	rows[0].needs_you = false;
	rows[0].reason = WORK_WAITING;
	rows[2].deadline = 0;
	rows[2].reason = WORK_EXHAUSTED;
	for (int i = 0; i < 5; i++)
		idx[i] = i;
	assert_true(lv_sort(idx, 5, rows, sizeof rows[0], bk_work_cmp_due));
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[3], 2);
	assert_int_equal(idx[4], 0);
}

/* ---- fields: cells, sorts, filters and search without the screen's functions ---- */
struct frow {
	int64_t id, pence, at;
	int lot, minutes;
	enum wf_status status;
	bool urgent;
	char name[16];
};

static const char *field_text(const struct lv_field *f, const struct frow *r, int width)
{
	static char buf[64];
	struct lv_cell c = { buf, sizeof buf, width, LOOK_NORMAL, RAG_NONE };
	draw_set_ascii(true);
	lv_cell_field(NULL, f, r, &c);
	return buf;
}

static void test_field_cells(void **state)
{
	(void)state;
	struct frow r = { .id = 42, .pence = 123450, .lot = 3, .minutes = 750, .status = WF_SEARCHING, .urgent = true };
	assert_string_equal(field_text(&(struct lv_field)LV_AT(ID, struct frow, id), &r, 8), "42");
	assert_string_equal(field_text(&(struct lv_field)LV_AT(INT, struct frow, lot), &r, 8), "3");
	assert_string_equal(field_text(&(struct lv_field)LV_AT(MONEY, struct frow, pence), &r, 8), "GBP 1,234.50");
	assert_string_equal(field_text(&(struct lv_field)LV_AT(HOURS, struct frow, minutes), &r, 8), "12.5");
	assert_string_equal(field_text(&(struct lv_field)LV_AT(STATUS, struct frow, status), &r, 8),
	                    bk_referral_status_words(WF_SEARCHING));
	assert_string_equal(field_text(&(struct lv_field)LV_AT(FLAG, struct frow, urgent), &r, 1), "!");
	assert_string_equal(field_text(&(struct lv_field)LV_AT(YESNO, struct frow, urgent), &r, 3), "yes");
	/* nothing there: blank, or "-" where the column says so */
	struct frow empty = { .minutes = -1 };
	assert_string_equal(field_text(&(struct lv_field)LV_AT(ID, struct frow, id), &empty, 8), "");
	assert_string_equal(field_text(&(struct lv_field)LV_AT(TEXT, struct frow, name), &empty, 8), "");
	assert_string_equal(field_text(&(struct lv_field)LV_AT_DASH(TEXT, struct frow, name), &empty, 8), "-");
	assert_string_equal(field_text(&(struct lv_field)LV_AT_DASH(MONEY, struct frow, pence), &empty, 8), "-");
	assert_string_equal(field_text(&(struct lv_field)LV_AT_DASH(INSTANT, struct frow, at), &empty, 12), "-");
	assert_string_equal(field_text(&(struct lv_field)LV_AT(HOURS, struct frow, minutes), &empty, 8), "-");
}

static int by_id(const void *a, const void *b)
{
	int64_t x = ((const struct frow *)a)->id, y = ((const struct frow *)b)->id;
	return (x > y) - (x < y);
}

static void test_sort_by_key(void **state)
{
	(void)state;
	struct frow rows[4] = {
		{ .id = 1, .name = "", .minutes = 60, .at = 300 },
		{ .id = 2, .name = "b", .minutes = 90, .at = 0, .urgent = true },
		{ .id = 3, .name = "a", .minutes = 60, .at = 100 },
		{ .id = 4, .name = "b", .minutes = 30, .at = 200, .urgent = true },
	};
	int idx[4] = { 3, 2, 1, 0 };
	/* text: empty last; alike rows in the tie's order */
	struct lv_sort by_name = { .name = "name", .key = LV_AT(TEXT, struct frow, name) };
	assert_true(lv_sort_by(idx, 4, rows, sizeof rows[0], &by_name, by_id));
	assert_int_equal(idx[0], 2);
	assert_int_equal(idx[1], 1);
	assert_int_equal(idx[2], 3);
	assert_int_equal(idx[3], 0);
	/* most first */
	struct lv_sort by_hours = { .name = "hours", .key = LV_AT(HOURS, struct frow, minutes), .most_first = true };
	assert_true(lv_sort_by(idx, 4, rows, sizeof rows[0], &by_hours, by_id));
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[1], 0);
	assert_int_equal(idx[2], 2);
	assert_int_equal(idx[3], 3);
	/* times: soonest first, none last; flags: set first */
	struct lv_sort by_at = { .name = "due", .key = LV_AT(INSTANT, struct frow, at) };
	assert_true(lv_sort_by(idx, 4, rows, sizeof rows[0], &by_at, by_id));
	assert_int_equal(idx[0], 2);
	assert_int_equal(idx[3], 1);
	struct lv_sort by_urgent = { .name = "urgent", .key = LV_AT(FLAG, struct frow, urgent) };
	assert_true(lv_sort_by(idx, 4, rows, sizeof rows[0], &by_urgent, by_id));
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[1], 3);
	assert_int_equal(idx[2], 0);
}

static const struct frow frows[] = {
	{ .id = 1, .name = "Acme", .status = WF_NEW },
	{ .id = 2, .name = "Birch", .status = WF_SEARCHING, .urgent = true },
	{ .id = 3, .name = "Cedar", .status = WF_SEARCHING },
	{ .id = 4, .name = "acme two", .status = WF_EXHAUSTED, .urgent = true },
};

static bool frows_all(void *ud, struct lv_window *all)
{
	(void)ud;
	for (size_t i = 0; i < sizeof frows / sizeof frows[0]; i++) {
		struct frow *r = lv_window_put(all);
		if (!r)
			return false;
		*r = frows[i];
	}
	return true;
}

static const char *const urgency[] = { "any", "urgent", "not urgent", NULL };
static const struct lv_filter ffilters[] = {
	{ "status", NULL, LVR_VALUE, LV_AT(STATUS, struct frow, status), NULL },
	{ "urgency", NULL, LVR_YES_NO, LV_AT(FLAG, struct frow, urgent), urgency },
};
static const struct lv_sort fsorts[] = { { .name = "id", .cmp = by_id } };
static const struct lv_spec field_spec = {
	.row_size = sizeof(struct frow),
	.key = LV_AT(ID, struct frow, id),
	.search = { LV_AT(TEXT, struct frow, name) },
	.load_all = frows_all,
	.sorts = fsorts,
	.nsorts = 1,
	.filters = ffilters,
	.nfilters = 2,
};

static void test_filter_rules_and_search(void **state)
{
	(void)state;
	struct listview lv;
	lv_init(&lv, &field_spec, NULL, SCR_RANKINGS);
	assert_true(lv_reload(&lv, 0));
	assert_int_equal(lv.total, 4);
	/* the choices: the words, or "any" and every status */
	char items[LV_MAX_CHOICES][80];
	assert_int_equal(lv_choices(&lv, 1, items, LV_MAX_CHOICES), 3);
	assert_string_equal(items[1], "urgent");
	assert_int_equal(lv_choices(&lv, 0, items, LV_MAX_CHOICES), 1 + WF_STATUS_COUNT);
	assert_string_equal(items[1 + WF_SEARCHING], bk_referral_status_words(WF_SEARCHING));
	/* status searching: the rows whose status is choice - 1 */
	lv_set_filter(&lv, 0, 1 + WF_SEARCHING);
	assert_int_equal(lv.total, 2);
	/* and not urgent */
	lv_set_filter(&lv, 1, 2);
	assert_int_equal(lv.total, 1);
	assert_int_equal(((const struct frow *)lv_row(&lv, 0))->id, 3);
	lv_clear_filters(&lv);
	assert_int_equal(lv.total, 4);
	/* the key finds a row; `/` looks in the search fields */
	assert_int_equal(lv_find_id(&lv, 4), 3);
	struct screen s = { .st = &lv };
	assert_true(lv_matches(&s, 3, "ACME"));
	assert_false(lv_matches(&s, 1, "acme"));
	lv_finish(&lv);
}

/* ---- fitting ---- */
static const struct lv_column cols[] = {
	{ "RAG", 3, 3, LV_RAG, false, 0, 0, NULL, NULL, false },
	{ "CASE", 10, 10, LV_FIXED, false, 0, 0, NULL, NULL, false },
	{ "WITH, DAYS", 4, 4, LV_FIXED, true, 0, 0, NULL, NULL, false }, /* label wider than the data */
	{ "COST", 9, 9, LV_FIXED, true, 0, 0, NULL, NULL, false },
	{ "NAME", 8, 30, LV_TEXT, false, 2, 0, NULL, NULL, false },
	{ "NOTE", 6, 40, LV_TEXT, false, 1, 0, NULL, NULL, false },
	{ "ANSWER DUE", 12, 16, LV_FIXED, false, 0, 0, NULL, NULL, false },
	{ "HOLDER", 8, 12, LV_TEXT, false, 0, 120, NULL, NULL, false },
};
#define NCOLS ((int)(sizeof cols / sizeof cols[0]))

static void check_fit(int width)
{
	int need[NCOLS] = { 0 }, w[NCOLS];
	need[3] = 11; /* "GBP1,234.50" in LANG=C: wider than the column's 9 */
	int used = lv_fit(cols, NCOLS, width, 1, need, w);
	assert_true(used <= width);
	int sum = 0, shown = 0;
	for (int i = 0; i < NCOLS; i++) {
		if (!w[i])
			continue;
		sum += w[i];
		shown++;
		if (cols[i].kind != LV_TEXT) {
			/* never narrower than its label or its widest cell */
			assert_true(w[i] >= (int)strlen(cols[i].label));
			assert_true(w[i] >= cols[i].narrow);
			assert_true(w[i] >= need[i]);
		}
	}
	sum += shown - 1;
	assert_int_equal(sum, used);
	/* every fixed column is there at 80 and at 200 */
	for (int i = 0; i < 7; i++)
		assert_true(w[i] > 0);
	/* the text columns take the width there is */
	assert_int_equal(used, width);
	char out[256];
	text_fit("a long provider name that will not fit", w[4], false, out, sizeof out);
	if (w[4] < 38)
		assert_int_equal(out[strlen(out) - 1], '~');
	text_fit("GBP1,234.50", w[3], true, out, sizeof out);
	assert_null(strchr(out, '~'));
	text_fit("WITH, DAYS", w[2], true, out, sizeof out);
	assert_null(strchr(out, '~'));
}

static void test_fit_80(void **state)
{
	(void)state;
	check_fit(80);
	int w[NCOLS];
	lv_fit(cols, NCOLS, 80, 1, NULL, w);
	assert_int_equal(w[7], 0);  /* hidden below 120 */
	assert_int_equal(w[6], 12); /* narrow form of the date: the room goes to text first */
}

static void test_fit_200(void **state)
{
	(void)state;
	check_fit(200);
	int w[NCOLS];
	lv_fit(cols, NCOLS, 200, 1, NULL, w);
	assert_true(w[7] >= 8);
	assert_int_equal(w[6], 16); /* the wide form of the date */
	assert_true(w[4] > 30 && w[5] > 40);
}

static void test_fit_too_narrow_drops_never_cuts(void **state)
{
	(void)state;
	int w[NCOLS];
	int used = lv_fit(cols, NCOLS, 40, 1, NULL, w);
	assert_true(used <= 40);
	for (int i = 0; i < NCOLS; i++)
		if (w[i] && cols[i].kind != LV_TEXT)
			assert_true(w[i] >= cols[i].narrow && w[i] >= (int)strlen(cols[i].label));
	/* scrolled right past CASE: the first column stays */
	lv_fit(cols, NCOLS, 80, 2, NULL, w);
	assert_true(w[0] > 0);
	assert_int_equal(w[1], 0);
}

/* Text columns take no more than their widest cell shown: the room goes
 * where the text is (provider names and PAMMS whole at 80). */
static void test_fit_text_to_what_is_shown(void **state)
{
	(void)state;
	static const struct lv_column two[] = {
		{ "NOTE", 10, 30, LV_TEXT, false, 0, 0, NULL, NULL, false },
		{ "PROVIDER", 10, 30, LV_TEXT, false, 1, 0, NULL, NULL, false },
	};
	int need[2] = { 2, 30 }, w[2];
	assert_int_equal(lv_fit(two, 2, 50, 1, need, w), 50);
	assert_int_equal(w[0], 4); /* "NOTE": the header whole, no more */
	assert_int_equal(w[1], 45);
	/* without a measure, as before: half way each, then up to wide, left first */
	lv_fit(two, 2, 50, 1, NULL, w);
	assert_int_equal(w[0], 29);
	assert_int_equal(w[1], 20);
}

/* ---- a report's table on the view ---- */

/* A heading wider than its cells goes on two lines; where says the rows,
 * the sort and the columns; a table wider than the screen keeps its
 * first column while the others scroll, and says which way there is more. */
static void test_table_headings_sort_and_scroll(void **state)
{
	(void)state;
	COLS = 80;
	struct bk_table *t = bk_table_create("waiting", "Waiting");
	bk_table_add_column(t, "case", "Case", NULL, BK_COL_TEXT);
	bk_table_add_column(t, "days", "Days waited", NULL, BK_COL_INT);
	static const char *const cases[] = { "A-1", "B-2", "C-3" };
	static const int days[] = { 5, 12, 9 };
	for (int i = 0; i < 3; i++) {
		int r = bk_table_add_row(t, BK_ROW_DATA);
		bk_table_set_text(t, r, 0, cases[i]);
		bk_table_set(t, r, 1, days[i]);
	}
	struct lv_table lt;
	assert_true(lv_table_init(&lt, t, SCR_REPORT, true));
	const struct lv_tpart *vp = &lt.parts[0];
	assert_true(vp->two_lines);
	assert_string_equal(vp->cols[1].label, "waited"); /* the wider of its two lines */
	assert_int_equal(vp->need[1], 1 + 6);
	assert_int_equal(lt.lv.total, 2 + 3); /* the two heading lines, the three rows */
	char where[200];
	lv_table_where(&lt, 0, 10, where, sizeof where);
	assert_string_equal(where, "rows 1-3 of 3");
	lv_table_sort(&lt, 0, 1);
	lv_table_sort(&lt, 0, 1); /* the same column again: reversed */
	assert_true(lv_reload(&lt.lv, 0));
	assert_int_equal(vp->order[0], 1); /* 12 days first */
	lv_table_where(&lt, 0, 10, where, sizeof where);
	assert_string_equal(where, "rows 1-3 of 3; sorted by Days waited, reversed");
	lv_table_finish(&lt);

	/* twelve columns of six at 40 columns: the first and a few show */
	for (int c = 2; c < 12; c++) {
		char key[16];
		snprintf(key, sizeof key, "lot%d", c);
		bk_table_add_column(t, key, key, NULL, BK_COL_INT);
		bk_table_set(t, 0, c, 12345);
	}
	COLS = 40;
	assert_true(lv_table_init(&lt, t, SCR_REPORT, true));
	lv_table_where(&lt, 0, 10, where, sizeof where);
	assert_non_null(strstr(where, "columns 1, 2-"));
	assert_non_null(strstr(where, "of 12, Right: later"));
	assert_false(lv_table_hscroll(&lt, 0, -1));
	int moved = 0;
	while (lv_table_hscroll(&lt, 0, 1))
		moved++;
	assert_true(moved > 0);
	lv_table_where(&lt, 0, 10, where, sizeof where);
	assert_non_null(strstr(where, "-12 of 12, Left: earlier"));
	lv_table_finish(&lt);
	bk_table_destroy(t);
}

/* Every line of the page is a row of the view: a section's name, a rule
 * before the totals, a note and a further part's title are lines of their
 * own, and `/` finds them as it finds the cells of a row. */
static void test_table_lines_and_search(void **state)
{
	(void)state;
	COLS = 80;
	struct bk_table *t = bk_table_create("spend", "Spend");
	bk_table_add_column(t, "provider", "Provider", NULL, BK_COL_TEXT);
	bk_table_add_column(t, "count", "Count", NULL, BK_COL_INT);
	bk_table_set_text(t, bk_table_add_row(t, BK_ROW_SECTION), 0, "Framework");
	int r = bk_table_add_row(t, BK_ROW_DATA);
	bk_table_set_text(t, r, 0, "Acme");
	bk_table_set(t, r, 1, 3);
	r = bk_table_add_row(t, BK_ROW_TOTAL);
	bk_table_set_text(t, r, 0, "Total");
	bk_table_set(t, r, 1, 3);
	bk_table_note(t, "Counted at noon");
	struct bk_table *part = bk_table_create("spend", "By lot");
	bk_table_add_column(part, "lot", "Lot", NULL, BK_COL_INT);
	bk_table_append_part(t, part);
	struct lv_table lt;
	assert_true(lv_table_init(&lt, t, SCR_REPORT, true));
	/* heading, section, row, rule, total, blank, note; blank, title, heading, no rows */
	assert_int_equal(lt.lv.total, 11);
	struct screen s = { .st = &lt };
	assert_true(lv_matches(&s, 1, "framework"));
	assert_true(lv_matches(&s, 2, "acme"));
	assert_false(lv_matches(&s, 0, "acme"));
	assert_true(lv_matches(&s, 6, "noon"));
	assert_true(lv_matches(&s, 8, "by lot"));
	char where[200];
	lv_table_where(&lt, 2, 3, where, sizeof where);
	assert_string_equal(where, "part 1 of 2, rows 2-3 of 3");
	assert_int_equal(lv_table_part_at(&lt, 9), 1);
	lv_table_finish(&lt);
	bk_table_destroy(t);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_fetches_rows_outside),
		cmocka_unit_test(test_window_reload_keeps_place),
		cmocka_unit_test(test_walk_keeps_the_window),
		cmocka_unit_test(test_search_walks_and_wraps),
		cmocka_unit_test(test_sort_is_stable),
		cmocka_unit_test(test_sort_breached_and_urgent_first),
		cmocka_unit_test(test_field_cells),
		cmocka_unit_test(test_sort_by_key),
		cmocka_unit_test(test_filter_rules_and_search),
		cmocka_unit_test(test_fit_80),
		cmocka_unit_test(test_fit_200),
		cmocka_unit_test(test_fit_too_narrow_drops_never_cuts),
		cmocka_unit_test(test_fit_text_to_what_is_shown),
		cmocka_unit_test(test_table_headings_sort_and_scroll),
		cmocka_unit_test(test_table_lines_and_search),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
