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
#include "tui/listview.h"

enum { SHOW_NEEDS_YOU, SHOW_OPEN, SHOW_SOURCED, SHOW_ALL };
enum { F_SHOW, F_STATUS, F_LOT, F_DISTRICT, F_URGENCY, F_COUNT };

struct mine {
	struct listview lv; /* first: the list view's ops read it */
	struct tui *t;
	bool all;      /* everyone's, not only the user's */
	int64_t since; /* when the user last looked (0: never) */
	struct bk_work_changes ch;
	int red, amber, stopped, needs;
	int expired, exhausted, to_you; /* of the rows read, changed since the user last looked */
	bool quick;                     /* the next load reads the index alone; the full read follows in more() */
	bool full_pending;              /* the rows shown came from the quick read */
};

static int64_t row_id(const void *row)
{
	return ((const struct bk_work_row *)row)->id;
}

static bool pushed_failed;

static int push_row(void *ud, const struct bk_work_row *row)
{
	struct lv_window *w = ud;
	struct bk_work_row *r = lv_window_put(w);
	if (!r) {
		pushed_failed = true;
		return 1;
	}
	*r = *row;
	return 0;
}

static bool load_all(void *ud, struct lv_window *all)
{
	struct mine *m = ud;
	struct tui *t = m->t;
	int show = m->lv.filter[F_SHOW];
	struct bk_worklist_query q = {
		.holder_id = m->all ? 0 : (t->ctx->actor.staff_id ? t->ctx->actor.staff_id : -1),
		.sourced = show == SHOW_ALL,
		.sourced_only = show == SHOW_SOURCED,
		.quick = m->quick,
	};
	m->full_pending = m->quick;
	m->quick = false;
	pushed_failed = false;
	enum bk_status st = bk_worklist(t->ctx, &q, push_row, all);
	if (st != BK_OK) {
		tui_result(t, st);
		return false;
	}
	if (pushed_failed)
		tui_message(t, true, "Out of memory: the list is incomplete");
	struct bk_work_row *rows = (struct bk_work_row *)all->rows;
	m->red = m->amber = m->stopped = m->needs = 0;
	m->expired = m->exhausted = m->to_you = 0;
	for (int i = 0; i < all->n; i++) {
		m->red += rows[i].rag == RAG_RED;
		m->amber += rows[i].rag == RAG_AMBER;
		m->stopped += rows[i].clock_stopped;
		m->needs += rows[i].needs_you;
		unsigned ch = rows[i].changed = m->all ? 0 : bk_worklist_changed(&m->ch, rows[i].id);
		m->expired += (ch & WORK_CHANGED_EXPIRED) != 0;
		m->exhausted += (ch & WORK_CHANGED_EXHAUSTED) != 0;
		m->to_you += (ch & WORK_CHANGED_TO_YOU) != 0;
	}
	return true;
}

static bool keep(void *ud, const void *row, const int *v)
{
	struct mine *m = ud;
	const struct bk_work_row *r = row;
	/* what changed since the user last looked is shown with what needs them */
	if (v[F_SHOW] == SHOW_NEEDS_YOU && !r->needs_you && !r->changed)
		return false;
	if (v[F_SHOW] == SHOW_OPEN && r->reason == WORK_SOURCED)
		return false;
	if (v[F_STATUS] && (int)r->status != v[F_STATUS] - 1)
		return false;
	const struct bk_settings *set = m->t->ctx->settings;
	if (v[F_LOT] && v[F_LOT] <= set->n_lots && r->lot != set->lots[v[F_LOT] - 1].number)
		return false;
	if (v[F_DISTRICT] && v[F_DISTRICT] <= set->n_districts &&
	    strcmp(r->district, set->districts[v[F_DISTRICT] - 1].name) != 0)
		return false;
	if (v[F_URGENCY] && r->urgent != (v[F_URGENCY] == 1))
		return false;
	return true;
}

static bool matches(const void *row, const char *needle)
{
	const struct bk_work_row *r = row;
	return text_contains(r->case_ref, needle) || text_contains(r->provider, needle);
}

static char mark(void *ud, const void *row)
{
	(void)ud;
	return ((const struct bk_work_row *)row)->changed ? '*' : ' ';
}

/* ---- cells ---- */

static void cell_rag(void *ud, const void *row, struct lv_cell *c)
{
	struct mine *m = ud;
	c->rag = wf_rag(&m->t->ctx->cal, ((const struct bk_work_row *)row)->deadline, m->t->ctx->now);
}

static void cell_urgent(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	snprintf(c->buf, c->len, "%s", ((const struct bk_work_row *)row)->urgent ? "!" : "");
}

static void cell_case(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	str_copy(c->buf, c->len, ((const struct bk_work_row *)row)->case_ref);
}

