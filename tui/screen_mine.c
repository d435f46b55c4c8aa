/* My referrals: the officer's worklist. By default what needs the officer
 * now (core's bk_worklist decides which and why), what is due first at the
 * top; the rest of the open referrals and the sourced packages behind the
 * filter. A spec on the one list view, and its keys. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/worklist.h"
#include "core/describe.h"
#include "tui/keymap.h"
#include "tui/listview.h"

enum { SHOW_NEEDS_YOU, SHOW_OPEN, SHOW_SOURCED, SHOW_ALL };
enum { F_SHOW, F_STATUS, F_LOT, F_DISTRICT, F_URGENCY, F_COUNT };

struct mine {
	struct listview lv; /* first: the list view's ops read it */
	bool all;           /* everyone's, not only the user's */
	int64_t since;      /* when the user last looked (0: never) */
	struct bk_work_changes ch;
	int red, amber, stopped;
	int expired, exhausted, to_you; /* of the rows read, changed since the user last looked */
	bool quick;                     /* the next load reads the index alone; the full read follows (lv_more) */
};

static int push_row(void *ud, const struct bk_work_row *row)
{
	struct bk_work_row *r = lv_window_put(ud);
	if (r)
		*r = *row;
	return !r;
}

static bool load_all(void *ud, struct lv_window *all)
{
	struct mine *m = ud;
	struct tui *t = m->lv.t;
	int show = m->lv.filter[F_SHOW];
	struct bk_worklist_query q = {
		.holder_id = m->all ? 0 : (t->ctx->actor.staff_id ? t->ctx->actor.staff_id : -1),
		.sourced = show == SHOW_ALL,
		.sourced_only = show == SHOW_SOURCED,
		.quick = m->quick,
	};
	m->lv.partial = m->quick;
	m->quick = false;
	enum bk_status st = bk_worklist(t->ctx, &q, push_row, all);
	if (st != BK_OK) {
		tui_result(t, st);
		return false;
	}
	struct bk_work_row *rows = (struct bk_work_row *)all->rows;
	m->red = m->amber = m->stopped = 0;
	m->expired = m->exhausted = m->to_you = 0;
	for (int i = 0; i < all->n; i++) {
		m->red += rows[i].rag == RAG_RED;
		m->amber += rows[i].rag == RAG_AMBER;
		m->stopped += rows[i].clock_stopped;
		unsigned ch = rows[i].changed = m->all ? 0 : bk_worklist_changed(&m->ch, rows[i].id);
		m->expired += (ch & WORK_CHANGED_EXPIRED) != 0;
		m->exhausted += (ch & WORK_CHANGED_EXHAUSTED) != 0;
		m->to_you += (ch & WORK_CHANGED_TO_YOU) != 0;
	}
	return true;
}

static bool keep(void *ud, const void *row, const int *v)
{
	const struct bk_work_row *r = row;
	/* what changed since the user last looked is shown with what needs them */
	if (v[F_SHOW] == SHOW_NEEDS_YOU && !r->needs_you && !r->changed)
		return false;
	return v[F_SHOW] != SHOW_OPEN || r->reason != WORK_SOURCED;
}

static char mark(void *ud, const void *row)
{
	return ((const struct bk_work_row *)row)->changed ? '*' : ' ';
}

/* ---- cells ---- */

typedef struct bk_work_row W;

LV_FIELD_CELL(cell_urgent, FLAG, W, urgent);
LV_FIELD_CELL(cell_case, TEXT, W, case_ref);
LV_FIELD_CELL(cell_lot, INT, W, lot);
LV_FIELD_CELL(cell_area, TEXT, W, district);
LV_FIELD_CELL(cell_hours, HOURS, W, hours_minutes);
LV_FIELD_CELL(cell_status, STATUS, W, status);
LV_FIELD_CELL(cell_holder, TEXT, W, holder);

static void cell_rag(void *ud, const void *row, struct lv_cell *c)
{
	c->rag = ((const W *)row)->rag; /* core's, of the deadline */
}

