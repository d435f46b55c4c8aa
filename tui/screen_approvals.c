/* Approvals: the spot purchase requests waiting for a supervisor, oldest
 * first, with their cost, the premium over the framework rate, the
 * justification and why the framework was exhausted (every ranked provider
 * and its answer). a approves, d rejects, each with a note; a key-decision
 * reference is asked for when the annual cost reaches the threshold. A
 * request the user made says why they cannot decide it. Decided requests
 * stay viewable (h). Only the window of requests on screen, and a page
 * either side, is held in memory. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/worklist.h"
#include "core/describe.h"
#include "tui/listview.h"

struct arow {
	struct bk_spot_view v;
	char case_ref[33];
	int lot;
	char district[24];
};

struct approvals {
	struct listview lv; /* first: the list view's ops read it */
	struct tui *t;
	bool all; /* decided requests too */
	int pending;
	/* the request under the cursor, in full */
	int64_t detail_id;
	struct bk_referral_view *ref;
	struct textview tv;
	int built_width;
};

/* ---- loading a window: every request is walked (they are few), only the
 * window's rows are kept ---- */

struct window_load {
	struct approvals *a;
	struct lv_window *w;
	int from, upto, index;
};

static int spot_cb(void *ud, const struct bk_spot_view *v)
{
	struct window_load *wl = ud;
	int i = wl->index++;
	if (v->spot.status == WF_SPOT_PENDING)
		wl->a->pending++;
	if (i < wl->from || i >= wl->upto)
		return 0;
	struct arow *r = lv_window_put(wl->w);
	if (!r)
		return 1;
	r->v = *v;
	struct store_referral *ref = malloc(sizeof *ref);
	if (ref && bk_referral_get(wl->a->t->ctx, v->spot.referral_id, ref) == BK_OK) {
		str_copy(r->case_ref, sizeof r->case_ref, ref->case_ref);
		str_copy(r->district, sizeof r->district, ref->district);
		r->lot = ref->lot;
	}
	free(ref);
	return 0;
}

static bool load(void *ud, int from, int count, struct lv_window *w, int *total)
{
	struct approvals *a = ud;
	struct window_load wl = { a, w, from, from + count, 0 };
	a->pending = 0;
	enum bk_status st = bk_spot_list(a->t->ctx, !a->all, spot_cb, &wl);
	if (st != BK_OK) {
		tui_result(a->t, st);
		return false;
	}
	*total = wl.index;
	a->built_width = 0;
	return true;
}

static const struct arow *row_at(const struct screen *s, int i)
{
	struct approvals *a = s->st;
	return lv_row(&a->lv, i);
}

static int64_t spot_id(const void *row)
{
	const struct arow *r = row;
	return r->v.spot.id;
}

static int64_t cursor_spot(const struct screen *s)
{
	const struct arow *r = row_at(s, s->cursor);
	return r ? r->v.spot.id : 0;
}

static bool matches(const void *row, const char *needle)
{
	const struct arow *r = row;
	return text_contains(r->case_ref, needle) || text_contains(r->v.provider, needle) ||
	       text_contains(r->v.requested_by, needle);
}

static void money(struct tui *t, int64_t pence, char *buf, size_t len)
{
	money_format(pence, t->ascii, buf, len);
}

/* ---- columns ---- */

#define ROW(r) const struct arow *r = row

static void cell_id(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	ROW(r);
	snprintf(c->buf, c->len, "%lld", (long long)r->v.spot.id);
}

static void cell_case(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	ROW(r);
	str_copy(c->buf, c->len, r->case_ref);
}

static void cell_by(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	ROW(r);
	str_copy(c->buf, c->len, r->v.requested_by);
}

static void cell_provider(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	ROW(r);
	str_copy(c->buf, c->len, r->v.provider);
}

static void cell_rate(void *ud, const void *row, struct lv_cell *c)
{
	struct approvals *a = ud;
	ROW(r);
	money(a->t, r->v.spot.rate, c->buf, c->len);
}

static void cell_hours(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	ROW(r);
	hours_format(r->v.spot.hours_minutes, c->buf, c->len);
}

static void cell_weekly(void *ud, const void *row, struct lv_cell *c)
{
	struct approvals *a = ud;
	ROW(r);
	money(a->t, r->v.spot.weekly_cost, c->buf, c->len);
}

static void cell_annual(void *ud, const void *row, struct lv_cell *c)
{
	struct approvals *a = ud;
	ROW(r);
	money(a->t, r->v.spot.annual_cost, c->buf, c->len);
	if (r->v.needs_key_decision)
		c->look = LOOK_AMBER;
}

static void cell_premium(void *ud, const void *row, struct lv_cell *c)
{
	struct approvals *a = ud;
	ROW(r);
	money(a->t, r->v.premium_weekly, c->buf, c->len);
}

