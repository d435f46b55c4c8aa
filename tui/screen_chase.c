/* Chase: what an officer chases today (issue 17): the open offers whose
 * deadline is today, the messages to providers that were not delivered
 * (stopped ones first: they wait for an officer), and the requests for
 * information the council has still to answer. Core says which rows and
 * in what words (bk_chase_list); the screen shows them on the list view,
 * with the row under the cursor in full below. Enter opens the referral;
 * R queues a stopped message again. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/keymap.h"
#include "tui/listview.h"

struct crow {
	struct bk_chase_row r;
};

struct chase {
	struct listview lv; /* first: the list view's ops read it */
	struct tui *t;
	int due, undelivered, stopped, info;
};

static bool push_failed;

static int push_row(void *ud, const struct bk_chase_row *r)
{
	struct crow *x = lv_window_put(ud);
	if (!x) {
		push_failed = true;
		return 1;
	}
	x->r = *r;
	return 0;
}

static bool load_all(void *ud, struct lv_window *all)
{
	struct chase *c = ud;
	push_failed = false;
	enum bk_status st = bk_chase_list(c->t->ctx, push_row, all);
	if (st != BK_OK) {
		tui_result(c->t, st);
		return false;
	}
	if (push_failed)
		tui_message(c->t, true, "Out of memory: the list is incomplete");
	const struct crow *rows = (const struct crow *)all->rows;
	c->due = c->undelivered = c->stopped = c->info = 0;
	for (int i = 0; i < all->n; i++) {
		c->due += rows[i].r.kind == BK_CHASE_DUE_TODAY;
		c->undelivered += rows[i].r.kind == BK_CHASE_UNDELIVERED;
		c->stopped += rows[i].r.stopped;
		c->info += rows[i].r.kind == BK_CHASE_INFO;
	}
	return true;
}

static int64_t row_id(const void *row)
{
	const struct crow *x = row;
	/* one row a thing: a message, or an offer (due or asking) */
	return x->r.kind == BK_CHASE_UNDELIVERED ? -x->r.message_id : x->r.offer_id * 4 + (int64_t)x->r.kind;
}

static bool matches(const void *row, const char *needle)
{
	const struct crow *x = row;
	return text_contains(x->r.case_ref, needle) || text_contains(x->r.provider, needle) ||
	       text_contains(x->r.holder, needle);
}

static const struct crow *row_at(const struct screen *s, int i)
{
	struct chase *c = s->st;
	return lv_row(&c->lv, i);
}

/* ---- columns ---- */

#define ROW(x) const struct crow *x = row

static void cell_kind(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	ROW(x);
	str_copy(c->buf, c->len, bk_chase_kind_name(x->r.kind));
	if (x->r.kind == BK_CHASE_UNDELIVERED)
		c->look = x->r.stopped ? LOOK_RED : LOOK_AMBER;
}

static void cell_ref(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	ROW(x);
	snprintf(c->buf, c->len, "%lld", (long long)x->r.referral_id);
}

static void cell_case(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	ROW(x);
	str_copy(c->buf, c->len, x->r.case_ref);
}

static void cell_provider(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	ROW(x);
	str_copy(c->buf, c->len, x->r.provider);
}

static void cell_holder(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	ROW(x);
	str_copy(c->buf, c->len, x->r.holder[0] ? x->r.holder : "-");
}

static void cell_what(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	ROW(x);
	str_copy(c->buf, c->len, x->r.what);
}

static const struct lv_column columns[] = {
	{ "CHASE", 13, 17, LV_FIXED, false, 0, 0, cell_kind, NULL, false },
	{ "REF", 3, 4, LV_FIXED, true, 0, 0, cell_ref, NULL, false },
	{ "CASE", 8, 10, LV_FIXED, false, 0, 0, cell_case, NULL, false },
	{ "PROVIDER", 10, 24, LV_TEXT, false, 1, 0, cell_provider, NULL, false },
	{ "HELD BY", 6, 8, LV_TEXT, false, 0, 100, cell_holder, "BY", false },
	{ "WHAT", 10, 60, LV_TEXT, false, 3, 0, cell_what, NULL, false },
};

