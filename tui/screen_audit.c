/* Audit: the event log, newest first, filtered by referral, person, action
 * and dates; v verifies the hash chain and says OK with the count, or
 * TAMPERED with the event and what is wrong with it. The log can hold
 * millions of events: only the window on screen and a page either side
 * are read. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/describe.h"
#include "core/vec.h"
#include "tui/keymap.h"
#include "tui/listview.h"

struct evrow {
	int64_t seq, at, entity_id, referral_id;
	char actor[32];
	char action[48];
	char entity[24];
	char change[600];
};

struct provider_name {
	int64_t id;
	char name[64];
};

struct audit {
	struct listview lv; /* first: the list view's ops read it; a window of struct evrow, newest first */
	/* filters */
	int64_t referral_id;
	char case_ref[40]; /* the referral's case reference, when the filter was given one */
	char actor[64];
	char action[48];
	int32_t from_day, to_day; /* STORE_NO_DATE when not set */
	int64_t newest_seq;
	int page; /* rows the last draw showed */
	/* the last verification */
	bool verified;
	struct store_verify ver;
	/* the providers' names, read once, so a sentence says "Acme Care", not "provider 30" */
	VEC(struct provider_name) providers;
};

static int provider_cb(void *ud, const struct store_provider *p)
{
	struct audit *a = ud;
	struct provider_name *n = vec_push(&a->providers);
	if (!n)
		return 1;
	n->id = p->id;
	str_copy(n->name, sizeof n->name, p->name);
	return 0;
}

static const char *provider_named(void *ud, int64_t id)
{
	const struct audit *a = ud;
	for (size_t i = 0; i < a->providers.n; i++)
		if (a->providers.v[i].id == id)
			return a->providers.v[i].name;
	return NULL;
}

static bool filtered(const struct audit *a)
{
	return a->referral_id || a->actor[0] || a->action[0] || a->from_day != STORE_NO_DATE ||
	       a->to_day != STORE_NO_DATE;
}

struct load {
	struct audit *a;
	struct lv_walk k; /* the window's events kept, the rest counted */
	int64_t until;    /* events at or after this are left out (the "to" date) */
	bool first, more;
};

static int event_cb(void *ud, const struct store_event *e)
{
	struct load *l = ud;
	struct audit *a = l->a;
	if (l->first) {
		l->first = false;
		if (!filtered(a))
			a->newest_seq = e->seq;
	}
	if (l->until && e->at >= l->until)
		return 0;
	if (l->k.n >= l->k.upto) {
		l->more = true;
		return 1; /* stop: nothing beyond the window is read */
	}
	struct evrow *r = lv_walk_put(&l->k);
	if (!r)
		return 0;
	r->seq = e->seq;
	r->at = e->at;
	r->entity_id = e->entity_id;
	r->referral_id = e->referral_id;
	str_copy(r->actor, sizeof r->actor, e->actor);
	str_copy(r->action, sizeof r->action, e->action);
	str_copy(r->entity, sizeof r->entity, e->entity);
	if (e->payload_erased) {
		snprintf(r->change, sizeof r->change, "(details erased under the retention rules)");
	} else {
		/* values kept short: a line has room for several */
		struct bk_event_names names = { provider_named, NULL, NULL, a, a->lv.t->ascii };
		bk_event_sentence_named(&names, e->action, e->entity, e->before, e->after, r->change, sizeof r->change);
	}
	return 0;
}

static int64_t day_start(int32_t day)
{
	int64_t t = 0;
	cal_utc(day, 0, &t);
	return t;
}

/* The events known so far; while more follow, a page more, so the cursor
 * can move on and the next window is read. */
