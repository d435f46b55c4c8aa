/* Referral actions: record, approve, send, answers, pause, resume,
 * withdraw, end, assign, escalate, edit; and the cascade engine that runs
 * after every answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "core/vec.h"
#include "core/text.h"
#include "storage/store_data.h"

#define MAX_NOTE 2000
#define MAX_REASON 500

/* ---- shared helpers ---- */

enum bk_status bk_parse_status(struct bk_ctx *ctx, const struct store_referral *r, enum wf_status *s)
{
	if ((unsigned)r->status >= WF_STATUS_COUNT)
		return bk_fail(ctx, BK_STORAGE, "referral %lld has an unknown status", (long long)r->id);
	*s = r->status;
	return BK_OK;
}

static void describe_last_change(struct bk_ctx *ctx, int64_t referral_id, char *buf, size_t len);

enum bk_status bk_referral_for_action(struct bk_ctx *ctx, int64_t id, int64_t expect_version, struct store_referral *r)
{
	enum store_status ss = store_referral_get(ctx->store, id, r);
	if (ss == STORE_NOT_FOUND)
		return bk_fail(ctx, BK_REFUSED, "there is no referral %lld", (long long)id);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	if (r->erased)
		return bk_fail(ctx, BK_REFUSED, "referral %lld was erased under the retention rules", (long long)id);
	if (expect_version > r->version)
		return bk_fail(
			ctx, BK_CONFLICT,
			"referral %lld is at version %lld and you gave %lld, a version it has never had: look at it "
			"again ('brokerage referral show %lld') and give the version it shows; nothing was changed",
			(long long)id, (long long)r->version, (long long)expect_version, (long long)id);
	if (expect_version > 0 && r->version != expect_version) {
		char what[256];
		describe_last_change(ctx, id, what, sizeof what);
		return bk_fail(
			ctx, BK_CONFLICT,
			"referral %lld changed after you looked at it (you saw version %lld, it is now version %lld: "
			"%s, status now %s); nothing was changed: look again and retry",
			(long long)id, (long long)expect_version, (long long)r->version, what,
			wf_status_name(r->status));
	}
	return BK_OK;
}

struct last_event {
	char text[256];
};

static int last_event_cb(void *ud, const struct store_event *e)
{
	struct last_event *l = ud;
	/* a read changes nothing: say what did */
	if (strcmp(e->action, "referral.read") == 0 || strcmp(e->action, "subject.access") == 0)
		return 0;
	char when[48];
	cal_format_local(e->at, when, sizeof when);
	snprintf(l->text, sizeof l->text, "%s by %s at %s", e->action, e->actor, when);
	return 1;
}

static void describe_last_change(struct bk_ctx *ctx, int64_t referral_id, char *buf, size_t len)
{
	struct last_event l = { "changed by someone else" };
	struct store_event_filter f = { .referral_id = referral_id, .newest_first = true, .limit = 200 };
	store_audit_each(ctx->store, &f, last_event_cb, &l);
	snprintf(buf, len, "%s", l.text);
}

enum bk_status bk_move(struct bk_ctx *ctx, struct store_referral *r, enum wf_action a)
{
	enum wf_status resume_to = WF_NEW;
	if (a == WF_RESUME)
		resume_to = r->paused_from == WF_NO_STATUS ? WF_STATUS_COUNT : r->paused_from;
	return bk_move_back(ctx, r, a, resume_to);
}

enum bk_status bk_move_back(struct bk_ctx *ctx, struct store_referral *r, enum wf_action a, enum wf_status resume_to)
{
	enum wf_status from, to;
	enum bk_status st = bk_parse_status(ctx, r, &from);
	if (st != BK_OK)
		return st;
	const char *why = NULL;
	if (!wf_referral_move(from, a, resume_to, &to, &why))
		return bk_fail(ctx, BK_REFUSED, "referral %lld: %s", (long long)r->id, why);
	r->status = to;
	return BK_OK;
}

enum bk_status bk_referral_save(struct bk_ctx *ctx, const char *action, const struct store_referral *before,
                                struct store_referral *after)
{
	enum store_status ss = store_referral_update(ctx->store, after);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	return bk_audit_referral(ctx, action, before, after);
}

/* ---- offers of one referral ---- */

typedef struct {
	VEC(struct store_offer) o;
	bool failed;
} offer_list;

static int collect_offer(void *ud, const struct store_offer *o)
{
	offer_list *l = ud;
	struct store_offer *e = vec_push(&l->o);
	if (!e) {
		l->failed = true;
		return 1;
	}
	*e = *o;
	return 0;
}

static enum bk_status load_offers(struct bk_ctx *ctx, int64_t referral_id, offer_list *l)
{
	memset(l, 0, sizeof *l);
	enum store_status ss = store_offer_each_for_referral(ctx->store, referral_id, collect_offer, l);
	if (l->failed) {
		vec_free(&l->o);
		return bk_fail(ctx, BK_STORAGE, "out of memory reading offers");
	}
	if (ss != STORE_OK) {
		vec_free(&l->o);
		return bk_from_store(ctx, ss);
	}
	return BK_OK;
}

static bool offer_is(const struct store_offer *o, enum wf_offer_status s)
{
	return o->status == s;
}

static bool offer_open(const struct store_offer *o)
{
	return offer_is(o, WF_OFFER_SENT) || offer_is(o, WF_OFFER_INFO_REQUESTED);
}

/* Change an offer's status through the offer state machine, with its event. */
/* Move an offer o by a, saving it with an audit event that holds every
 * field the action changed. */
static enum bk_status offer_move(struct bk_ctx *ctx, struct store_offer *o, enum wf_offer_action a, const char *action,
                                 const char *provider)
{
	enum wf_offer_status from, to;
	const char *why = NULL;
	if ((unsigned)o->status >= WF_OFFER_STATUS_COUNT)
		return bk_fail(ctx, BK_STORAGE, "offer %lld has an unknown status", (long long)o->id);
	from = o->status;
	if (!wf_offer_move(from, a, &to, &why))
		return bk_fail(ctx, BK_REFUSED, "%s: %s", provider && *provider ? provider : "the provider", why);
	/* The offer as stored, not as handed in: callers set the answer's time,
	 * reason or a moved deadline before the move, and the trail must carry
	 * those changes too (check --deep replays it against the records). */
	struct store_offer before;
	enum store_status gs = store_offer_get(ctx->store, o->id, &before);
	if (gs != STORE_OK)
		return bk_from_store(ctx, gs);
	o->status = to;
	enum store_status ss = store_offer_update(ctx->store, o);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	if (ctx->plan && a == WF_OFFER_WITHDRAW) {
		struct bk_plan *p = ctx->plan;
		if (p->withdrawn < BK_PLAN_MAX)
			bk_provider_name(ctx, o->provider_id, p->withdrawn_from[p->withdrawn],
			                 sizeof p->withdrawn_from[p->withdrawn]);
		p->withdrawn++;
	}
	return bk_audit_offer(ctx, action, &before, o);
}

/* ---- candidates ---- */

/* The ranked providers of one lot and district; grown as needed (rankings
 * hold a handful, so a fixed large array would cost a fresh mmap a call). */
struct ranked {
	struct store_provider prov;
	int rank;
	int capacity;
};
struct ranked_list {
	VEC(struct ranked) r;
	bool failed;
};

static int collect_ranked(void *ud, int rank, const struct store_provider *p, int capacity)
{
	struct ranked_list *l = ud;
	struct ranked *e = vec_push(&l->r);
	if (!e) {
		l->failed = true;
		return 1;
	}
	*e = (struct ranked){ *p, rank, capacity };
	return 0;
}

/* What matching knows of a stored provider (no history on a referral). */
static void match_provider_of(const struct store_provider *pv, int rank, int capacity, struct match_provider *p)
{
	memset(p, 0, sizeof *p);
	p->id = pv->id;
	p->name = pv->name;
	p->rank = rank;
	p->active = pv->active;
	p->framework = pv->framework;
	p->embargo = pv->embargo;
	p->risk = strcmp(pv->risk, "red") == 0     ? BK_RISK_RED
	          : strcmp(pv->risk, "amber") == 0 ? BK_RISK_AMBER
	                                           : BK_RISK_GREEN;
	p->has_cqc = pv->cqc_id[0] != '\0';
	p->age_min = pv->age_min;
	p->age_max = pv->age_max;
	p->capacity_minutes = capacity;
	p->declined_on = INT32_MIN;
	p->expired_on = INT32_MIN;
}

enum bk_status bk_provider_fits(struct bk_ctx *ctx, const struct store_referral *r, const struct store_provider *pv,
                                int capacity, unsigned ignore, bool *amber)
{
	const struct bk_lot *lot = bk_settings_lot(ctx->settings, r->lot);
	struct match_referral mr = {
		.cqc_required = lot ? lot->cqc_required : false,
		.age = r->age,
		.hours_minutes = r->hours_minutes,
	};
	struct match_provider mp;
	struct match_candidate mc;
	match_provider_of(pv, 0, capacity, &mp);
	match_candidates(&mr, &mp, 1, ctx->settings->excluded_risks, &mc);
	mc.reasons &= ~ignore;
	mc.eligible = mc.reasons == 0;
	if (amber)
		*amber = mc.eligible && mc.warning;
	if (mc.eligible)
		return BK_OK;
	char why[512];
	match_reasons_text(&mc, why, sizeof why);
	char age[32] = "";
	if (r->age >= 0)
		snprintf(age, sizeof age, ", age %d", r->age);
	char which[48] = "this referral";
	if (r->id)
		snprintf(which, sizeof which, "referral %lld", (long long)r->id);
	return bk_fail(ctx, BK_REFUSED, "%s cannot take %s (lot %d in %s%s) now: %s", pv->name, which, r->lot,
	               r->district, age, why);
}

/* texts: fill the reasons in words (screens and reports); the cascade
 * engine needs only the verdicts. */
