/* Opening, identity, staff, and the helpers every action shares. */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "core/text.h"

static const char *const status_names[] = {
	[BK_OK] = "done",
	[BK_REFUSED] = "refused",
	[BK_USAGE] = "usage error",
	[BK_CONFLICT] = "conflict",
	[BK_STORAGE] = "storage failure",
};

const char *bk_status_name(enum bk_status s)
{
	return (unsigned)s <= BK_STORAGE ? status_names[s] : "?";
}

enum bk_status bk_fail(struct bk_ctx *ctx, enum bk_status status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx->msg, sizeof ctx->msg, fmt, ap);
	va_end(ap);
	return status;
}

enum bk_status bk_from_store(struct bk_ctx *ctx, enum store_status s)
{
	switch (s) {
	case STORE_OK:
		return BK_OK;
	case STORE_NOT_FOUND:
		return bk_fail(ctx, BK_REFUSED, "%s", store_errmsg(ctx->store)[0] ? store_errmsg(ctx->store) : "not found");
	case STORE_CONFLICT:
		return bk_fail(ctx, BK_CONFLICT, "%s", store_errmsg(ctx->store));
	case STORE_REFUSED:
		return bk_fail(ctx, BK_REFUSED, "%s", store_errmsg(ctx->store));
	case STORE_ERROR:
	default:
		return bk_fail(ctx, BK_STORAGE, "%s", store_errmsg(ctx->store));
	}
}

enum bk_status bk_require(struct bk_ctx *ctx, enum policy_perm perm)
{
	const char *why = NULL;
	if (ctx->actor.staff_id == 0)
		return bk_fail(ctx, BK_REFUSED, "you are not identified as a member of staff");
	if (!policy_may(ctx->actor.role, perm, &why))
		return bk_fail(ctx, BK_REFUSED, "%s (you are %s)", why, policy_role_with_article(ctx->actor.role));
	return BK_OK;
}

/* Who is acting, read again inside the transaction: a workstation stays
 * open for hours, and an administrator may deactivate its user or change
 * their role meanwhile. The command line reads the record at the start of
 * each command; this makes every action, from any face, answer to the
 * record as it is when the action is written. A changed role is taken on
 * (so the next action is judged by it) and this action is refused, since
 * its permission was checked under the old one. */
static enum bk_status actor_still(struct bk_ctx *ctx)
{
	if (ctx->actor.staff_id == 0)
		return BK_OK;
	struct store_staff s;
	enum store_status ss = store_staff_by_id(ctx->store, ctx->actor.staff_id, &s);
	if (ss == STORE_NOT_FOUND || (ss == STORE_OK && !s.active)) {
		ctx->actor.staff_id = 0;
		return bk_fail(ctx, BK_REFUSED,
		               "your staff record (%s) is %s: nothing was changed; ask an administrator",
		               ctx->actor.login, ss == STORE_NOT_FOUND ? "gone" : "deactivated");
	}
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	enum bk_role role;
	if (!policy_role_parse(s.role, &role))
		return bk_fail(ctx, BK_STORAGE, "the staff record for '%s' has an unknown role '%s'", s.login, s.role);
	if (role != ctx->actor.role) {
		enum bk_role was = ctx->actor.role;
		ctx->actor.role = role;
		return bk_fail(ctx, BK_REFUSED,
		               "your role was changed from %s to %s since you started: nothing was changed; "
		               "look again and retry as %s",
		               policy_role_title(was), policy_role_title(role), policy_role_with_article(role));
	}
	return BK_OK;
}

static enum bk_status tx_begin(struct bk_ctx *ctx, bool check_actor)
{
	ctx->warning[0] = '\0';
	enum store_status s = store_begin(ctx->store);
	if (s != STORE_OK)
		return bk_from_store(ctx, s);
	/* Every action decides by the policy as it stands when it begins, and
	 * answers to the actor's staff record as it is then. */
	enum bk_status st = bk_policy_refresh(ctx);
	if (st == BK_OK && check_actor)
		st = actor_still(ctx);
	if (st != BK_OK)
		store_rollback(ctx->store);
	return st;
}

enum bk_status bk_text(struct bk_ctx *ctx, const char *key, const char *value, char *out, size_t outlen,
                       const char *what)
{
	const struct text_field *f = text_field_find(key);
	char err[256];
	if (!f)
		return bk_fail(ctx, BK_STORAGE, "no field '%s' is described", key);
	if (!text_field_check(f, value, out, outlen, err, sizeof err))
		return what ? bk_fail(ctx, BK_REFUSED, "%s: %s", what, err) : bk_fail(ctx, BK_REFUSED, "%s", err);
	return BK_OK;
}