static bool load(void *ud, int from, int count, struct lv_window *w, int *total)
{
	struct audit *a = ud;
	struct tui *t = a->lv.t;
	struct store_event_filter f = {
		.referral_id = a->referral_id,
		.since = a->from_day != STORE_NO_DATE ? day_start(a->from_day) : 0,
		.actor = a->actor[0] ? a->actor : NULL,
		.action = a->action[0] ? a->action : NULL,
		.newest_first = true,
	};
	struct load l = { a,
		          { w, from, from + count, 0 },
		          a->to_day != STORE_NO_DATE ? day_start(a->to_day + 1) : 0,
		          true,
		          false };
	/* Without a "to" date the limit stops the reading after the window. */
	if (!l.until)
		f.limit = l.k.upto + 1;
	if (bk_audit_each(t->ctx, &f, event_cb, &l) != BK_OK) {
		tui_message(t, true, "The audit trail could not be read: %s", t->ctx->msg);
		return false;
	}
	*total = w->base + w->n + (l.more ? (a->page > 0 ? a->page : 1) : 0);
	return true;
}

/* ---- columns ---- */

#define E struct evrow
LV_FIELD_CELL(cell_seq, ID, E, seq);
LV_FIELD_CELL(cell_when, INSTANT, E, at);
LV_FIELD_CELL(cell_who, TEXT, E, actor);
LV_FIELD_CELL(cell_ref, ID, E, referral_id);

static void cell_action(void *ud, const void *row, struct lv_cell *c)
{
	bk_action_words(((const struct evrow *)row)->action, c->buf, c->len);
}

static void cell_change(void *ud, const void *row, struct lv_cell *c)
{
	struct audit *a = ud;
	const struct evrow *e = row;
	str_copy(c->buf, c->len, e->change);
	if (a->verified && a->ver.bad_seq == e->seq)
		c->look = LOOK_ERROR;
}

static const struct lv_column columns[] = {
	{ "EVENT", 5, 5, LV_FIXED, true, 0, 0, cell_seq, NULL, false },
	{ "WHEN", 14, 14, LV_FIXED, false, 0, 0, cell_when, NULL, false },
	{ "WHO", 6, 10, LV_TEXT, false, 0, 0, cell_who, NULL, false },
	{ "ACTION", 16, 22, LV_TEXT, false, 0, 0, cell_action, NULL, false },
	{ "REF", 3, 3, LV_FIXED, true, 0, 0, cell_ref, NULL, false },
	{ "CHANGE", 10, 40, LV_TEXT, false, 1, 0, cell_change, NULL, false },
};

static void finish(void *ud)
{
	struct audit *a = ud;
	vec_free(&a->providers);
}

static void pane(void *ud, const void *row, int width, struct textview *tv)
{
	const struct evrow *e = row;
	char when[48];
	cal_format_local(e->at, when, sizeof when);
	char ref[48] = "";
	if (e->referral_id > 0)
		snprintf(ref, sizeof ref, ", referral %lld", (long long)e->referral_id);
	tv_addf(tv, LOOK_DIM, width, 2, "Event %lld, %s, by %s%s: %s", (long long)e->seq, when, e->actor, ref,
	        e->change);
}

static const struct lv_spec spec = {
	.row_size = sizeof(struct evrow),
	.key = LV_AT(ID, E, seq),
	.referral = LV_AT(ID, E, referral_id),
	.search = { LV_AT(TEXT, E, actor), LV_AT(TEXT, E, action), LV_AT(TEXT, E, change) },
	.load = load,
	.cols = columns,
	.ncols = (int)(sizeof columns / sizeof columns[0]),
	.empty = "No events.",
	.pane = pane,
	.finish = finish,
};

static bool audit_open(struct tui *t, struct screen *s, void *arg)
{
	struct audit *a = lv_open(t, s, sizeof *a, &spec);
	if (!a)
		return false;
	a->from_day = a->to_day = STORE_NO_DATE;
	/* without the names the sentences say "provider 30": still true, so a failed read is not an error */
	if (bk_provider_each(t->ctx, provider_cb, a) != BK_OK)
		t->ctx->msg[0] = '\0';
	lv_show(s);
	return true;
}

/* ---- drawing ---- */