static enum bk_status candidates_with(struct bk_ctx *ctx, const struct store_referral *r, const offer_list *offers,
                                      bool texts, struct bk_candidate_view **out, int *n_out)
{
	*out = NULL;
	*n_out = 0;
	struct ranked_list ranks = { .failed = false };
	struct match_provider *mp = NULL;
	struct match_candidate *mc = NULL;
	struct bk_candidate_view *cv = NULL;
	enum bk_status st = BK_OK;
	enum store_status ss = store_ranked_providers_each(ctx->store, r->lot, r->district, collect_ranked, &ranks);
	if (ranks.failed) {
		st = bk_fail(ctx, BK_STORAGE, "out of memory matching providers");
		goto done;
	}
	if (ss != STORE_OK) {
		st = bk_from_store(ctx, ss);
		goto done;
	}
	int n_ranked = (int)ranks.r.n;
	if (n_ranked == 0)
		goto done;
	mp = calloc(ranks.r.n, sizeof *mp);
	mc = calloc(ranks.r.n, sizeof *mc);
	cv = malloc(ranks.r.n * sizeof *cv);
	if (!mp || !mc || !cv) {
		st = bk_fail(ctx, BK_STORAGE, "out of memory matching providers");
		goto done;
	}
	const struct bk_lot *lot = bk_settings_lot(ctx->settings, r->lot);
	struct match_referral mr = {
		.cqc_required = lot ? lot->cqc_required : false,
		.age = r->age,
		.hours_minutes = r->hours_minutes,
	};
	for (int i = 0; i < n_ranked; i++) {
		struct match_provider *p = &mp[i];
		match_provider_of(&ranks.r.v[i].prov, ranks.r.v[i].rank, ranks.r.v[i].capacity, p);
		bool offered = false;
		enum wf_offer_status latest = WF_OFFER_SENT;
		for (size_t k = 0; k < offers->o.n; k++) {
			const struct store_offer *o = &offers->o.v[k];
			if (o->provider_id != p->id)
				continue;
			latest = o->status;
			offered = true;
			int32_t day;
			if (o->handed_back_at) {
				p->handed_back = true;
				p->handed_back_on = o->handed_back_on;
			}
			if (offer_is(o, WF_OFFER_DECLINED)) {
				cal_local(o->answered_at, &day, NULL);
				p->declined_on = day;
			} else if (offer_is(o, WF_OFFER_EXPIRED)) {
				cal_local(o->answered_at ? o->answered_at : o->deadline_at, &day, NULL);
				p->expired_on = day;
			}
		}
		cv[i].offered = offered;
		cv[i].offer_status = latest;
	}
	match_candidates(&mr, mp, n_ranked, ctx->settings->excluded_risks, mc);
	for (int i = 0; i < n_ranked; i++) {
		cv[i].provider_id = mp[i].id;
		snprintf(cv[i].provider, sizeof cv[i].provider, "%s", ranks.r.v[i].prov.name);
		cv[i].rank = mp[i].rank;
		cv[i].eligible = mc[i].eligible;
		cv[i].warning = mc[i].warning;
		cv[i].reasons = mc[i].reasons;
		cv[i].reasons_text[0] = '\0';
		cv[i].n_reasons = 0;
		if (texts) {
			match_reasons_text(&mc[i], cv[i].reasons_text, sizeof cv[i].reasons_text);
			cv[i].n_reasons = match_reason_list(&mc[i], cv[i].reason, MATCH_MAX_REASONS);
		}
	}
	*out = cv;
	*n_out = n_ranked;
	cv = NULL;
done:
	vec_free(&ranks.r);
	free(mp);
	free(mc);
	free(cv);
	return st;
}

enum bk_status bk_candidates(struct bk_ctx *ctx, const struct store_referral *r, struct bk_candidate_view **out, int *n)
{
	offer_list offers;
	enum bk_status st = load_offers(ctx, r->id, &offers);
	if (st != BK_OK)
		return st;
	st = candidates_with(ctx, r, &offers, true, out, n);
	vec_free(&offers.o);
	return st;
}

enum bk_status bk_fitting_providers(struct bk_ctx *ctx, int lot, const char *district, int age, int hours_minutes,
                                    bk_candidate_fn fn, void *ud)
{
	struct store_referral r = { .lot = lot, .age = age, .hours_minutes = hours_minutes };
	snprintf(r.district, sizeof r.district, "%s", district);
	struct bk_candidate_view *c = NULL;
	int n = 0;
	enum bk_status st = bk_candidates(ctx, &r, &c, &n);
	for (int i = 0; st == BK_OK && i < n; i++)
		if (c[i].eligible && fn(ud, &c[i]) != 0)
			break;
	free(c);
	return st;
}

/* ---- the cascade engine ---- */

static enum bk_status send_offer(struct bk_ctx *ctx, const struct store_referral *r, const struct bk_candidate_view *c,
                                 struct bk_advance *out)
{
	struct store_offer o = {
		.referral_id = r->id,
		.provider_id = c->provider_id,
		.rank = c->rank,
		.sent_at = ctx->now,
		.start_date = STORE_NO_DATE,
		.sent_by = ctx->actor.staff_id,
		.handed_back_on = STORE_NO_DATE,
	};
	o.status = WF_OFFER_SENT;
	if (!cal_deadline(&ctx->cal, ctx->now, &o.received_on, &o.deadline_at))
		return bk_fail(ctx, BK_REFUSED, "the deadline for an offer sent now cannot be worked out in zone %s",
		               ctx->settings->zone);
	enum store_status ss = store_offer_add(ctx->store, &o);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	enum bk_status st = bk_mail_queue_offer(ctx, r, &o);
	if (st != BK_OK)
		return st;
	if (out) {
		if (c->warning) {
			size_t n = strlen(out->amber);
			snprintf(out->amber + n, sizeof out->amber - n, "%s%s", n ? ", " : "", c->provider);
		}
		if (out->approached == 0) {
			snprintf(out->first_provider, sizeof out->first_provider, "%s", c->provider);
			out->first_deadline = o.deadline_at;
		}
		out->approached++;
	}
	if (ctx->plan) {
		struct bk_plan *p = ctx->plan;
		if (p->approached < BK_PLAN_MAX) {
			snprintf(p->provider[p->approached], sizeof p->provider[p->approached], "%.127s", c->provider);
			p->rank[p->approached] = c->rank;
		}
		if (p->approached++ == 0)
			p->deadline = o.deadline_at;
	}
	return bk_audit_offer(ctx, "offer.send", NULL, &o);
}

/* The cascade over the referral's offers as read in this transaction
 * (taken over: freed here). */
static enum bk_status advance(struct bk_ctx *ctx, struct store_referral *r, offer_list offers, struct bk_advance *out)
{
	struct bk_candidate_view *cands = NULL;
	int n = 0;
	enum bk_status st = candidates_with(ctx, r, &offers, false, &cands, &n);
	if (st != BK_OK) {
		vec_free(&offers.o);
		return st;
	}
	/* Offers to providers no longer ranked still count: they sit after the ranked ones. */
	int extra = 0;
	for (size_t k = 0; k < offers.o.n; k++) {
		bool ranked = false;
		for (int i = 0; i < n && !ranked; i++)
			ranked = cands[i].provider_id == offers.o.v[k].provider_id;
		if (!ranked)
			extra++;
	}
	int total = n + extra;
	struct policy_slot *slots = calloc((size_t)(total ? total : 1), sizeof *slots);
	int *offer_of = calloc((size_t)(total ? total : 1), sizeof *offer_of);
	if (!slots || !offer_of) {
		st = bk_fail(ctx, BK_STORAGE, "out of memory");
		goto done;
	}
	for (int i = 0; i < total; i++)
		offer_of[i] = -1;
	for (int i = 0; i < n; i++) {
		slots[i].eligible = cands[i].eligible;
		for (size_t k = 0; k < offers.o.n; k++)
			if (offers.o.v[k].provider_id == cands[i].provider_id)
				offer_of[i] = k; /* the latest offer to this provider */
	}
	int e = n;
	for (size_t k = 0; k < offers.o.n; k++) {
		bool ranked = false;
		for (int i = 0; i < n && !ranked; i++)
			ranked = cands[i].provider_id == offers.o.v[k].provider_id;
		if (!ranked)
			offer_of[e++] = k;
	}
	for (int i = 0; i < total; i++) {
		const struct store_offer *o = offer_of[i] >= 0 ? &offers.o.v[offer_of[i]] : NULL;
		if (!o || offer_is(o, WF_OFFER_WITHDRAWN))
			slots[i].state = SLOT_NONE;
		else if (offer_open(o))
			slots[i].state = SLOT_OPEN;
		else if (offer_is(o, WF_OFFER_ACCEPTED) && !o->handed_back_at)
			slots[i].state = SLOT_ACCEPTED;
		else
			slots[i].state = SLOT_CLOSED;
	}
	struct policy_plan plan;
	policy_cascade(ctx->settings->cascade, ctx->settings->batch_size, slots, total, &plan);
	if (ctx->plan)
		ctx->plan->ranked = n;

	if (plan.confirm >= 0) {
		struct store_offer *won = &offers.o.v[offer_of[plan.confirm]];
		struct store_offer before = *won;
		won->confirmed = true;
		enum store_status ss = store_offer_update(ctx->store, won);
		if (ss != STORE_OK) {
			st = bk_from_store(ctx, ss);
			goto done;
		}
		st = bk_audit_offer(ctx, "offer.confirm", &before, won);
		char name[128], reason[MAX_REASON];
		bk_provider_name(ctx, won->provider_id, name, sizeof name);
		snprintf(reason, sizeof reason, "not needed: %s (rank %d) accepted", name, won->rank);
		for (size_t k = 0; st == BK_OK && k < offers.o.n; k++) {
			struct store_offer *o = &offers.o.v[k];
			if (o == won || !(offer_open(o) || (offer_is(o, WF_OFFER_ACCEPTED) && !o->confirmed)))
				continue;
			/* it said yes and a higher rank won: not selected */
			enum bk_mail_notice why =
				offer_is(o, WF_OFFER_ACCEPTED) ? BK_NOTICE_NOT_SELECTED : BK_NOTICE_PLACED;
			snprintf(o->reason, sizeof o->reason, "%s", reason);
			st = offer_move(ctx, o, WF_OFFER_WITHDRAW, "offer.withdraw", NULL);
			if (st == BK_OK)
				st = bk_mail_queue_notice(ctx, o, why);
		}
		if (st == BK_OK)
			st = bk_move(ctx, r, WF_SOURCE);
		if (st == BK_OK) {
			r->sourced_at = ctx->now;
			r->sourced_provider_id = won->provider_id;
			snprintf(r->route, sizeof r->route, "framework");
			struct store_provider p;
			const struct bk_lot *lot = bk_settings_lot(ctx->settings, r->lot);
			int64_t rate = lot ? lot->framework_rate : 0;
			if (store_provider_by_id(ctx->store, won->provider_id, &p) == STORE_OK && p.rate > 0)
				rate = p.rate;
			r->weekly_cost = money_weekly_cost(rate, r->hours_minutes);
			if (out)
				out->sourced++;
			if (ctx->plan) {
				ctx->plan->sourced = true;
				bk_provider_name(ctx, won->provider_id, ctx->plan->sourced_with,
				                 sizeof ctx->plan->sourced_with);
			}
		}
		goto done;
	}
	for (int i = 0; st == BK_OK && i < plan.n_send; i++)
		st = send_offer(ctx, r, &cands[plan.send[i]], out);
	if (st == BK_OK && plan.exhausted) {
		st = bk_move(ctx, r, WF_EXHAUST);
		if (st == BK_OK && out)
			out->exhausted++;
		if (st == BK_OK && ctx->plan)
			ctx->plan->exhausted = true;
	}
done:
	free(slots);
	free(offer_of);
	free(cands);
	vec_free(&offers.o);
	return st;
}

