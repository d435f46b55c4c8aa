/* Off-contract spot purchases: requested by an officer when the framework
 * is exhausted (or a team leader escalated an urgent referral), decided by
 * a supervisor who did not request it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

#define MAX_TEXT 1000

static int count_offer(void *ud, const struct store_offer *o)
{
	(void)o;
	(*(int *)ud)++;
	return 0;
}

/* What a spot request would be: every check the request makes, read in
 * the transaction the caller began; nothing written. */
struct spot_plan {
	struct store_referral before, r;
	struct store_provider p;
	int64_t rate;
	int minutes;
	bool amber;
	char why[MAX_TEXT * 4 + 1];
};

static enum bk_status spot_checks(struct bk_ctx *ctx, const struct bk_spot_input *in, struct spot_plan *x)
{
	char msg[256];
	if (!in->provider || !*in->provider)
		return bk_fail(ctx, BK_USAGE, "name the off-contract provider with --provider");
	if (!in->rate || !money_parse_rate(in->rate, &x->rate, msg, sizeof msg))
		return bk_fail(ctx, BK_REFUSED, "hourly rate: %s", in->rate ? msg : "give it with --rate");
	if (x->rate == 0)
		return bk_fail(ctx, BK_REFUSED,
		               "hourly rate: %s an hour is not a rate: a spot purchase costs something; give "
		               "the rate in pounds, e.g. 25.00",
		               in->rate);
	if (!in->hours || !hours_parse(in->hours, &x->minutes, msg, sizeof msg))
		return bk_fail(ctx, BK_REFUSED, "hours per week: %s", in->hours ? msg : "give them with --hours");
	if (in->weeks < 1 || in->weeks > 520)
		return bk_fail(ctx, BK_REFUSED, "expected duration: --weeks must be a whole number from 1 to 520");
	if (bk_text(ctx, "justification", in->why, x->why, sizeof x->why,
	            "a spot purchase needs a written justification (--why)") != BK_OK)
		return BK_REFUSED;
	return BK_OK;
}

static enum bk_status spot_checks_in_tx(struct bk_ctx *ctx, const struct bk_spot_input *in, struct spot_plan *x)
{
	enum bk_status st = bk_referral_for_action(ctx, in->referral_id, in->expect_version, &x->before);
	if (st != BK_OK)
		return st;
	x->r = x->before;
	struct store_referral *r = &x->r;
	if (r->status != WF_EXHAUSTED && !r->escalated) {
		if (r->status == WF_SPOT_REQUESTED)
			return bk_fail(ctx, BK_REFUSED,
			               "referral %lld already has a spot request waiting for a supervisor",
			               (long long)r->id);
		return bk_fail(
			ctx, BK_REFUSED,
			"referral %lld is %s: a spot purchase can be requested only when the framework is exhausted, "
			"or earlier for an urgent referral a team leader has escalated",
			(long long)r->id, wf_status_name(r->status));
	}
	if ((st = bk_move(ctx, r, WF_SPOT_REQUEST)) != BK_OK)
		return st;
	enum store_status ss = store_provider_by_name(ctx->store, in->provider, &x->p);
	if (ss == STORE_NOT_FOUND)
		return bk_fail(ctx, BK_REFUSED,
		               "there is no provider named '%s': a team leader can add it with "
		               "'brokerage provider add NAME --off-framework'",
		               in->provider);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	if (x->p.framework)
		return bk_fail(ctx, BK_REFUSED,
		               "%s is a framework provider: approach it through the ranking; a spot purchase "
		               "names an off-contract provider",
		               x->p.name);
	x->amber = false;
	return bk_provider_fits(ctx, r, &x->p, -1, MATCH_OFF_FRAMEWORK, &x->amber);
}

/* Everything a spot request checks: who may, what was typed, then inside a
 * transaction the referral and the provider as they are now. On BK_OK the
 * transaction is open and x holds the plan; on a refusal it is ended. The
 * check (bk_spot_check) and the request itself both start here, so the
 * form can never be told yes where the request would say no. */
static enum bk_status spot_begin(struct bk_ctx *ctx, const struct bk_spot_input *in, struct spot_plan *x)
{
	enum bk_status st = bk_require(ctx, PERM_WORK_REFERRALS);
	if (st != BK_OK)
		return st;
	memset(x, 0, sizeof *x);
	return spot_checks(ctx, in, x);
}

/* A check or a request: the plan as spot_begin left it (x0), completed
 * in the transaction (x) each time it runs. */
struct spot_run {
	const struct bk_spot_input *in;
	struct spot_plan x0, x;
	struct bk_spot_quote q;
	struct store_spot s; /* the request, as recorded */
};

static enum bk_status spot_tx_checks(struct bk_ctx *ctx, struct spot_run *a)
{
	a->x = a->x0;
	return spot_checks_in_tx(ctx, a->in, &a->x);
}

