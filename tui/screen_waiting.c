/* The waiting list: every referral not yet sourced, ended or withdrawn,
 * as `brokerage waiting` lists it (the same core call, so the same
 * figures), for the team leader's weekly review. The rows are a compact
 * array in memory, sorted and filtered there; only the window on screen is
 * drawn, so ten thousand rows draw as fast as fifty. Also the trend: the
 * number waiting at the end of each of the last sixteen weeks. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/report.h"
#include "tui/tui.h"

struct wrow {
	int64_t id, version, deadline, holder_id;
	int lot, district, hours_minutes, rank, ranked, waited, waited_wd;
	bool urgent, breached, tagged, stopped;
	char case_ref[33];
	char district_name[24];
	enum wf_status status;
	char provider[48];
	char holder[24];
};

enum wcol { C_CASE, C_LOT, C_AREA, C_HOURS, C_STATUS, C_HOLDER, C_WAITED, C_STEP, C_DEADLINE, C_COUNT };

static const char *const col_names[C_COUNT] = {
	"case reference", "lot", "district", "hours a week", "status", "holder", "time waited", "current step (provider)",
	"next deadline",
};

static const enum wf_status open_statuses[] = { WF_NEW, WF_READY, WF_SEARCHING, WF_EXHAUSTED, WF_SPOT_REQUESTED, WF_PAUSED };
#define N_OPEN_STATUSES ((int)(sizeof open_statuses / sizeof open_statuses[0]))

struct waiting {
	struct wrow *rows;
	int n, cap;
	int *view; /* indexes of rows shown, in order */
	int nview;
	enum wcol sort;
	bool desc;
	/* filters: -1 (or 0 for lot) when off */
	int f_lot, f_district, f_status;
	int64_t f_holder; /* -1 anyone, 0 nobody, else a staff id */
	char f_holder_name[24];
	bool f_breached;
	/* the figures of the whole list, as `brokerage waiting` prints them */
	int total, breached, tagged;
	int grid[BK_MAX_LOTS][BK_MAX_DISTRICTS];
	bool failed;
	/* only the first screen's rows are loaded: the rest (and the count of
	 * breached deadlines) follow at once, in more() */
	bool partial;
	/* tags kept over a reload, by referral id */
	int64_t *keep_tags;
	int n_keep_tags;
};

/* ---- loading ---- */

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

struct load_ctx {
	struct tui *t;
	struct waiting *w;
};

/* Counts one referral in the lot x district grid; returns the district's
 * index (-1 when the district is not configured). */
static int count_in_grid(const struct bk_settings *set, int grid[BK_MAX_LOTS][BK_MAX_DISTRICTS], int lot,
                         const char *district)
{
	int di = bk_settings_district_index(set, district);
	for (int l = 0; l < set->n_lots; l++)
		if (set->lots[l].number == lot && di >= 0)
			grid[l][di]++;
	return di;
}

static int row_cb(void *ud, const struct bk_referral_row *row)
{
	struct load_ctx *lc = ud;
	struct waiting *w = lc->w;
	const struct bk_settings *set = lc->t->ctx->settings;
	const struct store_referral *sr = row->r;
	/* The figures, counted exactly as the command line counts them. */
	w->total++;
	if (row->breached)
		w->breached++;
	int di = count_in_grid(set, w->grid, sr->lot, sr->district);
	if (w->n == w->cap) {
		int cap = w->cap ? w->cap * 2 : 512;
		struct wrow *v = realloc(w->rows, (size_t)cap * sizeof *v);
		if (!v) {
			w->failed = true;
			return 0; /* keep counting: the figures stay right */
		}
		w->rows = v;
		w->cap = cap;
	}
	struct wrow *r = &w->rows[w->n++];
	memset(r, 0, sizeof *r);
	r->id = sr->id;
	r->version = sr->version;
	r->deadline = row->next_deadline;
	r->holder_id = sr->holder_id;
	r->lot = sr->lot;
	r->district = di;
	r->hours_minutes = sr->hours_minutes;
	r->rank = row->current_rank;
	r->ranked = row->ranked;
	r->waited = row->waited_days;
	r->waited_wd = row->waited_working_days;
	r->urgent = sr->urgent;
	r->breached = row->breached;
	r->stopped = row->clock_stopped;
	str_copy(r->case_ref, sizeof r->case_ref, sr->case_ref);
	str_copy(r->district_name, sizeof r->district_name, sr->district);
	r->status = sr->status;
	str_copy(r->provider, sizeof r->provider, row->current_provider);
	str_copy(r->holder, sizeof r->holder, row->holder);
	if (w->n_keep_tags && bsearch(&r->id, w->keep_tags, (size_t)w->n_keep_tags, sizeof r->id, cmp_id))
		r->tagged = true;
	return 0;
}

/* qsort has no context: the order in use while sorting. */
static enum wcol sort_col;
static bool sort_desc;

static int cmp_text(const char *a, const char *b)
{
	/* empty last, whichever the direction */
	if (!*a != !*b)
		return *a ? -1 : 1;
	return strcmp(a, b);
}