enum bk_status bk_tx_begin(struct bk_ctx *ctx)
{
	return tx_begin(ctx, true);
}

enum bk_status bk_tx_end(struct bk_ctx *ctx, enum bk_status status)
{
	if (status != BK_OK) {
		store_rollback(ctx->store);
		return status;
	}
	enum store_status s = store_commit(ctx->store);
	return s == STORE_OK ? BK_OK : bk_from_store(ctx, s);
}

static char *dump(json_t *o)
{
	if (!o)
		return NULL;
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	json_decref(o);
	return s;
}

/* jansson needs valid UTF-8: stored text that is not is shown cleaned. */
json_t *bk_json_text(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	if (j)
		return j;
	size_t n = strlen(s) * 3 + 1;
	char *clean = malloc(n);
	if (!clean)
		return json_null();
	text_utf8_clean(s, clean, n);
	j = json_string(clean);
	free(clean);
	return j ? j : json_null();
}

/* Stored text, null when empty. */
static json_t *jstr(const char *s)
{
	return s && *s ? bk_json_text(s) : json_null();
}

static json_t *jdate(int32_t day)
{
	if (day == STORE_NO_DATE)
		return json_null();
	char buf[16];
	cal_format_date(day, buf, sizeof buf);
	return json_string(buf);
}

json_t *bk_json_time(int64_t t)
{
	if (t == 0)
		return json_null();
	char buf[32];
	cal_format_utc(t, buf, sizeof buf);
	return json_string(buf);
}

/* Referrals and offers as the audit trail and the JSON output show them,
 * described once as a table of fields: the whole record for a new one,
 * and for a change only the fields that differ, found by comparing the
 * records themselves (a save encodes three fields, not fifty). */
enum field_kind {
	FK_I64,  /* int64_t, a number */
	FK_INT,  /* int, a number */
	FK_BOOL, /* bool */
	FK_STR,  /* char[], always a string */
	FK_TEXT, /* char[], null when empty */
	FK_DATE, /* int32_t day, "YYYY-MM-DD" or null */
	FK_TIME, /* int64_t UTC seconds, ISO 8601 or null when 0 */
	FK_STATUS,  /* enum wf_status, its name */
	FK_PAUSED,  /* a referral's paused_from: its name while paused, else null */
	FK_OSTATUS, /* enum wf_offer_status, its name */
};

struct field {
	const char *name;
	enum field_kind kind;
	size_t off;
};

#define RF(name, kind) { #name, kind, offsetof(struct store_referral, name) }
static const struct field referral_fields[] = {
	RF(id, FK_I64),           RF(case_ref, FK_STR),        RF(lot, FK_INT),           RF(district, FK_STR),
	RF(hours_minutes, FK_INT), RF(panel_date, FK_DATE),    RF(start_date, FK_DATE),   RF(age, FK_INT),
	RF(urgent, FK_BOOL),      RF(note, FK_TEXT),           RF(status, FK_STATUS),     RF(paused_from, FK_PAUSED),
	RF(holder_id, FK_I64),    RF(created_by, FK_I64),      RF(approved_by, FK_I64),   RF(escalated, FK_BOOL),
	RF(sourced_at, FK_TIME),  RF(route, FK_TEXT),          RF(ended_on, FK_DATE),     RF(sourced_provider_id, FK_I64),
	RF(closed_at, FK_TIME),   RF(close_reason, FK_TEXT),   RF(weekly_cost, FK_I64),   RF(version, FK_I64),
	RF(erased, FK_BOOL),
};
#undef RF

#define OF(name, kind) { #name, kind, offsetof(struct store_offer, name) }
static const struct field offer_fields[] = {
	OF(id, FK_I64),          OF(referral_id, FK_I64), OF(provider_id, FK_I64), OF(rank, FK_INT),
	OF(status, FK_OSTATUS),  OF(confirmed, FK_BOOL),  OF(sent_at, FK_TIME),    OF(received_on, FK_DATE),
	OF(deadline_at, FK_TIME), OF(answered_at, FK_TIME), OF(reason, FK_TEXT),  OF(start_date, FK_DATE),
	OF(info_requested_at, FK_TIME), OF(info_supplied_at, FK_TIME),
};
#undef OF

#define N_FIELDS(a) (sizeof(a) / sizeof(a)[0])

/* A referral's paused_from as it counts: WF_NO_STATUS unless it is paused. */
static enum wf_status paused_from(const void *rec)
{
	const struct store_referral *r = rec;
	return r->status == WF_PAUSED ? r->paused_from : WF_NO_STATUS;
}

