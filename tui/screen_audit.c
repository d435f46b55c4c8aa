/* Audit: the event log, newest first, filtered by referral, person, action
 * and dates; v verifies the hash chain and says OK with the count, or
 * TAMPERED with the event and what is wrong with it. The log can hold
 * millions of events: only the window on screen and a page either side
 * are read. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui.h"

struct evrow {
	int64_t seq, at, entity_id, referral_id;
	char actor[32];
	char action[48];
	char entity[24];
	char change[600];
	bool erased;
};

struct audit {
	/* filters */
	int64_t referral_id;
	char actor[64];
	char action[48];
	int32_t from_day, to_day; /* STORE_NO_DATE when not set */
	struct row_window win; /* of struct evrow, newest first */
	bool more;     /* events after the window */
	int64_t newest_seq;
	/* the last verification */
	bool verified;
	struct store_verify ver;
	int64_t verified_events;
};

static bool filtered(const struct audit *a)
{
	return a->referral_id || a->actor[0] || a->action[0] || a->from_day != STORE_NO_DATE ||
	       a->to_day != STORE_NO_DATE;
}

struct load {
	struct audit *a;
	int64_t until; /* events at or after this are left out (the "to" date) */
	int index;
	bool first;
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
	int i = l->index++;
	if (i < a->win.base)
		return 0;
	struct evrow *r = window_take(&a->win, i);
	if (!r) {
		a->more = true;
		return 1; /* stop: nothing beyond the window is read */
	}
	r->seq = e->seq;
	r->at = e->at;
	r->entity_id = e->entity_id;
	r->referral_id = e->referral_id;
	r->erased = e->payload_erased;
	str_copy(r->actor, sizeof r->actor, e->actor);
	str_copy(r->action, sizeof r->action, e->action);
	str_copy(r->entity, sizeof r->entity, e->entity);
	if (e->payload_erased) {
		snprintf(r->change, sizeof r->change, "(details erased under the retention rules)");
	} else {
		/* values kept short: a line has room for several */
		audit_describe(e->before, e->after, 95, r->change, sizeof r->change);
	}
	return 0;
}

static int64_t day_start(int32_t day)
{
	int64_t t = 0;
	cal_utc(day, 0, &t);
	return t;
}

static void load_window(struct tui *t, struct screen *s, int from, int count)
{
	struct audit *a = s->st;
	if (!window_begin(t, &a->win, from, count, 32))
		return;
	a->more = false;
	struct store_event_filter f = {
		.referral_id = a->referral_id,
		.since = a->from_day != STORE_NO_DATE ? day_start(a->from_day) : 0,
		.actor = a->actor[0] ? a->actor : NULL,
		.action = a->action[0] ? a->action : NULL,
		.newest_first = true,
	};
	struct load l = { a, a->to_day != STORE_NO_DATE ? day_start(a->to_day + 1) : 0, 0, true };
	/* Without a "to" date the limit stops the reading after the window. */
	if (!l.until)
		f.limit = a->win.upto + 1;
	if (bk_audit_each(t->ctx, &f, event_cb, &l) != BK_OK)
		tui_message(t, true, "The audit trail could not be read: %s", t->ctx->msg);
}

static const struct evrow *row_at(const struct screen *s, int i)
{
	const struct audit *a = s->st;
	return window_row(&a->win, i);
}

static void load(struct tui *t, struct screen *s)
{
	int page = s->page > 0 ? s->page : 20;
	load_window(t, s, s->top - page, 3 * page + 1);
}

static bool audit_open(struct tui *t, struct screen *s, void *arg)
{
	(void)arg;
	struct audit *a = calloc(1, sizeof *a);
	if (!a)
		return false;
	a->from_day = a->to_day = STORE_NO_DATE;
	a->win.size = sizeof(struct evrow);
	s->st = a;
	load(t, s);
	return true;
}

static void audit_close(struct screen *s)
{
	struct audit *a = s->st;
	if (a)
		window_finish(&a->win);
	free(a);
	s->st = NULL;
}

/* The events known so far; while more follow, a page more, so the cursor
 * can move on and the next window is read. */
static int audit_rows(const struct screen *s)
{
	const struct audit *a = s->st;
	return a->win.base + a->win.n + (a->more ? (s->page > 0 ? s->page : 1) : 0);
}

static bool audit_matches(const struct screen *s, int i, const char *needle)
{
	const struct evrow *r = row_at(s, i);
	return r && (text_contains(r->actor, needle) || text_contains(r->action, needle) ||
	             text_contains(r->change, needle));
}