static void cell_lot(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	snprintf(c->buf, c->len, "%d", ((const struct bk_work_row *)row)->lot);
}

static void cell_area(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	str_copy(c->buf, c->len, ((const struct bk_work_row *)row)->district);
}

static void cell_hours(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	hours_format(((const struct bk_work_row *)row)->hours_minutes, c->buf, c->len);
}

static void cell_status(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	str_copy(c->buf, c->len, bk_status_words(wf_status_name(((const struct bk_work_row *)row)->status)));
}

static void cell_why(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	const struct bk_work_row *r = row;
	str_copy(c->buf, c->len, bk_work_reason_fit(r->reason, c->width > 0 ? (size_t)c->width : 0));
	if (r->reason == WORK_INFO_OWED || r->reason == WORK_LATE)
		c->look = r->reason == WORK_LATE ? LOOK_RED : LOOK_AMBER;
}

static void cell_provider(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	const struct bk_work_row *r = row;
	if (!r->provider[0])
		snprintf(c->buf, c->len, "-");
	else if (r->reason == WORK_SOURCED)
		str_copy(c->buf, c->len, r->provider);
	else
		provider_rank_text(r->provider, r->rank, r->ranked, c->width, c->buf, c->len);
}

#define DUE_NARROW 12
#define DUE_WIDE 16

static void cell_due(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	const struct bk_work_row *r = row;
	if (r->clock_stopped)
		snprintf(c->buf, c->len, "stopped");
	else if (r->deadline)
		when_format(r->deadline, c->width >= DUE_WIDE ? WHEN_DAY : WHEN_SHORT, c->buf, c->len);
	else
		snprintf(c->buf, c->len, "-");
}

static void cell_left(void *ud, const void *row, struct lv_cell *c)
{
	struct mine *m = ud;
	const struct bk_work_row *r = row;
	wf_time_left(&m->t->ctx->cal, r->deadline, m->t->ctx->now, c->buf, c->len);
	enum rag rag = wf_rag(&m->t->ctx->cal, r->deadline, m->t->ctx->now);
	if (rag != RAG_NONE)
		c->look = draw_rag_look(rag);
}

static void cell_holder(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	str_copy(c->buf, c->len, ((const struct bk_work_row *)row)->holder);
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
	{ "ANSWER DUE", DUE_NARROW, DUE_WIDE, LV_FIXED, false, 0, 0, cell_due, NULL, false },
	{ "TIME LEFT", 9, 9, LV_FIXED, false, 0, 0, cell_left, NULL, false },
	{ "HOLDER", 8, 12, LV_TEXT, false, 0, 130, cell_holder, NULL, false },
};

static const struct lv_sort sorts[] = {
	{ "due first", bk_work_cmp_due },       { "breached first", bk_work_cmp_breached },
	{ "urgent first", bk_work_cmp_urgent }, { "longest waiting first", bk_work_cmp_waited },
	{ "case reference", bk_work_cmp_case },
};

static int show_choices(void *ud, char items[][80], int max)
{
	(void)ud;
	static const char *const w[] = { "what needs you now", "every open referral but the sourced",
		                         "the sourced packages", "every open referral, sourced too" };
	int n = 0;
	for (; n < 4 && n < max; n++)
		snprintf(items[n], 80, "%s", w[n]);
	return n;
}

static int status_choices(void *ud, char items[][80], int max)
{
	(void)ud;
	int n = 0;
	snprintf(items[n++], 80, "any");
	for (int i = 0; i < WF_STATUS_COUNT && n < max; i++)
		snprintf(items[n++], 80, "%s", bk_status_words(wf_status_name((enum wf_status)i)));
	return n;
}

static int lot_choices(void *ud, char items[][80], int max)
{
	struct mine *m = ud;
	const struct bk_settings *set = m->t->ctx->settings;
	int n = 0;
	snprintf(items[n++], 80, "any");
	for (int i = 0; i < set->n_lots && n < max; i++)
		snprintf(items[n++], 80, "%d %.70s", set->lots[i].number, set->lots[i].name);
	return n;
}

static int district_choices(void *ud, char items[][80], int max)
{
	struct mine *m = ud;
	const struct bk_settings *set = m->t->ctx->settings;
	int n = 0;
	snprintf(items[n++], 80, "any");
	for (int i = 0; i < set->n_districts && n < max; i++)
		snprintf(items[n++], 80, "%.78s", set->districts[i].name);
	return n;
}

static int urgency_choices(void *ud, char items[][80], int max)
{
	(void)ud;
	(void)max;
	snprintf(items[0], 80, "any");
	snprintf(items[1], 80, "urgent");
	snprintf(items[2], 80, "not urgent");
	return 3;
}