static const struct lv_spec spec = {
	.row_size = sizeof(struct crow),
	.id = row_id,
	.load_all = load_all,
	.matches = matches,
	.cols = columns,
	.ncols = (int)(sizeof columns / sizeof columns[0]),
	.empty = "Nothing to chase: no answer is due today, every message went, and no provider waits for "
		 "information.",
};

static void reload(struct tui *t, struct screen *s)
{
	(void)t;
	struct chase *c = s->st;
	lv_from_screen(&c->lv, s);
	lv_reload(&c->lv, 0);
	lv_to_screen(&c->lv, s);
}

static bool chase_open(struct tui *t, struct screen *s, void *arg)
{
	(void)arg;
	struct chase *c = calloc(1, sizeof *c);
	if (!c)
		return false;
	c->t = t;
	s->st = c;
	lv_init(&c->lv, &spec, c, SCR_CHASE);
	reload(t, s);
	c->lv.marked = 0;
	return true;
}

static void chase_close(struct screen *s)
{
	struct chase *c = s->st;
	if (c)
		lv_finish(&c->lv);
	free(c);
	s->st = NULL;
}

static bool chase_referral(const struct screen *s, struct referral_ref *out)
{
	const struct crow *x = row_at(s, s->cursor);
	if (!x || !x->r.referral_id)
		return false;
	out->id = x->r.referral_id;
	out->version = 0;
	return true;
}

static void chase_draw(struct tui *t, struct screen *s, int y, int h)
{
	/* the list, and the row under the cursor in full below it */
	int list_h = h > 8 ? h - 4 : h;
	lv_draw(t, s, y, list_h);
	if (list_h == h)
		return;
	int py = y + list_h;
	for (int r = 0; r < h - list_h; r++)
		draw_fill(py + r, 0, COLS, A_NORMAL);
	const struct crow *x = row_at(s, s->cursor);
	if (!x)
		return;
	draw_hline(py, 0, COLS, t->ascii);
	char line[1400];
	snprintf(line, sizeof line, "Referral %lld, case %s, %s: %s", (long long)x->r.referral_id, x->r.case_ref,
	         x->r.provider, x->r.what);
	struct textview tv = { 0 };
	tv_add_wrapped(&tv, x->r.kind == BK_CHASE_UNDELIVERED ? LOOK_AMBER : LOOK_NORMAL, COLS - 2, 2, line);
	tv_draw(&tv, 0, py + 1, h - list_h - 1, -1, 0);
	tv_clear(&tv);
}

static void chase_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	(void)t;
	const struct chase *c = s->st;
	snprintf(buf, len, "Chase: %d due today, %d not delivered (%d stopped), %d asking", c->due, c->undelivered,
	         c->stopped, c->info);
}

const struct screen_ops screen_chase_ops = {
	.id = SCR_CHASE,
	.open = chase_open,
	.close = chase_close,
	.reload = reload,
	.draw = chase_draw,
	.rows = lv_rows,
	.matches = lv_matches,
	.context = chase_context,
	.referral = chase_referral,
	.cursor_rows = true,
};

/* R: a stopped message queued again (and delivered at once). */
void act_chase_retry(struct tui *t, struct screen *s)
{
	const struct crow *x = row_at(s, s->cursor);
	if (!x || x->r.kind != BK_CHASE_UNDELIVERED) {
		tui_message(t, true, "No undelivered message here");
		return;
	}
	if (!x->r.stopped) {
		tui_message(t, true, "Message %lld is still being tried: it goes again by itself",
		            (long long)x->r.message_id);
		return;
	}
	tui_clock(t);
	enum bk_status st = bk_mail_retry(t->ctx, x->r.message_id);
	tui_result(t, st);
	tui_reload_all(t);
}