static json_t *field_json(const struct field *f, const void *rec)
{
	const char *p = (const char *)rec + f->off;
	int64_t i64;
	int i;
	int32_t day;
	bool b;
	switch (f->kind) {
	case FK_I64: memcpy(&i64, p, sizeof i64); return json_integer((json_int_t)i64);
	case FK_INT: memcpy(&i, p, sizeof i); return json_integer(i);
	case FK_BOOL: memcpy(&b, p, sizeof b); return json_boolean(b);
	case FK_STR: return json_string(p);
	case FK_TEXT: return jstr(p);
	case FK_DATE: memcpy(&day, p, sizeof day); return jdate(day);
	case FK_TIME: memcpy(&i64, p, sizeof i64); return bk_json_time(i64);
	case FK_STATUS: {
		enum wf_status s;
		memcpy(&s, p, sizeof s);
		return json_string(wf_status_name(s));
	}
	case FK_PAUSED: {
		enum wf_status s = paused_from(rec);
		return s == WF_NO_STATUS ? json_null() : json_string(wf_status_name(s));
	}
	case FK_OSTATUS: {
		enum wf_offer_status s;
		memcpy(&s, p, sizeof s);
		return json_string(wf_offer_status_name(s));
	}
	}
	return NULL;
}

static bool field_same(const struct field *f, const void *a, const void *b)
{
	const char *x = (const char *)a + f->off, *y = (const char *)b + f->off;
	switch (f->kind) {
	case FK_I64:
	case FK_TIME: return memcmp(x, y, sizeof(int64_t)) == 0;
	case FK_INT: return memcmp(x, y, sizeof(int)) == 0;
	case FK_BOOL: return memcmp(x, y, sizeof(bool)) == 0;
	case FK_DATE: return memcmp(x, y, sizeof(int32_t)) == 0;
	case FK_STATUS: return memcmp(x, y, sizeof(enum wf_status)) == 0;
	case FK_PAUSED: return paused_from(a) == paused_from(b);
	case FK_OSTATUS: return memcmp(x, y, sizeof(enum wf_offer_status)) == 0;
	case FK_STR:
	case FK_TEXT: return strcmp(x, y) == 0;
	}
	return false;
}

