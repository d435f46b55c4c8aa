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
#include "tui/keymap.h"
#include "tui/listview.h"

struct arow {
	struct bk_spot_view v;
	char case_ref[33];
};

struct approvals {
	struct listview lv; /* first: the list view's ops read it */
	struct lv_walk walk;
	bool all; /* decided requests too */
	int pending;
};

/* ---- loading a window: every request is walked (they are few), only the
 * window's rows are kept ---- */

static int spot_cb(void *ud, const struct bk_spot_view *v)
{
	struct approvals *a = ud;
	a->pending += v->spot.status == WF_SPOT_PENDING;
	struct arow *r = lv_walk_put(&a->walk);
	if (!r)
		return 0;
	r->v = *v;
	struct store_referral *ref = malloc(sizeof *ref);
	if (ref && bk_referral_get(a->lv.t->ctx, v->spot.referral_id, ref) == BK_OK)
		str_copy(r->case_ref, sizeof r->case_ref, ref->case_ref);
	free(ref);
	return 0;
}

static bool load(void *ud, int from, int count, struct lv_window *w, int *total)
{
	struct approvals *a = ud;
	a->walk = (struct lv_walk){ w, from, from + count, 0 };
	a->pending = 0;
	enum bk_status st = bk_spot_list(a->lv.t->ctx, !a->all, spot_cb, a);
	if (st != BK_OK) {
		tui_result(a->lv.t, st);
		return false;
	}
	*total = a->walk.n;
	return true;
}

/* ---- columns ---- */

#define A struct arow
LV_FIELD_CELL(cell_id, ID, A, v.spot.id);
LV_FIELD_CELL(cell_case, TEXT, A, case_ref);
LV_FIELD_CELL(cell_by, TEXT, A, v.requested_by);
LV_FIELD_CELL(cell_provider, TEXT, A, v.provider);
LV_FIELD_CELL(cell_rate, MONEY, A, v.spot.rate);
LV_FIELD_CELL(cell_hours, HOURS, A, v.spot.hours_minutes);
LV_FIELD_CELL(cell_weekly, MONEY, A, v.spot.weekly_cost);
LV_FIELD_CELL(cell_premium, MONEY, A, v.premium_weekly);
LV_FIELD_CELL(cell_status, SPOT_STATUS, A, v.spot.status);