static int by_column(const void *pa, const void *pb)
{
	const struct wrow *a = pa, *b = pb;
	int c = 0;
	switch (sort_col) {
	case C_CASE: c = strcmp(a->case_ref, b->case_ref); break;
	case C_LOT: c = (a->lot > b->lot) - (a->lot < b->lot); break;
	case C_AREA: c = strcmp(a->district_name, b->district_name); break;
	case C_HOURS: c = (a->hours_minutes > b->hours_minutes) - (a->hours_minutes < b->hours_minutes); break;
	case C_STATUS: c = (int)a->status - (int)b->status; break; /* in the order of the workflow */
	case C_HOLDER:
		c = cmp_text(a->holder, b->holder);
		if (!*a->holder != !*b->holder)
			return c;
		break;
	case C_WAITED:
		c = (a->waited > b->waited) - (a->waited < b->waited);
		if (!c)
			c = (a->waited_wd > b->waited_wd) - (a->waited_wd < b->waited_wd);
		break;
	case C_STEP:
		c = cmp_text(a->provider, b->provider);
		if (!*a->provider != !*b->provider)
			return c;
		if (!c)
			c = (a->rank > b->rank) - (a->rank < b->rank);
		break;
	case C_DEADLINE:
		if (!a->deadline != !b->deadline)
			return a->deadline ? -1 : 1;
		c = (a->deadline > b->deadline) - (a->deadline < b->deadline);
		break;
	default: break;
	}
	if (c)
		return sort_desc ? -c : c;
	return (a->id > b->id) - (a->id < b->id);
}

static bool passes(const struct waiting *w, const struct wrow *r)
{
	if (w->f_lot && r->lot != w->f_lot)
		return false;
	if (w->f_district >= 0 && r->district != w->f_district)
		return false;
	if (w->f_status >= 0 && r->status != open_statuses[w->f_status])
		return false;
	if (w->f_holder >= 0 && r->holder_id != w->f_holder)
		return false;
	if (w->f_breached && !r->breached)
		return false;
	return true;
}

/* Sort, filter, and put the cursor back on the referral it was on. */
static void arrange(struct screen *s, int64_t keep)
{
	struct waiting *w = s->st;
	sort_col = w->sort;
	sort_desc = w->desc;
	if (w->n > 1)
		qsort(w->rows, (size_t)w->n, sizeof *w->rows, by_column);
	int *v = realloc(w->view, (size_t)(w->n ? w->n : 1) * sizeof *v);
	if (!v) {
		w->nview = 0;
		return;
	}
	w->view = v;
	w->nview = 0;
	w->tagged = 0;
	int at = -1;
	for (int i = 0; i < w->n; i++) {
		w->tagged += w->rows[i].tagged;
		if (!passes(w, &w->rows[i]))
			continue;
		if (keep && w->rows[i].id == keep)
			at = w->nview;
		w->view[w->nview++] = i;
	}
	if (at >= 0)
		s->cursor = at;
	if (s->cursor >= w->nview)
		s->cursor = w->nview - 1;
	if (s->cursor < 0)
		s->cursor = 0;
}

static int64_t cursor_id(const struct screen *s)
{
	const struct waiting *w = s->st;
	if (s->cursor < 0 || s->cursor >= w->nview)
		return 0;
	return w->rows[w->view[s->cursor]].id;
}

static void load(struct tui *t, struct screen *s)
{
	struct waiting *w = s->st;
	int64_t keep = cursor_id(s);
	/* the tags, by id, to put back */
	free(w->keep_tags);
	w->keep_tags = NULL;
	w->n_keep_tags = 0;
	if (w->tagged) {
		w->keep_tags = malloc((size_t)w->tagged * sizeof *w->keep_tags);
		for (int i = 0; w->keep_tags && i < w->n; i++)
			if (w->rows[i].tagged)
				w->keep_tags[w->n_keep_tags++] = w->rows[i].id;
		if (w->keep_tags)
			qsort(w->keep_tags, (size_t)w->n_keep_tags, sizeof *w->keep_tags, cmp_id);
	}
	w->n = 0;
	w->total = w->breached = 0;
	w->failed = false;
	w->partial = false;
	memset(w->grid, 0, sizeof w->grid);
	struct store_referral_filter f = { .unsourced_only = true, .brief = true };
	struct load_ctx lc = { t, w };
	enum bk_status st = bk_referral_list(t->ctx, &f, row_cb, &lc);
	if (st != BK_OK)
		tui_result(t, st);
	else if (w->failed)
		tui_message(t, true, "Out of memory: the list shows %d of %d referrals (the figures are right)", w->n,
		            w->total);
	free(w->keep_tags);
	w->keep_tags = NULL;
	w->n_keep_tags = 0;
	arrange(s, keep);
}

/* ---- the first screen first ----
 * Ten thousand rows take tens of milliseconds to read; the keys of the
 * list (id, lot, district, days waited) come from its index in a few. In
 * the opening order, time waited, longest first, the first screen can
 * only hold the `want` rows that waited longest and those that waited
 * exactly as long as the last of them (the order breaks such ties by
 * working days and id), so only those rows are read, the figures are
 * counted from the keys, and the whole list follows in more(). */
struct first_keys {
	const struct bk_settings *set;
	int total;
	int grid[BK_MAX_LOTS][BK_MAX_DISTRICTS];
	struct bk_waiting_key *k; /* district not kept */
	int n, cap;
	bool failed;
};

