/* The waiting list: every referral not yet sourced, ended or withdrawn,
 * as `brokerage waiting` lists it (core's worklist rows, read by the same
 * core call with core's row flags, so the same figures), for the team
 * leader's weekly review. A spec on the one list view, the figures and the
 * lot x district grid above it (the grid follows the filter), and its keys:
 * tags and reassignment. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "core/worklist.h"
#include "core/describe.h"
#include "tui/keymap.h"
#include "tui/listview.h"

typedef struct bk_work_row W; /* everyone's worklist rows, the sourced left out */

enum { F_LOT, F_AREA, F_STATUS, F_HOLDER, F_BREACHED, F_COUNT };
enum { SORT_WAITED = 6 }; /* the opening order */
static const enum wf_status open_statuses[] = { WF_NEW,       WF_READY,          WF_SEARCHING,
	                                        WF_EXHAUSTED, WF_SPOT_REQUESTED, WF_PAUSED };
#define N_OPEN_STATUSES ((int)(sizeof open_statuses / sizeof open_statuses[0]))

struct holder {
	char login[32];
	int waiting;
};

struct waiting {
	struct listview lv; /* first: the list view's ops read it */
	/* the figures of the whole list, as `brokerage waiting` prints them */
	int total, breached;
	int grid[BK_MAX_LOTS][BK_MAX_DISTRICTS]; /* of the rows the filter keeps */
	bool first_read;                         /* the first screen was read alone: later loads read the whole list */
	VEC(int64_t) tags;                       /* tagged referrals, by id, kept over reloads */
	VEC(struct holder) holders;              /* on the list, by login: the holder filter's choices */
	/* the grid is of these rows under grid_filter (count_grid) */
	bool grid_known;
	int grid_filter[LV_MAX_FILTERS];
};

/* ---- loading ---- */

static void count_in_grid(const struct bk_settings *set, int grid[BK_MAX_LOTS][BK_MAX_DISTRICTS], int lot,
                          const char *district)
{
	const struct bk_lot *l = bk_settings_lot(set, lot);
	int di = bk_settings_district_index(set, district);
	if (l && di >= 0)
		grid[l - set->lots][di]++;
}

struct load_ctx {
	struct waiting *w;
	struct lv_window *all;
	bool failed;
};

static void note_holder(struct waiting *w, const char *login)
{
	if (!login[0])
		return;
	for (size_t i = 0; i < w->holders.n; i++)
		if (strcmp(w->holders.v[i].login, login) == 0) {
			w->holders.v[i].waiting++;
			return;
		}
	struct holder *h = vec_push(&w->holders);
	if (h) {
		str_copy(h->login, sizeof h->login, login);
		h->waiting = 1;
	}
}

static int row_cb(void *ud, const W *row)
{
	struct load_ctx *lc = ud;
	struct waiting *w = lc->w;
	/* the figures, counted as the command line counts them */
	w->total++;
	w->breached += row->breached;
	W *r = lv_window_put(lc->all);
	if (!r) {
		lc->failed = true;
		return 0; /* keep counting: the figures stay right */
	}
	*r = *row;
	note_holder(w, r->holder);
	return 0;
}

static int by_holder_name(const void *a, const void *b)
{
	return strcmp(((const struct holder *)a)->login, ((const struct holder *)b)->login);
}

/* ---- the first screen first ----
 * In the opening order (time waited, longest first, no filter) the first
 * screen can only hold the `want` rows that waited longest and those that
 * waited exactly as long as the last of them; core says which from the
 * list's index (bk_waiting_first), only those rows are read, the figures
 * are counted from the keys, and the whole list follows in more(). */
struct first_keys {
	VEC(struct bk_waiting_key) k;
	int total;
	int grid[BK_MAX_LOTS][BK_MAX_DISTRICTS];
	const struct bk_settings *set;
	bool failed;
};

static int first_key(void *ud, const struct bk_waiting_key *k)
{
	struct first_keys *fk = ud;
	fk->total++;
	count_in_grid(fk->set, fk->grid, k->lot, k->district);
	if (vec_collect(&fk->k, k, &fk->failed))
		return 1;
	fk->k.v[fk->k.n - 1].district = NULL; /* the name is valid only during the call */
	return 0;
}