enum bk_status bk_advance(struct bk_ctx *ctx, struct store_referral *r, struct bk_advance *out)
{
	offer_list offers;
	enum bk_status st = load_offers(ctx, r->id, &offers);
	return st == BK_OK ? advance(ctx, r, offers, out) : st;
}

enum bk_status bk_advance_offers(struct bk_ctx *ctx, struct store_referral *r, const struct store_offer *v, size_t n,
                                 struct bk_advance *out)
{
	offer_list offers = { 0 };
	for (size_t i = 0; i < n; i++) {
		struct store_offer *e = vec_push(&offers.o);
		if (!e) {
			vec_free(&offers.o);
			return bk_fail(ctx, BK_STORAGE, "out of memory reading offers");
		}
		*e = v[i];
	}
	return advance(ctx, r, offers, out);
}

/* Words for what the cascade did, appended to a message. */
static void advance_words(struct bk_ctx *ctx, const struct store_referral *r, const struct bk_advance *a, char *buf,
                          size_t len)
{
	char when[48];
	if (a->sourced) {
		char name[128];
		bk_provider_name(ctx, r->sourced_provider_id, name, sizeof name);
		snprintf(buf, len, "referral %lld is sourced with %s", (long long)r->id, name);
	} else if (a->approached) {
		cal_format_local(a->first_deadline, when, sizeof when);
		if (a->approached == 1)
			snprintf(buf, len, "approached %s, who must answer by %s", a->first_provider, when);
		else
			snprintf(buf, len, "approached %d providers from %s; first deadline %s", a->approached,
			         a->first_provider, when);
	} else if (a->exhausted) {
		snprintf(buf, len,
		         "no eligible framework provider is left: referral %lld is exhausted and can go to a spot "
		         "purchase",
		         (long long)r->id);
	} else {
		snprintf(buf, len, "waiting for the providers already approached");
	}
	if (a->amber[0]) {
		snprintf(ctx->warning, sizeof ctx->warning, "%s %s rated amber risk: approached with a warning",
		         a->amber, strchr(a->amber, ',') ? "are" : "is");
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "; warning: %s", ctx->warning);
	}
}

/* ---- validation of input ---- */

bool bk_validate_field(const struct bk_settings *s, const char *field, const char *value, char *msg, size_t len)
{
	const char *why = NULL;
	msg[0] = '\0';
	if (!value)
		value = "";
	if (strcmp(field, "case") == 0) {
		if (!text_valid_case_ref(value, &why)) {
			snprintf(msg, len, "%s", why);
			return false;
		}
		return true;
	}
	if (strcmp(field, "lot") == 0) {
		char *end = NULL;
		long lot = strtol(value, &end, 10);
		if (!*value || *end || !bk_settings_lot(s, (int)lot)) {
			size_t off = (size_t)snprintf(msg, len, "the lot must be one of:");
			for (int i = 0; i < s->n_lots && off < len; i++)
				off += (size_t)snprintf(msg + off, len - off, " %d (%s)%s", s->lots[i].number,
				                        s->lots[i].name, i + 1 < s->n_lots ? "," : "");
			return false;
		}
		return true;
	}
	if (strcmp(field, "district") == 0) {
		if (bk_settings_district_index(s, value) < 0) {
			size_t off = (size_t)snprintf(msg, len, "the district must be one of:");
			for (int i = 0; i < s->n_districts && off < len; i++)
				off += (size_t)snprintf(msg + off, len - off, " %s%s", s->districts[i].name,
				                        i + 1 < s->n_districts ? "," : "");
			return false;
		}
		return true;
	}
	if (strcmp(field, "hours") == 0) {
		int minutes;
		return hours_parse(value, &minutes, msg, len);
	}
	if (strcmp(field, "rate") == 0) {
		int64_t pence;
		return money_parse_rate(value, &pence, msg, len);
	}
	if (strcmp(field, "panel-date") == 0 || strcmp(field, "start") == 0 || strcmp(field, "date") == 0) {
		int32_t day;
		if (!*value)
			return true;
		return cal_parse_date(value, &day, msg, len);
	}
	if (strcmp(field, "at") == 0) { /* when an answer reached the council; empty: now */
		int64_t at;
		return !*value || cal_parse_time(value, &at, msg, len);
	}
	if (strcmp(field, "weeks") == 0) { /* a spot request's expected duration */
		char *end = NULL;
		long weeks = strtol(value, &end, 10);
		if (!*value || *end || weeks < 1 || weeks > 520) {
			snprintf(msg, len, "a whole number of weeks from 1 to 520");
			return false;
		}
		return true;
	}
	if (strcmp(field, "age") == 0) {
		char *end = NULL;
		long age = strtol(value, &end, 10);
		if (!*value)
			return true;
		if (*end || age < 0 || age > 120) {
			snprintf(msg, len, "the age must be a whole number of years from 0 to 120");
			return false;
		}
		return true;
	}
	if (strcmp(field, "cqc") == 0 || strcmp(field, "ages") == 0) {
		bool cqc = field[0] == 'c';
		int lo, hi;
		if (cqc ? strlen(value) <= 30 && !text_has_controls(value) : bk_parse_ages(value, &lo, &hi))
			return true;
		snprintf(msg, len, "%s",
		         cqc ? "a CQC location id is up to 30 characters, e.g. 1-123456789"
		             : "give the ages served as FROM-TO in years, e.g. 0-18 or 16-25");
		return false;
	}
	const struct text_field *tf = text_field_find(field);
	if (tf) {
		char *kept = malloc(strlen(value) + 1);
		bool ok = kept && text_field_check(tf, value, kept, strlen(value) + 1, msg, len);
		if (!kept)
			snprintf(msg, len, "out of memory");
		free(kept);
		return ok;
	}
	snprintf(msg, len, "unknown field %s", field);
	return false;
}

bool bk_check_field(const struct bk_ctx *ctx, const char *field, const char *value, char *msg, size_t len)
{
	if (!bk_validate_field(ctx->settings, field, value, msg, len))
		return false;
	int32_t day, today;
	cal_local(ctx->now, &today, NULL);
	if (strcmp(field, "panel-date") == 0 && cal_parse_date(value, &day, NULL, 0) && day > today) {
		snprintf(msg, len, "%s is in the future; the panel must have approved the package already", value);
		return false;
	}
	return true;
}

static enum bk_status check_input(struct bk_ctx *ctx, const struct bk_referral_input *in, bool all,
                                  struct store_referral *r)
{
	char msg[512];
	const struct bk_settings *s = ctx->settings;
	if (all || in->case_ref) {
		if (!bk_validate_field(s, "case", in->case_ref, msg, sizeof msg))
			return bk_fail(ctx, BK_REFUSED, "case reference: %s", msg);
		snprintf(r->case_ref, sizeof r->case_ref, "%s", in->case_ref);
	}
	if (all || in->lot > 0) {
		if (!bk_settings_lot(s, in->lot)) {
			char lots[16];
			snprintf(lots, sizeof lots, "%d", in->lot);
			bk_validate_field(s, "lot", lots, msg, sizeof msg);
			return bk_fail(ctx, BK_REFUSED, "lot %d is not configured: %s", in->lot, msg);
		}
		r->lot = in->lot;
	}
	if (all || in->district) {
		int d = in->district ? bk_settings_district_index(s, in->district) : -1;
		if (d < 0) {
			bk_validate_field(s, "district", in->district ? in->district : "", msg, sizeof msg);
			return bk_fail(ctx, BK_REFUSED, "district '%s': %s", in->district ? in->district : "", msg);
		}
		snprintf(r->district, sizeof r->district, "%s", s->districts[d].name);
	}
	if (all || in->hours) {
		int minutes = 0;
		if (!in->hours || !hours_parse(in->hours, &minutes, msg, sizeof msg))
			return bk_fail(ctx, BK_REFUSED, "hours per week: %s",
			               in->hours ? msg : "give the hours with --hours");
		r->hours_minutes = minutes;
	}
	if (in->panel_date) {
		int32_t day;
		if (!cal_parse_date(in->panel_date, &day, msg, sizeof msg) ||
		    !bk_check_field(ctx, "panel-date", in->panel_date, msg, sizeof msg))
			return bk_fail(ctx, BK_REFUSED, "panel date: %s", msg);
		r->panel_date = day;
	}
	if (in->start) {
		int32_t day;
		if (!cal_parse_date(in->start, &day, msg, sizeof msg))
			return bk_fail(ctx, BK_REFUSED, "start date: %s", msg);
		r->start_date = day;
	}
	if (in->age >= 0) {
		if (in->age > 120)
			return bk_fail(ctx, BK_REFUSED, "age: the age must be a whole number of years from 0 to 120");
		r->age = in->age;
	}
	if (in->note) {
		enum bk_status st = bk_text(ctx, "note", in->note, r->note, sizeof r->note, NULL);
		if (st != BK_OK)
			return st;
	}
	return BK_OK;
}

