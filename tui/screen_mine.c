/* My referrals: the officer's queue. The referrals the user holds (or
 * everyone's) that are not ended or withdrawn, soonest deadline first,
 * with the time left and its RAG. Rows are kept compact (ids and the
 * fields shown), and only the visible window is drawn. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui.h"

struct mine_row {
	int64_t id, version, deadline;
	int lot, hours_minutes, rank, ranked;
	bool urgent, stopped;
	char case_ref[33];
	char district[24];
	enum wf_status status;
	char provider[64];
	char holder[24];
};

struct mine {
	struct mine_row *rows;
	int n, cap;
	bool all;              /* everyone's, not only the user's */
	int status;            /* 0: every open status, else wf_status + 1 */
	bool failed;
	bool rest;             /* the sourced packages are still to load */
	int red, amber;
};

static int row_cb(void *ud, const struct bk_referral_row *row)
{
	struct mine *m = ud;
	if (m->n == m->cap) {
		int cap = m->cap ? m->cap * 2 : 256;
		struct mine_row *v = realloc(m->rows, (size_t)cap * sizeof *v);
		if (!v) {
			m->failed = true;
			return 1;
		}
		m->rows = v;
		m->cap = cap;
	}
	struct mine_row *r = &m->rows[m->n++];
	const struct store_referral *sr = row->r;
	r->id = sr->id;
	r->version = sr->version;
	/* its clock stopped for information: no deadline to show or colour */
	r->deadline = row->clock_stopped ? 0 : row->next_deadline;
	r->stopped = row->clock_stopped;
	r->lot = sr->lot;
	r->hours_minutes = sr->hours_minutes;
	r->rank = row->current_rank;
	r->ranked = row->ranked;
	r->urgent = sr->urgent;
	str_copy(r->case_ref, sizeof r->case_ref, sr->case_ref);
	str_copy(r->district, sizeof r->district, sr->district);
	r->status = sr->status;
	str_copy(r->provider, sizeof r->provider, row->current_provider);
	str_copy(r->holder, sizeof r->holder, row->holder);
	return 0;
}

/* Soonest deadline first, those without one last, then oldest first. */
/* Without a deadline, what needs the officer comes before what does not:
 * exhausted (ask for a spot purchase), new and ready (send), paused, then
 * waiting on a supervisor, then sourced packages. */
static int waiting_on_officer(enum wf_status status)
{
	static const enum wf_status order[] = { WF_EXHAUSTED, WF_NEW, WF_READY, WF_PAUSED, WF_SEARCHING, WF_SPOT_REQUESTED };
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (status == order[i])
			return (int)i;
	return (int)(sizeof order / sizeof order[0]);
}

