/* Rankings: the ranking of one lot and district, in rank order, on the one
 * list view: K/J move a provider, a adds, d removes, s saves the whole order
 * in one change that the core audits with before and after. Referrals in
 * flight keep their offers; the next approach uses the new order. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "tui/keymap.h"
#include "tui/listview.h"

/* ---- the rankings editor ---- */

struct rentry {
	struct store_provider p;
	int rank;
	int capacity; /* minutes, -1 when not kept */
};

struct rankings {
	struct listview lv; /* first: the list view's ops read it; the order being edited */
	int lot;
	char district[64];
	VEC(struct rentry) order;
	VEC(int64_t) saved; /* the order as stored */
	char saved_text[2048];
};

static int ranked_provider_cb(void *ud, int rank, const struct store_provider *p, int capacity)
{
	struct rankings *rk = ud;
	struct rentry *e = vec_push(&rk->order);
	if (!e)
		return 1; /* out of memory: stop */
	*e = (struct rentry){ .p = *p, .capacity = capacity };
	return 0;
}

static void order_text(const struct rankings *rk, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < (int)rk->order.n; i++)
		str_appendf(buf, len, &off, "%s%s", i ? " | " : "", rk->order.v[i].p.name);
	if (!rk->order.n)
		snprintf(buf, len, "(nobody)");
}

/* ---- the list view over the order being edited ---- */

static bool load_all(void *ud, struct lv_window *all)
{
	struct rankings *rk = ud;
	for (size_t i = 0; i < rk->order.n; i++) {
		struct rentry *e = lv_window_put(all);
		if (!e)
			return false;
		*e = rk->order.v[i];
		e->rank = (int)i + 1;
	}
	return true;
}

#define RE struct rentry
LV_FIELD_CELL(cell_rank, INT, RE, rank);
LV_FIELD_CELL(cell_risk, TEXT, RE, p.risk);
LV_FIELD_CELL(cell_capacity, HOURS, RE, capacity);
LV_FIELD_CELL(cell_active, YESNO, RE, p.active);
LV_FIELD_CELL_DASH(cell_embargo, TEXT, RE, p.embargo);

static void cell_name(void *ud, const void *row, struct lv_cell *c)
{
	const struct rentry *e = row;
	str_copy(c->buf, c->len, e->p.name);
	if (e->p.embargo[0] || strcmp(e->p.risk, "red") == 0 || !e->p.active)
		c->look = LOOK_DIM;
}

static const struct lv_column columns[] = {
	{ "RANK", 4, 4, LV_FIXED, true, 0, 0, cell_rank, NULL, false },
	{ "PROVIDER", 16, 40, LV_TEXT, false, 1, 0, cell_name, NULL, false },
	{ "RISK", 5, 5, LV_FIXED, false, 0, 0, cell_risk, NULL, false },
	{ "CAPACITY", 8, 8, LV_FIXED, true, 0, 0, cell_capacity, NULL, false },
	{ "ACT", 3, 3, LV_FIXED, false, 0, 0, cell_active, NULL, false },
	{ "EMBARGO", 8, 30, LV_TEXT, false, 1, 0, cell_embargo, NULL, false },
};

static void finish(void *ud)
{
	struct rankings *rk = ud;
	vec_free(&rk->order);
	vec_free(&rk->saved);
}

static const struct lv_spec spec = {
	.row_size = sizeof(struct rentry),
	.key = LV_AT(ID, RE, p.id),
	.search = { LV_AT(TEXT, RE, p.name) },
	.load_all = load_all,
	.cols = columns,
	.ncols = (int)(sizeof columns / sizeof columns[0]),
	.empty = "Nobody is ranked here: a adds a framework provider.",
	.finish = finish,
};

static void rankings_load(struct tui *t, struct screen *s)
{
	struct rankings *rk = s->st;
	vec_clear(&rk->order);
	enum bk_status st = bk_ranked_providers_each(t->ctx, rk->lot, rk->district, ranked_provider_cb, rk);
	if (st != BK_OK)
		tui_result(t, st);
	vec_clear(&rk->saved);
	for (size_t i = 0; i < rk->order.n; i++) {
		int64_t *id = vec_push(&rk->saved);
		if (id)
			*id = rk->order.v[i].p.id;
	}
	order_text(rk, rk->saved_text, sizeof rk->saved_text);
	lv_screen_reload(t, s); /* the order changed under the view: shown again */
}

static bool rankings_dirty(const struct screen *s)
{
	const struct rankings *rk = s->st;
	if (!rk)
		return false;
	if (rk->order.n != rk->saved.n)
		return true;
	for (size_t i = 0; i < rk->order.n; i++)
		if (rk->order.v[i].p.id != rk->saved.v[i])
			return true;
	return false;
}