static void cell_why(void *ud, const void *row, struct lv_cell *c)
{
	const W *r = row;
	str_copy(c->buf, c->len, bk_work_reason_fit(r->reason, c->width > 0 ? (size_t)c->width : 0));
	if (r->reason == WORK_INFO_OWED || r->reason == WORK_LATE)
		c->look = r->reason == WORK_LATE ? LOOK_RED : LOOK_AMBER;
}

static void cell_provider(void *ud, const void *row, struct lv_cell *c)
{
	const W *r = row;
	lv_cell_provider(c, r->provider, r->reason == WORK_SOURCED ? 0 : r->rank, r->ranked);
}

static void cell_due(void *ud, const void *row, struct lv_cell *c)
{
	const W *r = row;
	if (r->clock_stopped)
		snprintf(c->buf, c->len, "stopped");
	else
		lv_cell_field(ud, &(struct lv_field)LV_AT_DASH(INSTANT, W, deadline), row, c);
}

static void cell_left(void *ud, const void *row, struct lv_cell *c)
{
	struct mine *m = ud;
	const W *r = row;
	wf_time_left(&m->lv.t->ctx->cal, r->deadline, m->lv.t->ctx->now, c->buf, c->len);
	if (r->rag != RAG_NONE)
		c->look = draw_rag_look(r->rag);
}

static const struct lv_column columns[] = {
	{ "RAG", 3, 3, LV_RAG, false, 0, 0, cell_rag, NULL, false },
	{ "", 1, 1, LV_FIXED, false, 0, 0, cell_urgent, NULL, true },
	{ "CASE", 8, 8, LV_FIXED, false, 0, 0, cell_case, NULL, true },
	{ "LOT", 3, 3, LV_FIXED, true, 0, 0, cell_lot, NULL, false },
	{ "AREA", 5, 8, LV_TEXT, false, 0, 90, cell_area, NULL, false },
	{ "HOURS", 5, 5, LV_FIXED, true, 0, 0, cell_hours, NULL, false },
	{ "WHY IT NEEDS YOU", 12, 20, LV_TEXT, false, 2, 0, cell_why, NULL, false },
	{ "STATUS", 9, 15, LV_TEXT, false, 0, 110, cell_status, NULL, false },
	{ "PROVIDER", 10, 20, LV_TEXT, false, 2, 0, cell_provider, NULL, false },
	{ "ANSWER DUE", 12, 16, LV_FIXED, false, 0, 0, cell_due, NULL, false },
	{ "TIME LEFT", 9, 9, LV_FIXED, false, 0, 0, cell_left, NULL, false },
	{ "HOLDER", 8, 12, LV_TEXT, false, 0, 130, cell_holder, NULL, false },
};

static const struct lv_sort sorts[] = {
	{ .name = "due first", .cmp = bk_work_cmp_due },
	{ .name = "breached first", .cmp = bk_work_cmp_breached },
	{ .name = "urgent first", .cmp = bk_work_cmp_urgent },
	{ .name = "longest waiting first", .cmp = bk_work_cmp_waited },
	{ .name = "case reference", .cmp = bk_work_cmp_case },
};

static const char *const show_words[] = { "what needs you now", "every open referral but the sourced",
	                                  "the sourced packages", "every open referral, sourced too", NULL };
static const char *const urgency_words[] = { "any", "urgent", "not urgent", NULL };

static const struct lv_filter filters[F_COUNT] = {
	[F_SHOW] = { "show", NULL, LVR_SCREEN, { 0 }, show_words },
	[F_STATUS] = { "status", NULL, LVR_VALUE, LV_AT(STATUS, W, status), NULL },
	[F_LOT] = { "lot", NULL, LVR_LOT, LV_AT(INT, W, lot), NULL },
	[F_DISTRICT] = { "area", NULL, LVR_DISTRICT, LV_AT(TEXT, W, district), NULL },
	[F_URGENCY] = { "urgency", NULL, LVR_YES_NO, LV_AT(FLAG, W, urgent), urgency_words },
};

static void since_line(void *ud, char *buf, size_t len);
static void finish(void *ud);