static int by_deadline(const void *a, const void *b)
{
	const struct mine_row *x = a, *y = b;
	if (x->deadline != y->deadline) {
		if (!x->deadline)
			return 1;
		if (!y->deadline)
			return -1;
		return x->deadline < y->deadline ? -1 : 1;
	}
	int wx = waiting_on_officer(x->status), wy = waiting_on_officer(y->status);
	if (wx != wy)
		return wx - wy;
	if (x->urgent != y->urgent)
		return x->urgent ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* Sort, count the colours, and put the cursor back on the referral it was on. */
static void arrange(struct tui *t, struct screen *s, int64_t keep)
{
	struct mine *m = s->st;
	qsort(m->rows, (size_t)m->n, sizeof *m->rows, by_deadline);
	m->red = m->amber = 0;
	for (int i = 0; i < m->n; i++) {
		enum rag r = wf_rag(&t->ctx->cal, m->rows[i].deadline, t->ctx->now);
		m->red += r == RAG_RED;
		m->amber += r == RAG_AMBER;
		if (keep && m->rows[i].id == keep)
			s->cursor = i;
	}
	if (s->cursor >= m->n)
		s->cursor = m->n - 1;
	if (s->cursor < 0)
		s->cursor = 0;
}

static void list_into(struct tui *t, struct mine *m, const struct store_referral_filter *f)
{
	enum bk_status st = bk_referral_list(t->ctx, f, row_cb, m);
	if (st != BK_OK)
		tui_result(t, st);
	else if (m->failed)
		tui_message(t, true, "Out of memory: the list is incomplete");
}

static struct store_referral_filter mine_filter(struct tui *t, const struct mine *m)
{
	struct store_referral_filter f = { .brief = true };
	if (!m->all)
		f.holder_id = t->ctx->actor.staff_id ? t->ctx->actor.staff_id : -1;
	return f;
}

/* Every open referral comes in two parts: the unsourced ones (each row
 * with a deadline, and all that wait on the officer) and then the sourced
 * packages, which sort after every one of them. The first part alone
 * fills the first screen exactly, so with `first_only` the screen is
 * shown before the second part is read (mine_more). */
static void load_parts(struct tui *t, struct screen *s, bool first_only)
{
	struct mine *m = s->st;
	int64_t keep = m->n && s->cursor >= 0 && s->cursor < m->n ? m->rows[s->cursor].id : 0;
	m->n = 0;
	m->failed = false;
	m->rest = false;
	struct store_referral_filter f = mine_filter(t, m);
	if (m->status > 0) {
		f.status = wf_status_name((enum wf_status)(m->status - 1));
		list_into(t, m, &f);
	} else {
		f.unsourced_only = true;
		list_into(t, m, &f);
		if (first_only) {
			m->rest = true;
		} else if (!m->failed) {
			f.unsourced_only = false;
			f.status = wf_status_name(WF_SOURCED);
			list_into(t, m, &f);
		}
	}
	arrange(t, s, keep);
}

static void load(struct tui *t, struct screen *s)
{
	load_parts(t, s, false);
}

static bool mine_more(struct tui *t, struct screen *s)
{
	struct mine *m = s->st;
	if (!m->rest)
		return false;
	m->rest = false;
	int64_t keep = m->n && s->cursor >= 0 && s->cursor < m->n ? m->rows[s->cursor].id : 0;
	struct store_referral_filter f = mine_filter(t, m);
	f.status = wf_status_name(WF_SOURCED);
	list_into(t, m, &f);
	arrange(t, s, keep);
	return true;
}

static bool mine_open(struct tui *t, struct screen *s, void *arg)
{
	(void)arg;
	struct mine *m = calloc(1, sizeof *m);
	if (!m)
		return false;
	s->st = m;
	/* An administrator holds no referrals: start with everyone's. */
	m->all = t->ctx->actor.role == ROLE_ADMIN || t->ctx->actor.staff_id == 0;
	load_parts(t, s, true);
	return true;
}

static void mine_close(struct screen *s)
{
	struct mine *m = s->st;
	if (m)
		free(m->rows);
	free(m);
	s->st = NULL;
}

static void mine_reload(struct tui *t, struct screen *s)
{
	load(t, s);
}

static int mine_rows(const struct screen *s)
{
	const struct mine *m = s->st;
	return m->n;
}

static bool mine_matches(const struct screen *s, int row, const char *needle)
{
	const struct mine *m = s->st;
	if (row < 0 || row >= m->n)
		return false;
	return text_contains(m->rows[row].case_ref, needle) || text_contains(m->rows[row].provider, needle);
}

static bool mine_referral(const struct screen *s, struct referral_ref *out)
{
	const struct mine *m = s->st;
	if (s->cursor < 0 || s->cursor >= m->n)
		return false;
	out->id = m->rows[s->cursor].id;
	out->version = m->rows[s->cursor].version;
	return true;
}

static const char *status_words(enum wf_status status)
{
	return status == WF_SPOT_REQUESTED ? "spot req." : wf_status_name(status);
}

/* Column widths for the screen's width: at 80 columns everything fits,
 * and wider screens give the room to the provider and the dates. */
struct cols {
	int cas, lot, district, hours, status, provider, deadline, left;
	bool long_dates;
	bool holder;
};

static struct cols widths(int total, bool all)
{
	struct cols c = { .cas = 10, .lot = 3, .district = 6, .hours = 5, .status = 9, .deadline = 12, .left = 9 };
	c.long_dates = total >= 96;
	if (c.long_dates) {
		c.deadline = 16;
		c.cas = 12;
		c.district = 8;
	}
	/* marker, urgent flag and the gaps between columns */
	int fixed = 3 + 1 + c.cas + 1 + c.lot + 1 + c.district + 1 + c.hours + 1 + c.status + 1 + 1 + c.deadline + 1 +
	            c.left;
	c.holder = all && total - fixed >= 40;
	if (c.holder)
		fixed += 9;
	c.provider = total - fixed;
	if (c.provider < 10)
		c.provider = 10;
	return c;
}

static void put(int y, int *x, int w, const char *text, bool right, int attr, bool gap)
{
	draw_cell(y, *x, w, text, right, attr);
	*x += w;
	if (gap) {
		draw_fill(y, *x, 1, attr);
		*x += 1;
	}
}

static void draw_row(struct tui *t, const struct mine_row *r, const struct cols *c, int y, bool selected)
{
	int base = selected ? draw_attr(LOOK_SELECT) : (int)A_NORMAL;
	enum rag rag = wf_rag(&t->ctx->cal, r->deadline, t->ctx->now);
	int x = 0;
	draw_rag(y, x, rag, base);
	x += 3;
	draw_text(y, x, 1, r->urgent ? "!" : " ", base | A_BOLD, true);
	x += 1;
	char lot[8], hours[16], deadline[48] = "-", left[32], provider[200] = "-";
	snprintf(lot, sizeof lot, "%d", r->lot);
	hours_format(r->hours_minutes, hours, sizeof hours);
	if (r->provider[0])
		provider_rank_text(r->provider, r->rank, r->ranked, c->provider, provider, sizeof provider);
	if (r->stopped)
		snprintf(deadline, sizeof deadline, "%s", c->long_dates ? "clock stopped" : "stopped");
	else if (r->deadline)
		when_format(r->deadline, c->long_dates ? WHEN_DAY : WHEN_SHORT, deadline, sizeof deadline);
	wf_time_left(&t->ctx->cal, r->deadline, t->ctx->now, left, sizeof left);
	put(y, &x, c->cas, r->case_ref, false, base, true);
	put(y, &x, c->lot, lot, true, base, true);
	put(y, &x, c->district, r->district, false, base, true);
	put(y, &x, c->hours, hours, true, base, true);
	put(y, &x, c->status, status_words(r->status), false, base, true);
	put(y, &x, c->provider, provider, false, base, true);
	put(y, &x, c->deadline, deadline, false, base, true);
	int lattr = selected ? base : (rag == RAG_NONE ? (int)A_NORMAL : draw_attr(draw_rag_look(rag)));
	put(y, &x, c->left, left, false, lattr, c->holder);
	if (c->holder)
		put(y, &x, 8, r->holder, false, base, false);
	if (x < COLS)
		draw_fill(y, x, COLS - x, base);
}

static void mine_draw(struct tui *t, struct screen *s, int y, int h)
{
	struct mine *m = s->st;
	struct cols c = widths(COLS, m->all);
	int x = 0;
	int head = draw_attr(LOOK_HEAD);
	draw_fill(y, 0, COLS, A_NORMAL);
	draw_text(y, x, 4, "RAG ", head, true);
	x += 4;
	put(y, &x, c.cas, "CASE", false, head, true);
	put(y, &x, c.lot, "LOT", true, head, true);
	put(y, &x, c.district, "AREA", false, head, true);
	put(y, &x, c.hours, "HOURS", true, head, true);
	put(y, &x, c.status, "STATUS", false, head, true);
	put(y, &x, c.provider, "PROVIDER, RANK", false, head, true);
	put(y, &x, c.deadline, "ANSWER DUE", false, head, true);
	put(y, &x, c.left, "TIME LEFT", false, head, c.holder);
	if (c.holder)
		put(y, &x, 8, "HOLDER", false, head, false);
	int rows = h - 1;
	screen_scroll(s, rows);
	s->row_y = y + 1;
	for (int r = 0; r < rows; r++) {
		int i = s->top + r;
		if (i < m->n)
			draw_row(t, &m->rows[i], &c, y + 1 + r, i == s->cursor);
		else
			draw_fill(y + 1 + r, 0, COLS, A_NORMAL);
	}
	if (m->n == 0) {
		const char *what = m->status ? "No referrals with that status." :
		                   m->all ? "No open referrals." : "You hold no open referrals.";
		draw_text(y + 2, 3, COLS - 6, what, draw_attr(LOOK_TITLE), false);
		draw_text(y + 4, 3, COLS - 6, "c records a new referral; a shows everyone's; f filters by status.",
		          A_NORMAL, false);
	}
}

static void mine_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	(void)t;
	const struct mine *m = s->st;
	char filter[64] = "";
	if (m->status)
		snprintf(filter, sizeof filter, ", status %s", wf_status_name((enum wf_status)(m->status - 1)));
	snprintf(buf, len, "%s: %d%s, %d overdue, %d due soon%s%s", m->all ? "Everyone's referrals" : "My referrals",
	         m->n, m->status ? "" : " open", m->red, m->amber, filter,
	         m->rest ? " (reading the sourced packages...)" : "");
}

