/* A realistic test-mode database made through the real actions, so every
 * row obeys the rules and every change is in the audit trail. Each
 * referral lives its life (approaches, answers, expiries, pauses, spot
 * purchases) up to the demo's "now"; the ones still unfinished then are
 * the waiting list. Deterministic for a seed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

#define DAY 86400

struct rng {
	uint32_t s;
};

static uint32_t next(struct rng *r)
{
	uint32_t x = r->s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return r->s = x;
}

static int pick(struct rng *r, int n)
{
	return (int)(next(r) % (uint32_t)n);
}

static bool chance(struct rng *r, int percent)
{
	return pick(r, 100) < percent;
}

struct person {
	const char *login, *name, *role;
	int64_t id;
};

static struct person staff[] = {
	{ "alice", "Alice Hughes", "officer", 0 },  { "bob", "Bob Okafor", "officer", 0 },
	{ "chloe", "Chloe Patel", "officer", 0 },   { "dan", "Dan Morgan", "officer", 0 },
	{ "tina", "Tina Walsh", "team_leader", 0 }, { "tom", "Tom Reilly", "team_leader", 0 },
	{ "sam", "Sam Adeyemi", "supervisor", 0 },  { "sara", "Sara Lindqvist", "supervisor", 0 },
};
#define N_STAFF (int)(sizeof staff / sizeof staff[0])
#define N_OFFICERS 4

static const char *const framework_names[] = {
	"Acorn Community Care",
	"Beacon Support Services",
	"Brookside Home Care",
	"Castle Care Partners",
	"Cedar Lifeskills",
	"Compass Children's Support",
	"Dovecote Care",
	"Elmwood Supported Living",
	"Fernhill Care Agency",
	"Foxglove Family Support",
	"Greenway Homecare",
	"Harbour Care Services",
	"Hawthorn Community Support",
	"Heartwood Care",
	"Kingfisher Care Ltd",
	"Lakeside Support",
	"Lantern Care Services",
	"Linden Lifeskills",
	"Maple Leaf Care",
	"Meadowbank Support",
	"Northstar Complex Care",
	"Oakleaf Homecare",
	"Orchard Family Care",
	"Pathways Independence",
	"Primrose Sitting Service",
	"Riverside Care Group",
	"Rowan Support Ltd",
	"Silverbirch Care",
	"Stepping Stones Care",
	"Willow Tree Support",
};
static const char *const off_names[] = {
	"Apex Agency Care",       "Bluebell Nursing (spot)", "Crown Healthcare Staffing", "Elite Carers Direct",
	"Horizon Care Solutions", "Premier Complex Care",    "Rapid Response Care",       "Sterling Support Agency",
	"Summit Home Care",       "Unity Care Staffing",
};
#define N_FW (int)(sizeof framework_names / sizeof framework_names[0])
#define N_OFF (int)(sizeof off_names / sizeof off_names[0])

static const char *const decline_reasons[] = {
	"no staff available in the area",           "cannot meet the start date", "care needs beyond our skills mix",
	"no capacity for the hours at these times", "travel distance too great",  "recruiting: try again next month",
};
/* each reason's decline code in the built-in policy */
static const char *const decline_reason_codes[] = { "capacity", "other", "needs", "capacity", "area", "capacity" };
static const char *const questions[] = {
	"Is moving and handling training needed?",
	"Can the visits be flexible on weekends?",
	"Is there a behaviour support plan?",
	"Which school does the young person attend?",
};

static void act_as(struct bk_ctx *ctx, const struct person *p)
{
	snprintf(ctx->actor.login, sizeof ctx->actor.login, "%s", p->login);
	ctx->actor.staff_id = p->id;
	policy_role_parse(p->role, &ctx->actor.role);
}

