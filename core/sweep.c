/* The sweep: expire every offer past its deadline and approach the next
 * providers. One transaction per referral, re-read inside it, so two
 * sweeps at once (cron and a workstation) never send two offers. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

struct overdue {
	int64_t *ids;
	int n, cap;
	bool failed;
};

static int collect_referral(void *ud, const struct store_offer *o)
{
	struct overdue *l = ud;
	for (int i = l->n - 1; i >= 0 && i >= l->n - 8; i--)
		if (l->ids[i] == o->referral_id)
			return 0;
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 64;
		int64_t *v = realloc(l->ids, (size_t)cap * sizeof *v);
		if (!v) {
			l->failed = true;
			return 1;
		}
		l->ids = v;
		l->cap = cap;
	}
	l->ids[l->n++] = o->referral_id;
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

struct expire_state {
	struct bk_ctx *ctx;
	struct store_offer *v;
	int n, cap;
	bool failed;
};

/* Every offer of the referral, in the store's order: those past their
 * deadline are expired below, and the cascade goes on from the whole list
 * as it then stands, without reading it again. */
static int collect_offers(void *ud, const struct store_offer *o)
{
	struct expire_state *e = ud;
	if (e->n == e->cap) {
		int cap = e->cap ? e->cap * 2 : 4;
		struct store_offer *v = realloc(e->v, (size_t)cap * sizeof *v);
		if (!v) {
			e->failed = true;
			return 1;
		}
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n++] = *o;
	return 0;
}

/* The sweep's changes are the system's, not a decision of the person whose
 * program runs it: while it acts, its events are recorded with the actor
 * "system" and name that person's login as "run_by" (as policy.init names
 * "opened_by"). Permission and the staff record are still the runner's. */
struct as_system {
	struct bk_actor runner;
	bool set;
};

static void system_begin(struct bk_ctx *ctx, struct as_system *s)
{
	s->set = ctx->run_by[0] == '\0';
	if (!s->set)
		return; /* already the system's (a whole sweep) */
	s->runner = ctx->actor;
	snprintf(ctx->run_by, sizeof ctx->run_by, "%s", s->runner.login);
	snprintf(ctx->actor.login, sizeof ctx->actor.login, "system");
}

static void system_end(struct bk_ctx *ctx, const struct as_system *s)
{
	if (!s->set)
		return;
	snprintf(ctx->actor.login, sizeof ctx->actor.login, "%s", s->runner.login);
	ctx->run_by[0] = '\0';
}

struct sweep_one {
	int64_t id;
	struct bk_sweep_result got;
};

static enum bk_status sweep_referral(struct bk_ctx *ctx, int64_t id, struct bk_sweep_result *res);

enum bk_status bk_sweep_referral(struct bk_ctx *ctx, int64_t id, struct bk_sweep_result *res)
{
	struct as_system sys;
	system_begin(ctx, &sys);
	enum bk_status st = sweep_referral(ctx, id, res);
	system_end(ctx, &sys);
	return st;
}

/* One referral's sweep in its own transaction: counted into res only
 * once it is saved (a second run counts afresh). */
static enum bk_status sweep_referral_tx(struct bk_ctx *ctx, void *ud)
{
	struct sweep_one *one = ud;
	int64_t id = one->id;
	struct bk_sweep_result *res = &one->got;
	memset(res, 0, sizeof *res);
	enum bk_status st = BK_OK;
	struct store_referral before, r;
	enum store_status ss = store_referral_get(ctx->store, id, &before);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	struct expire_state e = { .ctx = ctx };
	ss = store_offer_each_for_referral(ctx->store, id, collect_offers, &e);
	if (e.failed)
		st = bk_fail(ctx, BK_STORAGE, "out of memory");
	else if (ss != STORE_OK)
		st = bk_from_store(ctx, ss);
	int expired = 0;
	for (int i = 0; st == BK_OK && i < e.n; i++) {
		if (e.v[i].status != WF_OFFER_SENT || e.v[i].deadline_at >= ctx->now)
			continue;
		struct store_offer was = e.v[i];
		e.v[i].status = WF_OFFER_EXPIRED;
		e.v[i].answered_at = 0;
		ss = store_offer_update(ctx->store, &e.v[i]);
		if (ss != STORE_OK) {
			st = bk_from_store(ctx, ss);
			break;
		}
		st = bk_audit_offer(ctx, "offer.expire", &was, &e.v[i]);
		res->expired++;
		expired++;
	}
	if (st != BK_OK || expired == 0) {
		free(e.v);
		return st;
	}
	r = before;
	if (r.status == WF_SEARCHING) {
		struct bk_advance a = { 0 };
		st = bk_advance_offers(ctx, &r, e.v, (size_t)e.n, &a);
		res->approached += a.approached;
		res->exhausted += a.exhausted;
		res->sourced += a.sourced;
	}
	free(e.v);
	/* The version moves with every change to the referral's offers, so a
	 * screen that showed the old offers cannot act on them. */
	if (st == BK_OK)
		st = bk_referral_save(ctx, "referral.sweep", &before, &r);
	return st;
}

static enum bk_status sweep_referral(struct bk_ctx *ctx, int64_t id, struct bk_sweep_result *res)
{
	struct sweep_one one = { .id = id };
	enum bk_status st = bk_tx_run(ctx, sweep_referral_tx, &one);
	if (st == BK_OK) {
		res->expired += one.got.expired;
		res->approached += one.got.approached;
		res->exhausted += one.got.exhausted;
		res->sourced += one.got.sourced;
	}
	return st;
}