static void cell_status(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	ROW(r);
	str_copy(c->buf, c->len, wf_spot_status_name(r->v.spot.status));
}

/* the money columns the pane below repeats go first on a narrow screen */
static const struct lv_column columns[] = {
	{ "ID", 2, 2, LV_FIXED, true, 0, 0, cell_id, NULL, false },
	{ "CASE", 8, 8, LV_FIXED, false, 0, 0, cell_case, NULL, false },
	{ "ASKED BY", 8, 10, LV_TEXT, false, 0, 0, cell_by, NULL, false },
	{ "PROVIDER", 10, 24, LV_TEXT, false, 1, 0, cell_provider, NULL, false },
	{ "RATE", 6, 6, LV_FIXED, true, 0, 90, cell_rate, NULL, false },
	{ "HOURS", 5, 5, LV_FIXED, true, 0, 96, cell_hours, NULL, false },
	{ "WEEKLY", 8, 8, LV_FIXED, true, 0, 0, cell_weekly, NULL, false },
	{ "ANNUAL", 9, 9, LV_FIXED, true, 0, 0, cell_annual, NULL, false },
	{ "PREMIUM/WK", 8, 8, LV_FIXED, true, 0, 96, cell_premium, NULL, false },
	{ "STATUS", 8, 8, LV_TEXT, false, 0, 0, cell_status, NULL, false },
};

static const struct lv_spec spec = {
	.row_size = sizeof(struct arow),
	.id = spot_id,
	.load = load,
	.matches = matches,
	.cols = columns,
	.ncols = (int)(sizeof columns / sizeof columns[0]),
	.empty = "No spot purchase request is waiting for a decision (h shows the decided ones).",
};

static void reload(struct tui *t, struct screen *s)
{
	(void)t;
	struct approvals *a = s->st;
	lv_from_screen(&a->lv, s);
	lv_reload(&a->lv, 0);
	lv_to_screen(&a->lv, s);
	bk_referral_view_destroy(a->ref);
	a->ref = NULL;
	a->detail_id = 0;
}

static bool approvals_open(struct tui *t, struct screen *s, void *arg)
{
	(void)arg;
	struct approvals *a = calloc(1, sizeof *a);
	if (!a)
		return false;
	a->t = t;
	s->st = a;
	lv_init(&a->lv, &spec, a, SCR_APPROVALS);
	reload(t, s);
	a->lv.marked = 0;
	return true;
}

static void approvals_close(struct screen *s)
{
	struct approvals *a = s->st;
	if (a) {
		lv_finish(&a->lv);
		bk_referral_view_destroy(a->ref);
		tv_clear(&a->tv);
	}
	free(a);
	s->st = NULL;
}

static bool approvals_referral(const struct screen *s, struct referral_ref *out)
{
	const struct arow *r = row_at(s, s->cursor);
	if (!r)
		return false;
	out->id = r->v.spot.referral_id;
	out->version = 0;
	return true;
}

/* ---- the request in full ---- */

/* Why the framework could not supply: each ranked provider and its answer. */
static void exhausted_lines(struct tui *t, struct approvals *a, int width)
{
	const struct bk_referral_view *v = a->ref;
	if (!v)
		return;
	char line[1600], when[48];
	tv_add(&a->tv, LOOK_TITLE, "Why the framework could not supply (lot %d in %s, in rank order)", v->r.lot,
	       v->r.district);
	if (v->n_candidates == 0)
		tv_add(&a->tv, LOOK_NORMAL, "  No provider is ranked for lot %d in %s.", v->r.lot, v->r.district);
	for (int i = 0; i < v->n_candidates; i++) {
		const struct bk_candidate_view *cv = &v->candidates[i];
		const struct bk_offer_view *o = NULL;
		for (int k = 0; k < v->n_offers; k++)
			if (v->offers[k].offer.provider_id == cv->provider_id)
				o = &v->offers[k];
		if (o) {
			int64_t at = o->offer.answered_at ? o->offer.answered_at : o->offer.deadline_at;
			cal_format_local(at, when, sizeof when);
			snprintf(line, sizeof line, "  %2d %.300s: %s %s%s%.700s", cv->rank, cv->provider,
			         bk_status_words(wf_offer_status_name(o->offer.status)), when,
			         o->offer.reason[0] ? ": " : "", o->offer.reason);
		} else if (!cv->eligible) {
			snprintf(line, sizeof line, "  %2d %s: not approached: %s", cv->rank, cv->provider,
			         cv->reasons_text);
		} else {
			snprintf(line, sizeof line, "  %2d %s: not approached", cv->rank, cv->provider);
		}
		tv_add_wrapped(&a->tv, o ? LOOK_NORMAL : LOOK_DIM, width, 6, line);
	}
	if (v->r.escalated)
		tv_add_wrapped(&a->tv, LOOK_AMBER, width, 4,
		               "  A team leader allowed this urgent referral to go to a spot "
		               "purchase before the framework was exhausted.");
}

