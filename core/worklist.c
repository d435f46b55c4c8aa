/* The officer's worklist (worklist.h): why each open referral needs its
 * holder now, decided from core's own meanings (wf_rag, wf_breached,
 * wf_overdue, the clock stopped for information), and what changed for
 * them since they last looked, from the audit trail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "core/vec.h"
#include "core/worklist.h"

/* each reason's words, and shorter forms for narrow columns, from the longest */
static const char *const reason_forms[WORK_REASON_COUNT][4] = {
	[WORK_INFO_OWED] = { "clock stopped: we owe information", "clock stopped: owe info", "stopped: owe info",
	                     "stopped" },
	[WORK_LATE] = { "answer late", "answer late", "late", "late" },
	[WORK_DUE] = { "answer due soon", "answer due soon", "due soon", "due" },
	[WORK_EXHAUSTED] = { "exhausted: ask for a spot purchase", "exhausted: ask for spot", "exhausted",
	                     "exhausted" },
	[WORK_SEND] = { "to send", "to send", "to send", "send" },
	[WORK_START_PASSED] = { "wanted start passed", "start passed", "start passed", "start" },
	[WORK_WAITING] = { "with a provider", "with provider", "waiting", "waiting" },
	[WORK_SPOT_REQUESTED] = { "with a supervisor", "with supervisor", "spot asked", "spot" },
	[WORK_PAUSED] = { "paused", "paused", "paused", "paused" },
	[WORK_SOURCED] = { "sourced", "sourced", "sourced", "sourced" },
};

const char *bk_work_reason_fit(enum bk_work_reason r, size_t max)
{
	if (r < 0 || r >= WORK_REASON_COUNT)
		return "";
	for (int i = 0; i < 4; i++)
		if (strlen(reason_forms[r][i]) <= max)
			return reason_forms[r][i];
	return reason_forms[r][3];
}

struct provider_name {
	int64_t id;
	char name[128];
};

/* src into dst of len bytes, cut on a character boundary (the text is
 * the database's, valid UTF-8; the screens sanitise what they draw) */