static enum bk_status setup(struct bk_ctx *ctx, struct rng *r)
{
	char admin_login[64];
	snprintf(admin_login, sizeof admin_login, "%s", ctx->actor.login);
	struct person admin = { admin_login, "", "admin", ctx->actor.staff_id };
	enum bk_status st = BK_OK;
	for (int i = 0; st == BK_OK && i < N_STAFF; i++) {
		act_as(ctx, &admin);
		st = bk_staff_add(ctx, staff[i].login, staff[i].name, staff[i].role);
		struct store_staff s;
		if (st == BK_OK && store_staff_by_login(ctx->store, staff[i].login, &s) == STORE_OK)
			staff[i].id = s.id;
	}
	if (st != BK_OK)
		return st;
	act_as(ctx, &staff[4]); /* a team leader keeps providers and rankings */
	static const char *const risks[] = { "green", "green", "green", "green", "green", "amber", "green", "red" };
	static const char *const pamms[] = { "excellent", "good", "good", "good", "requires-improvement", "poor" };
	static const char *const ages[] = { "0-18", "0-18", "0-25", "16-25", "5-18" };
	for (int i = 0; st == BK_OK && i < N_FW + N_OFF; i++) {
		bool fw = i < N_FW;
		char cqc[24], rate[16], cap[BK_MAX_DISTRICTS][BK_NAME_MAX + 16];
		struct bk_provider_input in = { .active = -1, .framework = fw ? 1 : 0 };
		in.name = fw ? framework_names[i] : off_names[i - N_FW];
		if (i % 5 != 3) {
			snprintf(cqc, sizeof cqc, "1-%09u", 100000000u + next(r) % 800000000u);
			in.cqc = cqc;
		}
		in.risk = risks[pick(r, 8)];
		in.pamms = pamms[pick(r, 6)];
		in.ages = ages[pick(r, 5)];
		if (!fw) {
			snprintf(rate, sizeof rate, "%d.%02d", 24 + pick(r, 12), pick(r, 4) * 25);
			in.rate = rate;
		}
		if (i % 7 == 2) {
			for (int d = 0; d < ctx->settings->n_districts && d < BK_MAX_DISTRICTS; d++) {
				snprintf(cap[d], sizeof cap[d], "%s=%d", ctx->settings->districts[d].name,
				         20 + pick(r, 60));
				in.capacity[in.n_capacity++] = cap[d];
			}
		}
		int64_t id;
		st = bk_provider_add(ctx, &in, &id);
	}
	/* Rankings: six to eight framework providers per lot and district. */
	for (int l = 0; st == BK_OK && l < ctx->settings->n_lots; l++)
		for (int d = 0; st == BK_OK && d < ctx->settings->n_districts; d++) {
			const char *names[8];
			int n = 6 + pick(r, 3);
			for (int k = 0; k < n; k++) {
				const char *cand;
				bool dup;
				do {
					cand = framework_names[pick(r, N_FW)];
					dup = false;
					for (int j = 0; j < k; j++)
						dup = dup || names[j] == cand;
				} while (dup);
				names[k] = cand;
			}
			st = bk_rank_set(ctx, ctx->settings->lots[l].number, ctx->settings->districts[d].name, names,
			                 n);
		}
	/* A few embargoes, as the market oversight papers describe. */
	if (st == BK_OK) {
		struct bk_provider_input in = { .name = framework_names[7],
			                        .active = -1,
			                        .framework = -1,
			                        .embargo = "safeguarding investigation open" };
		st = bk_provider_set(ctx, &in, NULL);
	}
	if (st == BK_OK) {
		struct bk_provider_input in = { .name = framework_names[19],
			                        .active = -1,
			                        .framework = -1,
			                        .embargo = "CQC rated inadequate: embargo on new placements" };
		st = bk_provider_set(ctx, &in, NULL);
	}
	return st;
}

/* The open offers of a referral, for choosing who answers. */
struct open_offers {
	struct store_offer v[16];
	int n;
};

static int collect_open(void *ud, const struct store_offer *o)
{
	struct open_offers *l = ud;
	if (l->n < 16 && (o->status == WF_OFFER_SENT || o->status == WF_OFFER_INFO_REQUESTED))
		l->v[l->n++] = *o;
	return 0;
}

/* People work 09:00 to 17:00 on working days: an action that would fall
 * outside them happens at the next opening instead, a few minutes in. */
static int64_t at_work(const struct bk_ctx *ctx, int64_t t)
{
	int32_t day;
	int minute;
	cal_local(t, &day, &minute);
	if (cal_is_working_day(&ctx->cal, day) && minute >= 9 * 60 && minute < 17 * 60)
		return t;
	if (!cal_is_working_day(&ctx->cal, day) || minute >= 17 * 60)
		day = cal_working_day_after(&ctx->cal, day);
	int64_t open;
	if (cal_utc(day, 9 * 60 + (int)(t % 97), &open) == CAL_LOCAL_MISSING)
		return t;
	return open;
}

/* Move the clock on by HOURS and to working hours: false when that is
 * after the demo's now (the rest of the referral's life has not happened). */
static bool later(struct bk_ctx *ctx, int64_t hours, int64_t end)
{
	ctx->now = at_work(ctx, ctx->now + 3600 * hours);
	return ctx->now < end;
}