static void build(struct tui *t, struct screen *s, int width)
{
	struct approvals *a = s->st;
	const struct arow *r = row_at(s, s->cursor);
	tv_clear(&a->tv);
	a->built_width = width;
	if (!r)
		return;
	if (a->detail_id != r->v.spot.id) {
		bk_referral_view_destroy(a->ref);
		a->ref = NULL;
		a->detail_id = r->v.spot.id;
		if (bk_referral_load(t->ctx, r->v.spot.referral_id, true, &a->ref) != BK_OK)
			a->ref = NULL;
	}
	const struct store_spot *sp = &r->v.spot;
	char line[2400], when[48], rate[32], weekly[32], annual[32], premium[32], frate[32], hours[16];
	money(t, sp->rate, rate, sizeof rate);
	money(t, sp->weekly_cost, weekly, sizeof weekly);
	money(t, sp->annual_cost, annual, sizeof annual);
	money(t, r->v.premium_weekly, premium, sizeof premium);
	money(t, sp->framework_rate, frate, sizeof frate);
	hours_format(sp->hours_minutes, hours, sizeof hours);
	cal_format_local(sp->requested_at, when, sizeof when);
	snprintf(line, sizeof line, "Request %lld for referral %lld, case %s (lot %d, %s): asked by %s on %s",
	         (long long)sp->id, (long long)sp->referral_id, r->case_ref, r->lot, r->district, r->v.requested_by,
	         when);
	tv_add_wrapped(&a->tv, LOOK_TITLE, width, 4, line);
	snprintf(line, sizeof line,
	         "  %s at %s an hour for %s hours a week over %d weeks: %s a week, %s a year; %s a "
	         "week over the lot's framework rate of %s an hour",
	         r->v.provider, rate, hours, sp->weeks, weekly, annual, premium, frate);
	tv_add_wrapped(&a->tv, LOOK_NORMAL, width, 4, line);
	snprintf(line, sizeof line, "  Justification: %.2300s", sp->justification);
	tv_add_wrapped(&a->tv, LOOK_NORMAL, width, 4, line);
	/* what the user can do with it */
	const char *why = NULL;
	if (sp->status != WF_SPOT_PENDING) {
		cal_format_local(sp->decided_at, when, sizeof when);
		snprintf(line, sizeof line, "  %s by %.64s on %s: %.1000s%s%.256s",
		         sp->status == WF_SPOT_APPROVED ? "Approved" : "Rejected", r->v.decided_by, when, sp->note,
		         sp->key_decision[0] ? "; key decision " : "", sp->key_decision);
		tv_add_wrapped(&a->tv, sp->status == WF_SPOT_APPROVED ? LOOK_OK : LOOK_AMBER, width, 4, line);
	} else if (!policy_may_decide_spot(t->ctx->actor.staff_id, t->ctx->actor.role, sp->requested_by, &why)) {
		snprintf(line, sizeof line, "  You cannot decide it: %s.", why);
		tv_add_wrapped(&a->tv, LOOK_AMBER, width, 4, line);
	} else {
		char threshold[32];
		money(t, t->ctx->settings->key_decision_threshold, threshold, sizeof threshold);
		if (r->v.needs_key_decision)
			snprintf(line, sizeof line,
			         "  a approves, d rejects (a note is needed for either). The annual cost "
			         "reaches the key-decision threshold of %s: approval needs a key-decision reference.",
			         threshold);
		else
			snprintf(line, sizeof line, "  a approves, d rejects (a note is needed for either).");
		tv_add_wrapped(&a->tv, LOOK_KEY, width, 4, line);
	}
	exhausted_lines(t, a, width);
}

/* ---- drawing: the list, and the request under the cursor in full ---- */

static void approvals_draw(struct tui *t, struct screen *s, int y, int h)
{
	struct approvals *a = s->st;
	int list_h = a->lv.total + 1;
	if (list_h > h * 2 / 5)
		list_h = h * 2 / 5;
	if (list_h < 4)
		list_h = 4;
	lv_draw(t, s, y, list_h);
	int py = y + list_h;
	int ph = h - list_h;
	for (int r = 0; r < ph; r++)
		draw_fill(py + r, 0, COLS, A_NORMAL);
	if (a->lv.total == 0) {
		if (a->all)
			draw_text(y + 2, 3, COLS - 6, "No spot purchase has been requested.", draw_attr(LOOK_TITLE),
			          true);
		return;
	}
	if (!row_at(s, s->cursor))
		return;
	if (a->built_width != COLS - 2 || a->detail_id != cursor_spot(s))
		build(t, s, COLS - 2);
	draw_hline(py, 0, COLS, t->ascii);
	tv_draw(&a->tv, 0, py + 1, ph - 1, -1, 0);
	if (a->tv.n > ph - 1 && ph > 2)
		draw_text(py + ph - 1, COLS - 30, 29, "(more: Enter opens the referral)", draw_attr(LOOK_DIM), false);
}