static int first_key(void *ud, const struct bk_waiting_key *k)
{
	struct first_keys *fk = ud;
	fk->total++;
	count_in_grid(fk->set, fk->grid, k->lot, k->district);
	if (fk->n == fk->cap) {
		int cap = fk->cap ? fk->cap * 2 : 1024;
		struct bk_waiting_key *v = realloc(fk->k, (size_t)cap * sizeof *v);
		if (!v) {
			fk->failed = true;
			return 1;
		}
		fk->k = v;
		fk->cap = cap;
	}
	fk->k[fk->n] = *k;
	fk->k[fk->n++].district = NULL;
	return 0;
}

static bool load_first(struct tui *t, struct screen *s, int want)
{
	struct waiting *w = s->st;
	struct first_keys fk = { .set = t->ctx->settings };
	if (bk_waiting_keys(t->ctx, first_key, &fk) != BK_OK || fk.failed || fk.n <= 4 * want) {
		free(fk.k);
		return false; /* a short list is read whole at once */
	}
	int need = bk_waiting_first(fk.k, fk.n, want);
	struct load_ctx lc = { t, w };
	w->n = 0;
	for (int i = 0; i < need && !w->failed; i++) {
		struct store_referral_filter f = { .unsourced_only = true, .brief = true, .id = fk.k[i].id };
		if (bk_referral_list(t->ctx, &f, row_cb, &lc) != BK_OK) {
			free(fk.k);
			w->n = 0;
			return false;
		}
	}
	free(fk.k);
	if (w->failed) {
		w->n = 0;
		w->failed = false;
		return false;
	}
	/* the figures of the whole list, not of the rows read */
	w->total = fk.total;
	memcpy(w->grid, fk.grid, sizeof w->grid);
	w->partial = true;
	arrange(s, 0);
	return true;
}

static bool waiting_more(struct tui *t, struct screen *s)
{
	struct waiting *w = s->st;
	if (!w->partial)
		return false;
	w->partial = false;
	load(t, s);
	return true;
}

static bool waiting_open(struct tui *t, struct screen *s, void *arg)
{
	(void)arg;
	struct waiting *w = calloc(1, sizeof *w);
	if (!w)
		return false;
	s->st = w;
	w->sort = C_WAITED;
	w->desc = true;
	w->f_district = w->f_status = -1;
	w->f_holder = -1;
	if (!load_first(t, s, LINES > 0 ? LINES : 24))
		load(t, s);
	return true;
}

static void waiting_close(struct screen *s)
{
	struct waiting *w = s->st;
	if (w) {
		free(w->rows);
		free(w->view);
		free(w->keep_tags);
	}
	free(w);
	s->st = NULL;
}

static void waiting_reload(struct tui *t, struct screen *s)
{
	load(t, s);
}

static int waiting_rows(const struct screen *s)
{
	const struct waiting *w = s->st;
	return w->nview;
}

static const struct wrow *row_at(const struct screen *s, int i)
{
	const struct waiting *w = s->st;
	return i >= 0 && i < w->nview ? &w->rows[w->view[i]] : NULL;
}

static bool waiting_matches(const struct screen *s, int i, const char *needle)
{
	const struct wrow *r = row_at(s, i);
	return r && (text_contains(r->case_ref, needle) || text_contains(r->provider, needle) ||
	             text_contains(r->holder, needle));
}

static bool waiting_referral(const struct screen *s, struct referral_ref *out)
{
	const struct wrow *r = row_at(s, s->cursor);
	if (!r)
		return false;
	out->id = r->id;
	out->version = r->version;
	return true;
}

/* ---- drawing ---- */

struct wcols {
	int w[C_COUNT];
	bool wide;
};

static struct wcols widths(int total)
{
	struct wcols c;
	c.wide = total >= 100;
	int fixed[C_COUNT] = { 10, 2, 5, 5, 9, 7, 7, 0, 11 };
	if (c.wide) {
		int wide[C_COUNT] = { 12, 3, 7, 5, 9, 9, 10, 0, 12 };
		memcpy(fixed, wide, sizeof fixed);
	}
	int used = 5; /* tag, RAG marker, urgent */
	for (int i = 0; i < C_COUNT; i++)
		used += fixed[i] + 1;
	memcpy(c.w, fixed, sizeof fixed);
	c.w[C_STEP] = total - used;
	if (c.w[C_STEP] < 10)
		c.w[C_STEP] = 10;
	return c;
}

/* A column and the gap after it. */
static void put(int y, int *x, int w, const char *text, bool right, int attr)
{
	draw_cell(y, *x, w, text, right, attr);
	draw_fill(y, *x + w, 1, attr);
	*x += w + 1;
}

static const char *status_short(enum wf_status status)
{
	return status == WF_SPOT_REQUESTED ? "spot req." : wf_status_name(status);
}