/* The whole record; NULL when a field cannot be encoded (as json_pack). */
static json_t *record_obj(const struct field *fs, size_t n, const void *rec)
{
	json_t *o = json_object();
	for (size_t k = 0; o && k < n; k++) {
		json_t *v = field_json(&fs[k], rec);
		if (!v || json_object_set_new(o, fs[k].name, v) != 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* The id and the fields that changed, before and after, as the trail
 * keeps them (see keep_changes, which this matches for these records). */
static void record_changes(const struct field *fs, size_t n, const void *before, const void *after, char **b,
                           char **a)
{
	json_t *bd = json_object(), *ad = json_object();
	for (size_t k = 0; bd && ad && k < n; k++) {
		bool id = strcmp(fs[k].name, "id") == 0;
		if (!id && field_same(&fs[k], before, after))
			continue;
		json_t *vb = field_json(&fs[k], before), *va = field_json(&fs[k], after);
		if (id || !vb || !va || !json_equal(vb, va)) {
			json_object_set_new(bd, fs[k].name, vb ? vb : json_null());
			json_object_set_new(ad, fs[k].name, va ? va : json_null());
		} else {
			json_decref(vb);
			json_decref(va);
		}
	}
	*b = dump(bd);
	*a = dump(ad);
}

json_t *bk_referral_obj(const struct store_referral *r)
{
	return record_obj(referral_fields, N_FIELDS(referral_fields), r);
}

json_t *bk_offer_obj(const struct store_offer *o)
{
	return record_obj(offer_fields, N_FIELDS(offer_fields), o);
}

json_t *bk_provider_obj(const struct store_provider *p)
{
	return (json_pack("{sI ss sb so so ss so si si sI sb}", "id", (json_int_t)p->id, "name", p->name, "framework",
	                      p->framework, "cqc_id", jstr(p->cqc_id), "pamms", jstr(p->pamms), "risk", p->risk, "embargo",
	                      jstr(p->embargo), "age_min", p->age_min, "age_max", p->age_max, "rate",
	                      (json_int_t)p->rate, "active", p->active));
}

json_t *bk_spot_obj(const struct store_spot *s)
{
	return (json_pack("{sI sI sI sI si si sI sI sI so ss sI sI so so so}", "id", (json_int_t)s->id, "referral_id",
	                  (json_int_t)s->referral_id, "provider_id", (json_int_t)s->provider_id, "rate",
	                  (json_int_t)s->rate, "hours_minutes", s->hours_minutes, "weeks", s->weeks, "weekly_cost",
	                  (json_int_t)s->weekly_cost, "annual_cost", (json_int_t)s->annual_cost, "framework_rate",
	                  (json_int_t)s->framework_rate, "justification", jstr(s->justification), "status", wf_spot_status_name(s->status),
	                  "requested_by", (json_int_t)s->requested_by, "decided_by", (json_int_t)s->decided_by,
	                  "decided_at", bk_json_time(s->decided_at), "note", jstr(s->note), "key_decision",
	                  jstr(s->key_decision)));
}

json_t *bk_staff_obj(const struct store_staff *s)
{
	return (json_pack("{sI ss so ss sb}", "id", (json_int_t)s->id, "login", s->login, "name", jstr(s->name), "role",
	                      s->role, "active", s->active));
}

char *bk_referral_json(const struct store_referral *r)
{
	return dump(bk_referral_obj(r));
}

char *bk_offer_json(const struct store_offer *o)
{
	return dump(bk_offer_obj(o));
}

char *bk_provider_json(const struct store_provider *p)
{
	return dump(bk_provider_obj(p));
}

char *bk_spot_json(const struct store_spot *s)
{
	return dump(bk_spot_obj(s));
}

char *bk_staff_json(const struct store_staff *s)
{
	return dump(bk_staff_obj(s));
}

char *bk_text_json(const char *key, const char *value)
{
	return dump(json_pack("{so}", key, jstr(value)));
}

/* An event keeps what changed: the fields whose values differ, before and
 * after, with the id for context. Whole records would repeat themselves
 * in every event and bloat the trail tenfold. Consumes b and a. */
static void keep_changes(json_t *b, json_t *a, char **before, char **after)
{
	json_t *bd = json_object(), *ad = json_object();
	const char *key;
	json_t *value;
	json_object_foreach(a, key, value) {
		json_t *old = json_object_get(b, key);
		if (strcmp(key, "id") == 0 || !old || !json_equal(old, value)) {
			json_object_set(ad, key, value);
			json_object_set(bd, key, old ? old : json_null());
		}
	}
	json_object_foreach(b, key, value) {
		if (!json_object_get(a, key)) {
			json_object_set(bd, key, value);
			json_object_set_new(ad, key, json_null());
		}
	}
	json_decref(b);
	json_decref(a);
	*before = dump(bd);
	*after = dump(ad);
}

/* A change the system makes (the sweep) names in its after payload the
 * login whose program ran it: "run_by". Frees after. */
static char *with_run_by(const char *login, char *after)
{
	json_t *a = after ? json_loads(after, 0, NULL) : json_object();
	free(after);
	if (!json_is_object(a)) {
		json_decref(a);
		a = json_object();
	}
	json_object_set_new(a, "run_by", bk_json_text(login));
	return dump(a);
}

/* Append an event as it is given; frees before and after. */
static enum bk_status append(struct bk_ctx *ctx, const char *action, const char *entity, int64_t entity_id,
                             int64_t referral_id, char *before, char *after)
{
	if (ctx->run_by[0]) {
		after = with_run_by(ctx->run_by, after);
		if (!after) {
			free(before);
			return bk_fail(ctx, BK_STORAGE, "out of memory recording the sweep");
		}
	}
	enum store_status s = store_audit_append(ctx->store, ctx->now, ctx->actor.login, action, entity, entity_id,
	                                         referral_id, before, after);
	free(before);
	free(after);
	return s == STORE_OK ? BK_OK : bk_from_store(ctx, s);
}

enum bk_status bk_audit_obj(struct bk_ctx *ctx, const char *action, const char *entity, int64_t entity_id,
                            int64_t referral_id, json_t *before, json_t *after)
{
	char *b = NULL, *a = NULL;
	if (before && after && json_is_object(before) && json_is_object(after)) {
		keep_changes(before, after, &b, &a);
	} else {
		b = dump(before);
		a = dump(after);
	}
	return append(ctx, action, entity, entity_id, referral_id, b, a);
}

/* A referral's lot, district and hours as they are from now on, kept with
 * the event that changed them, so that a report on a past date can say
 * what they were then. */
static enum bk_status referral_history(struct bk_ctx *ctx, const struct store_referral *before,
                                       const struct store_referral *after)
{
	if (before && before->lot == after->lot && before->hours_minutes == after->hours_minutes &&
	    strcmp(before->district, after->district) == 0)
		return BK_OK;
	enum store_status ss = store_referral_fact_add(ctx->store, after->id, before ? ctx->now : after->created_at,
	                                               after->lot, after->district, after->hours_minutes);
	return ss == STORE_OK ? BK_OK : bk_from_store(ctx, ss);
}

/* An offer's history, written with its audit event so that whatever
 * changes an offer keeps both: its deadline each time it is set (and why),
 * each request for information and when it was supplied. */
static enum bk_status offer_history(struct bk_ctx *ctx, const struct store_offer *before, const struct store_offer *after)
{
	enum store_status ss = STORE_OK;
	if (!before) {
		ss = store_offer_deadline_add(ctx->store, after->id, after->deadline_at, after->sent_at, STORE_DEADLINE_SENT);
		if (ss == STORE_OK && after->info_requested_at)
			ss = store_offer_info_asked(ctx->store, after->id, after->info_requested_at, after->reason);
		return ss == STORE_OK ? BK_OK : bk_from_store(ctx, ss);
	}
	if (after->info_requested_at && after->info_requested_at != before->info_requested_at)
		ss = store_offer_info_asked(ctx->store, after->id, after->info_requested_at, after->reason);
	bool supplied = after->info_supplied_at && after->info_supplied_at != before->info_supplied_at;
	if (ss == STORE_OK && supplied)
		ss = store_offer_info_supplied(ctx->store, after->id, after->info_supplied_at);
	if (ss == STORE_OK && after->deadline_at != before->deadline_at)
		ss = store_offer_deadline_add(ctx->store, after->id, after->deadline_at, ctx->now,
		                              supplied ? STORE_DEADLINE_INFO : STORE_DEADLINE_POLICY);
	return ss == STORE_OK ? BK_OK : bk_from_store(ctx, ss);
}

enum bk_status bk_audit_referral(struct bk_ctx *ctx, const char *action, const struct store_referral *before,
                                 const struct store_referral *after)
{
	enum bk_status st = referral_history(ctx, before, after);
	if (st != BK_OK)
		return st;
	char *b = NULL, *a = NULL;
	if (before)
		record_changes(referral_fields, N_FIELDS(referral_fields), before, after, &b, &a);
	else
		a = dump(bk_referral_obj(after));
	return append(ctx, action, "referral", after->id, after->id, b, a);
}

enum bk_status bk_audit_offer(struct bk_ctx *ctx, const char *action, const struct store_offer *before,
                              const struct store_offer *after)
{
	enum bk_status st = offer_history(ctx, before, after);
	if (st != BK_OK)
		return st;
	char *b = NULL, *a = NULL;
	if (before)
		record_changes(offer_fields, N_FIELDS(offer_fields), before, after, &b, &a);
	else
		a = dump(bk_offer_obj(after));
	return append(ctx, action, "offer", after->id, after->referral_id, b, a);
}

enum bk_status bk_audit(struct bk_ctx *ctx, const char *action, const char *entity, int64_t entity_id,
                        int64_t referral_id, char *before, char *after)
{
	if (before && after) {
		json_t *b = json_loads(before, 0, NULL), *a = json_loads(after, 0, NULL);
		if (b && a) {
			free(before);
			free(after);
			return bk_audit_obj(ctx, action, entity, entity_id, referral_id, b, a);
		}
		json_decref(b);
		json_decref(a);
	}
	return append(ctx, action, entity, entity_id, referral_id, before, after);
}

/* ---- opening and identity ---- */

/* The policy's lots and districts, recorded so referrals can refer to
 * them; a change (a new rate, a renamed lot) is an audit event like any
 * other change. */
enum bk_status bk_record_reference(struct bk_ctx *ctx)
{
	const struct bk_settings *s = ctx->settings;
	enum store_status ss = STORE_OK;
	enum bk_status st = BK_OK;
	for (int i = 0; st == BK_OK && ss == STORE_OK && i < s->n_lots; i++) {
		const struct bk_lot *l = &s->lots[i];
		bool changed = false;
		ss = store_lot_put(ctx->store, l->number, l->name, l->cqc_required, l->framework_rate, &changed);
		if (ss == STORE_OK && changed)
			st = bk_audit_obj(ctx, "config.lot", "lot", l->number, 0, NULL,
			                  json_pack("{si ss sb sI}", "number", l->number, "name", l->name, "cqc_required",
			                            l->cqc_required, "framework_rate", (json_int_t)l->framework_rate));
	}
	for (int i = 0; st == BK_OK && ss == STORE_OK && i < s->n_districts; i++) {
		bool changed = false;
		ss = store_district_put(ctx->store, s->districts[i].name, &changed);
		if (ss == STORE_OK && changed)
			st = bk_audit_obj(ctx, "config.district", "district", i + 1, 0, NULL,
			                  json_pack("{ss}", "name", s->districts[i].name));
	}
	return st != BK_OK ? st : bk_from_store(ctx, ss);
}

enum bk_status bk_open(struct bk_ctx *ctx, const struct bk_settings *seed, const struct bk_open_opts *o)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->policy = *seed;
	ctx->settings = &ctx->policy;
	cal_rules_from_settings(&ctx->cal, seed);
	struct store_open_opts so = {
		.path = o->path, .create = o->create, .readonly = o->readonly, .allow_remote = o->allow_remote,
		.shared = o->shared, .inspect = o->inspect,
	};
	enum store_status st = store_open(&so, &ctx->store, ctx->msg, sizeof ctx->msg);
	if (st != STORE_OK)
		return st == STORE_ERROR ? BK_STORAGE : BK_REFUSED;
	/* Test mode is what the database was made with, sealed into its first
	 * audit event; a flag in meta changed by hand does not count. */
	struct store_origin og;
	if (store_audit_origin(ctx->store, &og) == STORE_OK)
		ctx->test_mode = og.test_mode;
	ctx->inspect_only = o->inspect_only;
	ctx->now = o->now;
	enum bk_status bs = bk_policy_open(ctx, seed, o->login, o->create);
	if (bs != BK_OK) {
		store_close(ctx->store);
		ctx->store = NULL;
	}
	return bs;
}

void bk_close(struct bk_ctx *ctx)
{
	if (ctx && ctx->store) {
		store_close(ctx->store);
		ctx->store = NULL;
	}
}

enum bk_status bk_init(struct bk_ctx *ctx, const char *login, const char *name, bool test_mode)
{
	int64_t n = 0;
	enum store_status ss = store_staff_count(ctx->store, &n);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	if (n > 0)
		return bk_fail(ctx, BK_REFUSED, "%s is already a brokerage database with staff; nothing was changed",
		               store_path(ctx->store));
	enum bk_status st = bk_tx_begin(ctx);
	if (st != BK_OK)
		return st;
	char when[32];
	snprintf(when, sizeof when, "%lld", (long long)ctx->now);
	struct store_staff admin = { .active = true };
	snprintf(admin.login, sizeof admin.login, "%s", login);
	snprintf(admin.name, sizeof admin.name, "%s", name && *name ? name : login);
	snprintf(admin.role, sizeof admin.role, "admin");
	ss = store_meta_set(ctx->store, "test_mode", test_mode ? "1" : "0");
	if (ss == STORE_OK)
		ss = store_meta_set(ctx->store, "created_at", when);
	if (ss == STORE_OK)
		ss = store_staff_add(ctx->store, &admin);
	if (ss != STORE_OK)
		return bk_tx_end(ctx, bk_from_store(ctx, ss));
	ctx->actor.staff_id = admin.id;
	ctx->actor.role = ROLE_ADMIN;
	snprintf(ctx->actor.login, sizeof ctx->actor.login, "%s", login);
	char id[33];
	if (!store_new_database_id(id))
		return bk_tx_end(ctx, bk_fail(ctx, BK_STORAGE, "the random-number source could not be read"));
	st = bk_audit_obj(ctx, "database.init", "database", 0, 0, NULL,
	                  json_pack("{ss ss}", "test_mode", test_mode ? "yes" : "no", "database", id));
	if (st == BK_OK)
		st = bk_audit(ctx, "staff.add", "staff", admin.id, 0, NULL, bk_staff_json(&admin));
	if (st == BK_OK)
		st = bk_policy_record_first(ctx, &ctx->policy, ctx->policy.file[0] ? ctx->policy.file : "built-in defaults",
		                            NULL);
	if (st == BK_OK)
		st = bk_record_reference(ctx);
	st = bk_tx_end(ctx, st);
	if (st == BK_OK) {
		ctx->test_mode = test_mode;
		bk_fail(ctx, BK_OK, "created %s%s; %s is its first administrator", store_path(ctx->store),
		        test_mode ? " in test mode" : "", login);
	}
	return st;
}

enum bk_status bk_identify(struct bk_ctx *ctx, const char *login, bool as_override)
{
	if (as_override && !ctx->test_mode)
		return bk_fail(ctx, BK_USAGE,
		               "--as and --now are accepted only by a database made with 'brokerage init --test-mode'; "
		               "%s is a real database",
		               store_path(ctx->store));
	struct store_staff s;
	snprintf(ctx->actor.login, sizeof ctx->actor.login, "%s", login);
	ctx->actor.staff_id = 0;
	enum store_status ss = store_staff_by_login(ctx->store, login, &s);
	if (ss == STORE_NOT_FOUND)
		return bk_fail(ctx, BK_REFUSED,
		               "the login '%s' has no staff record in this database: an administrator can add it with "
		               "'brokerage staff add %s --name NAME --role ROLE'",
		               login, login);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	if (!s.active)
		return bk_fail(ctx, BK_REFUSED, "the staff record for '%s' is deactivated: ask an administrator", login);
	enum bk_role role;
	if (!policy_role_parse(s.role, &role))
		return bk_fail(ctx, BK_STORAGE, "the staff record for '%s' has an unknown role '%s'", login, s.role);
	ctx->actor.staff_id = s.id;
	ctx->actor.role = role;
	snprintf(ctx->actor.name, sizeof ctx->actor.name, "%s", s.name);
	return BK_OK;
}

struct first_problem {
	char text[500];
};

static void keep_first(void *ud, const char *what)
{
	struct first_problem *f = ud;
	if (!f->text[0])
		snprintf(f->text, sizeof f->text, "%s", what);
}

enum bk_status bk_restore(struct bk_ctx *ctx, const char *src, const char *keep)
{
	enum bk_status st = bk_require(ctx, PERM_RESTORE);
	if (st != BK_OK)
		return st;
	char err[1024];
	bool kept_raw = false;
	/* The records of the backup against its own trail, as check --deep
	 * does; the rest of the checks are storage's own. */
	struct store *from = NULL;
	struct store_open_opts o = { .path = src, .inspect = true };
	if (store_open(&o, &from, err, sizeof err) == STORE_OK) {
		struct first_problem first = { "" };
		int n = 0, broken = 0;
		/* A broken invariant is named by storage's own checks below. */
		enum store_status cs = store_check_deep(from, NULL, NULL, &broken);
		if (cs == STORE_OK && broken == 0)
			cs = bk_check_content(from, keep_first, &first, &n);
		store_close(from);
		if (cs == STORE_OK && n > 0)
			return bk_fail(ctx, BK_REFUSED,
			               "%.300s cannot be restored: its records differ from its own audit trail (%d problem%s; the "
			               "first: %.400s); nothing was changed",
			               src, n, n == 1 ? "" : "s", first.text);
	}
	enum store_status ss = store_restore(ctx->store, src, keep, &kept_raw, err, sizeof err);
	if (ss != STORE_OK)
		return bk_fail(ctx, ss == STORE_REFUSED ? BK_REFUSED : BK_STORAGE, "%s", err);
	/* The restored trail records that it was restored, and from what (by
	 * the administrator who restored it, whose record the file may lack). */
	if ((st = tx_begin(ctx, false)) != BK_OK)
		return st;
	st = bk_audit_obj(ctx, "database.restore", "database", 0, 0, NULL,
	                  json_pack("{ss ss sb}", "restored_from", src, "kept", keep ? keep : "", "kept_damaged", kept_raw));
	st = bk_tx_end(ctx, st);
	if (st == BK_OK && kept_raw)
		bk_fail(ctx, BK_OK, "restored from %.400s after checking it; the previous contents were damaged and are kept as they "
		        "were, byte for byte, in %.400s (with its -wal, if there was one)", src, keep);
	else if (st == BK_OK)
		bk_fail(ctx, BK_OK, "restored from %.400s after checking it; the previous contents are in %.400s", src,
		        keep ? keep : "(not kept)");
	return st;
}

void bk_staff_login(struct bk_ctx *ctx, int64_t id, char *buf, size_t len)
{
	struct store_staff s;
	if (id && store_staff_by_id(ctx->store, id, &s) == STORE_OK)
		snprintf(buf, len, "%s", s.login);
	else
		snprintf(buf, len, "%s", "");
}

void bk_provider_name(struct bk_ctx *ctx, int64_t id, char *buf, size_t len)
{
	struct store_provider p;
	if (id && store_provider_by_id(ctx->store, id, &p) == STORE_OK)
		snprintf(buf, len, "%s", p.name);
	else
		snprintf(buf, len, "%s", "");
}

/* ---- staff ---- */

static bool valid_login(const char *login)
{
	size_t n = strlen(login);
	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = login[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

enum bk_status bk_staff_add(struct bk_ctx *ctx, const char *login, const char *name, const char *role)
{
	enum bk_status st = bk_require(ctx, PERM_MANAGE_STAFF);
	if (st != BK_OK)
		return st;
	enum bk_role r;
	if (!valid_login(login))
		return bk_fail(ctx, BK_REFUSED, "'%s' is not a login: use the user's login name on this host "
		               "(letters, digits, . _ -)", login);
	struct store_staff s = { .active = true };
	if (bk_text(ctx, "name", name, s.name, sizeof s.name, "--name") != BK_OK)
		return BK_REFUSED;
	if (!role || !policy_role_parse(role, &r))
		return bk_fail(ctx, BK_REFUSED, "the role must be officer, team_leader, supervisor or admin");
	snprintf(s.login, sizeof s.login, "%s", login);
	snprintf(s.role, sizeof s.role, "%s", role);
	if ((st = bk_tx_begin(ctx)) != BK_OK)
		return st;
	enum store_status ss = store_staff_add(ctx->store, &s);
	if (ss == STORE_CONFLICT)
		return bk_tx_end(ctx, bk_fail(ctx, BK_REFUSED, "'%s' already has a staff record", login));
	st = ss == STORE_OK ? bk_audit(ctx, "staff.add", "staff", s.id, 0, NULL, bk_staff_json(&s)) : bk_from_store(ctx, ss);
	st = bk_tx_end(ctx, st);
	if (st == BK_OK)
		bk_fail(ctx, BK_OK, "added %s (%s) as %s", login, s.name, policy_role_title(r));
	return st;
}

static int count_held(void *ud, const struct store_referral *r)
{
	(void)r;
	(*(int64_t *)ud)++;
	return 0;
}

static enum bk_status staff_change(struct bk_ctx *ctx, const char *login, const char *role, bool deactivate)
{
	enum bk_status st = bk_require(ctx, PERM_MANAGE_STAFF);
	if (st != BK_OK)
		return st;
	enum bk_role r = ROLE_OFFICER;
	if (role && !policy_role_parse(role, &r))
		return bk_fail(ctx, BK_REFUSED, "the role must be officer, team_leader, supervisor or admin");
	if ((st = bk_tx_begin(ctx)) != BK_OK)
		return st;
	struct store_staff before, after;
	enum store_status ss = store_staff_by_login(ctx->store, login, &before);
	if (ss == STORE_NOT_FOUND)
		return bk_tx_end(ctx, bk_fail(ctx, BK_REFUSED, "there is no staff record for '%s'", login));
	if (ss != STORE_OK)
		return bk_tx_end(ctx, bk_from_store(ctx, ss));
	if (before.id == ctx->actor.staff_id && (deactivate || r != ROLE_ADMIN))
		return bk_tx_end(ctx, bk_fail(ctx, BK_REFUSED,
		                              "you cannot remove your own administrator rights: ask another administrator"));
	/* Open referrals need someone who works them: a deactivated login or an
	 * administrator (who does not work referrals) cannot hold them. */
	enum bk_role was = ROLE_OFFICER;
	bool worked = before.active && policy_role_parse(before.role, &was) && was != ROLE_ADMIN;
	if (worked && (deactivate || r == ROLE_ADMIN)) {
		int64_t held = 0;
		struct store_referral_filter f = { .open_only = true, .holder_id = before.id };
		ss = store_referral_each(ctx->store, &f, count_held, &held);
		if (ss != STORE_OK)
			return bk_tx_end(ctx, bk_from_store(ctx, ss));
		if (held > 0)
			return bk_tx_end(ctx, bk_fail(ctx, BK_REFUSED,
			                              "%s holds %lld open referral%s: a team leader must reassign %s first "
			                              "with 'brokerage referral assign ID LOGIN' (the waiting list shows who "
			                              "holds each); nothing was changed",
			                              login, (long long)held, held == 1 ? "" : "s", held == 1 ? "it" : "them"));
	}
	after = before;
	if (role)
		snprintf(after.role, sizeof after.role, "%s", role);
	if (deactivate)
		after.active = false;
	ss = store_staff_update(ctx->store, &after);
	st = ss == STORE_OK ? bk_audit(ctx, deactivate ? "staff.deactivate" : "staff.set-role", "staff", after.id, 0,
	                               bk_staff_json(&before), bk_staff_json(&after))
	                    : bk_from_store(ctx, ss);
	st = bk_tx_end(ctx, st);
	if (st == BK_OK && deactivate)
		bk_fail(ctx, BK_OK, "deactivated %s", login);
	else if (st == BK_OK)
		bk_fail(ctx, BK_OK, "%s is now %s", login, policy_role_with_article(r));
	return st;
}

enum bk_status bk_staff_set_role(struct bk_ctx *ctx, const char *login, const char *role)
{
	return staff_change(ctx, login, role, false);
}

enum bk_status bk_staff_deactivate(struct bk_ctx *ctx, const char *login)
{
	return staff_change(ctx, login, NULL, true);
}