/* An exhausted framework: the officer asks for a spot purchase from an
 * agency that may take it, and a supervisor decides. A refusal is tried
 * again a week or three later with another agency; a referral no agency
 * can take, or refused twice, is withdrawn after a few weeks (the family
 * takes a direct payment), as a team clears its list in life. Without this
 * every exhausted referral of two years would still be waiting. */
static enum bk_status after_exhausted(struct bk_ctx *ctx, struct rng *r, int64_t id, const struct person *officer,
                                      int64_t end)
{
	enum bk_status st = BK_OK;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!later(ctx, attempt ? 24 * (7 + pick(r, 14)) : 3 + pick(r, 48), end))
			return BK_OK;
		struct store_referral ref;
		if (store_referral_get(ctx->store, id, &ref) != STORE_OK)
			return bk_from_store(ctx, STORE_ERROR);
		char rate[16], weeks_hours[16];
		snprintf(rate, sizeof rate, "%d.%02d", 25 + pick(r, 15), pick(r, 4) * 25);
		hours_format(ref.hours_minutes, weeks_hours, sizeof weeks_hours);
		struct bk_spot_input sp = {
			.referral_id = id,
			.rate = rate,
			.hours = weeks_hours,
			.weeks = 12 + pick(r, 40),
			.why = attempt ? "asked again: still no framework capacity"
			               : "every framework provider declined or did not answer",
		};
		/* an agency that may take it (ages, CQC, risk, embargo): the
		 * officer looks down the list from a random place */
		int64_t req = 0;
		int first = pick(r, N_OFF);
		st = BK_REFUSED;
		for (int k = 0; st == BK_REFUSED && k < N_OFF; k++) {
			sp.provider = off_names[(first + k) % N_OFF];
			st = bk_spot_request(ctx, &sp, &req);
		}
		if (st == BK_REFUSED)
			break; /* no agency can take it */
		if (st != BK_OK)
			return st;
		if (!later(ctx, 4 + pick(r, 70), end))
			return BK_OK;
		act_as(ctx, &staff[6 + pick(r, 2)]);
		bool approve = chance(r, attempt ? 90 : 75);
		st = bk_spot_decide(ctx, req, approve,
		                    approve ? "no framework capacity; rate checked against the DPS"
		                            : "rate too high: ask the framework again next week",
		                    NULL);
		act_as(ctx, officer);
		if (st != BK_OK || approve)
			return st;
	}
	if (!later(ctx, 24 * (14 + pick(r, 42)), end))
		return BK_OK;
	return bk_referral_withdraw(ctx, id, 0, "the family chose a direct payment and arranged their own care");
}