static bool audit_referral(const struct screen *s, struct referral_ref *out)
{
	const struct evrow *r = row_at(s, s->cursor);
	if (!r || !r->referral_id)
		return false;
	out->id = r->referral_id;
	out->version = 0;
	return true;
}

/* ---- drawing ---- */

static void verify_line(struct tui *t, const struct audit *a, int y)
{
	draw_fill(y, 0, COLS, A_NORMAL);
	char line[600];
	if (!a->verified) {
		snprintf(line, sizeof line, "Chain not verified on this screen yet: v verifies every event's hash.");
		draw_text(y, 1, COLS - 2, line, draw_attr(LOOK_DIM), false);
		return;
	}
	if (a->ver.bad_seq == 0) {
		snprintf(line, sizeof line, "Chain OK: %lld events verified, none changed or missing.",
		         (long long)a->ver.events);
		draw_text(y, 1, COLS - 2, line, draw_attr(LOOK_OK) | A_BOLD, false);
	} else {
		snprintf(line, sizeof line, "TAMPERED: event %lld: %s", (long long)a->ver.bad_seq, a->ver.problem);
		draw_text(y, 1, COLS - 2, line, draw_attr(LOOK_ERROR) | A_REVERSE, true);
	}
	(void)t;
}

static void audit_draw(struct tui *t, struct screen *s, int y, int h)
{
	struct audit *a = s->st;
	int rows = h - 4;
	screen_scroll(s, rows);
	if (window_misses(&a->win, s->top, rows, a->more)) {
		load_window(t, s, s->top - rows, 3 * rows + 1);
		screen_scroll(s, rows);
	}
	s->row_y = y + 2;
	verify_line(t, a, y);
	bool wide = COLS >= 100;
	int ws = 6, ww = 15, wa = wide ? 10 : 8, wact = wide ? 22 : 18, wr = 5;
	int wc = COLS - 1 - (ws + ww + wa + wact + wr + 5) - 1;
	int head = draw_attr(LOOK_HEAD);
	draw_fill(y + 1, 0, COLS, head);
	int x = 1;
	draw_column(y + 1, &x, ws, "EVENT", true, head);
	draw_column(y + 1, &x, ww, "WHEN", false, head);
	draw_column(y + 1, &x, wa, "WHO", false, head);
	draw_column(y + 1, &x, wact, "ACTION", false, head);
	draw_column(y + 1, &x, wr, "REF", true, head);
	draw_column(y + 1, &x, wc, "CHANGE", false, head);
	for (int r = 0; r < rows; r++) {
		int i = s->top + r, ry = y + 2 + r;
		const struct evrow *e = row_at(s, i);
		if (!e) {
			draw_fill(ry, 0, COLS, A_NORMAL);
			continue;
		}
		bool sel = i == s->cursor;
		bool bad = a->verified && a->ver.bad_seq == e->seq;
		int base = sel ? draw_attr(LOOK_SELECT) : bad ? draw_attr(LOOK_ERROR) : (int)A_NORMAL;
		/* the columns fill the rest of the line */
		draw_fill(ry, 0, 1, sel ? base : (int)A_NORMAL);
		char seq[24], when[48], ref[24] = "";
		snprintf(seq, sizeof seq, "%lld", (long long)e->seq);
		when_format(e->at, WHEN_YEAR, when, sizeof when);
		if (e->referral_id)
			snprintf(ref, sizeof ref, "%lld", (long long)e->referral_id);
		x = 1;
		draw_column(ry, &x, ws, seq, true, base);
		draw_column(ry, &x, ww, when, false, base);
		draw_column(ry, &x, wa, e->actor, false, base);
		draw_column(ry, &x, wact, e->action, false, base);
		draw_column(ry, &x, wr, ref, true, base);
		draw_column(ry, &x, wc, e->change, false, base);
	}
	if (a->win.n == 0)
		draw_text(y + 3, 3, COLS - 6, filtered(a) ? "No event passes the filter (f changes it)." : "No events.",
		          draw_attr(LOOK_TITLE), false);
	/* the event under the cursor, in full (two lines) */
	const struct evrow *e = row_at(s, s->cursor);
	draw_fill(y + h - 2, 0, COLS, A_NORMAL);
	draw_fill(y + h - 1, 0, COLS, A_NORMAL);
	if (e) {
		struct textview tv = { 0 };
		char line[900], when[48];
		cal_format_local(e->at, when, sizeof when);
		snprintf(line, sizeof line, "%lld %s %s %s %lld: %s", (long long)e->seq, when, e->actor, e->entity,
		         (long long)e->entity_id, e->change);
		tv_add_wrapped(&tv, LOOK_DIM, COLS - 2, 2, line);
		for (int i = 0; i < 2 && i < tv.n; i++)
			draw_text(y + h - 2 + i, 1, COLS - 2, tv.v[i].text, draw_attr(LOOK_DIM), false);
		tv_clear(&tv);
	}
}