enum bk_status bk_referral_duplicate(struct bk_ctx *ctx, const char *case_ref, int lot, int32_t panel_date,
                                     int64_t except_id, int64_t *dup_id)
{
	int64_t id = 0;
	enum store_status ss = store_referral_exists(ctx->store, case_ref, lot, panel_date, except_id, &id);
	if (dup_id)
		*dup_id = id;
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	if (id == 0)
		return BK_OK;
	char panel[16] = "no panel date";
	if (panel_date != STORE_NO_DATE)
		cal_format_date(panel_date, panel, sizeof panel);
	return bk_fail(
		ctx, BK_REFUSED,
		"case %s already has referral %lld for lot %d with panel date %s: a case has one referral per lot "
		"and panel decision (change that referral, or give the new panel's date)",
		case_ref, (long long)id, lot, panel);
}

/* ---- actions ---- */

struct referral_new {
	struct store_referral r0, r; /* as given; as recorded */
};

static enum bk_status referral_new_tx(struct bk_ctx *ctx, void *ud)
{
	struct referral_new *a = ud;
	struct store_referral r = a->r0;
	enum bk_status st = bk_referral_duplicate(ctx, r.case_ref, r.lot, r.panel_date, 0, NULL);
	if (st != BK_OK)
		return st;
	enum store_status ss = store_referral_add(ctx->store, &r);
	st = ss == STORE_OK ? bk_audit_referral(ctx, "referral.new", NULL, &r) : bk_from_store(ctx, ss);
	a->r = r;
	return st;
}

enum bk_status bk_referral_new(struct bk_ctx *ctx, const struct bk_referral_input *in, int64_t *id)
{
	enum bk_status st = bk_require(ctx, PERM_WORK_REFERRALS);
	if (st != BK_OK)
		return st;
	struct store_referral r = {
		.panel_date = STORE_NO_DATE,
		.start_date = STORE_NO_DATE,
		.ended_on = STORE_NO_DATE,
		.age = -1,
	};
	if ((st = check_input(ctx, in, true, &r)) != BK_OK)
		return st;
	r.urgent = in->urgent > 0;
	r.status = WF_NEW;
	r.paused_from = WF_NO_STATUS;
	r.holder_id = ctx->actor.staff_id;
	r.created_by = ctx->actor.staff_id;
	r.created_at = ctx->now;
	struct referral_new a = { .r0 = r };
	st = bk_tx_run(ctx, referral_new_tx, &a);
	r = a.r;
	if (st == BK_OK) {
		*id = r.id;
		bk_fail(ctx, BK_OK, "recorded referral %lld for case %s%s", (long long)r.id, r.case_ref,
		        ctx->settings->require_approval ? "; a team leader must approve it before it is sent" : "");
	}
	return st;
}

/* The frame of every referral action: permission, transaction, read with
 * version check, the action's own work, save with audit. */
typedef enum bk_status (*referral_step)(struct bk_ctx *ctx, struct store_referral *r, const void *arg, char *words,
                                        size_t len);

/* One action on one referral: the step in a transaction, saved with its
 * audit event. With preview, the very same, then rolled back: what the
 * step did is noted in *preview and nothing changes. */
struct referral_run {
	int64_t id, expect_version;
	const char *action;
	referral_step step;
	const void *arg;
	struct bk_plan *preview;
	char words[sizeof((struct bk_ctx *)0)->msg];
};

static enum bk_status referral_run_tx(struct bk_ctx *ctx, void *ud)
{
	struct referral_run *a = ud;
	struct store_referral before, r;
	a->words[0] = '\0';
	if (a->preview)
		memset(a->preview, 0, sizeof *a->preview);
	ctx->plan = a->preview;
	enum bk_status st = bk_referral_for_action(ctx, a->id, a->expect_version, &before);
	if (st == BK_OK) {
		r = before;
		st = a->step(ctx, &r, a->arg, a->words, sizeof a->words);
	}
	if (st == BK_OK)
		st = bk_referral_save(ctx, a->action, &before, &r);
	ctx->plan = NULL;
	return st;
}

static enum bk_status run_action(struct bk_ctx *ctx, int64_t id, int64_t expect_version, enum policy_perm perm,
                                 const char *action, referral_step step, const void *arg, struct bk_plan *preview)
{
	if (preview)
		memset(preview, 0, sizeof *preview);
	enum bk_status st = bk_require(ctx, perm);
	if (st != BK_OK)
		return st;
	struct referral_run a = { .id = id,
		                  .expect_version = expect_version,
		                  .action = action,
		                  .step = step,
		                  .arg = arg,
		                  .preview = preview };
	/* a preview: the very same, always rolled back (it sends nothing) */
	st = preview ? bk_tx_try(ctx, referral_run_tx, &a) : bk_tx_run(ctx, referral_run_tx, &a);
	ctx->plan = NULL;
	if (st == BK_OK)
		snprintf(ctx->msg, sizeof ctx->msg, "%s", a.words);
	return st;
}

static enum bk_status referral_action(struct bk_ctx *ctx, int64_t id, int64_t expect_version, enum policy_perm perm,
                                      const char *action, referral_step step, const void *arg)
{
	return run_action(ctx, id, expect_version, perm, action, step, arg, NULL);
}

static enum bk_status step_approve(struct bk_ctx *ctx, struct store_referral *r, const void *arg, char *words,
                                   size_t len)
{
	(void)arg;
	enum bk_status st = bk_move(ctx, r, WF_APPROVE);
	if (st != BK_OK)
		return st;
	r->approved_by = ctx->actor.staff_id;
	snprintf(words, len, "approved referral %lld: it can now be sent", (long long)r->id);
	return BK_OK;
}

enum bk_status bk_referral_approve(struct bk_ctx *ctx, int64_t id, int64_t expect_version)
{
	return referral_action(ctx, id, expect_version, PERM_APPROVE_REFERRAL, "referral.approve", step_approve, NULL);
}

static enum bk_status step_send(struct bk_ctx *ctx, struct store_referral *r, const void *arg, char *words, size_t len)
{
	(void)arg;
	if (r->status == WF_NEW && ctx->settings->require_approval)
		return bk_fail(ctx, BK_REFUSED,
		               "referral %lld waits for a team leader's approval before any provider is approached",
		               (long long)r->id);
	bool was_searching = r->status == WF_SEARCHING;
	bool was_exhausted = r->status == WF_EXHAUSTED;
	enum bk_status st = bk_move(ctx, r, WF_SEND);
	if (st != BK_OK)
		return st;
	struct bk_advance a = { 0 };
	if ((st = bk_advance(ctx, r, &a)) != BK_OK)
		return st;
	if (was_searching && a.approached == 0 && !a.sourced && !a.exhausted)
		return bk_fail(ctx, BK_REFUSED,
		               "referral %lld already has its offers open: wait for the answers or the "
		               "deadline",
		               (long long)r->id);
	if (was_exhausted && a.approached == 0)
		return bk_fail(ctx, BK_REFUSED,
		               "referral %lld: still no eligible framework provider (see its candidates); "
		               "request a spot purchase instead",
		               (long long)r->id);
	advance_words(ctx, r, &a, words, len);
	return BK_OK;
}

enum bk_status bk_referral_send(struct bk_ctx *ctx, int64_t id, int64_t expect_version)
{
	return referral_action(ctx, id, expect_version, PERM_WORK_REFERRALS, "referral.send", step_send, NULL);
}

enum bk_status bk_preview_send(struct bk_ctx *ctx, int64_t id, int64_t expect_version, struct bk_plan *out)
{
	return run_action(ctx, id, expect_version, PERM_WORK_REFERRALS, "referral.send", step_send, NULL, out);
}

/* The provider's open offer on r, by name. */
static enum bk_status find_open_offer(struct bk_ctx *ctx, const struct store_referral *r, const char *provider,
                                      struct store_offer *out, bool accepted_ok)
{
	struct store_provider p;
	if (!provider || !*provider)
		return bk_fail(ctx, BK_USAGE, "name the provider with --provider");
	enum store_status ss = store_provider_by_name(ctx->store, provider, &p);
	if (ss == STORE_NOT_FOUND)
		return bk_fail(ctx, BK_REFUSED, "there is no provider named '%s'", provider);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	offer_list offers;
	enum bk_status st = load_offers(ctx, r->id, &offers);
	if (st != BK_OK)
		return st;
	const struct store_offer *latest = NULL;
	for (size_t k = 0; k < offers.o.n; k++)
		if (offers.o.v[k].provider_id == p.id)
			latest = &offers.o.v[k];
	if (!latest) {
		vec_free(&offers.o);
		return bk_fail(ctx, BK_REFUSED, "%s has not been approached on referral %lld", p.name,
		               (long long)r->id);
	}
	*out = *latest;
	vec_free(&offers.o);
	if (offer_open(out) || (accepted_ok && offer_is(out, WF_OFFER_ACCEPTED)))
		return BK_OK;
	char day[32];
	int32_t d;
	cal_local(out->answered_at ? out->answered_at : out->deadline_at, &d, NULL);
	cal_format_day(d, day, sizeof day);
	if (offer_is(out, WF_OFFER_DECLINED))
		return bk_fail(ctx, BK_REFUSED, "%s declined this referral on %s", p.name, day);
	if (offer_is(out, WF_OFFER_EXPIRED))
		return bk_fail(ctx, BK_REFUSED,
		               "%s's offer on this referral expired on %s without an answer (an answer that reached "
		               "the council by the deadline is recorded with the time it came, --at)",
		               p.name, day);
	if (offer_is(out, WF_OFFER_ACCEPTED))
		return bk_fail(ctx, BK_REFUSED, "%s has already accepted this referral", p.name);
	return bk_fail(ctx, BK_REFUSED, "%s's offer on this referral was withdrawn (%s)", p.name, out->reason);
}

const char *const bk_answer_vias[] = { "phone", "email", "post", "in-person", "other", NULL };

bool bk_answer_via_valid(const char *via)
{
	for (int i = 0; via && bk_answer_vias[i]; i++)
		if (strcmp(via, bk_answer_vias[i]) == 0)
			return true;
	return false;
}

/* The moment an answer reached the council: now unless given; never
 * before the offer was sent or its last step (a request for information,
 * the information supplied), never in the future. */