/* Live one referral from its panel date until it is settled or the demo's now. */
static enum bk_status live(struct bk_ctx *ctx, struct rng *r, int64_t born, int64_t end)
{
	const struct bk_settings *s = ctx->settings;
	const struct person *officer = &staff[pick(r, N_OFFICERS)];
	char case_ref[32], hours[16], panel[16], start[16], note[128];
	snprintf(case_ref, sizeof case_ref, "CYP-%06u", 100000u + next(r) % 900000u);
	snprintf(hours, sizeof hours, "%d%s", 3 + pick(r, 28), chance(r, 30) ? ".5" : "");
	int32_t day;
	cal_local(born, &day, NULL);
	cal_format_date(day - pick(r, 5), panel, sizeof panel);
	cal_format_date(day + 7 + pick(r, 21), start, sizeof start);
	snprintf(note, sizeof note, "Panel approved; %s",
	         chance(r, 50) ? "family prefers after-school visits" : "support to build independence skills");
	struct bk_referral_input in = {
		.case_ref = case_ref,
		.lot = s->lots[pick(r, s->n_lots)].number,
		.district = s->districts[pick(r, s->n_districts)].name,
		.hours = hours,
		.panel_date = panel,
		.start = start,
		.age = 4 + pick(r, 21),
		.urgent = chance(r, 8),
		.note = note,
	};
	ctx->now = born;
	ctx->now = at_work(ctx, ctx->now);
	if (ctx->now >= end)
		return BK_OK; /* recorded after the demo's now: not yet */
	act_as(ctx, officer);
	int64_t id;
	enum bk_status st = bk_referral_new(ctx, &in, &id);
	/* a random case reference met one with the same lot and panel date:
	 * another child, so another reference (the RNG is not drawn again) */
	for (unsigned k = 1; st == BK_REFUSED && k <= 20 && strstr(ctx->msg, "already has referral"); k++) {
		snprintf(case_ref, sizeof case_ref, "CYP-%06u",
		         100000u + (unsigned)(strtoul(case_ref + 4, NULL, 10) + k) % 900000u);
		st = bk_referral_new(ctx, &in, &id);
	}
	if (st != BK_OK)
		return st;
	if (s->require_approval) {
		ctx->now += 3600 * (2 + pick(r, 20));
		ctx->now = at_work(ctx, ctx->now);
		if (ctx->now >= end)
			return BK_OK;
		act_as(ctx, &staff[4 + pick(r, 2)]);
		if ((st = bk_referral_approve(ctx, id, 0)) != BK_OK)
			return st;
		act_as(ctx, officer);
	}
	ctx->now += 3600 * (1 + pick(r, 30));
	ctx->now = at_work(ctx, ctx->now);
	if (ctx->now >= end)
		return BK_OK;
	if (chance(r, 3)) {
		return bk_referral_withdraw(ctx, id, 0, "family no longer wants the package");
	}
	if ((st = bk_referral_send(ctx, id, 0)) != BK_OK)
		return st;
	bool paused_once = false;
	for (int step = 0; step < 40; step++) {
		struct store_referral ref;
		if (store_referral_get(ctx->store, id, &ref) != STORE_OK)
			return bk_from_store(ctx, STORE_ERROR);
		if (ref.status != WF_SEARCHING)
			break;
		struct open_offers open = { .n = 0 };
		store_offer_each_for_referral(ctx->store, id, collect_open, &open);
		if (open.n == 0)
			break;
		struct store_offer *o = &open.v[pick(r, open.n)];
		char provider[128];
		bk_provider_name(ctx, o->provider_id, provider, sizeof provider);
		int roll = pick(r, 100);
		if (!paused_once && roll < 3) {
			paused_once = true;
			ctx->now += DAY;
			ctx->now = at_work(ctx, ctx->now);
			if (ctx->now >= end)
				return BK_OK;
			if ((st = bk_referral_pause(ctx, id, 0, "family asked to wait until after a hospital stay")) !=
			    BK_OK)
				return st;
			ctx->now += DAY * (5 + pick(r, 20));
			ctx->now = at_work(ctx, ctx->now);
			if (ctx->now >= end)
				return BK_OK;
			if ((st = bk_referral_resume(ctx, id, 0)) != BK_OK)
				return st;
			continue;
		}
		if (o->status == WF_OFFER_INFO_REQUESTED) {
			ctx->now = o->info_requested_at + 3600 * (4 + pick(r, 40));
			ctx->now = at_work(ctx, ctx->now);
			if (ctx->now >= end)
				return BK_OK;
			if ((st = bk_referral_info_supplied(ctx, id, 0, provider)) != BK_OK)
				return st;
			continue;
		}
		if (roll < 12) { /* no answer: the deadline passes and the sweep moves on */
			ctx->now = o->deadline_at + 60 + pick(r, 3600 * 20);
			ctx->now = at_work(ctx, ctx->now);
			if (ctx->now >= end)
				return BK_OK;
			struct bk_sweep_result res = { 0 };
			if ((st = bk_sweep_referral(ctx, id, &res)) != BK_OK)
				return st;
			continue;
		}
		int64_t answer = o->sent_at + 3600 * (2 + pick(r, 60));
		if (answer > o->deadline_at)
			answer = o->deadline_at - 600;
		ctx->now = answer > ctx->now ? answer : ctx->now + 600;
		ctx->now = at_work(ctx, ctx->now);
		if (ctx->now >= end)
			return BK_OK;
		if (roll < 20)
			st = bk_referral_respond(ctx, id, 0, provider, BK_ANSWER_INFO, questions[pick(r, 4)]);
		else if (roll < 60) {
			int k = pick(r, 6);
			const char *code = decline_reason_codes[k];
			struct bk_response a = {
				.provider = provider,
				.answer = BK_ANSWER_DECLINE,
				.text = decline_reasons[k],
				.code = bk_settings_decline_code(ctx->settings, code) ? code : NULL,
				.via = k % 2 ? "email" : "phone",
			};
			st = bk_referral_answer(ctx, id, 0, &a);
		} else
			st = bk_referral_respond(ctx, id, 0, provider, BK_ANSWER_ACCEPT, NULL);
		if (st != BK_OK)
			return st;
	}
	struct store_referral ref;
	if (store_referral_get(ctx->store, id, &ref) != STORE_OK)
		return bk_from_store(ctx, STORE_ERROR);
	if (ref.status == WF_EXHAUSTED) {
		if ((st = after_exhausted(ctx, r, id, officer, end)) != BK_OK || ctx->now >= end)
			return st;
		if (store_referral_get(ctx->store, id, &ref) != STORE_OK)
			return bk_from_store(ctx, STORE_ERROR);
	}
	if (ref.status == WF_SOURCED && chance(r, 55)) {
		int64_t ends = ref.sourced_at + DAY * (30 + pick(r, 300));
		if (ends < end) {
			ctx->now = ends;
			ctx->now = at_work(ctx, ctx->now);
			char d[16];
			int32_t ed;
			cal_local(ends, &ed, NULL);
			cal_format_date(ed, d, sizeof d);
			st = bk_referral_end(ctx, id, 0, d);
		}
	}
	return st;
}

