/* Rankings: the ranking of one lot and district, in rank order, on the one
 * list view: K/J move a provider, a adds, d removes, s saves the whole order
 * in one change that the core audits with before and after. Referrals in
 * flight keep their offers; the next approach uses the new order. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/listview.h"

/* ---- the rankings editor ---- */

struct rentry {
	int64_t id;
	int rank;
	char name[128];
	bool framework, active;
	char risk[8];
	char embargo[96];
	int capacity; /* minutes, -1 when not kept */
};

struct rankings {
	struct listview lv; /* first: the list view's ops read it; the order being edited */
	struct tui *t;
	int lot;
	char district[64];
	struct rentry *v;
	int n, cap;
	int64_t *saved; /* the order as stored */
	int n_saved;
	char saved_text[2048];
};

/* e added at the end of the n entries in *v (room for cap). */
static bool entry_push(struct rentry **v, int *n, int *cap, const struct rentry *e)
{
	if (*n == *cap) {
		int more = *cap ? *cap * 2 : 32;
		struct rentry *nv = realloc(*v, (size_t)more * sizeof *nv);
		if (!nv)
			return false;
		*v = nv;
		*cap = more;
	}
	(*v)[(*n)++] = *e;
	return true;
}

static bool rank_push(struct rankings *rk, const struct rentry *e)
{
	return entry_push(&rk->v, &rk->n, &rk->cap, e);
}

static void entry_from(struct rentry *e, const struct store_provider *p, int capacity)
{
	memset(e, 0, sizeof *e);
	e->id = p->id;
	str_copy(e->name, sizeof e->name, p->name);
	e->framework = p->framework;
	e->active = p->active;
	str_copy(e->risk, sizeof e->risk, p->risk);
	str_copy(e->embargo, sizeof e->embargo, p->embargo);
	e->capacity = capacity;
}

static int ranked_provider_cb(void *ud, int rank, const struct store_provider *p, int capacity)
{
	(void)rank;
	struct rankings *rk = ud;
	struct rentry e;
	entry_from(&e, p, capacity);
	return rank_push(rk, &e) ? 0 : 1;
}

static void order_text(const struct rankings *rk, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < rk->n && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%s", i ? " | " : "", rk->v[i].name);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	if (!rk->n)
		snprintf(buf, len, "(nobody)");
}

/* ---- the list view over the order being edited ---- */

static bool load_all(void *ud, struct lv_window *all)
{
	struct rankings *rk = ud;
	for (int i = 0; i < rk->n; i++) {
		struct rentry *e = lv_window_put(all);
		if (!e)
			return false;
		*e = rk->v[i];
		e->rank = i + 1;
	}
	return true;
}

static int64_t entry_id(const void *row)
{
	return ((const struct rentry *)row)->id;
}

static bool entry_matches(const void *row, const char *needle)
{
	return text_contains(((const struct rentry *)row)->name, needle);
}

#define RE(e) const struct rentry *e = row

static void cell_rank(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	RE(e);
	snprintf(c->buf, c->len, "%d", e->rank);
}

static void cell_name(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	RE(e);
	str_copy(c->buf, c->len, e->name);
	if (e->embargo[0] || strcmp(e->risk, "red") == 0 || !e->active)
		c->look = LOOK_DIM;
}

static void cell_risk(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	RE(e);
	str_copy(c->buf, c->len, e->risk);
}

static void cell_capacity(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	RE(e);
	if (e->capacity >= 0)
		hours_format(e->capacity, c->buf, c->len);
	else
		snprintf(c->buf, c->len, "-");
}

static void cell_active(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	RE(e);
	snprintf(c->buf, c->len, "%s", e->active ? "yes" : "no");
}

static void cell_embargo(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	RE(e);
	str_copy(c->buf, c->len, e->embargo[0] ? e->embargo : "-");
}

static const struct lv_column columns[] = {
	{ "RANK", 4, 4, LV_FIXED, true, 0, 0, cell_rank, NULL, false },
	{ "PROVIDER", 16, 40, LV_TEXT, false, 1, 0, cell_name, NULL, false },
	{ "RISK", 5, 5, LV_FIXED, false, 0, 0, cell_risk, NULL, false },
	{ "CAPACITY", 8, 8, LV_FIXED, true, 0, 0, cell_capacity, NULL, false },
	{ "ACT", 3, 3, LV_FIXED, false, 0, 0, cell_active, NULL, false },
	{ "EMBARGO", 8, 30, LV_TEXT, false, 1, 0, cell_embargo, NULL, false },
};