static enum bk_status answer_time(struct bk_ctx *ctx, const struct store_offer *o, const char *name, int64_t at,
                                  int64_t *out)
{
	if (!at) {
		*out = ctx->now;
		return BK_OK;
	}
	char when[48], then[48];
	cal_format_local(at, when, sizeof when);
	if (at > ctx->now) {
		cal_format_local(ctx->now, then, sizeof then);
		return bk_fail(
			ctx, BK_REFUSED,
			"the answer cannot have reached the council at %s: that is in the future (it is now %s); "
			"nothing was changed",
			when, then);
	}
	int64_t step = o->sent_at;
	const char *what = "the offer was sent to";
	if (o->info_requested_at > step) {
		step = o->info_requested_at;
		what = "information was asked for by";
	}
	if (o->info_supplied_at > step) {
		step = o->info_supplied_at;
		what = "the information was supplied to";
	}
	if (at < step) {
		cal_format_local(step, then, sizeof then);
		return bk_fail(ctx, BK_REFUSED,
		               "the answer cannot have reached the council at %s: that is before %s %s (%s); nothing "
		               "was changed",
		               when, what, name, then);
	}
	*out = at;
	return BK_OK;
}

/* A decline's code from the policy: the keyword given, or "other" when only
 * words are; "other" needs words. */
static enum bk_status decline_code(struct bk_ctx *ctx, const char *code, bool has_words, char *out, size_t len)
{
	const struct bk_settings *s = ctx->settings;
	if (!code || !*code) {
		if (!has_words)
			return bk_fail(
				ctx, BK_REFUSED,
				"a decline needs its code (--code) or the provider's reason in words (--reason)");
		code = "other";
	}
	const struct bk_decline_code *c = bk_settings_decline_code(s, code);
	if (!c) {
		char names[512];
		size_t off = 0;
		names[0] = '\0';
		for (int i = 0; i < s->n_decline_codes && off < sizeof names; i++)
			off += (size_t)snprintf(names + off, sizeof names - off, "%s%s (%s)", i ? ", " : "",
			                        s->decline_codes[i].keyword, s->decline_codes[i].label);
		return bk_fail(ctx, BK_REFUSED, "there is no decline code '%s': the codes are %s", code, names);
	}
	if (strcasecmp(c->keyword, "other") == 0 && !has_words)
		return bk_fail(ctx, BK_REFUSED,
		               "a decline coded 'other' needs the provider's reason in words (--reason)");
	snprintf(out, len, "%s", c->keyword);
	return BK_OK;
}

static enum bk_status step_respond(struct bk_ctx *ctx, struct store_referral *r, const void *arg, char *words,
                                   size_t len)
{
	const struct bk_response *a = arg;
	enum wf_status s;
	enum bk_status st = bk_parse_status(ctx, r, &s);
	if (st != BK_OK)
		return st;
	const char *why = "";
	enum wf_status same;
	/* An exhausted referral may still take an answer that came in time to
	 * an offer the sweep expired before it was typed in (below). */
	bool exhausted = s == WF_EXHAUSTED && a->at;
	if (!wf_referral_move(s, WF_RESPOND, WF_NEW, &same, &why) && !exhausted)
		return bk_fail(ctx, BK_REFUSED, "referral %lld: %s", (long long)r->id, why);
	if (a->via && *a->via && !bk_answer_via_valid(a->via)) {
		char names[128];
		size_t off = 0;
		names[0] = '\0';
		for (int i = 0; bk_answer_vias[i] && off < sizeof names; i++)
			off += (size_t)snprintf(names + off, sizeof names - off, "%s%s", i ? ", " : "",
			                        bk_answer_vias[i]);
		return bk_fail(ctx, BK_REFUSED, "an answer comes by %s, not '%s'", names, a->via);
	}
	if (a->code && *a->code && a->answer != BK_ANSWER_DECLINE)
		return bk_fail(ctx, BK_REFUSED, "only a decline takes a code");
	const char *provider = a->provider;
	char by_offer[128];
	if (a->offer_id) {
		struct store_offer x;
		enum store_status ss = store_offer_get(ctx->store, a->offer_id, &x);
		if (ss == STORE_NOT_FOUND || (ss == STORE_OK && x.referral_id != r->id))
			return bk_fail(ctx, BK_REFUSED, "there is no offer %lld on referral %lld",
			               (long long)a->offer_id, (long long)r->id);
		if (ss != STORE_OK)
			return bk_from_store(ctx, ss);
		bk_provider_name(ctx, x.provider_id, by_offer, sizeof by_offer);
		provider = by_offer;
	}
	struct store_offer o = { 0 };
	st = find_open_offer(ctx, r, provider, &o, false);
	if (a->offer_id && o.id && o.id != a->offer_id)
		return bk_fail(ctx, BK_REFUSED,
		               "offer %lld is no longer %s's offer on referral %lld: it was offered the referral again "
		               "(offer %lld)",
		               (long long)a->offer_id, provider, (long long)r->id, (long long)o.id);
	/* the offer expired while the answer that came by its deadline waited
	 * to be typed in: recorded at its time, as if the sweep had not run */
	bool in_time = st == BK_REFUSED && o.id && offer_is(&o, WF_OFFER_EXPIRED) && a->at && a->at >= o.sent_at &&
	               a->at <= o.deadline_at;
	if (st != BK_OK && !in_time)
		return st;
	if (exhausted && !in_time)
		return bk_fail(ctx, BK_REFUSED, "referral %lld: %s", (long long)r->id, why);
	char name[128], msg[256];
	bk_provider_name(ctx, o.provider_id, name, sizeof name);
	if (in_time && a->answer == BK_ANSWER_INFO)
		return bk_fail(ctx, BK_REFUSED,
		               "%s's offer expired at its deadline before this was typed in: a request for information "
		               "cannot open it again; record its acceptance or decline, with the time it came",
		               name);
	int64_t at = 0;
	if ((st = answer_time(ctx, &o, name, a->at, &at)) != BK_OK)
		return st;
	if (in_time && a->answer == BK_ANSWER_ACCEPT && (s == WF_EXHAUSTED) &&
	    (st = bk_move(ctx, r, WF_REOPEN)) != BK_OK)
		return st;
	snprintf(o.via, sizeof o.via, "%s", a->via ? a->via : "");
	o.recorded_at = ctx->now;
	bool words_given = a->text && *a->text;
	switch (a->answer) {
	case BK_ANSWER_ACCEPT:
		o.start_date = STORE_NO_DATE;
		if (words_given && !cal_parse_date(a->text, &o.start_date, msg, sizeof msg))
			return bk_fail(ctx, BK_REFUSED, "start date: %s", msg);
		o.answered_at = at;
		st = offer_move(ctx, &o, in_time ? WF_OFFER_ACCEPT_IN_TIME : WF_OFFER_ACCEPT, "offer.accept", name);
		break;
	case BK_ANSWER_DECLINE:
		if ((st = decline_code(ctx, a->code, words_given, o.decline_code, sizeof o.decline_code)) != BK_OK)
			return st;
		o.reason[0] = '\0';
		if (words_given && bk_text(ctx, "reason", a->text, o.reason, sizeof o.reason,
		                           "the provider's reason (--reason)") != BK_OK)
			return BK_REFUSED;
		o.answered_at = at;
		st = offer_move(ctx, &o, in_time ? WF_OFFER_DECLINE_IN_TIME : WF_OFFER_DECLINE, "offer.decline", name);
		if (st == BK_OK && in_time) {
			/* it had already counted as expired: the search went on without it */
			snprintf(words, len,
			         "%s declined in time (the answer came by the deadline; its offer had expired before "
			         "it was typed in); the search goes on as it was",
			         name);
			return BK_OK;
		}
		break;
	case BK_ANSWER_INFO:
		if (bk_text(ctx, "question", a->text, o.reason, sizeof o.reason,
		            "say what the provider asked (--question)") != BK_OK)
			return BK_REFUSED;
		o.info_requested_at = at;
		st = offer_move(ctx, &o, WF_OFFER_ASK_INFO, "offer.info-request", name);
		if (st == BK_OK)
			snprintf(words, len,
			         "%s asked for information; its clock is stopped until you record the information as "
			         "supplied",
			         name);
		return st;
	}
	if (st != BK_OK)
		return st;
	struct bk_advance adv = { 0 };
	if ((st = bk_advance(ctx, r, &adv)) != BK_OK)
		return st;
	char next[512];
	if (a->answer == BK_ANSWER_ACCEPT && !adv.sourced) {
		snprintf(words, len,
		         "%s (rank %d) accepted; it is confirmed once every higher-ranked provider approached "
		         "has declined or let its deadline pass",
		         name, o.rank);
		return BK_OK;
	}
	advance_words(ctx, r, &adv, next, sizeof next);
	snprintf(words, len, "%s %s; %s", name, a->answer == BK_ANSWER_ACCEPT ? "accepted" : "declined", next);
	return BK_OK;
}

enum bk_status bk_referral_answer(struct bk_ctx *ctx, int64_t id, int64_t expect_version,
                                  const struct bk_response *answer)
{
	return referral_action(ctx, id, expect_version, PERM_WORK_REFERRALS, "referral.respond", step_respond, answer);
}

enum bk_status bk_offer_answer(struct bk_ctx *ctx, int64_t offer_id, int64_t expect_version,
                               const struct bk_response *answer)
{
	struct store_offer o;
	enum store_status ss = store_offer_get(ctx->store, offer_id, &o);
	if (ss == STORE_NOT_FOUND)
		return bk_fail(ctx, BK_REFUSED, "there is no offer %lld", (long long)offer_id);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	struct bk_response a = *answer;
	a.offer_id = offer_id;
	return bk_referral_answer(ctx, o.referral_id, expect_version, &a);
}

enum bk_status bk_preview_answer(struct bk_ctx *ctx, int64_t id, int64_t expect_version,
                                 const struct bk_response *answer, struct bk_plan *out)
{
	return run_action(ctx, id, expect_version, PERM_WORK_REFERRALS, "referral.respond", step_respond, answer, out);
}

enum bk_status bk_referral_respond(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *provider,
                                   enum bk_answer answer, const char *text)
{
	struct bk_response a = { .provider = provider, .answer = answer, .text = text };
	return bk_referral_answer(ctx, id, expect_version, &a);
}

enum bk_status bk_preview_respond(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *provider,
                                  enum bk_answer answer, const char *text, struct bk_plan *out)
{
	struct bk_response a = { .provider = provider, .answer = answer, .text = text };
	return bk_preview_answer(ctx, id, expect_version, &a, out);
}