static const struct lv_filter filters[F_COUNT] = {
	[F_SHOW] = { "show", show_choices },
	[F_STATUS] = { "status", status_choices },
	[F_LOT] = { "lot", lot_choices },
	[F_DISTRICT] = { "area", district_choices },
	[F_URGENCY] = { "urgency", urgency_choices },
};

static void since_line(void *ud, char *buf, size_t len);

static const struct lv_spec spec = {
	.row_size = sizeof(struct bk_work_row),
	.id = row_id,
	.load_all = load_all,
	.keep = keep,
	.matches = matches,
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
};

/* ---- the screen ---- */

static bool everyone_first(const struct tui *t)
{
	/* An administrator holds no referrals: start with everyone's. */
	return t->ctx->actor.role == ROLE_ADMIN || t->ctx->actor.staff_id == 0;
}

static bool saved_all; /* a's choice, kept while the workstation is open */
static bool saved_all_set;

static bool mine_open(struct tui *t, struct screen *s, void *arg)
{
	(void)arg;
	struct mine *m = calloc(1, sizeof *m);
	if (!m)
		return false;
	s->st = m;
	m->t = t;
	m->all = saved_all_set ? saved_all : everyone_first(t);
	lv_init(&m->lv, &spec, m, SCR_MINE);
	if (t->ctx->actor.staff_id && t->start.db_path) {
		m->since = lv_last_looked(t->start.db_path, t->ctx->actor.login);
		if (m->since && m->since < t->ctx->now &&
		    bk_worklist_changes(t->ctx, t->ctx->actor.staff_id, m->since, &m->ch) != BK_OK)
			tui_result(t, BK_STORAGE);
	}
	m->quick = true;
	lv_reload(&m->lv, 0);
	m->lv.marked = 0;
	lv_to_screen(&m->lv, s);
	return true;
}

/* After the first screen: the full read (the wanted start dates), the
 * cursor and the scroll kept. */
static bool mine_more(struct tui *t, struct screen *s)
{
	(void)t;
	struct mine *m = s->st;
	if (!m->full_pending)
		return false;
	int64_t marked = m->lv.marked;
	lv_from_screen(&m->lv, s);
	lv_reload(&m->lv, 0);
	m->lv.marked = marked;
	lv_to_screen(&m->lv, s);
	return true;
}

static void mine_close(struct screen *s)
{
	struct mine *m = s->st;
	if (m) {
		lv_finish(&m->lv);
		bk_worklist_changes_free(&m->ch);
	}
	free(m);
	s->st = NULL;
}

static void mine_reload(struct tui *t, struct screen *s)
{
	(void)t;
	struct mine *m = s->st;
	lv_from_screen(&m->lv, s);
	lv_reload(&m->lv, 0);
	lv_to_screen(&m->lv, s);
}

static bool mine_referral(const struct screen *s, struct referral_ref *out)
{
	struct mine *m = s->st;
	const struct bk_work_row *r = lv_row(&m->lv, s->cursor);
	if (!r)
		return false;
	out->id = r->id;
	out->version = r->version;
	return true;
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
	size_t o = (size_t)snprintf(buf, len, "* Since you last looked (%s):", when);
	const char *sep = " ";
	if (m->expired && o < len)
		o += (size_t)snprintf(buf + o, len - o, "%s%d with an offer expired", sep, m->expired), sep = ", ";
	if (m->exhausted && o < len)
		o += (size_t)snprintf(buf + o, len - o, "%s%d exhausted", sep, m->exhausted), sep = ", ";
	if (m->to_you && o < len)
		o += (size_t)snprintf(buf + o, len - o, "%s%d reassigned to you", sep, m->to_you), sep = ", ";
	if (c->away && o < len)
		snprintf(buf + o, len - o, "%s%d reassigned away from you", sep, c->away);
}

static void mine_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	(void)t;
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
	         m->full_pending ? " (reading the wanted start dates...)" : "");
}

const struct screen_ops screen_mine_ops = {
	.id = SCR_MINE,
	.open = mine_open,
	.close = mine_close,
	.reload = mine_reload,
	.more = mine_more,
	.draw = lv_draw,
	.rows = lv_rows,
	.matches = lv_matches,
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
	saved_all = m->all;
	saved_all_set = true;
	s->cursor = s->top = 0;
	m->quick = true;
	lv_from_screen(&m->lv, s);
	lv_reload(&m->lv, 0);
	m->lv.marked = 0;
	lv_to_screen(&m->lv, s);
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

/* The workstation closes: remember when the user last looked. */
void lv_session_end(struct tui *t)
{
	if (t->ctx && t->ctx->actor.staff_id && t->start.db_path)
		lv_remember_looked(t->start.db_path, t->ctx->actor.login, t->ctx->now);
}