static void copy(char *dst, size_t len, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= len) {
		n = len - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

struct walk {
	struct bk_ctx *ctx;
	VEC(struct provider_name) names; /* the sourced packages' providers, read once each */
	bk_work_fn fn;
	void *ud;
	int32_t today;
	bool quick;
	bool stop;
};

static enum bk_work_reason reason_of(const struct walk *w, const struct bk_referral_row *row, enum wf_status st,
                                     enum rag rag)
{
	const struct store_referral *r = row->r;
	switch (st) {
	case WF_SOURCED:
		return WORK_SOURCED;
	case WF_SPOT_REQUESTED:
		return WORK_SPOT_REQUESTED;
	case WF_PAUSED:
		return WORK_PAUSED;
	case WF_EXHAUSTED:
		return WORK_EXHAUSTED;
	case WF_NEW:
	case WF_READY:
		return WORK_SEND;
	default:
		break;
	}
	if (row->clock_stopped)
		return WORK_INFO_OWED;
	if (row->overdue)
		return WORK_LATE;
	if (rag == RAG_RED)
		return WORK_LATE;
	if (rag == RAG_AMBER)
		return WORK_DUE;
	if (!w->quick && r->start_date != STORE_NO_DATE && r->start_date < w->today)
		return WORK_START_PASSED;
	return WORK_WAITING;
}

static void sourced_by(struct walk *w, int64_t id, char *buf, size_t len)
{
	for (size_t i = 0; i < w->names.n; i++)
		if (w->names.v[i].id == id) {
			copy(buf, len, w->names.v[i].name);
			return;
		}
	struct store_provider p;
	if (store_provider_by_id(w->ctx->store, id, &p) != STORE_OK)
		return;
	copy(buf, len, p.name);
	struct provider_name *n = vec_push(&w->names);
	if (n) {
		n->id = id;
		copy(n->name, sizeof n->name, p.name);
	}
}

static int row_cb(void *ud, const struct bk_referral_row *row)
{
	struct walk *w = ud;
	const struct store_referral *r = row->r;
	enum wf_status st = r->status;
	if (!wf_status_open(st))
		return 0;
	struct bk_work_row o;
	memset(&o, 0, sizeof o);
	o.id = r->id;
	o.version = r->version;
	copy(o.case_ref, sizeof o.case_ref, r->case_ref);
	copy(o.district, sizeof o.district, r->district);
	o.start_date = w->quick ? STORE_NO_DATE : r->start_date;
	o.status = st;
	copy(o.provider, sizeof o.provider, row->current_provider ? row->current_provider : "");
	copy(o.holder, sizeof o.holder, row->holder ? row->holder : "");
	if (st == WF_SOURCED && r->sourced_provider_id)
		sourced_by(w, r->sourced_provider_id, o.provider, sizeof o.provider);
	o.lot = r->lot;
	o.hours_minutes = r->hours_minutes;
	o.rank = row->current_rank;
	o.ranked = row->ranked;
	o.urgent = r->urgent;
	o.clock_stopped = row->clock_stopped;
	o.breached = row->breached;
	o.overdue = row->overdue;
	o.deadline = row->clock_stopped ? 0 : row->next_deadline;
	o.waited_days = row->waited_days;
	o.waited_working_days = row->waited_working_days;
	o.rag = wf_rag(&w->ctx->cal, o.deadline, w->ctx->now);
	o.reason = reason_of(w, row, st, o.rag);
	o.needs_you = o.reason < WORK_WAITING;
	if (w->fn(w->ud, &o) != 0) {
		w->stop = true;
		return 1;
	}
	return 0;
}

enum bk_status bk_worklist(struct bk_ctx *ctx, const struct bk_worklist_query *q, bk_work_fn fn, void *ud)
{
	struct walk w = { .ctx = ctx, .fn = fn, .ud = ud, .quick = q->quick };
	int minute;
	cal_local(ctx->now, &w.today, &minute);
	/* the unsourced referrals, then (when asked) the sourced packages */
	struct store_referral_filter f = { .holder_id = q->holder_id ? q->holder_id : 0,
		                           .unsourced_only = true,
		                           .brief = q->quick,
		                           .id = q->id };
	enum bk_status st = BK_OK;
	if (!q->sourced_only)
		st = bk_referral_list(ctx, &f, row_cb, &w);
	if (st == BK_OK && !w.stop && (q->sourced || q->sourced_only)) {
		struct store_referral_filter g = { .holder_id = f.holder_id,
			                           .status = "sourced",
			                           .brief = q->quick,
			                           .id = q->id };
		st = bk_referral_list(ctx, &g, row_cb, &w);
	}
	vec_free(&w.names);
	return st;
}

/* ---- since the user last looked ---- */

struct changes_walk {
	int64_t staff_id;
	struct bk_work_changes *out;
	bool failed;
};

struct caseloads {
	VEC(struct held_by {
		char login[64];
		int open;
	})
	held;
	bk_caseload_fn fn;
	void *ud;
};

static int count_held(void *ud, const struct bk_work_row *r)
{
	struct caseloads *c = ud;
	size_t i = 0;
	while (i < c->held.n && strcmp(c->held.v[i].login, r->holder) != 0)
		i++;
	struct held_by *h = i < c->held.n ? &c->held.v[i] : vec_push(&c->held);
	if (h && !h->open)
		copy(h->login, sizeof h->login, r->holder);
	if (h)
		h->open++;
	return 0;
}

static int caseload_cb(void *ud, const struct store_staff *st)
{
	struct caseloads *c = ud;
	struct bk_caseload cl = { st, ROLE_OFFICER, 0 };
	const char *why;
	if (!st->active || !policy_role_parse(st->role, &cl.role) || !policy_may(cl.role, PERM_WORK_REFERRALS, &why))
		return 0;
	for (size_t i = 0; i < c->held.n; i++)
		if (strcmp(c->held.v[i].login, st->login) == 0)
			cl.open = c->held.v[i].open;
	return c->fn(c->ud, &cl);
}

enum bk_status bk_caseloads(struct bk_ctx *ctx, bk_caseload_fn fn, void *ud)
{
	struct caseloads c = { { 0 }, fn, ud };
	struct bk_worklist_query everyone = { .sourced = true, .quick = true };
	enum bk_status st = bk_worklist(ctx, &everyone, count_held, &c);
	if (st == BK_OK)
		st = bk_staff_each(ctx, caseload_cb, &c);
	vec_free(&c.held);
	return st;
}

static void add_change(struct changes_walk *c, int64_t referral_id, unsigned what)
{
	struct bk_work_changes *o = c->out;
	for (size_t i = 0; i < o->n; i++)
		if (o->v[i].referral_id == referral_id) {
			o->v[i].what |= what;
			return;
		}
	struct bk_work_change *ch = vec_push(o);
	if (!ch) {
		c->failed = true;
		return;
	}
	ch->referral_id = referral_id;
	ch->what = what;
}

static json_int_t json_int_of(json_t *o, const char *key, json_int_t none)
{
	json_t *v = o ? json_object_get(o, key) : NULL;
	return json_is_integer(v) ? json_integer_value(v) : none;
}

static const char *json_str_of(json_t *o, const char *key)
{
	json_t *v = o ? json_object_get(o, key) : NULL;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int event_cb(void *ud, const struct store_event *e)
{
	struct changes_walk *c = ud;
	if (!e->referral_id)
		return 0;
	bool expire = strcmp(e->action, "offer.expire") == 0;
	bool assign = strcmp(e->action, "referral.assign") == 0;
	bool referral = strcmp(e->entity, "referral") == 0;
	if (!expire && !referral)
		return 0;
	if (expire) {
		add_change(c, e->referral_id, WORK_CHANGED_EXPIRED);
		return 0;
	}
	json_t *before = e->before ? json_loads(e->before, 0, NULL) : NULL;
	json_t *after = e->after ? json_loads(e->after, 0, NULL) : NULL;
	const char *was = json_str_of(before, "status"), *now = json_str_of(after, "status");
	if (now && strcmp(now, "exhausted") == 0 && (!was || strcmp(was, "exhausted") != 0))
		add_change(c, e->referral_id, WORK_CHANGED_EXHAUSTED);
	if (assign) {
		json_int_t from = json_int_of(before, "holder_id", 0), to = json_int_of(after, "holder_id", 0);
		if (to == c->staff_id && from != c->staff_id)
			add_change(c, e->referral_id, WORK_CHANGED_TO_YOU);
		else if (from == c->staff_id && to != c->staff_id)
			add_change(c, e->referral_id, WORK_CHANGED_AWAY);
	}
	json_decref(before);
	json_decref(after);
	return c->failed ? 1 : 0;
}

enum bk_status bk_worklist_changes(struct bk_ctx *ctx, int64_t staff_id, int64_t since, struct bk_work_changes *out)
{
	memset(out, 0, sizeof *out);
	if (since <= 0)
		return BK_OK;
	struct changes_walk c = { .staff_id = staff_id, .out = out };
	struct store_event_filter f = { .since = since + 1 };
	enum store_status ss = store_audit_each(ctx->store, &f, event_cb, &c);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	if (c.failed)
		return bk_fail(ctx, BK_STORAGE, "out of memory reading what changed");
	for (size_t i = 0; i < out->n; i++) {
		unsigned w = out->v[i].what;
		out->expired += (w & WORK_CHANGED_EXPIRED) != 0;
		out->exhausted += (w & WORK_CHANGED_EXHAUSTED) != 0;
		out->to_you += (w & WORK_CHANGED_TO_YOU) != 0;
		out->away += (w & WORK_CHANGED_AWAY) != 0;
	}
	return BK_OK;
}

void bk_worklist_changes_free(struct bk_work_changes *c)
{
	vec_free(c);
}

unsigned bk_worklist_changed(const struct bk_work_changes *c, int64_t referral_id)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].referral_id == referral_id)
			return c->v[i].what;
	return 0;
}