/* What a checked request costs, as the form shows it and the request records it. */
static void spot_quote(const struct bk_ctx *ctx, const struct spot_plan *x, struct bk_spot_quote *out)
{
	const struct bk_lot *lot = bk_settings_lot(ctx->settings, x->r.lot);
	memset(out, 0, sizeof *out);
	out->rate = x->rate;
	out->minutes = x->minutes;
	out->framework_rate = lot ? lot->framework_rate : 0;
	out->weekly_cost = money_weekly_cost(x->rate, x->minutes);
	out->annual_cost = money_annual_cost(out->weekly_cost);
	out->premium_weekly = out->weekly_cost - money_weekly_cost(out->framework_rate, x->minutes);
	out->needs_key_decision = policy_needs_key_decision(out->annual_cost, ctx->settings->key_decision_threshold);
	out->amber = x->amber;
	snprintf(out->provider, sizeof out->provider, "%s", x->p.name);
}

static enum bk_status spot_check_tx(struct bk_ctx *ctx, void *ud)
{
	struct spot_run *a = ud;
	enum bk_status st = spot_tx_checks(ctx, a);
	if (st == BK_OK)
		spot_quote(ctx, &a->x, &a->q);
	return st;
}

enum bk_status bk_spot_check(struct bk_ctx *ctx, const struct bk_spot_input *in, struct bk_spot_quote *out)
{
	static struct spot_run a;
	a.in = in;
	enum bk_status st = spot_begin(ctx, in, &a.x0);
	if (st == BK_OK)
		st = bk_tx_try(ctx, spot_check_tx, &a); /* a check writes nothing */
	if (st == BK_OK)
		*out = a.q;
	return st;
}

struct spot_choice {
	struct bk_ctx *ctx;
	const struct store_referral *r;
	bk_spot_provider_fn fn;
	void *ud;
	int stop;
};

static int spot_choice_cb(void *ud, const struct store_provider *p)
{
	struct spot_choice *c = ud;
	if (p->framework || !p->active)
		return 0;
	bool amber = false;
	char keep[sizeof c->ctx->msg];
	memcpy(keep, c->ctx->msg, sizeof keep);
	enum bk_status st = bk_provider_fits(c->ctx, c->r, p, -1, MATCH_OFF_FRAMEWORK, &amber);
	memcpy(c->ctx->msg, keep, sizeof keep); /* a provider that does not fit is left out, not an error */
	if (st != BK_OK)
		return 0;
	struct bk_spot_provider sp = { p->id, p->name, p->rate, amber };
	c->stop = c->fn(c->ud, &sp);
	return c->stop;
}

enum bk_status bk_spot_providers(struct bk_ctx *ctx, int64_t referral_id, bk_spot_provider_fn fn, void *ud)
{
	struct store_referral r;
	enum store_status ss = store_referral_get(ctx->store, referral_id, &r);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	struct spot_choice c = { ctx, &r, fn, ud, 0 };
	ss = store_provider_each(ctx->store, spot_choice_cb, &c);
	return ss == STORE_OK ? BK_OK : bk_from_store(ctx, ss);
}

static enum bk_status spot_request_tx(struct bk_ctx *ctx, void *ud)
{
	struct spot_run *a = ud;
	enum bk_status st = spot_tx_checks(ctx, a);
	if (st != BK_OK)
		return st;
	struct spot_plan x = a->x;
	struct bk_spot_quote q;
	spot_quote(ctx, &x, &q);
	a->q = q;
	struct store_referral before = x.before, r = x.r;
	struct store_provider p = x.p;
	enum store_status ss;
	struct store_spot s = {
		.referral_id = r.id,
		.provider_id = p.id,
		.rate = q.rate,
		.hours_minutes = q.minutes,
		.weeks = a->in->weeks,
		.framework_rate = q.framework_rate,
		.weekly_cost = q.weekly_cost,
		.annual_cost = q.annual_cost,
		.requested_by = ctx->actor.staff_id,
		.requested_at = ctx->now,
	};
	snprintf(s.justification, sizeof s.justification, "%s", x.why);
	if ((st = bk_withdraw_offers(ctx, &r, "spot purchase requested", BK_NOTICE_SPOT, NULL)) != BK_OK)
		return st;
	ss = store_spot_add(ctx->store, &s);
	if (ss == STORE_CONFLICT)
		st = bk_fail(ctx, BK_REFUSED, "referral %lld already has a spot request waiting", (long long)r.id);
	else if (ss != STORE_OK)
		st = bk_from_store(ctx, ss);
	if (st == BK_OK)
		st = bk_audit(ctx, "spot.request", "spot_request", s.id, r.id, NULL, bk_spot_json(&s));
	if (st == BK_OK)
		st = bk_referral_save(ctx, "referral.spot-request", &before, &r);
	a->s = s;
	return st;
}