static bool filtered(const struct waiting *w)
{
	for (int k = 0; k < F_COUNT; k++)
		if (w->lv.filter[k])
			return true;
	return false;
}

static bool load_first(struct waiting *w, struct load_ctx *lc, int want)
{
	struct first_keys fk = { .set = w->lv.t->ctx->settings };
	if (bk_waiting_keys(w->lv.t->ctx, first_key, &fk) != BK_OK || fk.failed || (int)fk.k.n <= 4 * want) {
		vec_free(&fk.k);
		return false; /* a short list is read whole at once */
	}
	int need = bk_waiting_first(fk.k.v, (int)fk.k.n, want);
	for (int i = 0; i < need && !lc->failed; i++) {
		struct bk_worklist_query q = { .quick = true, .id = fk.k.v[i].id };
		if (bk_worklist(w->lv.t->ctx, &q, row_cb, lc) != BK_OK)
			lc->failed = true;
	}
	vec_free(&fk.k);
	if (lc->failed) {
		lc->all->n = 0;
		lc->failed = false;
		return false;
	}
	w->total = fk.total;
	w->breached = -1; /* not counted yet */
	memcpy(w->grid, fk.grid, sizeof w->grid);
	w->lv.partial = true;
	return true;
}

static bool load_all(void *ud, struct lv_window *all)
{
	struct waiting *w = ud;
	struct tui *t = w->lv.t;
	struct load_ctx lc = { w, all, false };
	w->lv.partial = false;
	w->grid_known = false;
	bool first = !w->first_read && w->lv.sort == SORT_WAITED && !w->lv.desc && !filtered(w);
	w->first_read = true;
	if (first && load_first(w, &lc, LINES > 0 ? LINES : 24))
		return true;
	w->total = w->breached = 0;
	vec_clear(&w->holders);
	struct bk_worklist_query q = { .quick = true };
	enum bk_status st = bk_worklist(t->ctx, &q, row_cb, &lc);
	if (st != BK_OK) {
		tui_result(t, st);
		return false;
	}
	if (lc.failed)
		tui_message(t, true, "Out of memory: the list shows %d of %d referrals (the figures are right)", all->n,
		            w->total);
	all->full = false; /* said so above, with the figures */
	if (w->holders.n > 1)
		qsort(w->holders.v, w->holders.n, sizeof *w->holders.v, by_holder_name);
	return true;
}

static bool keep(void *ud, const void *row, const int *v)
{
	struct waiting *w = ud;
	const W *r = row;
	if (v[F_STATUS] && v[F_STATUS] <= N_OPEN_STATUSES && r->status != open_statuses[v[F_STATUS] - 1])
		return false;
	if (v[F_HOLDER] == 1 && r->holder[0])
		return false;
	return v[F_HOLDER] < 2 ||
	       ((size_t)v[F_HOLDER] - 2 < w->holders.n && strcmp(r->holder, w->holders.v[v[F_HOLDER] - 2].login) == 0);
}

/* Where id is among the tags; tags.n when it is not. */
static size_t tag_at(const struct waiting *w, int64_t id)
{
	size_t i = 0;
	while (i < w->tags.n && w->tags.v[i] != id)
		i++;
	return i;
}

static char mark(void *ud, const void *row)
{
	const struct waiting *w = ud;
	return tag_at(w, ((const W *)row)->id) < w->tags.n ? '*' : ' ';
}

/* ---- sorts: the longest waiting first, then by each column ---- */

static int by_step(const void *a, const void *b)
{
	const W *x = a, *y = b;
	/* not with a provider last */
	int c = !x->provider[0] != !y->provider[0] ? (x->provider[0] ? -1 : 1) : strcmp(x->provider, y->provider);
	if (!c && x->rank != y->rank)
		c = x->rank < y->rank ? -1 : 1;
	return c ? c : bk_work_cmp_waiting(a, b);
}