static void draw_row(struct tui *t, const struct wrow *r, const struct wcols *c, int y, bool selected)
{
	int base = selected ? draw_attr(LOOK_SELECT) : (int)A_NORMAL;
	/* the marker is red once a deadline was missed; the date keeps its own RAG */
	enum rag due = r->stopped ? RAG_NONE : wf_rag(&t->ctx->cal, r->deadline, t->ctx->now);
	enum rag rag = r->breached ? RAG_RED : due;
	int x = 0;
	draw_text(y, x, 1, r->tagged ? "*" : " ", base | A_BOLD, true);
	x += 1;
	draw_rag(y, x, rag, base);
	x += 3;
	draw_text(y, x, 1, r->urgent ? "!" : " ", base | A_BOLD, true);
	x += 1;
	char lot[8], hours[16], waited[32], step[200] = "-", dl[48];
	snprintf(lot, sizeof lot, "%d", r->lot);
	hours_format(r->hours_minutes, hours, sizeof hours);
	if (c->wide)
		snprintf(waited, sizeof waited, "%dd/%dwd", r->waited, r->waited_wd);
	else
		snprintf(waited, sizeof waited, "%d/%d", r->waited, r->waited_wd);
	if (r->provider[0])
		provider_rank_text(r->provider, r->rank, r->ranked, c->w[C_STEP], step, sizeof step);
	if (r->deadline)
		when_format(r->deadline, c->wide ? WHEN_SHORT : WHEN_NUMERIC, dl, sizeof dl);
	else
		snprintf(dl, sizeof dl, "-");
	if (r->stopped)
		snprintf(dl, sizeof dl, "%s", c->wide ? "clock stopped" : "stopped");
	put(y, &x, c->w[C_CASE], r->case_ref, false, base);
	put(y, &x, c->w[C_LOT], lot, true, base);
	put(y, &x, c->w[C_AREA], r->district_name, false, base);
	put(y, &x, c->w[C_HOURS], hours, true, base);
	put(y, &x, c->w[C_STATUS], status_short(r->status), false, base);
	put(y, &x, c->w[C_HOLDER], r->holder[0] ? r->holder : "-", false, base);
	put(y, &x, c->w[C_WAITED], waited, true, base);
	put(y, &x, c->w[C_STEP], step, false, base);
	int dattr = selected || due == RAG_NONE ? base : draw_attr(draw_rag_look(due));
	put(y, &x, c->w[C_DEADLINE], dl, false, dattr);
	if (x < COLS)
		draw_fill(y, x, COLS - x, base);
}

static void draw_head(struct tui *t, const struct waiting *w, const struct wcols *c, int y)
{
	static const char *const labels[C_COUNT] = { "CASE", "LOT", "AREA", "HOURS", "STATUS", "HOLDER", "WAITED",
		                                         "NOW WITH, RANK", "DEADLINE" };
	int head = draw_attr(LOOK_HEAD);
	draw_fill(y, 0, COLS, A_NORMAL);
	draw_text(y, 0, 5, "    ", head, true);
	int x = 5;
	for (int i = 0; i < C_COUNT; i++) {
		char label[64];
		const char *arrow = (enum wcol)i != w->sort ? "" : w->desc ? (t->ascii ? "v" : "\u25bc")
		                                                          : (t->ascii ? "^" : "\u25b2");
		if (i == C_WAITED && !c->wide)
			snprintf(label, sizeof label, "d/wd%s", arrow);
		else if (i == C_LOT && !c->wide)
			snprintf(label, sizeof label, "L%s", arrow);
		else
			snprintf(label, sizeof label, "%s%s", labels[i], arrow);
		bool right = i == C_LOT || i == C_HOURS || i == C_WAITED;
		put(y, &x, c->w[i], label, right, head);
	}
	if (x < COLS)
		draw_fill(y, x, COLS - x, head);
}

/* The totals and the lot x district grid; returns the lines used. */
static int draw_summary(struct tui *t, const struct waiting *w, int y, int room)
{
	const struct bk_settings *set = t->ctx->settings;
	char line[1024];
	if (w->partial)
		snprintf(line, sizeof line, "%d waiting, counting the breached deadlines...", w->total);
	else
		snprintf(line, sizeof line, "%d waiting, %d with a deadline breached", w->total, w->breached);
	draw_fill(y, 0, COLS, A_NORMAL);
	int x = 1 + draw_text(y, 1, COLS - 2, line, draw_attr(LOOK_TITLE), false);
	if (w->tagged) {
		snprintf(line, sizeof line, "   %d tagged (R reassigns them, U untags)", w->tagged);
		draw_text(y, x, COLS - x - 1, line, draw_attr(LOOK_AMBER), false);
	}
	int used = 1;
	if (room < 3)
		return used;
	/* district columns of 7, as many as fit beside a lot name of at least 20 */
	int nd = set->n_districts;
	int fit = (COLS - 2 - 20 - 8) / 8;
	if (nd > fit)
		nd = fit;
	int namew = COLS - 2 - 8 * nd - 8;
	if (namew > 34)
		namew = 34;
	size_t off = 0;
	char cell[64];
	text_fit("lot \\ district", namew, false, cell, sizeof cell);
	off += (size_t)snprintf(line + off, sizeof line - off, "%s", cell);
	for (int d = 0; d < nd; d++) {
		text_fit(set->districts[d].name, 7, true, cell, sizeof cell);
		off += (size_t)snprintf(line + off, sizeof line - off, " %s", cell);
	}
	snprintf(line + off, sizeof line - off, " %7s%s", "total", nd < set->n_districts ? " (more: : waiting)" : "");
	draw_fill(y + used, 0, COLS, A_NORMAL);
	draw_text(y + used, 1, COLS - 2, line, draw_attr(LOOK_HEAD), false);
	used++;
	int lots = set->n_lots;
	if (lots > room - 2)
		lots = room - 2;
	for (int l = 0; l < lots; l++) {
		char name[96];
		snprintf(name, sizeof name, "%2d %s", set->lots[l].number, set->lots[l].name);
		text_fit(name, namew, false, cell, sizeof cell);
		off = (size_t)snprintf(line, sizeof line, "%s", cell);
		int sum = 0;
		for (int d = 0; d < set->n_districts; d++) {
			if (d < nd)
				off += (size_t)snprintf(line + off, sizeof line - off, " %7d", w->grid[l][d]);
			sum += w->grid[l][d];
		}
		snprintf(line + off, sizeof line - off, " %7d", sum);
		draw_fill(y + used, 0, COLS, A_NORMAL);
		draw_text(y + used, 1, COLS - 2, line, A_NORMAL, false);
		used++;
	}
	return used;
}