static enum bk_status step_info_supplied(struct bk_ctx *ctx, struct store_referral *r, const void *arg, char *words,
                                         size_t len)
{
	const char *provider = arg;
	struct store_offer o;
	enum bk_status st = find_open_offer(ctx, r, provider, &o, false);
	if (st != BK_OK)
		return st;
	char name[128];
	bk_provider_name(ctx, o.provider_id, name, sizeof name);
	int64_t old = o.deadline_at;
	o.info_supplied_at = ctx->now;
	o.deadline_at = o.info_requested_at ? cal_extend_for_info(&ctx->cal, old, o.info_requested_at, ctx->now) : old;
	if ((st = offer_move(ctx, &o, WF_OFFER_INFO_SUPPLIED, "offer.info-supplied", name)) != BK_OK)
		return st;
	if (ctx->plan)
		ctx->plan->deadline = o.deadline_at;
	char when[48];
	cal_format_local(o.deadline_at, when, sizeof when);
	snprintf(words, len, "information supplied to %s; its deadline is now %s", name, when);
	return BK_OK;
}

enum bk_status bk_referral_info_supplied(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *provider)
{
	return referral_action(ctx, id, expect_version, PERM_WORK_REFERRALS, "referral.info-supplied",
	                       step_info_supplied, provider);
}

enum bk_status bk_preview_info_supplied(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *provider,
                                        struct bk_plan *out)
{
	return run_action(ctx, id, expect_version, PERM_WORK_REFERRALS, "referral.info-supplied", step_info_supplied,
	                  provider, out);
}

/* Withdraw every open or unconfirmed offer of r with a reason. */
enum bk_status bk_withdraw_offers(struct bk_ctx *ctx, const struct store_referral *r, const char *reason,
                                  enum bk_mail_notice notice, int *count)
{
	offer_list offers;
	enum bk_status st = load_offers(ctx, r->id, &offers);
	if (st != BK_OK)
		return st;
	int n = 0;
	for (size_t k = 0; st == BK_OK && k < offers.o.n; k++) {
		struct store_offer *o = &offers.o.v[k];
		if (!(offer_open(o) || (offer_is(o, WF_OFFER_ACCEPTED) && !o->confirmed)))
			continue;
		snprintf(o->reason, sizeof o->reason, "%s", reason);
		st = offer_move(ctx, o, WF_OFFER_WITHDRAW, "offer.withdraw", NULL);
		if (st == BK_OK)
			st = bk_mail_queue_notice(ctx, o, notice);
		n++;
	}
	vec_free(&offers.o);
	if (count)
		*count = n;
	return st;
}

static enum bk_status step_pause(struct bk_ctx *ctx, struct store_referral *r, const void *arg, char *words, size_t len)
{
	char reason[MAX_REASON * 4 + 1];
	if (bk_text(ctx, "reason", arg, reason, sizeof reason, "say why the referral is paused (--reason)") != BK_OK)
		return BK_REFUSED;
	enum wf_status from = r->status;
	enum bk_status st = bk_move(ctx, r, WF_PAUSE);
	if (st != BK_OK)
		return st;
	r->paused_from = from;
	snprintf(r->close_reason, sizeof r->close_reason, "paused: %s", reason);
	char why[MAX_REASON * 4 + 32];
	snprintf(why, sizeof why, "referral paused: %s", reason);
	int n = 0;
	if ((st = bk_withdraw_offers(ctx, r, why, BK_NOTICE_PAUSED, &n)) != BK_OK)
		return st;
	snprintf(words, len, "paused referral %lld%s", (long long)r->id,
	         n ? "; its open offers were withdrawn and will be made again on resume" : "");
	return BK_OK;
}

enum bk_status bk_referral_pause(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *reason)
{
	return referral_action(ctx, id, expect_version, PERM_WORK_REFERRALS, "referral.pause", step_pause, reason);
}

enum bk_status bk_preview_pause(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *reason,
                                struct bk_plan *out)
{
	return run_action(ctx, id, expect_version, PERM_WORK_REFERRALS, "referral.pause", step_pause, reason, out);
}

static enum bk_status step_resume(struct bk_ctx *ctx, struct store_referral *r, const void *arg, char *words,
                                  size_t len)
{
	(void)arg;
	enum bk_status st = bk_move(ctx, r, WF_RESUME);
	if (st != BK_OK)
		return st;
	r->paused_from = WF_NO_STATUS;
	if (r->status == WF_SEARCHING) {
		struct bk_advance a = { 0 };
		if ((st = bk_advance(ctx, r, &a)) != BK_OK)
			return st;
		char next[512];
		advance_words(ctx, r, &a, next, sizeof next);
		snprintf(words, len, "resumed referral %lld; %s", (long long)r->id, next);
	} else {
		snprintf(words, len, "resumed referral %lld (%s)", (long long)r->id, wf_status_name(r->status));
	}
	return BK_OK;
}

enum bk_status bk_referral_resume(struct bk_ctx *ctx, int64_t id, int64_t expect_version)
{
	return referral_action(ctx, id, expect_version, PERM_WORK_REFERRALS, "referral.resume", step_resume, NULL);
}

struct reject_pending {
	struct bk_ctx *ctx;
	const char *note;
	enum bk_status st;
	struct store_spot spots[8];
	int n;
};

static int collect_pending(void *ud, const struct store_spot *s)
{
	struct reject_pending *p = ud;
	if (p->n < 8)
		p->spots[p->n++] = *s;
	return 0;
}

static enum bk_status step_withdraw(struct bk_ctx *ctx, struct store_referral *r, const void *arg, char *words,
                                    size_t len)
{
	char reason[MAX_REASON * 4 + 1];
	if (bk_text(ctx, "reason", arg, reason, sizeof reason, "say why the referral is withdrawn (--reason)") != BK_OK)
		return BK_REFUSED;
	enum bk_status st = bk_move(ctx, r, WF_WITHDRAW);
	if (st != BK_OK)
		return st;
	char why[MAX_REASON * 4 + 32];
	snprintf(why, sizeof why, "referral withdrawn: %s", reason);
	if ((st = bk_withdraw_offers(ctx, r, why, BK_NOTICE_WITHDRAWN, NULL)) != BK_OK)
		return st;
	struct reject_pending p = { .ctx = ctx };
	enum store_status ss = store_spot_each(ctx->store, true, r->id, collect_pending, &p);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	for (int i = 0; st == BK_OK && i < p.n; i++) {
		struct store_spot after = p.spots[i];
		after.status = WF_SPOT_REJECTED;
		snprintf(after.note, sizeof after.note, "%s", why);
		after.decided_at = ctx->now;
		ss = store_spot_update(ctx->store, &after);
		st = ss == STORE_OK ? bk_audit(ctx, "spot.cancel", "spot_request", after.id, r->id,
		                               bk_spot_json(&p.spots[i]), bk_spot_json(&after))
		                    : bk_from_store(ctx, ss);
	}
	r->paused_from = WF_NO_STATUS;
	r->closed_at = ctx->now;
	snprintf(r->close_reason, sizeof r->close_reason, "%s", reason);
	snprintf(words, len, "withdrew referral %lld", (long long)r->id);
	return st;
}

enum bk_status bk_referral_withdraw(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *reason)
{
	return referral_action(ctx, id, expect_version, PERM_WORK_REFERRALS, "referral.withdraw", step_withdraw,
	                       reason);
}

enum bk_status bk_preview_withdraw(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *reason,
                                   struct bk_plan *out)
{
	return run_action(ctx, id, expect_version, PERM_WORK_REFERRALS, "referral.withdraw", step_withdraw, reason,
	                  out);
}

static enum bk_status step_end(struct bk_ctx *ctx, struct store_referral *r, const void *arg, char *words, size_t len)
{
	const char *date = arg;
	int32_t day;
	char msg[256];
	if (date && *date) {
		if (!cal_parse_date(date, &day, msg, sizeof msg))
			return bk_fail(ctx, BK_REFUSED, "end date: %s", msg);
	} else {
		cal_local(ctx->now, &day, NULL);
	}
	int32_t sourced_day;
	cal_local(r->sourced_at, &sourced_day, NULL);
	if (r->sourced_at && day < sourced_day)
		return bk_fail(ctx, BK_REFUSED, "end date: the package cannot end before it was sourced");
	int32_t today;
	cal_local(ctx->now, &today, NULL);
	char d[32];
	cal_format_day(day, d, sizeof d);
	if (day > today) {
		/* A planned end: the package is active until then, in every list
		 * and report; the sweep ends it on the day. */
		enum wf_status s;
		const char *why;
		enum bk_status st = bk_parse_status(ctx, r, &s);
		if (st != BK_OK)
			return st;
		enum wf_status to;
		if (!wf_referral_move(s, WF_END, WF_NEW, &to, &why))
			return bk_fail(ctx, BK_REFUSED, "referral %lld: %s", (long long)r->id, why);
		r->ended_on = day;
		snprintf(words, len, "the package of referral %lld will end on %s: it stays active until then",
		         (long long)r->id, d);
		return BK_OK;
	}
	enum bk_status st = bk_move(ctx, r, WF_END);
	if (st != BK_OK)
		return st;
	r->ended_on = day;
	r->closed_at = ctx->now;
	snprintf(words, len, "the package of referral %lld ended on %s", (long long)r->id, d);
	return BK_OK;
}

enum bk_status bk_referral_end(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *date)
{
	return referral_action(ctx, id, expect_version, PERM_WORK_REFERRALS, "referral.end", step_end, date);
}

struct hand_back_arg {
	const char *reason;
	const char *date;
};

static int rank_of(void *ud, const struct store_rank *k)
{
	struct store_rank *want = ud;
	if (k->provider_id != want->provider_id)
		return 0;
	want->rank = k->rank;
	return 1;
}