static const struct lv_sort sorts[] = {
	{ .name = "case reference", .key = LV_AT(TEXT, W, case_ref) },
	{ .name = "lot", .key = LV_AT(INT, W, lot) },
	{ .name = "district", .key = LV_AT(TEXT, W, district) },
	{ .name = "hours a week, most first", .key = LV_AT(HOURS, W, hours_minutes), .most_first = true },
	{ .name = "status", .key = LV_AT(STATUS, W, status) }, /* in the order of the workflow */
	{ .name = "holder", .key = LV_AT(TEXT, W, holder) },
	[SORT_WAITED] = { .name = "time waited, longest first", .cmp = bk_work_cmp_waiting },
	{ .name = "current step (provider)", .cmp = by_step },
	{ .name = "next deadline, soonest first", .key = LV_AT(INSTANT, W, deadline) },
	{ .name = "breached first", .key = LV_AT(FLAG, W, breached) },
	{ .name = "urgent first", .key = LV_AT(FLAG, W, urgent) },
};

/* ---- cells ---- */

static void cell_rag(void *ud, const void *row, struct lv_cell *c)
{
	const W *r = row;
	/* red once a deadline was missed (core's breached); else the deadline's own */
	c->rag = r->breached ? RAG_RED : r->rag;
}

LV_FIELD_CELL(cell_urgent, FLAG, W, urgent);
LV_FIELD_CELL(cell_case, TEXT, W, case_ref);
LV_FIELD_CELL(cell_lot, INT, W, lot);
LV_FIELD_CELL(cell_area, TEXT, W, district);
LV_FIELD_CELL(cell_hours, HOURS, W, hours_minutes);
LV_FIELD_CELL(cell_status, STATUS, W, status);
LV_FIELD_CELL_DASH(cell_holder, TEXT, W, holder);

#define WAITED_WIDE 10

static void cell_waited(void *ud, const void *row, struct lv_cell *c)
{
	const W *r = row;
	if (c->width >= WAITED_WIDE)
		snprintf(c->buf, c->len, "%dd/%dwd", r->waited_days, r->waited_working_days);
	else
		snprintf(c->buf, c->len, "%d/%d", r->waited_days, r->waited_working_days);
}

static void cell_step(void *ud, const void *row, struct lv_cell *c)
{
	const W *r = row;
	lv_cell_provider(c, r->provider, r->rank, r->ranked);
}

#define DEADLINE_WIDE 13

static void cell_deadline(void *ud, const void *row, struct lv_cell *c)
{
	const W *r = row;
	if (r->clock_stopped)
		snprintf(c->buf, c->len, "%s", c->width >= DEADLINE_WIDE ? "clock stopped" : "stopped");
	else
		lv_cell_field(ud, &(struct lv_field)LV_AT_DASH(INSTANT, W, deadline), row, c);
	if (r->rag != RAG_NONE)
		c->look = draw_rag_look(r->rag);
}

static const struct lv_column columns[] = {
	{ "RAG", 3, 3, LV_RAG, false, 0, 0, cell_rag, NULL, false },
	{ "", 1, 1, LV_FIXED, false, 0, 0, cell_urgent, NULL, true },
	{ "CASE", 8, 8, LV_FIXED, false, 0, 0, cell_case, NULL, true },
	{ "LOT", 3, 3, LV_FIXED, true, 0, 0, cell_lot, NULL, false },
	{ "AREA", 5, 7, LV_TEXT, false, 0, 0, cell_area, NULL, false },
	{ "HOURS", 5, 5, LV_FIXED, true, 0, 0, cell_hours, NULL, false },
	{ "STATUS", 9, 15, LV_TEXT, false, 0, 0, cell_status, NULL, false },
	{ "HOLDER", 6, 9, LV_TEXT, false, 0, 0, cell_holder, NULL, false },
	{ "WAITED", 6, WAITED_WIDE, LV_FIXED, true, 0, 0, cell_waited, NULL, false },
	{ "NOW WITH, RANK", 10, 24, LV_TEXT, false, 1, 0, cell_step, "WITH", false },
	{ "DEADLINE", 11, DEADLINE_WIDE, LV_FIXED, false, 0, 0, cell_deadline, NULL, false },
};

/* ---- filters ---- */

static int status_choices(void *ud, char items[][80], int max)
{
	int n = 0;
	snprintf(items[n++], 80, "any status");
	for (int i = 0; i < N_OPEN_STATUSES && n < max; i++)
		snprintf(items[n++], 80, "%s", bk_status_words(wf_status_name(open_statuses[i])));
	return n;
}