static const struct lv_spec spec = {
	.row_size = sizeof(struct rentry),
	.id = entry_id,
	.load_all = load_all,
	.matches = entry_matches,
	.cols = columns,
	.ncols = (int)(sizeof columns / sizeof columns[0]),
	.empty = "Nobody is ranked here: a adds a framework provider.",
};

/* The order changed under the view (an edit, a load): shown again, the
 * cursor where the screen has it. */
static void show(struct screen *s)
{
	struct rankings *rk = s->st;
	lv_from_screen(&rk->lv, s);
	lv_reload(&rk->lv, 0);
	lv_to_screen(&rk->lv, s);
}

static void rankings_load(struct tui *t, struct screen *s)
{
	struct rankings *rk = s->st;
	rk->n = 0;
	enum bk_status st = bk_ranked_providers_each(t->ctx, rk->lot, rk->district, ranked_provider_cb, rk);
	if (st != BK_OK)
		tui_result(t, st);
	free(rk->saved);
	rk->saved = malloc((size_t)(rk->n ? rk->n : 1) * sizeof *rk->saved);
	rk->n_saved = 0;
	for (int i = 0; rk->saved && i < rk->n; i++)
		rk->saved[rk->n_saved++] = rk->v[i].id;
	order_text(rk, rk->saved_text, sizeof rk->saved_text);
	show(s);
}

static bool rankings_dirty(const struct screen *s)
{
	const struct rankings *rk = s->st;
	if (!rk || rk->n != rk->n_saved)
		return rk != NULL;
	for (int i = 0; i < rk->n; i++)
		if (rk->v[i].id != rk->saved[i])
			return true;
	return false;
}

static bool rankings_open(struct tui *t, struct screen *s, void *arg)
{
	const struct rankings_arg *a = arg;
	struct rankings *rk = calloc(1, sizeof *rk);
	if (!rk)
		return false;
	rk->lot = a->lot;
	rk->t = t;
	str_copy(rk->district, sizeof rk->district, a->district);
	s->st = rk;
	lv_init(&rk->lv, &spec, rk, SCR_RANKINGS);
	rankings_load(t, s);
	rk->lv.marked = 0;
	return true;
}

static void rankings_close(struct screen *s)
{
	struct rankings *rk = s->st;
	if (rk) {
		lv_finish(&rk->lv);
		free(rk->v);
		free(rk->saved);
	}
	free(rk);
	s->st = NULL;
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
		          "Saved. Referrals in flight keep their offers; the next approach uses this "
		          "order.",
		          draw_attr(LOOK_DIM), false);
	}
}

static void rankings_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	(void)t;
	const struct rankings *rk = s->st;
	snprintf(buf, len, "Ranking of lot %d in %s: %d provider%s%s", rk->lot, rk->district, rk->n,
	         rk->n == 1 ? "" : "s", rankings_dirty(s) ? "  (changed, not saved)" : "");
}