enum bk_status bk_spot_request(struct bk_ctx *ctx, const struct bk_spot_input *in, int64_t *id)
{
	static struct spot_run a;
	a.in = in;
	enum bk_status st = spot_begin(ctx, in, &a.x0);
	if (st == BK_OK)
		st = bk_tx_run(ctx, spot_request_tx, &a);
	const struct bk_spot_quote q = a.q;
	const struct store_spot s = a.s;
	const struct store_provider p = a.x.p;
	const struct store_referral r = a.x.r;
	if (st == BK_OK && q.amber)
		snprintf(ctx->warning, sizeof ctx->warning, "%s is rated amber risk", p.name);
	if (st == BK_OK) {
		char weekly[32], annual[32], premium[32];
		money_format(s.weekly_cost, false, weekly, sizeof weekly);
		money_format(s.annual_cost, false, annual, sizeof annual);
		money_format(q.premium_weekly, false, premium, sizeof premium);
		*id = s.id;
		bk_fail(ctx, BK_OK,
		        "spot request %lld for referral %lld: %s a week, %s a year, %s a week over the framework rate; "
		        "a supervisor must decide it%s%s%s%s",
		        (long long)s.id, (long long)r.id, weekly, annual, premium,
		        q.needs_key_decision ? " with a key-decision reference" : "", q.amber ? "; warning: " : "",
		        q.amber ? p.name : "", q.amber ? " is rated amber risk" : "");
	}
	return st;
}

struct spot_decide {
	int64_t id;
	bool approve;
	const char *kept_note, *key_decision;
	struct store_referral r; /* as saved */
	struct bk_advance adv;
};

static enum bk_status spot_decide_tx(struct bk_ctx *ctx, void *ud)
{
	struct spot_decide *a = ud;
	int64_t id = a->id;
	bool approve = a->approve;
	const char *kept_note = a->kept_note, *key_decision = a->key_decision;
	enum bk_status st;
	struct store_spot before, s;
	enum store_status ss = store_spot_get(ctx->store, id, &before);
	if (ss == STORE_NOT_FOUND)
		return bk_fail(ctx, BK_REFUSED, "there is no spot request %lld", (long long)id);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	const char *why = NULL;
	if (!policy_may_decide_spot(ctx->actor.staff_id, ctx->actor.role, before.requested_by, &why))
		return bk_fail(ctx, BK_REFUSED, "spot request %lld: %s", (long long)id, why);
	if (before.status != WF_SPOT_PENDING) {
		char who[64];
		bk_staff_login(ctx, before.decided_by, who, sizeof who);
		return bk_fail(ctx, BK_REFUSED, "spot request %lld was already %s%s%s", (long long)id,
		               wf_spot_status_name(before.status), who[0] ? " by " : "", who);
	}
	if (approve && policy_needs_key_decision(before.annual_cost, ctx->settings->key_decision_threshold) &&
	    (!key_decision || !*key_decision)) {
		char annual[32], threshold[32];
		money_format(before.annual_cost, false, annual, sizeof annual);
		money_format(ctx->settings->key_decision_threshold, false, threshold, sizeof threshold);
		return bk_fail(ctx, BK_REFUSED,
		               "spot request %lld costs %s a year, which reaches the key-decision threshold of "
		               "%s: it cannot be approved here without a recorded key-decision reference "
		               "(--key-decision REF)",
		               (long long)id, annual, threshold);
	}
	s = before;
	s.status = approve ? WF_SPOT_APPROVED : WF_SPOT_REJECTED;
	s.decided_by = ctx->actor.staff_id;
	s.decided_at = ctx->now;
	snprintf(s.note, sizeof s.note, "%s", kept_note);
	snprintf(s.key_decision, sizeof s.key_decision, "%s", key_decision ? key_decision : "");
	struct store_referral rb, r;
	st = bk_referral_for_action(ctx, s.referral_id, 0, &rb);
	if (st != BK_OK)
		return st;
	r = rb;
	/* Rejected, the referral goes back to where it was: never offered (an
	 * escalated urgent one), to new or ready; offered, to the search, which
	 * approaches again whoever the request withdrew, or finds it exhausted. */
	enum wf_status back = WF_SEARCHING;
	if (!approve) {
		int offers = 0;
		ss = store_offer_each_for_referral(ctx->store, r.id, count_offer, &offers);
		if (ss != STORE_OK)
			return bk_from_store(ctx, ss);
		if (offers == 0)
			back = r.approved_by ? WF_READY : WF_NEW;
	}
	if ((st = bk_move_back(ctx, &r, approve ? WF_SPOT_APPROVE : WF_SPOT_REJECT, back)) != BK_OK)
		return st;
	struct bk_advance adv = { 0 };
	if (!approve && back == WF_SEARCHING && (st = bk_advance(ctx, &r, &adv)) != BK_OK)
		return st;
	if (approve) {
		/* the provider as it is now, not as it was when the request was made */
		struct store_provider p;
		ss = store_provider_by_id(ctx->store, s.provider_id, &p);
		if (ss != STORE_OK)
			return bk_from_store(ctx, ss);
		if ((st = bk_provider_fits(ctx, &rb, &p, -1, MATCH_OFF_FRAMEWORK, NULL)) != BK_OK) {
			char unfit[sizeof ctx->msg];
			snprintf(unfit, sizeof unfit, "%s", ctx->msg);
			return bk_fail(ctx, BK_REFUSED,
			               "spot request %lld cannot be approved: %.900s; reject it with a note",
			               (long long)id, unfit);
		}
		r.sourced_at = ctx->now;
		r.sourced_provider_id = s.provider_id;
		snprintf(r.route, sizeof r.route, "spot");
		r.weekly_cost = s.weekly_cost;
		r.hours_minutes = s.hours_minutes;
	}
	ss = store_spot_update(ctx->store, &s);
	st = ss == STORE_OK ? bk_audit(ctx, approve ? "spot.approve" : "spot.reject", "spot_request", s.id, r.id,
	                               bk_spot_json(&before), bk_spot_json(&s))
	                    : bk_from_store(ctx, ss);
	if (st == BK_OK)
		st = bk_referral_save(ctx, approve ? "referral.spot-approved" : "referral.spot-rejected", &rb, &r);
	a->r = r;
	a->adv = adv;
	return st;
}