static int holder_choices(void *ud, char items[][80], int max)
{
	struct waiting *w = ud;
	int n = 0;
	snprintf(items[n++], 80, "anyone");
	snprintf(items[n++], 80, "nobody (not held)");
	for (size_t i = 0; i < w->holders.n && n < max; i++)
		snprintf(items[n++], 80, "%.60s (%d waiting)", w->holders.v[i].login, w->holders.v[i].waiting);
	return n;
}

static const char *const breached_words[] = { "breached or not", "breached deadlines only", "not breached", NULL };

static const struct lv_filter filters[F_COUNT] = {
	[F_LOT] = { "lot", NULL, LVR_LOT, LV_AT(INT, W, lot), NULL },
	[F_AREA] = { "district", NULL, LVR_DISTRICT, LV_AT(TEXT, W, district), NULL },
	[F_STATUS] = { "status", status_choices, LVR_SCREEN, { 0 }, NULL },
	[F_HOLDER] = { "holder", holder_choices, LVR_SCREEN, { 0 }, NULL },
	[F_BREACHED] = { "breached", NULL, LVR_YES_NO, LV_AT(FLAG, W, breached), breached_words },
};

static void finish(void *ud);

static const struct lv_spec spec = {
	.row_size = sizeof(W),
	.key = LV_AT(ID, W, id),
	.referral = LV_AT(ID, W, id),
	.version = LV_AT(ID, W, version),
	.search = { LV_AT(TEXT, W, case_ref), LV_AT(TEXT, W, provider), LV_AT(TEXT, W, holder) },
	.load_all = load_all,
	.keep = keep,
	.mark = mark,
	.cols = columns,
	.ncols = (int)(sizeof columns / sizeof columns[0]),
	.sorts = sorts,
	.nsorts = (int)(sizeof sorts / sizeof sorts[0]),
	.default_sort = SORT_WAITED,
	.filters = filters,
	.nfilters = F_COUNT,
	.sort_title = "Sort the waiting list by",
	.filter_title = "Filter the waiting list by",
	.empty = "No waiting referral to show.",
	.empty_hint = "f changes the filter (or clears it); b toggles the breached ones.",
	.finish = finish,
};

/* ---- the screen ---- */

LV_OPEN(waiting_open, struct waiting, spec);

static void finish(void *ud)
{
	struct waiting *w = ud;
	vec_free(&w->tags);
	vec_free(&w->holders);
}

/* The grid of the rows the filter keeps (of the whole list when none),
 * counted again when the rows or the filter changed, not at every key: a
 * count is a look-up of each row's lot and district by name. */
static void count_grid(struct waiting *w)
{
	if (w->lv.partial)
		return; /* the keys' grid: the whole list, no filter */
	if (w->grid_known && memcmp(w->grid_filter, w->lv.filter, sizeof w->grid_filter) == 0)
		return;
	const struct bk_settings *set = w->lv.t->ctx->settings;
	memset(w->grid, 0, sizeof w->grid);
	for (int i = 0; i < w->lv.total; i++) {
		const W *r = lv_row(&w->lv, i);
		count_in_grid(set, w->grid, r->lot, r->district);
	}
	memcpy(w->grid_filter, w->lv.filter, sizeof w->grid_filter);
	w->grid_known = true;
}

static void filter_words(const struct waiting *w, char *buf, size_t len)
{
	const struct bk_settings *set = w->lv.t->ctx->settings;
	const int *v = w->lv.filter;
	size_t off = 0;
	buf[0] = '\0';
	if (v[F_LOT] && v[F_LOT] <= set->n_lots)
		str_appendf(buf, len, &off, ", lot %d", set->lots[v[F_LOT] - 1].number);
	if (v[F_AREA] && v[F_AREA] <= set->n_districts)
		str_appendf(buf, len, &off, ", %s", set->districts[v[F_AREA] - 1].name);
	if (v[F_STATUS] && v[F_STATUS] <= N_OPEN_STATUSES)
		str_appendf(buf, len, &off, ", %s", bk_status_words(wf_status_name(open_statuses[v[F_STATUS] - 1])));
	if (v[F_HOLDER] == 1)
		str_appendf(buf, len, &off, ", held by nobody");
	if (v[F_HOLDER] >= 2 && (size_t)v[F_HOLDER] - 2 < w->holders.n)
		str_appendf(buf, len, &off, ", held by %s", w->holders.v[v[F_HOLDER] - 2].login);
	if (v[F_BREACHED])
		str_appendf(buf, len, &off, ", %s", v[F_BREACHED] == 1 ? "breached" : "not breached");
}