/* One batch of the demo, run again from the same draws when it must be. */
struct demo_batch {
	struct rng *r, from; /* the generator, and its state when the batch began */
	int64_t now;
	struct bk_actor actor;
	const int64_t *born;
	int first, last;
	int64_t end;
};

static void batch_again(struct bk_ctx *ctx, struct demo_batch *b)
{
	*b->r = b->from;
	ctx->now = b->now;
	ctx->actor = b->actor;
}

static enum bk_status setup_tx(struct bk_ctx *ctx, void *ud)
{
	batch_again(ctx, ud);
	return setup(ctx, ((struct demo_batch *)ud)->r);
}

static enum bk_status batch_tx(struct bk_ctx *ctx, void *ud)
{
	struct demo_batch *b = ud;
	batch_again(ctx, b);
	enum bk_status st = BK_OK;
	for (int k = b->first; st == BK_OK && k < b->last; k++)
		st = live(ctx, b->r, b->born[k], b->end);
	return st;
}

enum bk_status bk_demo(struct bk_ctx *ctx, int referrals, uint32_t seed, bk_progress_fn progress, void *ud)
{
	struct rng r = { seed * 2654435761u + 0x9e3779b9u };
	if (r.s == 0)
		r.s = 1;
	int64_t end = ctx->now;
	struct bk_actor me = ctx->actor;
	if (store_bulk_mode(ctx->store) != STORE_OK)
		return bk_from_store(ctx, STORE_ERROR);
	int64_t start = end - 730LL * DAY;
	ctx->now = start - 30 * DAY;
	struct demo_batch b = { .r = &r, .from = r, .now = ctx->now, .actor = ctx->actor };
	enum bk_status st = bk_tx_run(ctx, setup_tx, &b);
	if (st != BK_OK)
		return st;
	int64_t *born = malloc((size_t)(referrals ? referrals : 1) * sizeof *born);
	if (!born)
		return bk_fail(ctx, BK_STORAGE, "out of memory");
	/* Demand rises over the two years (the latest of three draws: a
	 * referral is three times likelier in the last month than on average),
	 * so the last month holds about an eighth of them. */
	for (int i = 0; i < referrals; i++) {
		int64_t span = end - start, latest = 0;
		for (int k = 0; k < 3; k++) {
			int64_t a = (int64_t)(next(&r) % (uint32_t)(span / 60)) * 60;
			latest = a > latest ? a : latest;
		}
		born[i] = start + latest;
	}
	for (int gap = referrals / 2; gap > 0; gap /= 2)
		for (int i = gap; i < referrals; i++) {
			int64_t t = born[i];
			int j = i;
			for (; j >= gap && born[j - gap] > t; j -= gap)
				born[j] = born[j - gap];
			born[j] = t;
		}
	for (int i = 0; st == BK_OK && i < referrals; i += 250) {
		b = (struct demo_batch){ .r = &r,
			                 .from = r,
			                 .now = ctx->now,
			                 .actor = ctx->actor,
			                 .born = born,
			                 .first = i,
			                 .last = i + 250 < referrals ? i + 250 : referrals,
			                 .end = end };
		st = bk_tx_run(ctx, batch_tx, &b);
		if (progress)
			progress(ud, i + 250 < referrals ? i + 250 : referrals, referrals);
	}
	free(born);
	ctx->now = end;
	ctx->actor = me;
	if (st == BK_OK)
		bk_fail(ctx, BK_OK,
		        "made a demo database with %d referrals; try 'brokerage --as alice' (officer), "
		        "'--as tina' (team leader) or '--as sam' (supervisor)",
		        referrals);
	return st;
}