static void cell_annual(void *ud, const void *row, struct lv_cell *c)
{
	const struct arow *r = row;
	lv_cell_field(ud, &(struct lv_field)LV_AT(MONEY, A, v.spot.annual_cost), row, c);
	if (r->v.needs_key_decision) /* core's answer, not worked out here */
		c->look = LOOK_AMBER;
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

static void pane(void *ud, const void *row, int width, struct textview *tv);

static const struct lv_spec spec = {
	.row_size = sizeof(struct arow),
	.key = LV_AT(ID, A, v.spot.id),
	.referral = LV_AT(ID, A, v.spot.referral_id),
	.search = { LV_AT(TEXT, A, case_ref), LV_AT(TEXT, A, v.provider), LV_AT(TEXT, A, v.requested_by) },
	.load = load,
	.cols = columns,
	.ncols = (int)(sizeof columns / sizeof columns[0]),
	.empty = "No spot purchase request is waiting for a decision (h shows the decided ones).",
	.pane = pane,
};

LV_OPEN(approvals_open, struct approvals, spec);

/* ---- the request in full ---- */

/* Why the framework could not supply: each ranked provider and its answer. */
static void exhausted_lines(const struct bk_referral_view *v, int width, struct textview *tv)
{
	if (!v)
		return;
	char when[48];
	tv_add(tv, LOOK_TITLE, "Why the framework could not supply (lot %d in %s, in rank order)", v->r.lot,
	       v->r.district);
	if (v->n_candidates == 0)
		tv_add(tv, LOOK_NORMAL, "  No provider is ranked for lot %d in %s.", v->r.lot, v->r.district);
	for (int i = 0; i < v->n_candidates; i++) {
		const struct bk_candidate_view *cv = &v->candidates[i];
		const struct store_offer *o = NULL;
		for (int k = 0; k < v->n_offers; k++)
			if (v->offers[k].offer.provider_id == cv->provider_id)
				o = &v->offers[k].offer;
		if (o) {
			cal_format_local(o->answered_at ? o->answered_at : o->deadline_at, when, sizeof when);
			tv_addf(tv, LOOK_NORMAL, width, 6, "  %2d %.300s: %s %s%s%.700s", cv->rank, cv->provider,
			        bk_offer_status_words(o->status), when, o->reason[0] ? ": " : "", o->reason);
		} else {
			tv_addf(tv, LOOK_DIM, width, 6, "  %2d %s: not approached%s%s", cv->rank, cv->provider,
			        cv->eligible ? "" : ": ", cv->eligible ? "" : cv->reasons_text);
		}
	}
	if (v->r.escalated)
		tv_add_wrapped(tv, LOOK_AMBER, width, 4,
		               "  A team leader allowed this urgent referral to go to a spot "
		               "purchase before the framework was exhausted.");
}

static void pane(void *ud, const void *row, int width, struct textview *tv)
{
	struct tui *t = ((struct approvals *)ud)->lv.t;
	const struct arow *r = row;
	const struct store_spot *sp = &r->v.spot;
	char when[48], hours[16];
	hours_format(sp->hours_minutes, hours, sizeof hours);
	cal_format_local(sp->requested_at, when, sizeof when);
	/* the referral in full, for its lot and district and why the framework could not supply */
	struct bk_referral_view *ref = NULL;
	bool got = bk_referral_load(t->ctx, r->v.spot.referral_id, true, &ref) == BK_OK;
	tv_addf(tv, LOOK_TITLE, width, 4, "Request %lld for referral %lld, case %s (lot %d, %s): asked by %s on %s",
	        (long long)sp->id, (long long)sp->referral_id, r->case_ref, got ? ref->r.lot : 0,
	        got ? ref->r.district : "", r->v.requested_by, when);
	tv_addf(tv, LOOK_NORMAL, width, 4,
	        "  %s at %s an hour for %s hours a week over %d weeks: %s a week, %s a year; %s a week over the lot's "
	        "framework rate of %s an hour",
	        r->v.provider, money_text(sp->rate), hours, sp->weeks, money_text(sp->weekly_cost),
	        money_text(sp->annual_cost), money_text(r->v.premium_weekly), money_text(sp->framework_rate));
	tv_addf(tv, LOOK_NORMAL, width, 4, "  Justification: %.2300s", sp->justification);
	/* what the user can do with it */
	const char *why = NULL;
	if (sp->status != WF_SPOT_PENDING) {
		cal_format_local(sp->decided_at, when, sizeof when);
		tv_addf(tv, sp->status == WF_SPOT_APPROVED ? LOOK_OK : LOOK_AMBER, width, 4,
		        "  %s by %.64s on %s: %.1000s%s%.256s",
		        sp->status == WF_SPOT_APPROVED ? "Approved" : "Rejected", r->v.decided_by, when, sp->note,
		        sp->key_decision[0] ? "; key decision " : "", sp->key_decision);
	} else if (!policy_may_decide_spot(t->ctx->actor.staff_id, t->ctx->actor.role, sp->requested_by, &why)) {
		tv_addf(tv, LOOK_AMBER, width, 4, "  You cannot decide it: %s.", why);
	} else {
		if (r->v.needs_key_decision)
			tv_addf(tv, LOOK_KEY, width, 4,
			        "  a approves, d rejects (a note is needed for either). The annual cost reaches the "
			        "key-decision threshold of %s: approval needs a key-decision reference.",
			        money_text(t->ctx->settings->key_decision_threshold));
		else
			tv_addf(tv, LOOK_KEY, width, 4, "  a approves, d rejects (a note is needed for either).");
	}
	exhausted_lines(ref, width, tv);
	bk_referral_view_destroy(ref);
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
	int more = lv_draw_pane(t, s, y, h, list_h);
	if (a->lv.total == 0 && a->all)
		draw_text(y + 2, 3, COLS - 6, "No spot purchase has been requested.", draw_attr(LOOK_TITLE), true);
	if (more && h - list_h > 2) { /* on a line of its own, not over the request's last line */
		draw_fill(y + h - 1, 0, COLS, A_NORMAL);
		draw_text(y + h - 1, 3, COLS - 4, "(more: Enter opens the referral)", draw_attr(LOOK_DIM), false);
	}
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

const struct screen_ops screen_approvals_ops =
	LV_SCREEN_OPS(SCR_APPROVALS, approvals_open, approvals_draw, approvals_context);

/* ---- deciding ---- */

static const struct arow *decidable(struct tui *t, struct screen *s)
{
	const struct arow *r = lv_at_or(t, s, "No spot request here");
	if (!r)
		return NULL;
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
		char label[300];
		snprintf(label, sizeof label,
		         "The annual cost of %s reaches the key-decision threshold of %s. Key-decision "
		         "reference (without one it cannot be approved here):",
		         money_text(sp->annual_cost), money_text(t->ctx->settings->key_decision_threshold));
		if (!tui_prompt(t, title, label, NULL, false, key, sizeof key))
			return;
	}
	char head[600], cost[800];
	snprintf(head, sizeof head, "%s buying from %.300s for referral %lld (case %.64s), asked by %.64s?",
	         approve ? "Approve" : "Reject", row.v.provider, (long long)sp->referral_id, row.case_ref,
	         row.v.requested_by);
	snprintf(cost, sizeof cost, "%s a week, %s a year. Note: \"%.300s\"%s%s", money_text(sp->weekly_cost),
	         money_text(sp->annual_cost), note, key[0] ? "; key decision " : "", key);
	const char *lines[] = { head, "", cost, "",
		                approve ? "The referral is sourced off-contract with this provider."
		                        : "The referral goes back to exhausted; the officer may ask again." };
	if (!tui_confirm(t, title, lines, 5)) {
		tui_message(t, false, "Nothing decided");
		return;
	}
	enum bk_status st = bk_spot_decide(t->ctx, sp->id, approve, note, key[0] ? key : NULL);
	tui_done(t, st);
}

ACTION_FN(act_spot_approve, decide(t, s, true));

ACTION_FN(act_spot_reject, decide(t, s, false));

void act_spot_decided(struct tui *t, struct screen *s)
{
	struct approvals *a = s->st;
	a->all = !a->all;
	lv_show(s);
	tui_message(t, false,
	            a->all ? "Showing every request, decided ones too (h: pending only)"
	                   : "Showing the requests waiting for a decision (h: the decided ones too)");
}