/* The totals and the lot x district grid; returns the lines used. */
static int draw_summary(struct waiting *w, int y, int room)
{
	const struct bk_settings *set = w->lv.t->ctx->settings;
	char line[1024];
	if (w->breached < 0)
		snprintf(line, sizeof line, "%d waiting, counting the breached deadlines...", w->total);
	else
		snprintf(line, sizeof line, "%d waiting, %d with a deadline breached", w->total, w->breached);
	draw_fill(y, 0, COLS, A_NORMAL);
	int x = 1 + draw_text(y, 1, COLS - 2, line, draw_attr(LOOK_TITLE), false);
	if (w->tags.n) {
		snprintf(line, sizeof line, "   %zu tagged (R reassigns them, U untags)", w->tags.n);
		x += draw_text(y, x, COLS - x - 1, line, draw_attr(LOOK_AMBER), false);
	}
	/* the order here, not on the context line (beside the user's name at 80
	 * columns it had no room), and only whole: the tags come first */
	snprintf(line, sizeof line, "   by %s%s", spec.sorts[w->lv.sort].name, w->lv.desc ? ", reversed" : "");
	if (text_width(line) <= COLS - x - 1)
		draw_text(y, x, COLS - x - 1, line, draw_attr(LOOK_DIM), false);
	int used = 1;
	if (room < 3)
		return used;
	count_grid(w);
	/* district columns as wide as their names (5 for "total", at most 7), as
	 * many as fit beside a lot name of at least 20; the lot names whole when
	 * the line has room for them */
	int dw = 5;
	for (int d = 0; d < set->n_districts; d++) {
		int nw = text_width(set->districts[d].name);
		if (nw > dw)
			dw = nw < 7 ? nw : 7;
	}
	int nd = set->n_districts;
	int fit = (COLS - 2 - 20 - (dw + 1)) / (dw + 1);
	if (nd > fit)
		nd = fit;
	char cell[64], f[256], name[96];
	filter_words(w, f, sizeof f);
	const char *label = f[0] ? "lot \\ district (filter)" : "lot \\ district";
	int namew = text_width(label);
	for (int l = 0; l < set->n_lots; l++) {
		snprintf(name, sizeof name, "%2d %s", set->lots[l].number, set->lots[l].name);
		if (text_width(name) > namew)
			namew = text_width(name);
	}
	if (namew > COLS - 2 - (dw + 1) * (nd + 1))
		namew = COLS - 2 - (dw + 1) * (nd + 1);
	size_t off = 0;
	text_fit(label, namew, false, cell, sizeof cell);
	str_appendf(line, sizeof line, &off, "%s", cell);
	for (int d = 0; d < nd; d++) {
		text_fit(set->districts[d].name, dw, true, cell, sizeof cell);
		str_appendf(line, sizeof line, &off, " %s", cell);
	}
	str_appendf(line, sizeof line, &off, " %*s%s", dw, "total", nd < set->n_districts ? " (more: : waiting)" : "");
	draw_fill(y + used, 0, COLS, A_NORMAL);
	draw_text(y + used, 1, COLS - 2, line, draw_attr(LOOK_HEAD), false);
	used++;
	int lots = set->n_lots;
	if (lots > room - 2)
		lots = room - 2;
	for (int l = 0; l < lots; l++) {
		snprintf(name, sizeof name, "%2d %s", set->lots[l].number, set->lots[l].name);
		text_fit(name, namew, false, cell, sizeof cell);
		off = 0;
		str_appendf(line, sizeof line, &off, "%s", cell);
		int sum = 0;
		for (int d = 0; d < set->n_districts; d++) {
			if (d < nd)
				str_appendf(line, sizeof line, &off, " %*d", dw, w->grid[l][d]);
			sum += w->grid[l][d];
		}
		str_appendf(line, sizeof line, &off, " %*d", dw, sum);
		draw_fill(y + used, 0, COLS, A_NORMAL);
		draw_text(y + used, 1, COLS - 2, line, A_NORMAL, false);
		used++;
	}
	return used;
}