static void verify_line(const struct audit *a, int y)
{
	draw_fill(y, 0, COLS, A_NORMAL);
	char line[600];
	if (!a->verified) {
		draw_text(y, 1, COLS - 2, "Chain not verified on this screen yet: v verifies every event's hash.",
		          draw_attr(LOOK_DIM), false);
	} else if (a->ver.bad_seq == 0) {
		snprintf(line, sizeof line, "Chain OK: %lld events verified, none changed or missing.",
		         (long long)a->ver.events);
		draw_text(y, 1, COLS - 2, line, draw_attr(LOOK_OK) | A_BOLD, false);
	} else {
		snprintf(line, sizeof line, "TAMPERED: event %lld: %s", (long long)a->ver.bad_seq, a->ver.problem);
		draw_text(y, 1, COLS - 2, line, draw_attr(LOOK_ERROR) | A_REVERSE, true);
	}
}

static void audit_draw(struct tui *t, struct screen *s, int y, int h)
{
	struct audit *a = s->st;
	a->page = h - 5;
	verify_line(a, y);
	lv_draw_pane(t, s, y + 1, h - 1, h - 4); /* the event under the cursor in full, on two lines */
	if (a->lv.total == 0 && filtered(a))
		draw_text(y + 3, 3, COLS - 6, "No event passes the filter (f changes it).", draw_attr(LOOK_TITLE),
		          true);
}

static void audit_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	const struct audit *a = s->st;
	size_t o = 0;
	str_appendf(buf, len, &o, "Audit trail, newest first");
	if (!filtered(a)) {
		if (a->newest_seq)
			str_appendf(buf, len, &o, ": %lld events", (long long)a->newest_seq);
		return;
	}
	str_appendf(buf, len, &o, " (filter");
	if (a->referral_id && a->case_ref[0])
		str_appendf(buf, len, &o, ", case %s", a->case_ref);
	else if (a->referral_id)
		str_appendf(buf, len, &o, ", referral %lld", (long long)a->referral_id);
	if (a->actor[0])
		str_appendf(buf, len, &o, ", by %s", a->actor);
	if (a->action[0])
		str_appendf(buf, len, &o, ", %s", a->action);
	char from[16] = "", to[16] = "";
	if (a->from_day != STORE_NO_DATE)
		cal_format_date(a->from_day, from, sizeof from);
	if (a->to_day != STORE_NO_DATE)
		cal_format_date(a->to_day, to, sizeof to);
	if (from[0] && to[0])
		str_appendf(buf, len, &o, ", %s to %s", from, to);
	else if (from[0])
		str_appendf(buf, len, &o, ", from %s", from);
	else if (to[0])
		str_appendf(buf, len, &o, ", up to %s", to);
	str_appendf(buf, len, &o, ")");
}

const struct screen_ops screen_audit_ops = LV_SCREEN_OPS(SCR_AUDIT, audit_open, audit_draw, audit_context);

/* ---- keys ---- */

static bool ask_date(struct tui *t, const char *label, int32_t *day)
{
	char text[32] = "";
	if (*day != STORE_NO_DATE)
		cal_format_date(*day, text, sizeof text);
	if (!tui_prompt(t, "Audit filter", label, "start", false, text, sizeof text))
		return false;
	if (!text[0]) {
		*day = STORE_NO_DATE;
		return true;
	}
	char err[200];
	if (!cal_parse_date(text, day, err, sizeof err)) {
		tui_message(t, true, "%s", err);
		return false;
	}
	return true;
}

/* A referral number, or a case reference: the referral that has it (the
 * newest, when a case was referred more than once). */
struct case_find {
	int64_t id;
	int n;
};

static int case_cb(void *ud, const struct bk_referral_row *row)
{
	struct case_find *cf = ud;
	cf->n++;
	if (row->r->id > cf->id)
		cf->id = row->r->id;
	return 0;
}