struct planned {
	int32_t today;
	int64_t *ids;
	int n, cap;
	bool failed;
};

static int collect_planned(void *ud, const struct store_referral *r)
{
	struct planned *p = ud;
	if (r->ended_on == STORE_NO_DATE || r->ended_on > p->today)
		return 0;
	if (p->n == p->cap) {
		int cap = p->cap ? p->cap * 2 : 16;
		int64_t *v = realloc(p->ids, (size_t)cap * sizeof *v);
		if (!v) {
			p->failed = true;
			return 1;
		}
		p->ids = v;
		p->cap = cap;
	}
	p->ids[p->n++] = r->id;
	return 0;
}

struct end_one {
	int64_t id;
	int32_t today;
	bool ended;
};

static enum bk_status end_one_tx(struct bk_ctx *ctx, void *ud)
{
	struct end_one *one = ud;
	one->ended = false;
	struct store_referral before, r;
	enum store_status ss = store_referral_get(ctx->store, one->id, &before);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	if (before.status != WF_SOURCED || before.ended_on == STORE_NO_DATE || before.ended_on > one->today)
		return BK_OK;
	r = before;
	enum bk_status st = bk_move(ctx, &r, WF_END);
	if (st == BK_OK) {
		r.closed_at = ctx->now;
		st = bk_referral_save(ctx, "referral.end", &before, &r);
	}
	one->ended = st == BK_OK;
	return st;
}

/* Packages whose planned end has come: ended, each in its own transaction,
 * re-read inside it. */
static enum bk_status end_planned(struct bk_ctx *ctx, struct bk_sweep_result *res)
{
	struct planned p = { 0 };
	cal_local(ctx->now, &p.today, NULL);
	struct store_referral_filter f = { .status = "sourced" };
	enum store_status ss = store_referral_each(ctx->store, &f, collect_planned, &p);
	enum bk_status st = p.failed         ? bk_fail(ctx, BK_STORAGE, "out of memory")
	                    : ss != STORE_OK ? bk_from_store(ctx, ss)
	                                     : BK_OK;
	for (int i = 0; st == BK_OK && i < p.n; i++) {
		struct end_one one = { .id = p.ids[i], .today = p.today };
		st = bk_tx_run(ctx, end_one_tx, &one);
		if (st == BK_OK && one.ended)
			res->ended++;
	}
	free(p.ids);
	return st;
}

static enum bk_status sweep_all(struct bk_ctx *ctx, struct bk_sweep_result *res);

enum bk_status bk_sweep(struct bk_ctx *ctx, struct bk_sweep_result *res)
{
	memset(res, 0, sizeof *res);
	enum bk_status st = bk_require(ctx, PERM_SWEEP);
	if (st != BK_OK)
		return st;
	struct as_system sys;
	system_begin(ctx, &sys);
	st = sweep_all(ctx, res);
	system_end(ctx, &sys);
	return st;
}

static enum bk_status sweep_all(struct bk_ctx *ctx, struct bk_sweep_result *res)
{
	enum bk_status st = BK_OK;
	struct overdue l = { 0 };
	enum store_status ss = store_offer_each_overdue(ctx->store, ctx->now, collect_referral, &l);
	if (l.failed) {
		free(l.ids);
		return bk_fail(ctx, BK_STORAGE, "out of memory");
	}
	if (ss != STORE_OK) {
		free(l.ids);
		return bk_from_store(ctx, ss);
	}
	if (l.n > 1)
		qsort(l.ids, (size_t)l.n, sizeof l.ids[0], cmp_id);
	for (int i = 0; i < l.n && st == BK_OK; i++) {
		if (i > 0 && l.ids[i] == l.ids[i - 1])
			continue;
		st = sweep_referral(ctx, l.ids[i], res);
	}
	free(l.ids);
	if (st == BK_OK)
		st = end_planned(ctx, res);
	/* chasers for offers on their last day, then whatever mail still waits */
	if (st == BK_OK)
		st = bk_mail_chase(ctx, &res->chased);
	if (st == BK_OK && ctx->mail_command) {
		struct bk_mail_flush_result mail = { 0 };
		st = bk_mail_deliver_due(ctx, &mail);
		res->mail_sent = mail.sent;
	}
	char ended[160] = "";
	if (res->ended)
		snprintf(ended, sizeof ended, ", %d package%s ended as planned", res->ended,
		         res->ended == 1 ? "" : "s");
	if (res->chased || res->mail_sent) {
		size_t n = strlen(ended);
		snprintf(ended + n, sizeof ended - n, "; mail: %d reminder%s queued, %d message%s sent", res->chased,
		         res->chased == 1 ? "" : "s", res->mail_sent, res->mail_sent == 1 ? "" : "s");
	}
	if (st == BK_OK)
		bk_fail(ctx, BK_OK,
		        "sweep: %d offer%s expired, %d provider%s approached, %d referral%s exhausted, %d sourced%s",
		        res->expired, res->expired == 1 ? "" : "s", res->approached, res->approached == 1 ? "" : "s",
		        res->exhausted, res->exhausted == 1 ? "" : "s", res->sourced, ended);
	return st;
}

bool bk_event_run_by(const char *after, char *buf, size_t len)
{
	if (!after || !strstr(after, "\"run_by\""))
		return false;
	json_t *a = json_loads(after, 0, NULL);
	const char *login = json_string_value(json_object_get(a, "run_by"));
	bool found = login && *login;
	if (found)
		snprintf(buf, len, "%s", login);
	json_decref(a);
	return found;
}