/* The row under the cursor in full, whatever the columns had to cut. */
static void draw_strip(struct waiting *w, const W *r, int y)
{
	struct tui *t = w->lv.t;
	draw_fill(y, 0, COLS, draw_attr(LOOK_DIM));
	if (!r)
		return;
	char line[1024], step[400] = "not with a provider";
	if (r->provider[0]) {
		char when[48] = "", left[32] = "";
		if (r->deadline) {
			cal_format_local(r->deadline, when, sizeof when);
			wf_time_left(&t->ctx->cal, r->deadline, t->ctx->now, left, sizeof left);
		}
		if (r->clock_stopped)
			snprintf(step, sizeof step, "with %s (rank %d of %d), clock stopped: we owe information",
			         r->provider, r->rank, r->ranked);
		else
			snprintf(step, sizeof step, "with %s (rank %d of %d), due %s (%s)", r->provider, r->rank,
			         r->ranked, when, left);
	}
	snprintf(line, sizeof line, "%s%s held by %s, waited %d days (%d working days); %s", r->case_ref,
	         r->breached ? " BREACHED," : ":", r->holder[0] ? r->holder : "nobody", r->waited_days,
	         r->waited_working_days, step);
	draw_text(y, 1, COLS - 2, line, r->breached ? draw_attr(LOOK_RED) : draw_attr(LOOK_DIM), false);
}

static void waiting_draw(struct tui *t, struct screen *s, int y, int h)
{
	struct waiting *w = s->st;
	int used = draw_summary(w, y, h / 3);
	lv_draw(t, s, y + used, h - used - 1);
	draw_strip(w, lv_at(s), y + h - 1);
}

static void waiting_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	const struct waiting *w = s->st;
	char filter[256];
	filter_words(w, filter, sizeof filter);
	if (filter[0])
		snprintf(buf, len, "Waiting list: %d of %d shown (filter%s)", w->lv.total, w->total, filter);
	else
		snprintf(buf, len, "Waiting list: %d not yet sourced", w->total);
}

const struct screen_ops screen_waiting_ops = LV_SCREEN_OPS(SCR_WAITING, waiting_open, waiting_draw, waiting_context);

/* ---- filtering ---- */

static void say_shown(struct tui *t, struct waiting *w)
{
	char f[256];
	filter_words(w, f, sizeof f);
	tui_message(t, false, "%d of %d shown%s%s", w->lv.total, w->total, f[0] ? ": " : " (no filter)",
	            f[0] ? f + 2 : "");
}

void act_wait_filter(struct tui *t, struct screen *s)
{
	struct waiting *w = s->st;
	/* the holder filter's choices are the whole list's holders */
	lv_more(t, s);
	lv_choose_filter(t, s);
	say_shown(t, w);
}

void act_breached(struct tui *t, struct screen *s)
{
	struct waiting *w = s->st;
	lv_more(t, s);
	lv_set_filter(&w->lv, F_BREACHED, w->lv.filter[F_BREACHED] == 1 ? 0 : 1);
	lv_to_screen(&w->lv, s);
	if (w->lv.filter[F_BREACHED])
		tui_message(t, false,
		            "%d with a deadline breached (an offer expired, or is open past its deadline); "
		            "b shows all again",
		            w->lv.total);
	else
		say_shown(t, w);
}

/* ---- tags and reassignment ---- */

void act_tag(struct tui *t, struct screen *s)
{
	struct waiting *w = s->st;
	const W *r = lv_at_or(t, s, "No referral here to tag");
	if (!r)
		return;
	size_t i = tag_at(w, r->id);
	if (i < w->tags.n) {
		w->tags.v[i] = w->tags.v[--w->tags.n];
	} else {
		int64_t *id = vec_push(&w->tags);
		if (!id) {
			tui_message(t, true, "Out of memory");
			return;
		}
		*id = r->id;
	}
	s->cursor++;
	screen_scroll(s, s->page);
	tui_message(t, false, "%zu tagged: R reassigns them", w->tags.n);
}

void act_untag(struct tui *t, struct screen *s)
{
	struct waiting *w = s->st;
	vec_clear(&w->tags);
	tui_message(t, false, "No referral tagged");
}

struct staff_pick {
	char login[64][64];
	char text[64][300];
	const char *items[64]; /* text, for the pick list */
	int n;
	const struct waiting *w;
};