static bool referral_filter(struct tui *t, struct audit *a, const char *text)
{
	a->case_ref[0] = '\0';
	if (!text[0]) {
		a->referral_id = 0;
		return true;
	}
	char *end;
	long long id = strtoll(text, &end, 10);
	if (!*end && id > 0) {
		a->referral_id = id;
		return true;
	}
	struct case_find cf = { 0, 0 };
	struct store_referral_filter f = { .case_ref = text, .brief = true };
	if (bk_referral_list(t->ctx, &f, case_cb, &cf) != BK_OK || cf.n == 0) {
		tui_message(t, true, "No referral has the case reference '%s' (or give the referral's number, e.g. 12)",
		            text);
		return false;
	}
	a->referral_id = cf.id;
	str_copy(a->case_ref, sizeof a->case_ref, text);
	if (cf.n > 1)
		tui_message(t, false, "Case %s was referred %d times: the newest referral (%lld) is shown", text, cf.n,
		            (long long)cf.id);
	return true;
}

void act_audit_filter(struct tui *t, struct screen *s)
{
	struct audit *a = s->st;
	const char *what[] = { "referral",  "person (login)", "action (e.g. referral.send)",
		               "from date", "to date",        "clear every filter" };
	int k = tui_choose(t, "Filter the audit trail by", what, 6, 0);
	char text[64] = "";
	switch (k) {
	case 0:
		if (a->case_ref[0])
			snprintf(text, sizeof text, "%s", a->case_ref);
		else if (a->referral_id)
			snprintf(text, sizeof text, "%lld", (long long)a->referral_id);
		if (!tui_prompt(t, "Audit filter", "Referral number or case reference (empty: every referral):", NULL,
		                false, text, sizeof text))
			return;
		if (!referral_filter(t, a, text))
			return;
		break;
	case 1:
		if (!tui_prompt(t, "Audit filter", "Login of the person who acted (empty: anyone):", NULL, false,
		                a->actor, sizeof a->actor))
			return;
		break;
	case 2:
		if (!tui_prompt(t, "Audit filter",
		                "Action, exactly as listed (e.g. referral.assign, ranking.set; empty: any):", NULL,
		                false, a->action, sizeof a->action))
			return;
		break;
	case 3:
		if (!ask_date(t, "Events on or after (YYYY-MM-DD; empty: from the start):", &a->from_day))
			return;
		break;
	case 4:
		if (!ask_date(t, "Events on or before (YYYY-MM-DD; empty: up to now):", &a->to_day))
			return;
		break;
	case 5:
		a->referral_id = 0;
		a->case_ref[0] = '\0';
		a->actor[0] = a->action[0] = '\0';
		a->from_day = a->to_day = STORE_NO_DATE;
		break;
	default:
		return;
	}
	lv_show(s);
}

void act_audit_verify(struct tui *t, struct screen *s)
{
	struct audit *a = s->st;
	tui_message(t, false, "Verifying the audit chain...");
	tui_draw(t);
	refresh();
	memset(&a->ver, 0, sizeof a->ver);
	if (bk_audit_verify(t->ctx, &a->ver) != BK_OK && a->ver.bad_seq == 0) {
		tui_message(t, true, "The chain could not be verified: %s", t->ctx->msg);
		return;
	}
	a->verified = true;
	if (a->ver.bad_seq == 0) {
		tui_message(t, false, "Audit chain OK: %lld events verified", (long long)a->ver.events);
		return;
	}
	tui_message(t, true, "TAMPERED: event %lld: %s", (long long)a->ver.bad_seq, a->ver.problem);
	/* Without a filter the event's place is known: newest first, no gaps. */
	if (!filtered(a) && a->newest_seq >= a->ver.bad_seq) {
		lv_from_screen(&a->lv, s);
		int at = (int)(a->newest_seq - a->ver.bad_seq);
		a->lv.top = at > 2 ? at - 2 : 0;
		a->lv.cursor = at;
		lv_reload(&a->lv, 0);
		a->lv.marked = 0;
		if (at >= a->lv.total)
			a->lv.total = at + 1;
		a->lv.cursor = at;
		lv_to_screen(&a->lv, s);
		screen_scroll(s, s->page);
	}
}