enum bk_status bk_worklist_last_looked(struct bk_ctx *ctx, int64_t *at)
{
	*at = 0;
	if (!ctx->actor.staff_id)
		return BK_OK;
	enum store_status ss = store_staff_last_looked(ctx->store, ctx->actor.staff_id, at);
	return ss == STORE_NOT_FOUND ? BK_OK : bk_from_store(ctx, ss);
}

static enum bk_status mark_looked(struct bk_ctx *ctx, void *ud)
{
	(void)ud;
	return bk_from_store(ctx, store_staff_set_last_looked(ctx->store, ctx->actor.staff_id, ctx->now));
}

enum bk_status bk_worklist_mark_looked(struct bk_ctx *ctx)
{
	if (!ctx->actor.staff_id || bk_readonly(ctx))
		return BK_OK;
	return bk_tx_run(ctx, mark_looked, NULL);
}

/* ---- orders ---- */

static int by_id(const struct bk_work_row *x, const struct bk_work_row *y)
{
	return (x->id > y->id) - (x->id < y->id);
}

int bk_work_cmp_due(const void *a, const void *b)
{
	const struct bk_work_row *x = a, *y = b;
	/* what needs the user, and what changed since they last looked, first */
	bool fx = x->needs_you || x->changed, fy = y->needs_you || y->changed;
	if (fx != fy)
		return fx ? -1 : 1;
	/* an answer's deadline first, soonest first; then what has no clock,
	 * most pressing reason first, longest waiting first */
	if ((x->deadline != 0) != (y->deadline != 0))
		return x->deadline ? -1 : 1;
	if (x->deadline != y->deadline)
		return x->deadline < y->deadline ? -1 : 1;
	if (x->reason != y->reason)
		return (int)x->reason - (int)y->reason;
	if (x->urgent != y->urgent)
		return x->urgent ? -1 : 1;
	if (x->waited_days != y->waited_days)
		return x->waited_days > y->waited_days ? -1 : 1;
	return by_id(x, y);
}

