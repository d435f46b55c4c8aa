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

struct chase {
	struct listview lv; /* first: the list view's ops read it */
	int due, undelivered, stopped, info;
};

#define C struct bk_chase_row

static int push_row(void *ud, const C *r)
{
	C *x = lv_window_put(ud);
	if (x)
		*x = *r;
	return !x;
}

static bool load_all(void *ud, struct lv_window *all)
{
	struct chase *c = ud;
	enum bk_status st = bk_chase_list(c->lv.t->ctx, push_row, all);
	if (st != BK_OK) {
		tui_result(c->lv.t, st);
		return false;
	}
	const C *rows = (const C *)all->rows;
	c->due = c->undelivered = c->stopped = c->info = 0;
	for (int i = 0; i < all->n; i++) {
		c->due += rows[i].kind == BK_CHASE_DUE_TODAY;
		c->undelivered += rows[i].kind == BK_CHASE_UNDELIVERED;
		c->stopped += rows[i].stopped;
		c->info += rows[i].kind == BK_CHASE_INFO;
	}
	return true;
}

static int64_t row_id(const void *row)
{
	const C *x = row;
	/* one row a thing: a message, or an offer (due or asking) */
	return x->kind == BK_CHASE_UNDELIVERED ? -x->message_id : x->offer_id * 4 + (int64_t)x->kind;
}

/* ---- columns ---- */

static void cell_kind(void *ud, const void *row, struct lv_cell *c)
{
	const C *x = row;
	str_copy(c->buf, c->len, bk_chase_kind_name(x->kind));
	if (x->kind == BK_CHASE_UNDELIVERED)
		c->look = x->stopped ? LOOK_RED : LOOK_AMBER;
}

LV_FIELD_CELL(cell_ref, ID, C, referral_id);
LV_FIELD_CELL(cell_case, TEXT, C, case_ref);
LV_FIELD_CELL(cell_provider, TEXT, C, provider);
LV_FIELD_CELL_DASH(cell_holder, TEXT, C, holder);
LV_FIELD_CELL(cell_what, TEXT, C, what);

static const struct lv_column columns[] = {
	{ "CHASE", 13, 17, LV_FIXED, false, 0, 0, cell_kind, NULL, false },
	{ "REF", 3, 4, LV_FIXED, true, 0, 0, cell_ref, NULL, false },
	{ "CASE", 8, 10, LV_FIXED, false, 0, 0, cell_case, NULL, false },
	{ "PROVIDER", 10, 24, LV_TEXT, false, 1, 0, cell_provider, NULL, false },
	{ "HELD BY", 6, 8, LV_TEXT, false, 0, 100, cell_holder, "BY", false },
	{ "WHAT", 10, 60, LV_TEXT, false, 3, 0, cell_what, NULL, false },
};

/* the row under the cursor in full, below the list */
static void pane(void *ud, const void *row, int width, struct textview *tv)
{
	const C *x = row;
	tv_addf(tv, x->kind == BK_CHASE_UNDELIVERED ? LOOK_AMBER : LOOK_NORMAL, width, 2,
	        "Referral %lld, case %s, %s: %s", (long long)x->referral_id, x->case_ref, x->provider, x->what);
}

static const struct lv_spec spec = {
	.row_size = sizeof(C),
	.id = row_id,
	.referral = LV_AT(ID, C, referral_id),
	.search = { LV_AT(TEXT, C, case_ref), LV_AT(TEXT, C, provider), LV_AT(TEXT, C, holder) },
	.load_all = load_all,
	.cols = columns,
	.ncols = (int)(sizeof columns / sizeof columns[0]),
	.pane = pane,
	.empty = "Nothing to chase: no answer is due today, every message went, and no provider waits for "
		 "information.",
};

LV_OPEN(chase_open, struct chase, spec);

static void chase_draw(struct tui *t, struct screen *s, int y, int h)
{
	lv_draw_pane(t, s, y, h, h > 8 ? h - 4 : h);
}

static void chase_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	const struct chase *c = s->st;
	snprintf(buf, len, "Chase: %d due today, %d not delivered (%d stopped), %d asking", c->due, c->undelivered,
	         c->stopped, c->info);
}

const struct screen_ops screen_chase_ops = LV_SCREEN_OPS(SCR_CHASE, chase_open, chase_draw, chase_context);

/* R: a stopped message queued again (and delivered at once). */
void act_chase_retry(struct tui *t, struct screen *s)
{
	const C *x = lv_at(s);
	if (!x || x->kind != BK_CHASE_UNDELIVERED) {
		tui_message(t, true, "No undelivered message here");
		return;
	}
	if (!x->stopped) {
		tui_message(t, true, "Message %lld is still being tried: it goes again by itself",
		            (long long)x->message_id);
		return;
	}
	tui_clock(t);
	enum bk_status st = bk_mail_retry(t->ctx, x->message_id);
	tui_done(t, st);
}