static const struct lv_spec spec = {
	.row_size = sizeof(W),
	.key = LV_AT(ID, W, id),
	.referral = LV_AT(ID, W, id),
	.version = LV_AT(ID, W, version),
	.search = { LV_AT(TEXT, W, case_ref), LV_AT(TEXT, W, provider) },
	.load_all = load_all,
	.keep = keep,
	.mark = mark,
	.cols = columns,
	.ncols = (int)(sizeof columns / sizeof columns[0]),
	.sorts = sorts,
	.nsorts = (int)(sizeof sorts / sizeof sorts[0]),
	.filters = filters,
	.nfilters = F_COUNT,
	.empty = "Nothing needs you now.",
	.empty_hint = "f shows the rest (every open referral, the sourced packages); a shows everyone's; c records a "
		      "new referral.",
	.filter_reloads = true,
	.banner = since_line,
	.finish = finish,
};

/* ---- the screen ---- */

static int saved_all = -1; /* a's choice, kept while the workstation is open; -1: none yet */

static bool mine_open(struct tui *t, struct screen *s, void *arg)
{
	struct mine *m = lv_open(t, s, sizeof *m, &spec);
	if (!m)
		return false;
	/* An administrator holds no referrals: start with everyone's. */
	m->all = saved_all >= 0 ? saved_all : t->ctx->actor.role == ROLE_ADMIN || t->ctx->actor.staff_id == 0;
	if (bk_worklist_last_looked(t->ctx, &m->since) != BK_OK ||
	    (m->since && m->since < t->ctx->now &&
	     bk_worklist_changes(t->ctx, t->ctx->actor.staff_id, m->since, &m->ch) != BK_OK))
		tui_result(t, BK_STORAGE);
	m->quick = true;
	lv_show(s);
	return true;
}

static void finish(void *ud)
{
	struct mine *m = ud;
	bk_worklist_changes_free(&m->ch);
}

static void since_line(void *ud, char *buf, size_t len)
{
	const struct mine *m = ud;
	const struct bk_work_changes *c = &m->ch;
	buf[0] = '\0';
	if (!m->since || m->all || !(m->expired || m->exhausted || m->to_you || c->away))
		return;
	char when[48];
	when_format(m->since, WHEN_DAY, when, sizeof when);
	size_t o = 0;
	str_appendf(buf, len, &o, "* Since you last looked (%s):", when);
	size_t head = o; /* each part after the first follows a comma */
	if (m->expired)
		str_appendf(buf, len, &o, "%s%d with an offer expired", o > head ? ", " : " ", m->expired);
	if (m->exhausted)
		str_appendf(buf, len, &o, "%s%d exhausted", o > head ? ", " : " ", m->exhausted);
	if (m->to_you)
		str_appendf(buf, len, &o, "%s%d reassigned to you", o > head ? ", " : " ", m->to_you);
	if (c->away)
		str_appendf(buf, len, &o, "%s%d reassigned away from you", o > head ? ", " : " ", c->away);
}

static void mine_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	const struct mine *m = s->st;
	static const char *const shown[] = { "need you", "open, not sourced", "sourced", "open" };
	int show = m->lv.filter[F_SHOW];
	int extra = 0;
	for (int k = 1; k < F_COUNT; k++)
		extra += m->lv.filter[k] != 0;
	char sorted[64] = "";
	if (m->lv.sort)
		snprintf(sorted, sizeof sorted, ", %s", spec.sorts[m->lv.sort].name);
	char stopped[32] = "";
	if (m->stopped)
		snprintf(stopped, sizeof stopped, ", %d stopped", m->stopped);
	snprintf(buf, len, "%s: %d %s%s, %d late, %d due soon%s%s%s", m->all ? "Everyone's" : "Mine", m->lv.total,
	         shown[show], extra ? " (filtered)" : "", m->red, m->amber, stopped, sorted,
	         m->lv.partial ? " (reading the wanted start dates...)" : "");
}

const struct screen_ops screen_mine_ops = LV_SCREEN_OPS(SCR_MINE, mine_open, lv_draw, mine_context);

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
	saved_all = m->all;
	m->quick = true;
	lv_show(s);
	tui_message(t, false,
	            m->all ? "Showing everyone's referrals (a: only yours)"
	                   : "Showing the referrals you hold (a: everyone's)");
}

void act_filter(struct tui *t, struct screen *s)
{
	struct mine *m = s->st;
	m->quick = true;
	lv_choose_filter(t, s);
	m->quick = false;
}