/* The row under the cursor in full, whatever the columns had to cut. */
static void draw_strip(struct tui *t, const struct wrow *r, int y)
{
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
		if (r->stopped)
			snprintf(step, sizeof step, "with %s (rank %d of %d), clock stopped for information", r->provider, r->rank,
			         r->ranked);
		else
			snprintf(step, sizeof step, "with %s (rank %d of %d), due %s (%s)", r->provider, r->rank, r->ranked,
			         when, left);
	}
	snprintf(line, sizeof line, "%s%s held by %s, waited %d days (%d working days); %s", r->case_ref,
	         r->breached ? " BREACHED," : ":", r->holder[0] ? r->holder : "nobody", r->waited, r->waited_wd, step);
	draw_text(y, 1, COLS - 2, line, r->breached ? draw_attr(LOOK_RED) : draw_attr(LOOK_DIM), false);
}

static void waiting_draw(struct tui *t, struct screen *s, int y, int h)
{
	struct waiting *w = s->st;
	struct wcols c = widths(COLS);
	int used = draw_summary(t, w, y, h / 3);
	draw_head(t, w, &c, y + used);
	int rows = h - used - 2;
	screen_scroll(s, rows);
	s->row_y = y + used + 1;
	for (int r = 0; r < rows; r++) {
		int i = s->top + r;
		int ry = y + used + 1 + r;
		const struct wrow *row = row_at(s, i);
		if (row)
			draw_row(t, row, &c, ry, i == s->cursor);
		else
			draw_fill(ry, 0, COLS, A_NORMAL);
	}
	if (w->nview == 0) {
		const char *what = w->total == 0 ? "Nobody is waiting: every referral is sourced, ended or withdrawn."
		                                 : "No waiting referral passes the filter: f changes it, b toggles breached.";
		draw_text(y + used + 2, 3, COLS - 6, what, draw_attr(LOOK_TITLE), false);
	}
	draw_strip(t, row_at(s, s->cursor), y + h - 1);
}

static void filter_words(const struct tui *t, const struct waiting *w, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	if (w->f_lot)
		off += (size_t)snprintf(buf + off, len - off, ", lot %d", w->f_lot);
	if (w->f_district >= 0 && off < len)
		off += (size_t)snprintf(buf + off, len - off, ", %s", t->ctx->settings->districts[w->f_district].name);
	if (w->f_status >= 0 && off < len)
		off += (size_t)snprintf(buf + off, len - off, ", %s", wf_status_name(open_statuses[w->f_status]));
	if (w->f_holder >= 0 && off < len)
		off += (size_t)snprintf(buf + off, len - off, ", held by %s", w->f_holder ? w->f_holder_name : "nobody");
	if (w->f_breached && off < len)
		snprintf(buf + off, len - off, ", breached");
}

static void waiting_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	const struct waiting *w = s->st;
	char filter[256];
	filter_words(t, w, filter, sizeof filter);
	if (filter[0])
		snprintf(buf, len, "Waiting list: %d of %d shown (filter%s), by %s%s", w->nview, w->total, filter,
		         col_names[w->sort], w->desc ? ", descending" : "");
	else
		snprintf(buf, len, "Waiting list: %d not yet sourced, by %s%s", w->total, col_names[w->sort],
		         w->desc ? ", descending" : "");
}

const struct screen_ops screen_waiting_ops = {
	.id = SCR_WAITING,
	.open = waiting_open,
	.close = waiting_close,
	.reload = waiting_reload,
	.draw = waiting_draw,
	.rows = waiting_rows,
	.matches = waiting_matches,
	.context = waiting_context,
	.referral = waiting_referral,
	.more = waiting_more,
	.cursor_rows = true,
};

/* ---- sorting and filtering ---- */

static void sort_by(struct tui *t, struct screen *s, enum wcol col, bool desc)
{
	struct waiting *w = s->st;
	int64_t keep = cursor_id(s);
	w->sort = col;
	w->desc = desc;
	arrange(s, keep);
	tui_message(t, false, "Sorted by %s%s", col_names[col], desc ? ", descending" : "");
}

/* Waiting and deadlines are read most-first; names and numbers A to Z. */
static bool natural_desc(enum wcol col)
{
	return col == C_WAITED || col == C_HOURS;
}

void act_sort_prev(struct tui *t, struct screen *s)
{
	struct waiting *w = s->st;
	enum wcol col = (enum wcol)((w->sort + C_COUNT - 1) % C_COUNT);
	sort_by(t, s, col, natural_desc(col));
}