const struct screen_ops screen_rankings_ops = {
	.id = SCR_RANKINGS,
	.open = rankings_open,
	.close = rankings_close,
	.reload = rankings_reload,
	.draw = rankings_draw,
	.rows = lv_rows,
	.matches = lv_matches,
	.context = rankings_context,
	.dirty = rankings_dirty,
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
		for (int i = 0; i < set->n_lots; i++)
			if (set->lots[i].number == rk->lot)
				lot_at = i;
		district_at = bk_settings_district_index(set, rk->district);
		if (district_at < 0)
			district_at = 0;
		if (rankings_dirty(s)) {
			const char *lines[] = { "This ranking has changes that are not saved.", "",
				                "Leave it and lose them?" };
			if (!tui_confirm(t, "Discard the changes?", lines, 3))
				return;
		}
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

static void swap(struct rentry *a, struct rentry *b)
{
	struct rentry tmp = *a;
	*a = *b;
	*b = tmp;
}

void act_rank_up(struct tui *t, struct screen *s)
{
	struct rankings *rk = s->st;
	if (s->cursor <= 0 || s->cursor >= rk->n) {
		tui_message(t, true, "Already first");
		return;
	}
	swap(&rk->v[s->cursor], &rk->v[s->cursor - 1]);
	s->cursor--;
	screen_scroll(s, s->page);
	show(s);
	rk->lv.marked = rk->v[s->cursor].id;
	tui_message(t, false, "%s now rank %d (not saved: s saves)", rk->v[s->cursor].name, s->cursor + 1);
}

void act_rank_down(struct tui *t, struct screen *s)
{
	struct rankings *rk = s->st;
	if (s->cursor < 0 || s->cursor + 1 >= rk->n) {
		tui_message(t, true, "Already last");
		return;
	}
	swap(&rk->v[s->cursor], &rk->v[s->cursor + 1]);
	s->cursor++;
	screen_scroll(s, s->page);
	show(s);
	rk->lv.marked = rk->v[s->cursor].id;
	tui_message(t, false, "%s now rank %d (not saved: s saves)", rk->v[s->cursor].name, s->cursor + 1);
}

struct addable {
	const struct rankings *rk;
	struct rentry *v;
	int n, cap;
};

static int addable_cb(void *ud, const struct store_provider *p)
{
	struct addable *a = ud;
	if (!p->framework)
		return 0;
	for (int i = 0; i < a->rk->n; i++)
		if (a->rk->v[i].id == p->id)
			return 0;
	struct rentry e;
	entry_from(&e, p, -1);
	return entry_push(&a->v, &a->n, &a->cap, &e) ? 0 : 1;
}

void act_rank_add(struct tui *t, struct screen *s)
{
	struct rankings *rk = s->st;
	struct addable a = { rk, NULL, 0, 0 };
	bk_provider_each(t->ctx, addable_cb, &a);
	if (a.n == 0) {
		tui_message(t, true, "Every framework provider is ranked here already (c on Providers adds one)");
		free(a.v);
		return;
	}
	char(*text)[200] = calloc((size_t)a.n, sizeof *text);
	const char **items = calloc((size_t)a.n, sizeof *items);
	if (!text || !items) {
		free(text);
		free(items);
		free(a.v);
		return;
	}
	for (int i = 0; i < a.n; i++) {
		const struct rentry *e = &a.v[i];
		snprintf(text[i], sizeof text[i], "%s%s%s%s%s", e->name, strcmp(e->risk, "green") ? "  risk " : "",
		         strcmp(e->risk, "green") ? e->risk : "", e->embargo[0] ? "  embargoed" : "",
		         e->active ? "" : "  inactive");
		items[i] = text[i];
	}
	int k = tui_choose(t, "Add which framework provider?", items, a.n, 0);
	if (k >= 0) {
		struct rentry e = a.v[k];
		int capacity = -1;
		bk_capacity_get(t->ctx, e.id, rk->district, &capacity);
		e.capacity = capacity;
		int at = rk->n ? s->cursor + 1 : 0;
		if (rank_push(rk, &e)) {
			memmove(&rk->v[at + 1], &rk->v[at], (size_t)(rk->n - 1 - at) * sizeof *rk->v);
			rk->v[at] = e;
			s->cursor = at;
			screen_scroll(s, s->page);
			show(s);
			tui_message(t, false, "%s added at rank %d (not saved: s saves)", e.name, at + 1);
		}
	}
	free(text);
	free(items);
	free(a.v);
}

void act_rank_remove(struct tui *t, struct screen *s)
{
	struct rankings *rk = s->st;
	if (s->cursor < 0 || s->cursor >= rk->n) {
		tui_message(t, true, "Nobody here to remove");
		return;
	}
	char name[128];
	str_copy(name, sizeof name, rk->v[s->cursor].name);
	memmove(&rk->v[s->cursor], &rk->v[s->cursor + 1], (size_t)(rk->n - s->cursor - 1) * sizeof *rk->v);
	rk->n--;
	screen_scroll(s, s->page);
	show(s);
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
	const char **names = calloc((size_t)(rk->n ? rk->n : 1), sizeof *names);
	if (!names)
		return;
	for (int i = 0; i < rk->n; i++)
		names[i] = rk->v[i].name;
	enum bk_status st = bk_rank_set(t->ctx, rk->lot, rk->district, names, rk->n);
	free(names);
	if (st == BK_OK)
		rankings_load(t, s);
	tui_result(t, st);
	tui_reload_all(t);
}