/* The accepted offer an imported package stands for, handed back on day. */
static enum bk_status placement_offer(struct bk_ctx *ctx, const struct store_referral *r, int64_t provider_id,
                                      int64_t sourced_at, int32_t day, const char *reason)
{
	struct store_rank k = { .provider_id = provider_id };
	enum store_status ss = store_ranking_each(ctx->store, r->lot, r->district, rank_of, &k);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	struct store_offer o = {
		.referral_id = r->id,
		.provider_id = provider_id,
		.rank = k.rank,
		.status = WF_OFFER_ACCEPTED,
		.confirmed = true,
		.sent_at = sourced_at,
		.deadline_at = sourced_at,
		.answered_at = sourced_at,
		.start_date = STORE_NO_DATE,
		.handed_back_on = day,
		.handed_back_at = ctx->now,
	};
	cal_local(sourced_at, &o.received_on, NULL);
	snprintf(o.reason, sizeof o.reason, "%s", reason);
	ss = store_offer_add(ctx->store, &o);
	return ss == STORE_OK ? bk_audit_offer(ctx, "offer.hand-back", NULL, &o) : bk_from_store(ctx, ss);
}

/* A provider hands a sourced package back: its accepted offer keeps the
 * day and its words, the referral is searched again from the top of the
 * ranking without it (the match rules now give "handed back"), and the
 * cascade approaches the next providers at once. */
static enum bk_status step_hand_back(struct bk_ctx *ctx, struct store_referral *r, const void *arg, char *words,
                                     size_t len)
{
	const struct hand_back_arg *a = arg;
	char reason[MAX_REASON * 4 + 1];
	if (bk_text(ctx, "reason", a->reason, reason, sizeof reason,
	            "say why the provider handed the package back (--reason)") != BK_OK)
		return BK_REFUSED;
	int64_t provider_id = r->sourced_provider_id;
	bool framework = strcmp(r->route, "framework") == 0;
	int64_t sourced_at = r->sourced_at;
	enum bk_status st = bk_move(ctx, r, WF_HAND_BACK);
	if (st != BK_OK)
		return st;
	int32_t day, today, sourced_day;
	char msg[256], d[32];
	cal_local(ctx->now, &today, NULL);
	if (r->ended_on != STORE_NO_DATE && r->ended_on <= today)
		return bk_fail(ctx, BK_REFUSED, "referral %lld: the package has ended: nothing to hand back",
		               (long long)r->id);
	day = today;
	if (a->date && *a->date && !cal_parse_date(a->date, &day, msg, sizeof msg))
		return bk_fail(ctx, BK_REFUSED, "hand-back date: %s", msg);
	if (day > today)
		return bk_fail(ctx, BK_REFUSED, "hand-back date: it cannot be in the future");
	cal_local(sourced_at, &sourced_day, NULL);
	if (day < sourced_day) {
		cal_format_day(sourced_day, d, sizeof d);
		return bk_fail(ctx, BK_REFUSED, "hand-back date: the package was sourced only on %s", d);
	}
	char name[128];
	bk_provider_name(ctx, provider_id, name, sizeof name);
	if (framework) {
		offer_list offers;
		if ((st = load_offers(ctx, r->id, &offers)) != BK_OK)
			return st;
		struct store_offer *won = NULL;
		bool ever_accepted = false;
		for (size_t k = 0; k < offers.o.n; k++) {
			struct store_offer *o = &offers.o.v[k];
			if (o->provider_id != provider_id || !offer_is(o, WF_OFFER_ACCEPTED))
				continue;
			ever_accepted = true;
			if (o->confirmed && !o->handed_back_at)
				won = o;
		}
		if (!won && ever_accepted) {
			vec_free(&offers.o);
			return bk_fail(ctx, BK_STORAGE,
			               "referral %lld is sourced with %s but its accepted offer is missing",
			               (long long)r->id, name);
		}
		if (!won) {
			/* A package placed before the council used the program
			 * (imported as sourced) has no offer: its placement is
			 * recorded now as the accepted offer it stands for, so the
			 * provider is not approached again and the reports of the
			 * days it was in place count it, as any hand-back. */
			st = placement_offer(ctx, r, provider_id, sourced_at, day, reason);
		} else {
			struct store_offer before = *won;
			won->handed_back_on = day;
			won->handed_back_at = ctx->now;
			snprintf(won->reason, sizeof won->reason, "%s", reason);
			enum store_status ss = store_offer_update(ctx->store, won);
			st = ss == STORE_OK ? bk_audit_offer(ctx, "offer.hand-back", &before, won)
			                    : bk_from_store(ctx, ss);
		}
		vec_free(&offers.o);
		if (st != BK_OK)
			return st;
	}
	r->sourced_at = 0;
	r->sourced_provider_id = 0;
	r->route[0] = '\0';
	r->weekly_cost = 0;
	r->ended_on = STORE_NO_DATE;
	struct bk_advance adv = { 0 };
	if ((st = bk_advance(ctx, r, &adv)) != BK_OK)
		return st;
	char next[512];
	advance_words(ctx, r, &adv, next, sizeof next);
	cal_format_day(day, d, sizeof d);
	snprintf(words, len, "%s handed back referral %lld on %s; %s", name, (long long)r->id, d, next);
	return BK_OK;
}

enum bk_status bk_referral_hand_back(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *reason,
                                     const char *date)
{
	struct hand_back_arg a = { reason, date };
	return referral_action(ctx, id, expect_version, PERM_WORK_REFERRALS, "referral.hand-back", step_hand_back, &a);
}

enum bk_status bk_preview_hand_back(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *reason,
                                    const char *date, struct bk_plan *out)
{
	struct hand_back_arg a = { reason, date };
	return run_action(ctx, id, expect_version, PERM_WORK_REFERRALS, "referral.hand-back", step_hand_back, &a, out);
}

static enum bk_status step_assign(struct bk_ctx *ctx, struct store_referral *r, const void *arg, char *words,
                                  size_t len)
{
	const char *login = arg;
	struct store_staff s;
	enum store_status ss = store_staff_by_login(ctx->store, login ? login : "", &s);
	if (ss == STORE_NOT_FOUND)
		return bk_fail(ctx, BK_REFUSED, "there is no staff record for '%s'", login ? login : "");
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	enum bk_role role;
	const char *why;
	if (!s.active || !policy_role_parse(s.role, &role) || !policy_may(role, PERM_WORK_REFERRALS, &why))
		return bk_fail(ctx, BK_REFUSED, "%s cannot hold referrals (%s)", login,
		               s.active ? "their role does not work referrals" : "deactivated");
	enum bk_status st = bk_move(ctx, r, WF_EDIT);
	if (st != BK_OK)
		return st;
	r->holder_id = s.id;
	snprintf(words, len, "referral %lld is now held by %s", (long long)r->id, login);
	return BK_OK;
}

enum bk_status bk_referral_assign(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *login)
{
	return referral_action(ctx, id, expect_version, PERM_ASSIGN, "referral.assign", step_assign, login);
}

static enum bk_status step_escalate(struct bk_ctx *ctx, struct store_referral *r, const void *arg, char *words,
                                    size_t len)
{
	char reason[MAX_REASON * 4 + 1];
	if (bk_text(ctx, "reason", arg, reason, sizeof reason,
	            "say why a spot purchase may be sought early (--reason)") != BK_OK)
		return BK_REFUSED;
	if (!r->urgent)
		return bk_fail(ctx, BK_REFUSED,
		               "only an urgent referral can go to a spot purchase before the framework is "
		               "exhausted");
	if (r->escalated)
		return bk_fail(ctx, BK_REFUSED, "referral %lld is already escalated", (long long)r->id);
	enum bk_status st = bk_move(ctx, r, WF_ESCALATE);
	if (st != BK_OK)
		return st;
	r->escalated = true;
	snprintf(r->close_reason, sizeof r->close_reason, "escalated: %s", reason);
	snprintf(words, len, "referral %lld may now go to a spot purchase before the framework is exhausted",
	         (long long)r->id);
	return BK_OK;
}

enum bk_status bk_referral_escalate(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *reason)
{
	return referral_action(ctx, id, expect_version, PERM_ESCALATE, "referral.escalate", step_escalate, reason);
}

/* The first thing that happened to r after it was recorded: its first
 * offer, its sourcing or its closing, as a local day; INT32_MAX when none. */
static enum bk_status first_event_day(struct bk_ctx *ctx, const struct store_referral *r, int32_t *day)
{
	offer_list offers;
	enum bk_status st = load_offers(ctx, r->id, &offers);
	if (st != BK_OK)
		return st;
	int64_t first = 0;
	for (size_t k = 0; k < offers.o.n; k++)
		if (first == 0 || offers.o.v[k].sent_at < first)
			first = offers.o.v[k].sent_at;
	vec_free(&offers.o);
	if (r->sourced_at && (first == 0 || r->sourced_at < first))
		first = r->sourced_at;
	if (r->closed_at && (first == 0 || r->closed_at < first))
		first = r->closed_at;
	*day = INT32_MAX;
	if (first)
		cal_local(first, day, NULL);
	return BK_OK;
}

static enum bk_status step_edit(struct bk_ctx *ctx, struct store_referral *r, const void *arg, char *words, size_t len)
{
	const struct bk_referral_input *in = arg;
	const struct store_referral was = *r;
	enum bk_status st = bk_move(ctx, r, WF_EDIT);
	if (st != BK_OK)
		return st;
	bool matching_changed = (in->lot > 0 && in->lot != r->lot) || in->district || in->hours || in->age >= 0;
	if (matching_changed && r->status != WF_NEW && r->status != WF_READY && r->status != WF_PAUSED)
		return bk_fail(ctx, BK_REFUSED,
		               "the lot, district, hours and age decide who is approached: they can be "
		               "changed only before the referral is sent or while it is paused");
	if ((st = check_input(ctx, in, false, r)) != BK_OK)
		return st;
	/* History stays history: the panel's date is a fact the waits are
	 * counted from; once sourced it is fixed, and it never follows what
	 * happened after it. */
	if (in->panel_date && r->panel_date != was.panel_date) {
		if (was.sourced_at)
			return bk_fail(ctx, BK_REFUSED,
			               "panel date: referral %lld is sourced, and the time it waited is counted "
			               "from its panel date: the date cannot move now",
			               (long long)r->id);
		int32_t first;
		if ((st = first_event_day(ctx, r, &first)) != BK_OK)
			return st;
		if (first != INT32_MAX && r->panel_date > first) {
			char d[32];
			cal_format_day(first, d, sizeof d);
			return bk_fail(ctx, BK_REFUSED,
			               "panel date: %s is after the referral's first provider was approached "
			               "(%s); the panel approved it before that",
			               in->panel_date, d);
		}
	}
	if ((in->case_ref || in->lot > 0 || in->panel_date) &&
	    (st = bk_referral_duplicate(ctx, r->case_ref, r->lot, r->panel_date, r->id, NULL)) != BK_OK)
		return st;
	if (in->urgent >= 0)
		r->urgent = in->urgent > 0;
	/* What a team leader approved is what may be sent: a change to who
	 * would be approached sends it back for approval. */
	bool facts_changed = r->lot != was.lot || strcmp(r->district, was.district) != 0 ||
	                     r->hours_minutes != was.hours_minutes || r->age != was.age;
	bool again = false;
	if (facts_changed && ctx->settings->require_approval && was.approved_by) {
		if (r->status == WF_READY) {
			if ((st = bk_move(ctx, r, WF_UNAPPROVE)) != BK_OK)
				return st;
			again = true;
		} else if (r->status == WF_PAUSED && r->paused_from == WF_READY) {
			r->paused_from = WF_NEW;
			again = true;
		}
		if (again)
			r->approved_by = 0;
	}
	snprintf(words, len, "changed referral %lld%s", (long long)r->id,
	         again ? "; the lot, district, hours or age a team leader approved changed, so it needs a team "
	                 "leader's approval again before it is sent"
	               : "");
	return BK_OK;
}