int bk_work_cmp_breached(const void *a, const void *b)
{
	const struct bk_work_row *x = a, *y = b;
	if (x->breached != y->breached)
		return x->breached ? -1 : 1;
	return bk_work_cmp_due(a, b);
}

int bk_work_cmp_urgent(const void *a, const void *b)
{
	const struct bk_work_row *x = a, *y = b;
	if (x->urgent != y->urgent)
		return x->urgent ? -1 : 1;
	return bk_work_cmp_due(a, b);
}

int bk_work_cmp_case(const void *a, const void *b)
{
	const struct bk_work_row *x = a, *y = b;
	int c = strcmp(x->case_ref, y->case_ref);
	return c ? c : by_id(x, y);
}

int bk_work_cmp_waited(const void *a, const void *b)
{
	const struct bk_work_row *x = a, *y = b;
	if (x->waited_days != y->waited_days)
		return x->waited_days > y->waited_days ? -1 : 1;
	return bk_work_cmp_due(a, b);
}

int bk_work_cmp_waiting(const void *a, const void *b)
{
	const struct bk_work_row *x = a, *y = b;
	if (x->waited_days != y->waited_days)
		return x->waited_days > y->waited_days ? -1 : 1;
	if (x->waited_working_days != y->waited_working_days)
		return x->waited_working_days > y->waited_working_days ? -1 : 1;
	return by_id(x, y);
}