static bool rankings_open(struct tui *t, struct screen *s, void *arg)
{
	const struct rankings_arg *a = arg;
	struct rankings *rk = lv_open(t, s, sizeof *rk, &spec);
	if (!rk)
		return false;
	rk->lot = a->lot;
	str_copy(rk->district, sizeof rk->district, a->district);
	rankings_load(t, s);
	rk->lv.marked = 0;
	return true;
}

/* Another user's change to the ranking shows only while ours is unsaved-free. */
static void rankings_reload(struct tui *t, struct screen *s)
{
	if (!rankings_dirty(s))
		rankings_load(t, s);
}

static void rankings_draw(struct tui *t, struct screen *s, int y, int h)
{
	struct rankings *rk = s->st;
	const struct bk_lot *lot = bk_settings_lot(t->ctx->settings, rk->lot);
	char line[2400];
	for (int r = 0; r < h; r++)
		draw_fill(y + r, 0, COLS, A_NORMAL);
	snprintf(line, sizeof line, "Lot %d %s in %s: rank 1 is approached first", rk->lot, lot ? lot->name : "",
	         rk->district);
	draw_text(y, 1, COLS - 2, line, draw_attr(LOOK_TITLE), false);
	bool dirty = rankings_dirty(s);
	lv_draw(t, s, y + 2, h - 2 - (dirty ? 3 : 1));
	if (dirty) {
		char now[2048];
		order_text(rk, now, sizeof now);
		snprintf(line, sizeof line, "Changed, not saved (s saves, q asks): was %s", rk->saved_text);
		draw_text(y + h - 2, 1, COLS - 2, line, draw_attr(LOOK_AMBER), false);
		snprintf(line, sizeof line, "now %s", now);
		draw_text(y + h - 1, 1, COLS - 2, line, draw_attr(LOOK_AMBER), false);
	} else {
		draw_text(y + h - 1, 1, COLS - 2,
		          "The order as saved: the next approach uses it; referrals in flight keep their "
		          "offers.",
		          draw_attr(LOOK_DIM), false);
	}
}

static void rankings_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	const struct rankings *rk = s->st;
	snprintf(buf, len, "Ranking of lot %d in %s: %d provider%s%s", rk->lot, rk->district, (int)rk->order.n,
	         (int)rk->order.n == 1 ? "" : "s", rankings_dirty(s) ? "  (changed, not saved)" : "");
}

const struct screen_ops screen_rankings_ops = {
	.id = SCR_RANKINGS,
	.open = rankings_open,
	.close = lv_close,
	.reload = rankings_reload,
	.draw = rankings_draw,
	.rows = lv_rows,
	.matches = lv_matches,
	.context = rankings_context,
	.dirty = rankings_dirty,
	.unsaved = "This ranking has changes that are not saved.",
	.cursor_rows = true,
};

void act_rankings(struct tui *t, struct screen *s)
{
	const struct bk_settings *set = t->ctx->settings;
	struct rankings_arg a = { 0 };
	int lot_at = 0, district_at = 0;
	bool here = s->ops->id == SCR_RANKINGS;
	if (here) {
		const struct rankings *rk = s->st;
		const struct bk_lot *lot = bk_settings_lot(set, rk->lot);
		lot_at = lot ? (int)(lot - set->lots) : 0;
		district_at = bk_settings_district_index(set, rk->district);
		district_at = district_at > 0 ? district_at : 0;
		if (!tui_discard_ok(t, s))
			return;
	}
	char text[BK_MAX_LOTS][96];
	const char *items[BK_MAX_DISTRICTS];
	for (int i = 0; i < set->n_lots; i++) {
		snprintf(text[i], sizeof text[i], "%d %s", set->lots[i].number, set->lots[i].name);
		items[i] = text[i];
	}
	int l = tui_choose(t, "Ranking of which lot?", items, set->n_lots, lot_at);
	if (l < 0)
		return;
	for (int i = 0; i < set->n_districts; i++)
		items[i] = set->districts[i].name;
	int d = tui_choose(t, "In which district?", items, set->n_districts, district_at);
	if (d < 0)
		return;
	a.lot = set->lots[l].number;
	str_copy(a.district, sizeof a.district, set->districts[d].name);
	if (here)
		tui_pop(t);
	tui_push(t, SCR_RANKINGS, &a);
}

/* The order changed under the view: shown again with the cursor on e, now
 * at row at, and e marked as the change (the reload marks the row it finds
 * changed under the cursor, which after an add is the one pushed down). */
static void order_changed(struct tui *t, struct screen *s, const struct rentry *e, int at, const char *how)
{
	struct rankings *rk = s->st;
	s->cursor = at;
	screen_scroll(s, s->page);
	lv_screen_reload(t, s);
	rk->lv.marked = e->p.id;
	tui_message(t, false, "%s %s %d%s", e->p.name, how, at + 1, rankings_dirty(s) ? " (not saved: s saves)" : "");
}