enum bk_status bk_referral_edit(struct bk_ctx *ctx, int64_t id, int64_t expect_version,
                                const struct bk_referral_input *in)
{
	return referral_action(ctx, id, expect_version, PERM_WORK_REFERRALS, "referral.edit", step_edit, in);
}

/* ---- reading ---- */

/* The days a referral has waited, from its panel date (else the day it was
 * recorded) to the day it was sourced or closed, else today. */
static int waited_span(const struct bk_ctx *ctx, int32_t panel_date, int64_t created_at, int64_t sourced_at,
                       int64_t closed_at, int32_t *from, int32_t *to)
{
	if (panel_date != STORE_NO_DATE)
		*from = panel_date;
	else
		cal_local(created_at, from, NULL);
	cal_local(sourced_at ? sourced_at : (closed_at ? closed_at : ctx->now), to, NULL);
	return *to > *from ? (int)(*to - *from) : 0;
}

static void waited(struct bk_ctx *ctx, const struct store_referral *r, int *days, int *working)
{
	int32_t from, to;
	*days = waited_span(ctx, r->panel_date, r->created_at, r->sourced_at, r->closed_at, &from, &to);
	*working = cal_working_days_between(&ctx->cal, from, to);
}

static int count_rank(void *ud, const struct store_rank *r)
{
	(void)r;
	(*(int *)ud)++;
	return 0;
}

struct spot_collect {
	struct bk_ctx *ctx;
	struct bk_referral_view *v;
	bool failed;
};

static int collect_spot(void *ud, const struct store_spot *s)
{
	struct spot_collect *sc = ud;
	struct bk_spot_view *grown = realloc(sc->v->spots, (size_t)(sc->v->n_spots + 1) * sizeof *grown);
	if (!grown) {
		sc->failed = true;
		return 1;
	}
	sc->v->spots = grown;
	struct bk_spot_view *sv = &grown[sc->v->n_spots++];
	memset(sv, 0, sizeof *sv);
	sv->spot = *s;
	bk_provider_name(sc->ctx, s->provider_id, sv->provider, sizeof sv->provider);
	bk_staff_login(sc->ctx, s->requested_by, sv->requested_by, sizeof sv->requested_by);
	bk_staff_login(sc->ctx, s->decided_by, sv->decided_by, sizeof sv->decided_by);
	sv->premium_weekly = s->weekly_cost - money_weekly_cost(s->framework_rate, s->hours_minutes);
	sv->needs_key_decision = policy_needs_key_decision(s->annual_cost, sc->ctx->settings->key_decision_threshold);
	return 0;
}

enum bk_status bk_referral_load(struct bk_ctx *ctx, int64_t id, bool with_candidates, struct bk_referral_view **out)
{
	*out = NULL;
	struct bk_referral_view *v = calloc(1, sizeof *v);
	if (!v)
		return bk_fail(ctx, BK_STORAGE, "out of memory");
	enum store_status ss = store_referral_get(ctx->store, id, &v->r);
	if (ss == STORE_NOT_FOUND) {
		free(v);
		return bk_fail(ctx, BK_REFUSED, "there is no referral %lld", (long long)id);
	}
	if (ss != STORE_OK) {
		free(v);
		return bk_from_store(ctx, ss);
	}
	bk_staff_login(ctx, v->r.holder_id, v->holder, sizeof v->holder);
	bk_provider_name(ctx, v->r.sourced_provider_id, v->sourced_provider, sizeof v->sourced_provider);
	offer_list offers;
	enum bk_status st = load_offers(ctx, id, &offers);
	if (st != BK_OK) {
		free(v);
		return st;
	}
	v->offers = calloc((size_t)(offers.o.n ? offers.o.n : 1), sizeof *v->offers);
	if (!v->offers) {
		vec_free(&offers.o);
		free(v);
		return bk_fail(ctx, BK_STORAGE, "out of memory");
	}
	if (with_candidates) {
		st = candidates_with(ctx, &v->r, &offers, true, &v->candidates, &v->n_candidates);
		if (st != BK_OK) {
			vec_free(&offers.o);
			bk_referral_view_destroy(v);
			return st;
		}
	}
	for (size_t k = 0; k < offers.o.n; k++) {
		v->offers[k].offer = offers.o.v[k];
		/* a ranked provider's name came with the candidates: no query for it */
		int c = 0;
		while (c < v->n_candidates && v->candidates[c].provider_id != offers.o.v[k].provider_id)
			c++;
		if (c < v->n_candidates)
			snprintf(v->offers[k].provider, sizeof v->offers[k].provider, "%s", v->candidates[c].provider);
		else
			bk_provider_name(ctx, offers.o.v[k].provider_id, v->offers[k].provider,
			                 sizeof v->offers[k].provider);
		if (offer_open(&offers.o.v[k]) &&
		    (v->next_deadline == 0 || offers.o.v[k].deadline_at < v->next_deadline)) {
			v->next_deadline = offers.o.v[k].deadline_at;
			snprintf(v->current_provider, sizeof v->current_provider, "%s", v->offers[k].provider);
			v->current_rank = offers.o.v[k].rank;
			v->clock_stopped = offers.o.v[k].status == WF_OFFER_INFO_REQUESTED;
		}
	}
	v->n_offers = offers.o.n;
	vec_free(&offers.o);
	struct spot_collect sc = { .ctx = ctx, .v = v };
	enum store_status ss2 = store_spot_each(ctx->store, false, id, collect_spot, &sc);
	if (ss2 != STORE_OK || sc.failed) {
		bk_referral_view_destroy(v);
		return sc.failed ? bk_fail(ctx, BK_STORAGE, "out of memory") : bk_from_store(ctx, ss2);
	}
	if (with_candidates) /* the candidates are the providers ranked, each once */
		v->ranked = v->n_candidates;
	else
		store_ranking_each(ctx->store, v->r.lot, v->r.district, count_rank, &v->ranked);
	waited(ctx, &v->r, &v->waited_days, &v->waited_working_days);
	*out = v;
	return BK_OK;
}

void bk_referral_view_destroy(struct bk_referral_view *v)
{
	if (!v)
		return;
	free(v->offers);
	free(v->candidates);
	free(v->spots);
	free(v);
}

struct list_state {
	struct bk_ctx *ctx;
	bk_referral_row_fn fn;
	void *ud;
};

static int list_row(void *ud, const struct store_referral_row *sr)
{
	struct list_state *ls = ud;
	bool waiting = wf_status_waiting(sr->r.status);
	struct bk_referral_row row = {
		.r = &sr->r,
		.holder = sr->holder,
		.current_provider = sr->current_provider,
		.current_status = sr->current_status,
		.current_rank = sr->current_rank,
		.ranked = sr->ranked,
		.next_deadline = sr->next_deadline,
		.breached = wf_breached(waiting, sr->expired_any, sr->running_deadline, ls->ctx->now),
		.overdue = wf_overdue(sr->running_deadline, ls->ctx->now),
		.clock_stopped = sr->current_status == WF_OFFER_INFO_REQUESTED,
	};
	waited(ls->ctx, &sr->r, &row.waited_days, &row.waited_working_days);
	return ls->fn(ls->ud, &row);
}

struct keys_state {
	struct bk_ctx *ctx;
	bk_waiting_key_fn fn;
	void *ud;
};

static int waiting_key(void *ud, const struct store_waiting_key *sk)
{
	struct keys_state *ks = ud;
	int32_t from, to;
	struct bk_waiting_key k = {
		.id = sk->id,
		.lot = sk->lot,
		.district = sk->district,
		.waited_days =
			waited_span(ks->ctx, sk->panel_date, sk->created_at, sk->sourced_at, sk->closed_at, &from, &to),
	};
	return ks->fn(ks->ud, &k);
}

static int by_waited(const void *pa, const void *pb)
{
	const struct bk_waiting_key *a = pa, *b = pb;
	if (a->waited_days != b->waited_days)
		return a->waited_days > b->waited_days ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

int bk_waiting_first(struct bk_waiting_key *keys, int n, int want)
{
	if (n <= 0 || want <= 0)
		return 0;
	qsort(keys, (size_t)n, sizeof *keys, by_waited);
	if (want >= n)
		return n;
	int last = want - 1;
	while (last + 1 < n && keys[last + 1].waited_days == keys[want - 1].waited_days)
		last++;
	return last + 1;
}

enum bk_status bk_waiting_keys(struct bk_ctx *ctx, bk_waiting_key_fn fn, void *ud)
{
	struct keys_state ks = { ctx, fn, ud };
	enum store_status ss = store_waiting_keys_each(ctx->store, waiting_key, &ks);
	return ss == STORE_OK ? BK_OK : bk_from_store(ctx, ss);
}

enum bk_status bk_referral_list(struct bk_ctx *ctx, const struct store_referral_filter *f, bk_referral_row_fn fn,
                                void *ud)
{
	struct list_state ls = { .ctx = ctx, .fn = fn, .ud = ud };
	enum store_status ss = store_referral_rows_each(ctx->store, f, list_row, &ls);
	return ss == STORE_OK ? BK_OK : bk_from_store(ctx, ss);
}