void act_sort_next(struct tui *t, struct screen *s)
{
	struct waiting *w = s->st;
	enum wcol col = (enum wcol)((w->sort + 1) % C_COUNT);
	sort_by(t, s, col, natural_desc(col));
}

void act_sort_choose(struct tui *t, struct screen *s)
{
	struct waiting *w = s->st;
	char text[C_COUNT][96];
	const char *items[C_COUNT];
	for (int i = 0; i < C_COUNT; i++) {
		if ((enum wcol)i == w->sort)
			snprintf(text[i], sizeof text[i], "%s (in use: again reverses it)", col_names[i]);
		else
			snprintf(text[i], sizeof text[i], "%s", col_names[i]);
		items[i] = text[i];
	}
	int k = tui_choose(t, "Sort the waiting list by", items, C_COUNT, (int)w->sort);
	if (k < 0)
		return;
	if ((enum wcol)k == w->sort)
		sort_by(t, s, w->sort, !w->desc);
	else
		sort_by(t, s, (enum wcol)k, natural_desc((enum wcol)k));
}

static void refilter(struct tui *t, struct screen *s)
{
	struct waiting *w = s->st;
	arrange(s, cursor_id(s));
	char f[256];
	filter_words(t, w, f, sizeof f);
	tui_message(t, false, "%d of %d shown%s%s", w->nview, w->total, f[0] ? ": " : " (no filter)", f[0] ? f + 2 : "");
}

static void choose_holder(struct tui *t, struct waiting *w)
{
	/* the holders on the list, each once */
	enum { MAXH = 200 };
	int64_t ids[MAXH];
	char names[MAXH][24];
	int n = 0;
	for (int i = 0; i < w->n && n < MAXH; i++) {
		const struct wrow *r = &w->rows[i];
		if (!r->holder_id)
			continue;
		bool seen = false;
		for (int k = 0; k < n && !seen; k++)
			seen = ids[k] == r->holder_id;
		if (!seen) {
			ids[n] = r->holder_id;
			str_copy(names[n], sizeof names[n], r->holder);
			n++;
		}
	}
	const char *items[MAXH + 2];
	items[0] = "anyone";
	items[1] = "nobody (not held)";
	for (int k = 0; k < n; k++)
		items[2 + k] = names[k];
	int k = tui_choose(t, "Show the referrals held by", items, n + 2, 0);
	if (k < 0)
		return;
	w->f_holder = k == 0 ? -1 : k == 1 ? 0 : ids[k - 2];
	if (k >= 2)
		str_copy(w->f_holder_name, sizeof w->f_holder_name, names[k - 2]);
}

void act_wait_filter(struct tui *t, struct screen *s)
{
	struct waiting *w = s->st;
	const struct bk_settings *set = t->ctx->settings;
	const char *what[] = { "lot", "district", "status", "holder", "breached deadlines only", "clear every filter" };
	int k = tui_choose(t, "Filter the waiting list by", what, 6, 0);
	char text[BK_MAX_DISTRICTS + 1][96];
	const char *items[BK_MAX_DISTRICTS + 1];
	int c;
	switch (k) {
	case 0:
		items[0] = "any lot";
		for (int i = 0; i < set->n_lots; i++) {
			snprintf(text[i], sizeof text[i], "%d %s", set->lots[i].number, set->lots[i].name);
			items[i + 1] = text[i];
		}
		c = tui_choose(t, "Lot", items, set->n_lots + 1, 0);
		if (c >= 0)
			w->f_lot = c == 0 ? 0 : set->lots[c - 1].number;
		break;
	case 1:
		items[0] = "any district";
		for (int i = 0; i < set->n_districts; i++)
			items[i + 1] = set->districts[i].name;
		c = tui_choose(t, "District", items, set->n_districts + 1, w->f_district + 1);
		if (c >= 0)
			w->f_district = c - 1;
		break;
	case 2:
		items[0] = "any status";
		for (int i = 0; i < N_OPEN_STATUSES; i++)
			items[i + 1] = wf_status_name(open_statuses[i]);
		c = tui_choose(t, "Status", items, N_OPEN_STATUSES + 1, w->f_status + 1);
		if (c >= 0)
			w->f_status = c - 1;
		break;
	case 3:
		choose_holder(t, w);
		break;
	case 4:
		w->f_breached = !w->f_breached;
		break;
	case 5:
		w->f_lot = 0;
		w->f_district = w->f_status = -1;
		w->f_holder = -1;
		w->f_breached = false;
		break;
	default:
		return;
	}
	refilter(t, s);
}

void act_breached(struct tui *t, struct screen *s)
{
	struct waiting *w = s->st;
	w->f_breached = !w->f_breached;
	refilter(t, s);
	if (w->f_breached)
		tui_message(t, false, "%d with a deadline breached (an offer expired, or is open past its deadline); "
		            "b shows all again", w->nview);
}

/* ---- tags and reassignment ---- */