/* an officer's caseload (core's), and of it the referrals still waiting */
static int staff_cb(void *ud, const struct bk_caseload *c)
{
	struct staff_pick *p = ud;
	if (p->n >= 64)
		return 0;
	int waiting = 0;
	for (size_t i = 0; i < p->w->holders.n; i++)
		if (strcmp(p->w->holders.v[i].login, c->staff->login) == 0)
			waiting = p->w->holders.v[i].waiting;
	str_copy(p->login[p->n], sizeof p->login[0], c->staff->login);
	char clean[128];
	draw_clean(c->staff->name, clean, sizeof clean);
	snprintf(p->text[p->n], sizeof p->text[0], "%-8s %s (%s): %d open, %d waiting", c->staff->login, clean,
	         policy_role_title(c->role), c->open, waiting);
	p->items[p->n] = p->text[p->n];
	p->n++;
	return 0;
}

void act_reassign(struct tui *t, struct screen *s)
{
	struct waiting *w = s->st;
	lv_more(t, s);
	/* the tagged referrals, or the one under the cursor, copied: the rows
	 * are read again under the dialogs */
	VEC(W) pick = { 0 };
	const W *rows = (const W *)w->lv.win.rows;
	for (int i = 0; i < w->lv.win.n; i++) {
		W *p = tag_at(w, rows[i].id) < w->tags.n ? vec_push(&pick) : NULL;
		if (p)
			*p = rows[i];
	}
	const W *r = pick.n ? NULL : lv_at(s);
	W *p = r ? vec_push(&pick) : NULL;
	if (p)
		*p = *r;
	if (pick.n == 0) {
		tui_message(t, true, "No referral to reassign: t tags them, or put the cursor on one");
		return;
	}
	int n = (int)pick.n;
	static struct staff_pick staff;
	memset(&staff, 0, sizeof staff);
	staff.w = w;
	if (bk_caseloads(t->ctx, staff_cb, &staff) != BK_OK || staff.n == 0) {
		tui_message(t, true, "No member of staff who works referrals was found");
		vec_free(&pick);
		return;
	}
	char title[96], head[500], cases[600] = "";
	snprintf(title, sizeof title, "Reassign %d referral%s to", n, n == 1 ? "" : "s");
	int k = tui_choose(t, title, staff.items, staff.n, 0);
	size_t off = 0;
	for (int i = 0; i < n && i < 8; i++)
		str_appendf(cases, sizeof cases, &off, "%s%s (now %s)", i ? ", " : "", pick.v[i].case_ref,
		            pick.v[i].holder[0] ? pick.v[i].holder : "nobody");
	if (n > 8)
		str_appendf(cases, sizeof cases, &off, " and %d more", n - 8);
	snprintf(head, sizeof head, "Reassign %d referral%s to %s?", n, n == 1 ? "" : "s", k < 0 ? "" : staff.login[k]);
	const char *lines[] = { head, "", cases, "",
		                "Each is changed only if nobody changed it since this list was loaded; each change is "
		                "audited. Offers already sent stand." };
	if (k < 0 || !tui_confirm(t, "Reassign", lines, 5)) {
		if (k >= 0)
			tui_message(t, false, "Nothing reassigned");
		vec_free(&pick);
		return;
	}
	int done = 0, refused = 0;
	char first_refusal[600] = "";
	for (int i = 0; i < n; i++) {
		enum bk_status st = bk_referral_assign(t->ctx, pick.v[i].id, pick.v[i].version, staff.login[k]);
		size_t j = tag_at(w, pick.v[i].id);
		if (st == BK_OK) {
			done++;
			if (j < w->tags.n)
				w->tags.v[j] = w->tags.v[--w->tags.n];
		} else if (!refused++) {
			snprintf(first_refusal, sizeof first_refusal, "%s: %.500s", pick.v[i].case_ref, t->ctx->msg);
		}
	}
	vec_free(&pick);
	tui_reload_all(t);
	if (refused)
		tui_message(t, true, "%d reassigned to %s; %d refused (%s)", done, staff.login[k], refused,
		            first_refusal);
	else
		tui_message(t, false, "%d referral%s now held by %s", done, done == 1 ? "" : "s", staff.login[k]);
}