/* The provider under the cursor one rank up (dir -1) or down (1). */
static void move_rank(struct tui *t, struct screen *s, int dir)
{
	struct rankings *rk = s->st;
	int to = s->cursor + dir;
	if (s->cursor < 0 || to < 0 || to >= (int)rk->order.n) {
		tui_message(t, true, dir < 0 ? "Already first" : "Already last");
		return;
	}
	struct rentry moved = rk->order.v[s->cursor];
	rk->order.v[s->cursor] = rk->order.v[to];
	rk->order.v[to] = moved;
	order_changed(t, s, &moved, to, "now rank");
}

ACTION_FN(act_rank_up, move_rank(t, s, -1));

ACTION_FN(act_rank_down, move_rank(t, s, 1));

struct addable {
	const struct rankings *rk;
	VEC(struct rentry) v;
};

static int addable_cb(void *ud, const struct store_provider *p)
{
	struct addable *a = ud;
	if (!p->framework)
		return 0;
	for (size_t i = 0; i < a->rk->order.n; i++)
		if (a->rk->order.v[i].p.id == p->id)
			return 0;
	struct rentry *e = vec_push(&a->v);
	if (!e)
		return 1; /* out of memory: stop */
	*e = (struct rentry){ .p = *p, .capacity = -1 };
	return 0;
}

void act_rank_add(struct tui *t, struct screen *s)
{
	struct rankings *rk = s->st;
	struct addable a = { rk, { 0 } };
	bk_provider_each(t->ctx, addable_cb, &a);
	int n = (int)a.v.n;
	if (n == 0) {
		tui_message(t, true, "Every framework provider is ranked here already (c on Providers adds one)");
		return;
	}
	char(*text)[560] = calloc((size_t)n, sizeof *text);
	const char **items = calloc((size_t)n, sizeof *items);
	for (int i = 0; text && items && i < n; i++) {
		const struct rentry *e = &a.v.v[i];
		snprintf(text[i], sizeof text[i], "%s%s%s%s%s", e->p.name, strcmp(e->p.risk, "green") ? "  risk " : "",
		         strcmp(e->p.risk, "green") ? e->p.risk : "", e->p.embargo[0] ? "  embargoed" : "",
		         e->p.active ? "" : "  inactive");
		items[i] = text[i];
	}
	int k = text && items ? tui_choose(t, "Add which framework provider?", items, n, 0) : -1;
	if (k >= 0) {
		struct rentry e = a.v.v[k];
		bk_capacity_get(t->ctx, e.p.id, rk->district, &e.capacity); /* -1 when not kept */
		int at = rk->order.n ? s->cursor + 1 : 0;
		if (vec_push(&rk->order)) {
			memmove(&rk->order.v[at + 1], &rk->order.v[at],
			        (rk->order.n - 1 - (size_t)at) * sizeof *rk->order.v);
			rk->order.v[at] = e;
			order_changed(t, s, &e, at, "added at rank");
		}
	}
	free(text);
	free(items);
	vec_free(&a.v);
}

void act_rank_remove(struct tui *t, struct screen *s)
{
	struct rankings *rk = s->st;
	if (s->cursor < 0 || s->cursor >= (int)rk->order.n) {
		tui_message(t, true, "Nobody here to remove");
		return;
	}
	char name[128];
	str_copy(name, sizeof name, rk->order.v[s->cursor].p.name);
	memmove(&rk->order.v[s->cursor], &rk->order.v[s->cursor + 1],
	        (rk->order.n - (size_t)s->cursor - 1) * sizeof *rk->order.v);
	rk->order.n--;
	screen_scroll(s, s->page);
	lv_screen_reload(t, s);
	tui_message(t, false, "%s removed (not saved: s saves)", name);
}

void act_rank_save(struct tui *t, struct screen *s)
{
	struct rankings *rk = s->st;
	if (!rankings_dirty(s)) {
		tui_message(t, false, "Nothing changed");
		return;
	}
	char now[2048], head[300], before[2100], after[2100];
	order_text(rk, now, sizeof now);
	snprintf(head, sizeof head, "Save the ranking of lot %d in %s?", rk->lot, rk->district);
	snprintf(before, sizeof before, "Before: %s", rk->saved_text);
	snprintf(after, sizeof after, "After:  %s", now);
	const char *lines[] = {
		head,
		"",
		before,
		after,
		"",
		"Referrals already in flight keep the offers they were sent; the next approach uses the "
		"new order. The change is audited with before and after."
	};
	if (!tui_confirm(t, "Save the ranking", lines, 6)) {
		tui_message(t, false, "Not saved");
		return;
	}
	const char **names = calloc(rk->order.n ? rk->order.n : 1, sizeof *names);
	if (!names)
		return;
	for (int i = 0; i < (int)rk->order.n; i++)
		names[i] = rk->order.v[i].p.name;
	enum bk_status st = bk_rank_set(t->ctx, rk->lot, rk->district, names, (int)rk->order.n);
	free(names);
	if (st == BK_OK)
		rankings_load(t, s);
	tui_done(t, st);
}