static void date_words(const struct audit *a, char *buf, size_t len)
{
	char f[16] = "", to[16] = "";
	if (a->from_day != STORE_NO_DATE)
		cal_format_date(a->from_day, f, sizeof f);
	if (a->to_day != STORE_NO_DATE)
		cal_format_date(a->to_day, to, sizeof to);
	if (f[0] && to[0])
		snprintf(buf, len, ", %s to %s", f, to);
	else if (f[0])
		snprintf(buf, len, ", from %s", f);
	else if (to[0])
		snprintf(buf, len, ", up to %s", to);
	else
		buf[0] = '\0';
}

static void audit_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	(void)t;
	const struct audit *a = s->st;
	char ref[32] = "", who[96] = "", what[80] = "", dates[64];
	if (a->referral_id)
		snprintf(ref, sizeof ref, ", referral %lld", (long long)a->referral_id);
	if (a->actor[0])
		snprintf(who, sizeof who, ", by %s", a->actor);
	if (a->action[0])
		snprintf(what, sizeof what, ", %s", a->action);
	date_words(a, dates, sizeof dates);
	if (filtered(a))
		snprintf(buf, len, "Audit trail, newest first (filter%s%s%s%s)", ref, who, what, dates);
	else if (a->newest_seq)
		snprintf(buf, len, "Audit trail, newest first: %lld events", (long long)a->newest_seq);
	else
		snprintf(buf, len, "Audit trail, newest first");
}

const struct screen_ops screen_audit_ops = {
	.id = SCR_AUDIT,
	.open = audit_open,
	.close = audit_close,
	.reload = load,
	.draw = audit_draw,
	.rows = audit_rows,
	.matches = audit_matches,
	.context = audit_context,
	.referral = audit_referral,
	.cursor_rows = true,
};

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

void act_audit_filter(struct tui *t, struct screen *s)
{
	struct audit *a = s->st;
	const char *what[] = { "referral", "person (login)", "action (e.g. referral.send)", "from date",
		                   "to date", "clear every filter" };
	int k = tui_choose(t, "Filter the audit trail by", what, 6, 0);
	char text[64] = "";
	switch (k) {
	case 0:
		if (a->referral_id)
			snprintf(text, sizeof text, "%lld", (long long)a->referral_id);
		if (!tui_prompt(t, "Audit filter", "Referral number (empty: every referral):", NULL, false, text, sizeof text))
			return;
		if (text[0]) {
			char *end;
			long long id = strtoll(text, &end, 10);
			if (*end || id <= 0) {
				tui_message(t, true, "A referral number is a whole number, e.g. 12");
				return;
			}
			a->referral_id = id;
		} else {
			a->referral_id = 0;
		}
		break;
	case 1:
		snprintf(text, sizeof text, "%s", a->actor);
		if (!tui_prompt(t, "Audit filter", "Login of the person who acted (empty: anyone):", NULL, false, text,
		                sizeof text))
			return;
		str_copy(a->actor, sizeof a->actor, text);
		break;
	case 2:
		snprintf(text, sizeof text, "%s", a->action);
		if (!tui_prompt(t, "Audit filter", "Action, exactly as listed (e.g. referral.assign, ranking.set; empty: any):",
		                NULL, false, text, sizeof text))
			return;
		str_copy(a->action, sizeof a->action, text);
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
		a->actor[0] = a->action[0] = '\0';
		a->from_day = a->to_day = STORE_NO_DATE;
		break;
	default:
		return;
	}
	s->cursor = s->top = 0;
	load(t, s);
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
		s->cursor = (int)(a->newest_seq - a->ver.bad_seq);
		load_window(t, s, s->cursor - (s->page > 0 ? s->page : 20), 3 * (s->page > 0 ? s->page : 20) + 1);
		screen_scroll(s, s->page);
	}
}