void act_tag(struct tui *t, struct screen *s)
{
	struct waiting *w = s->st;
	if (s->cursor < 0 || s->cursor >= w->nview) {
		tui_message(t, true, "No referral here to tag");
		return;
	}
	struct wrow *r = &w->rows[w->view[s->cursor]];
	r->tagged = !r->tagged;
	w->tagged += r->tagged ? 1 : -1;
	s->cursor++;
	screen_scroll(s, s->page);
	tui_message(t, false, "%d tagged: R reassigns them", w->tagged);
}

void act_untag(struct tui *t, struct screen *s)
{
	struct waiting *w = s->st;
	for (int i = 0; i < w->n; i++)
		w->rows[i].tagged = false;
	w->tagged = 0;
	tui_message(t, false, "No referral tagged");
}

struct staff_pick {
	char login[64][64];
	char text[64][300];
	int n;
};

static int staff_cb(void *ud, const struct store_staff *st)
{
	struct staff_pick *p = ud;
	enum bk_role role;
	const char *why;
	if (p->n >= 64 || !st->active || !policy_role_parse(st->role, &role) || !policy_may(role, PERM_WORK_REFERRALS, &why))
		return 0;
	str_copy(p->login[p->n], sizeof p->login[0], st->login);
	char clean[128];
	draw_clean(st->name, clean, sizeof clean);
	snprintf(p->text[p->n], sizeof p->text[0], "%-12s %s (%s)", st->login, clean, policy_role_title(role));
	p->n++;
	return 0;
}

void act_reassign(struct tui *t, struct screen *s)
{
	struct waiting *w = s->st;
	int n = 0;
	int *pick = malloc((size_t)(w->n ? w->n : 1) * sizeof *pick);
	if (!pick)
		return;
	for (int i = 0; i < w->n; i++)
		if (w->rows[i].tagged)
			pick[n++] = i;
	if (n == 0 && s->cursor >= 0 && s->cursor < w->nview)
		pick[n++] = w->view[s->cursor];
	if (n == 0) {
		tui_message(t, true, "No referral to reassign: t tags them, or put the cursor on one");
		free(pick);
		return;
	}
	static struct staff_pick staff;
	memset(&staff, 0, sizeof staff);
	if (bk_staff_each(t->ctx, staff_cb, &staff) != BK_OK || staff.n == 0) {
		tui_message(t, true, "No member of staff who works referrals was found");
		free(pick);
		return;
	}
	const char *items[64];
	for (int i = 0; i < staff.n; i++)
		items[i] = staff.text[i];
	char title[96];
	snprintf(title, sizeof title, "Reassign %d referral%s to", n, n == 1 ? "" : "s");
	int k = tui_choose(t, title, items, staff.n, 0);
	if (k < 0) {
		free(pick);
		return;
	}
	char head[500], cases[600];
	size_t off = 0;
	cases[0] = '\0';
	for (int i = 0; i < n && i < 8 && off < sizeof cases; i++)
		off += (size_t)snprintf(cases + off, sizeof cases - off, "%s%s (now %s)", i ? ", " : "",
		                        w->rows[pick[i]].case_ref, w->rows[pick[i]].holder[0] ? w->rows[pick[i]].holder : "nobody");
	if (n > 8 && off < sizeof cases)
		snprintf(cases + off, sizeof cases - off, " and %d more", n - 8);
	snprintf(head, sizeof head, "Reassign %d referral%s to %s?", n, n == 1 ? "" : "s", staff.text[k]);
	const char *lines[] = { head, "", cases, "",
		                    "Each is changed only if nobody changed it since this list was loaded; each change is "
		                    "audited. Offers already sent stand." };
	if (!tui_confirm(t, "Reassign", lines, 5)) {
		tui_message(t, false, "Nothing reassigned");
		free(pick);
		return;
	}
	int done = 0, refused = 0;
	char first_refusal[600] = "";
	for (int i = 0; i < n; i++) {
		struct wrow *r = &w->rows[pick[i]];
		enum bk_status st = bk_referral_assign(t->ctx, r->id, r->version, staff.login[k]);
		if (st == BK_OK) {
			done++;
			r->tagged = false;
		} else {
			if (!refused)
				snprintf(first_refusal, sizeof first_refusal, "%s: %.500s", r->case_ref, t->ctx->msg);
			refused++;
		}
	}
	free(pick);
	tui_reload_all(t);
	if (refused)
		tui_message(t, true, "%d reassigned to %s; %d refused (%s)", done, staff.login[k], refused, first_refusal);
	else
		tui_message(t, false, "%d referral%s now held by %s", done, done == 1 ? "" : "s", staff.login[k]);
}

/* ---- the trend ---- */

#define TREND_WEEKS 17 /* sixteen weeks before, and now */

struct trend {
	int32_t day[TREND_WEEKS];
	int64_t count[TREND_WEEKS];
	int n;
};

static bool trend_open(struct tui *t, struct screen *s, void *arg)
{
	(void)arg;
	struct trend *tr = calloc(1, sizeof *tr);
	if (!tr)
		return false;
	struct bk_report_params p = { 0 };
	struct bk_table *table = NULL;
	enum bk_status st = bk_report(t->ctx, "waiting", &p, &table);
	if (st != BK_OK) {
		tui_result(t, st);
		free(tr);
		return false;
	}
	const struct bk_table *weekly = NULL;
	for (const struct bk_table *part = table; part; part = part->next)
		if (part->name && strcmp(part->name, "waiting_weekly") == 0)
			weekly = part;
	if (!weekly || weekly->n_cols < 2) {
		bk_table_destroy(table);
		free(tr);
		tui_message(t, true, "The waiting report has no weekly counts");
		return false;
	}
	for (int i = 0; i < weekly->n_rows && tr->n < TREND_WEEKS; i++) {
		const struct bk_row *row = &weekly->rows[i];
		if (row->kind != BK_ROW_DATA)
			continue;
		tr->day[tr->n] = (int32_t)row->cells[0].v;
		tr->count[tr->n] = row->cells[1].v;
		tr->n++;
	}
	bk_table_destroy(table);
	s->st = tr;
	return true;
}