const struct screen_ops screen_mine_ops = {
	.id = SCR_MINE,
	.open = mine_open,
	.close = mine_close,
	.reload = mine_reload,
	.more = mine_more,
	.draw = mine_draw,
	.rows = mine_rows,
	.matches = mine_matches,
	.context = mine_context,
	.referral = mine_referral,
	.cursor_rows = true,
};

void act_open(struct tui *t, struct screen *s)
{
	struct referral_ref ref;
	if (!screen_referral(s, &ref)) {
		tui_message(t, true, "No referral here to open");
		return;
	}
	struct detail_arg a = { ref.id };
	tui_push(t, SCR_DETAIL, &a);
}

void act_all(struct tui *t, struct screen *s)
{
	struct mine *m = s->st;
	m->all = !m->all;
	load_parts(t, s, true);
	tui_message(t, false, m->all ? "Showing everyone's referrals (a: only yours)" : "Showing the referrals you hold (a: everyone's)");
}

void act_filter(struct tui *t, struct screen *s)
{
	struct mine *m = s->st;
	const char *items[WF_STATUS_COUNT + 1];
	items[0] = "every open status (not ended or withdrawn)";
	for (int i = 0; i < WF_STATUS_COUNT; i++)
		items[i + 1] = wf_status_name((enum wf_status)i);
	int k = tui_choose(t, "Show the referrals whose status is", items, WF_STATUS_COUNT + 1, m->status);
	if (k < 0)
		return;
	m->status = k;
	s->cursor = 0;
	load_parts(t, s, true);
}