enum bk_status bk_spot_decide(struct bk_ctx *ctx, int64_t id, bool approve, const char *note, const char *key_decision)
{
	if (ctx->actor.staff_id == 0)
		return bk_fail(ctx, BK_REFUSED, "you are not identified as a member of staff");
	char kept_note[MAX_TEXT * 4 + 1], kd[256];
	if (bk_text(ctx, "decision-note", note, kept_note, sizeof kept_note, "a decision needs a note (--note)") !=
	    BK_OK)
		return BK_REFUSED;
	/* blank counts as none: a reference of spaces records no key decision */
	if (bk_text(ctx, "key-decision", key_decision, kd, sizeof kd, "--key-decision") != BK_OK)
		return BK_REFUSED;
	key_decision = kd;
	struct spot_decide a = { .id = id, .approve = approve, .kept_note = kept_note, .key_decision = key_decision };
	enum bk_status st = bk_tx_run(ctx, spot_decide_tx, &a);
	const struct store_referral r = a.r;
	const struct bk_advance adv = a.adv;
	if (st == BK_OK) {
		if (approve)
			bk_fail(ctx, BK_OK, "approved spot request %lld: referral %lld is sourced off-contract",
			        (long long)id, (long long)r.id);
		else if (r.status == WF_EXHAUSTED)
			bk_fail(ctx, BK_OK, "rejected spot request %lld: referral %lld is back on the escalation list",
			        (long long)id, (long long)r.id);
		else if (adv.approached)
			bk_fail(ctx, BK_OK,
			        "rejected spot request %lld: referral %lld is searching again (%d provider%s "
			        "approached)",
			        (long long)id, (long long)r.id, adv.approached, adv.approached == 1 ? "" : "s");
		else
			bk_fail(ctx, BK_OK, "rejected spot request %lld: referral %lld is back where it was (%s)",
			        (long long)id, (long long)r.id, wf_status_name(r.status));
	}
	return st;
}

struct spot_list {
	struct bk_ctx *ctx;
	bk_spot_fn fn;
	void *ud;
};

static int spot_row(void *ud, const struct store_spot *s)
{
	struct spot_list *l = ud;
	struct bk_spot_view v = { .spot = *s };
	bk_provider_name(l->ctx, s->provider_id, v.provider, sizeof v.provider);
	bk_staff_login(l->ctx, s->requested_by, v.requested_by, sizeof v.requested_by);
	bk_staff_login(l->ctx, s->decided_by, v.decided_by, sizeof v.decided_by);
	v.premium_weekly = s->weekly_cost - money_weekly_cost(s->framework_rate, s->hours_minutes);
	v.needs_key_decision = policy_needs_key_decision(s->annual_cost, l->ctx->settings->key_decision_threshold);
	return l->fn(l->ud, &v);
}

enum bk_status bk_spot_list(struct bk_ctx *ctx, bool pending_only, bk_spot_fn fn, void *ud)
{
	struct spot_list l = { ctx, fn, ud };
	enum store_status ss = store_spot_each(ctx->store, pending_only, 0, spot_row, &l);
	return ss == STORE_OK ? BK_OK : bk_from_store(ctx, ss);
}