static void trend_close(struct screen *s)
{
	free(s->st);
	s->st = NULL;
}

static int trend_rows(const struct screen *s)
{
	const struct trend *tr = s->st;
	return tr->n + 6;
}

/* A bar of value/max of width columns: whole blocks and an eighth-step end,
 * or '#' in ASCII. */
static void bar_text(bool ascii, int64_t value, int64_t max, int width, char *out, size_t len)
{
	static const char *const eighths[] = { "", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589" };
	size_t off = 0;
	out[0] = '\0';
	if (max <= 0 || width <= 0)
		return;
	int64_t units = value * width * 8 / max; /* in eighths of a column */
	if (value > 0 && units == 0)
		units = 1;
	int whole = (int)(units / 8), part = (int)(units % 8);
	if (ascii) {
		if (part >= 4)
			whole++;
		if (value > 0 && whole == 0)
			whole = 1;
		for (int i = 0; i < whole && off + 1 < len; i++)
			out[off++] = '#';
		out[off] = '\0';
		return;
	}
	for (int i = 0; i < whole && off + 4 < len; i++) {
		memcpy(out + off, "\u2588", 3);
		off += 3;
	}
	if (part && off + 4 < len) {
		size_t n = strlen(eighths[part]);
		memcpy(out + off, eighths[part], n);
		off += n;
	}
	out[off] = '\0';
}

static bool in_view(int line, int h)
{
	return line >= 0 && line < h;
}

static void trend_draw(struct tui *t, struct screen *s, int y, int h)
{
	struct trend *tr = s->st;
	screen_scroll(s, h);
	int64_t max = 0;
	for (int i = 0; i < tr->n; i++)
		if (tr->count[i] > max)
			max = tr->count[i];
	int line = -s->cursor;
	for (int r = 0; r < h; r++)
		draw_fill(y + r, 0, COLS, A_NORMAL);
	if (in_view(line, h))
		draw_text(y + line, 1, COLS - 2, "Referrals waiting at the end of each week", draw_attr(LOOK_TITLE), false);
	line += 2;
	int labelw = 30, numw = 7;
	int barw = COLS - 2 - labelw - 1 - numw - 1;
	for (int i = 0; i < tr->n; i++, line++) {
		if (!in_view(line, h))
			continue;
		int ago = tr->n - 1 - i;
		char day[32], label[64], bar[1024], num[24];
		cal_format_day(tr->day[i], day, sizeof day);
		if (ago == 0)
			snprintf(label, sizeof label, "now          %s", day);
		else
			snprintf(label, sizeof label, "%2d week%s ago %s", ago, ago == 1 ? " " : "s", day);
		bar_text(t->ascii, tr->count[i], max, barw, bar, sizeof bar);
		snprintf(num, sizeof num, "%lld", (long long)tr->count[i]);
		char fitted[96];
		text_fit(label, labelw, false, fitted, sizeof fitted);
		draw_text(y + line, 1, labelw, fitted, ago == 0 ? draw_attr(LOOK_TITLE) : (int)A_NORMAL, true);
		int bx = 1 + labelw + 1;
		int used = draw_text(y + line, bx, barw, bar, draw_attr(ago == 0 ? LOOK_GREEN : LOOK_NORMAL), false);
		draw_text(y + line, bx + used + 1, numw, num, A_BOLD, false);
	}
	line++;
	if (tr->n) {
		char note[400];
		snprintf(note, sizeof note, "%lld sixteen weeks ago, %lld now. A referral waits from its panel date (or the "
		         "day it was recorded) until it is sourced, ended or withdrawn; each week is worked out from those "
		         "recorded moments, so past weeks stay true when a referral changes later.",
		         (long long)tr->count[0], (long long)tr->count[tr->n - 1]);
		struct textview tv = { 0 };
		tv_add_wrapped(&tv, LOOK_DIM, COLS - 2, 0, note);
		for (int i = 0; i < tv.n; i++, line++)
			if (in_view(line, h))
				draw_text(y + line, 1, COLS - 2, tv.v[i].text, draw_attr(LOOK_DIM), false);
		tv_clear(&tv);
	}
}

static void trend_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	(void)t;
	const struct trend *tr = s->st;
	snprintf(buf, len, "Waiting trend: the end of each of the last 16 weeks, and now (%d bars)", tr->n);
}

const struct screen_ops screen_trend_ops = {
	.id = SCR_TREND,
	.open = trend_open,
	.close = trend_close,
	.draw = trend_draw,
	.rows = trend_rows,
	.context = trend_context,
};

void act_trend(struct tui *t, struct screen *s)
{
	(void)s;
	tui_push(t, SCR_TREND, NULL);
}