static void approvals_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	(void)t;
	const struct approvals *a = s->st;
	if (a->all)
		snprintf(buf, len, "Spot purchase requests: %d, %d waiting for a decision (oldest first)", a->lv.total,
		         a->pending);
	else
		snprintf(buf, len, "Spot purchase requests waiting for a decision: %d (oldest first)", a->lv.total);
}

const struct screen_ops screen_approvals_ops = {
	.id = SCR_APPROVALS,
	.open = approvals_open,
	.close = approvals_close,
	.reload = reload,
	.draw = approvals_draw,
	.rows = lv_rows,
	.matches = lv_matches,
	.context = approvals_context,
	.referral = approvals_referral,
	.cursor_rows = true,
};

/* ---- deciding ---- */

static const struct arow *decidable(struct tui *t, struct screen *s)
{
	const struct arow *r = row_at(s, s->cursor);
	if (!r) {
		tui_message(t, true, "No spot request here");
		return NULL;
	}
	const struct store_spot *sp = &r->v.spot;
	if (sp->status != WF_SPOT_PENDING) {
		tui_message(t, true, "Spot request %lld was already %s by %s", (long long)sp->id,
		            wf_spot_status_name(sp->status), r->v.decided_by);
		return NULL;
	}
	const char *why;
	if (!policy_may_decide_spot(t->ctx->actor.staff_id, t->ctx->actor.role, sp->requested_by, &why)) {
		tui_message(t, true, "Refused: spot request %lld: %s", (long long)sp->id, why);
		return NULL;
	}
	return r;
}

static void decide(struct tui *t, struct screen *s, bool approve)
{
	const struct arow *r = decidable(t, s);
	if (!r)
		return;
	struct arow row = *r; /* the window may be reloaded under the dialogs */
	const struct store_spot *sp = &row.v.spot;
	char title[96], note[1001] = "", key[64] = "";
	snprintf(title, sizeof title, "%s spot request %lld", approve ? "Approve" : "Reject", (long long)sp->id);
	if (!tui_prompt(t, title,
	                approve ? "Note for the record (why it is approved):"
	                        : "Note for the record (why it is rejected):",
	                "decision-note", true, note, sizeof note))
		return;
	if (approve && row.v.needs_key_decision) {
		char annual[32], threshold[32], label[300];
		money(t, sp->annual_cost, annual, sizeof annual);
		money(t, t->ctx->settings->key_decision_threshold, threshold, sizeof threshold);
		snprintf(label, sizeof label,
		         "The annual cost of %s reaches the key-decision threshold of %s. Key-decision "
		         "reference (without one it cannot be approved here):",
		         annual, threshold);
		if (!tui_prompt(t, title, label, NULL, false, key, sizeof key))
			return;
	}
	char head[600], cost[800], effect[300];
	char weekly[32], annual[32];
	money(t, sp->weekly_cost, weekly, sizeof weekly);
	money(t, sp->annual_cost, annual, sizeof annual);
	snprintf(head, sizeof head, "%s buying from %.300s for referral %lld (case %.64s), asked by %.64s?",
	         approve ? "Approve" : "Reject", row.v.provider, (long long)sp->referral_id, row.case_ref,
	         row.v.requested_by);
	snprintf(cost, sizeof cost, "%s a week, %s a year. Note: \"%.300s\"%s%s", weekly, annual, note,
	         key[0] ? "; key decision " : "", key);
	snprintf(effect, sizeof effect, "%s",
	         approve ? "The referral is sourced off-contract with this provider."
	                 : "The referral goes back to exhausted; the officer may ask again.");
	const char *lines[] = { head, "", cost, "", effect };
	if (!tui_confirm(t, title, lines, 5)) {
		tui_message(t, false, "Nothing decided");
		return;
	}
	enum bk_status st = bk_spot_decide(t->ctx, sp->id, approve, note, key[0] ? key : NULL);
	tui_result(t, st);
	tui_reload_all(t);
}

void act_spot_approve(struct tui *t, struct screen *s)
{
	decide(t, s, true);
}

void act_spot_reject(struct tui *t, struct screen *s)
{
	decide(t, s, false);
}

void act_spot_decided(struct tui *t, struct screen *s)
{
	struct approvals *a = s->st;
	a->all = !a->all;
	s->cursor = s->top = 0;
	reload(t, s);
	a->lv.marked = 0;
	tui_message(t, false,
	            a->all ? "Showing every request, decided ones too (h: pending only)"
	                   : "Showing the requests waiting for a decision (h: the decided ones too)");
}
