/* The council's policy as recorded in the database: one row a key, its
 * value as JSON. Read when the database is opened and again whenever
 * another program has changed it, so every member of staff reckons by the
 * same rules; written by `init` and `policy load`, each change audited. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "core/text.h"

#define GENERATION_KEY "policy_generation"


/* ---- one key as JSON, and back ---- */

static json_t *clock_json(int minute)
{
	char buf[8];
	snprintf(buf, sizeof buf, "%02d:%02d", (minute / 60) % 24, minute % 60);
	return json_string(buf);
}

static json_t *days_json(const int32_t *days, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++) {
		char buf[16];
		cal_format_date(days[i], buf, sizeof buf);
		json_array_append_new(a, json_string(buf));
	}
	return a;
}

json_t *bk_policy_value(const struct bk_settings *s, enum bk_setting_id k)
{
	json_t *a;
	switch (k) {
	case BK_SET_ZONE:
		return json_string(s->zone);
	case BK_SET_LOTS:
		a = json_array();
		for (int i = 0; i < s->n_lots; i++)
			json_array_append_new(a, json_pack("{si ss sb sI}", "number", s->lots[i].number, "name",
			                                   s->lots[i].name, "cqc_required", s->lots[i].cqc_required,
			                                   "framework_rate", (json_int_t)s->lots[i].framework_rate));
		return a;
	case BK_SET_DISTRICTS:
		a = json_array();
		for (int i = 0; i < s->n_districts; i++)
			json_array_append_new(a, json_string(s->districts[i].name));
		return a;
	case BK_SET_RESPONSE_DAYS:
		return json_integer(s->response_days);
	case BK_SET_CUTOFF:
		return clock_json(s->cutoff_minute);
	case BK_SET_CLOSE:
		return clock_json(s->close_minute);
	case BK_SET_REGION:
		return json_string(bk_region_names[s->region]);
	case BK_SET_HOLIDAYS_ADD:
		return days_json(s->holidays_add, s->n_holidays_add);
	case BK_SET_HOLIDAYS_REMOVE:
		return days_json(s->holidays_remove, s->n_holidays_remove);
	case BK_SET_CASCADE:
		return json_string(bk_cascade_names[s->cascade]);
	case BK_SET_BATCH:
		return json_integer(s->batch_size);
	case BK_SET_EXCLUDED_RISKS:
		a = json_array();
		for (int r = 0; r < BK_N_RISKS; r++)
			if (s->excluded_risks & BK_RISK_BIT(r))
				json_array_append_new(a, json_string(bk_risk_names[r]));
		return a;
	case BK_SET_REQUIRE_APPROVAL:
		return json_boolean(s->require_approval);
	case BK_SET_KEY_DECISION:
		return json_integer((json_int_t)s->key_decision_threshold);
	case BK_SET_RETENTION:
		return json_integer(s->retention_months);
	case BK_SET_DECLINE_CODES:
		a = json_array();
		for (int i = 0; i < s->n_decline_codes; i++)
			json_array_append_new(a, json_pack("{ss ss}", "keyword", s->decline_codes[i].keyword, "label",
			                                   s->decline_codes[i].label));
		return a;
	case BK_SET_MAIL_ENABLED:
		return json_boolean(s->mail_enabled);
	case BK_SET_MAIL_FROM:
		return json_string(s->mail_from);
	case BK_SET_MAIL_REPLY_TO:
		return json_string(s->mail_reply_to);
	case BK_SET_MAIL_OFFER_FIELDS:
		a = json_array();
		for (int f = 0; f < BK_MAIL_FIELD_COUNT; f++)
			if (s->mail_offer_fields & BK_MAIL_FIELD_BIT(f))
				json_array_append_new(a, json_string(bk_mail_field_names[f]));
		return a;
	case BK_SET_MAIL_CHASE_HOURS:
		return json_integer(s->mail_chase_hours);
	case BK_SET_COUNT:
		break;
	}
	return json_null();
}

static json_t *policy_obj(const struct bk_settings *s)
{
	json_t *o = json_object();
	for (int k = 0; k < BK_SET_COUNT; k++)
		json_object_set_new(o, bk_setting_names[k], bk_policy_value(s, (enum bk_setting_id)k));
	return o;
}

/* A name as the policy file allows it: 1 to 63 bytes of UTF-8 text with no
 * control characters. */
static bool name_ok(json_t *v, char *out, size_t len)
{
	const char *t = json_string_value(v);
	if (!t || !*t || strlen(t) >= len || strlen(t) >= BK_NAME_MAX || text_has_controls(t))
		return false;
	snprintf(out, len, "%s", t);
	return true;
}

static bool int_in(json_t *v, json_int_t lo, json_int_t hi, json_int_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return false;
	*out = json_integer_value(v);
	return true;
}

static bool clock_of(json_t *v, int *minute)
{
	return json_is_string(v) && bk_parse_clock(json_string_value(v), minute);
}

/* The index of a JSON string among names, in *out. */
static bool name_index(json_t *v, const char *const *names, int n, int *out)
{
	*out = bk_name_index(names, n, json_string_value(v));
	return *out >= 0;
}

static bool days_of(json_t *v, int32_t *days, int *n)
{
	if (!json_is_array(v) || json_array_size(v) > BK_MAX_HOLIDAY_EDITS)
		return false;
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
	{
		char err[64];
		if (!json_is_string(e) || !cal_parse_date(json_string_value(e), &days[i], err, sizeof err))
			return false;
	}
	*n = (int)json_array_size(v);
	return true;
}

/* Read one key's value into s; false when it is not a value the policy
 * file could have given. */
static bool decode(enum bk_setting_id k, json_t *v, struct bk_settings *s)
{
	json_int_t n;
	int idx;
	size_t i;
	json_t *e;
	switch (k) {
	case BK_SET_ZONE:
		return name_ok(v, s->zone, sizeof s->zone) && cal_zone_valid(s->zone);
	case BK_SET_LOTS:
		if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > BK_MAX_LOTS)
			return false;
		json_array_foreach(v, i, e)
		{
			struct bk_lot *l = &s->lots[i];
			json_int_t num, rate;
			if (!int_in(json_object_get(e, "number"), 1, 99, &num) ||
			    !name_ok(json_object_get(e, "name"), l->name, sizeof l->name) ||
			    !json_is_boolean(json_object_get(e, "cqc_required")) ||
			    !int_in(json_object_get(e, "framework_rate"), 1, 1000000, &rate))
				return false;
			l->number = (int)num;
			l->cqc_required = json_is_true(json_object_get(e, "cqc_required"));
			l->framework_rate = rate;
			for (size_t j = 0; j < i; j++)
				if (s->lots[j].number == l->number)
					return false;
		}
		s->n_lots = (int)json_array_size(v);
		return true;
	case BK_SET_DISTRICTS:
		if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > BK_MAX_DISTRICTS)
			return false;
		json_array_foreach(v, i, e)
		{
			if (!name_ok(e, s->districts[i].name, sizeof s->districts[i].name))
				return false;
		}
		s->n_districts = (int)json_array_size(v);
		return true;
	case BK_SET_RESPONSE_DAYS:
		if (!int_in(v, 1, 30, &n))
			return false;
		s->response_days = (int)n;
		return true;
	case BK_SET_CUTOFF:
		return clock_of(v, &s->cutoff_minute);
	case BK_SET_CLOSE:
		return clock_of(v, &s->close_minute);
	case BK_SET_REGION:
		if (!name_index(v, bk_region_names, BK_N_REGIONS, &idx))
			return false;
		s->region = (enum bk_region)idx;
		return true;
	case BK_SET_HOLIDAYS_ADD:
		return days_of(v, s->holidays_add, &s->n_holidays_add);
	case BK_SET_HOLIDAYS_REMOVE:
		return days_of(v, s->holidays_remove, &s->n_holidays_remove);
	case BK_SET_CASCADE:
		if (!name_index(v, bk_cascade_names, BK_N_CASCADES, &idx))
			return false;
		s->cascade = (enum bk_cascade)idx;
		return true;
	case BK_SET_BATCH:
		if (!int_in(v, 1, 20, &n))
			return false;
		s->batch_size = (int)n;
		return true;
	case BK_SET_EXCLUDED_RISKS:
		if (!json_is_array(v))
			return false;
		s->excluded_risks = 0;
		json_array_foreach(v, i, e)
		{
			if (!name_index(e, bk_risk_names, BK_N_RISKS, &idx))
				return false;
			s->excluded_risks |= BK_RISK_BIT(idx);
		}
		return true;
	case BK_SET_REQUIRE_APPROVAL:
		if (!json_is_boolean(v))
			return false;
		s->require_approval = json_is_true(v);
		return true;
	case BK_SET_KEY_DECISION:
		if (!int_in(v, 1, 100000000000LL, &n))
			return false;
		s->key_decision_threshold = n;
		return true;
	case BK_SET_RETENTION:
		if (!int_in(v, 1, 1200, &n))
			return false;
		s->retention_months = (int)n;
		return true;
	case BK_SET_DECLINE_CODES:
		if (!json_is_array(v) || json_array_size(v) > BK_MAX_DECLINE_CODES)
			return false;
		json_array_foreach(v, i, e)
		{
			struct bk_decline_code *c = &s->decline_codes[i];
			if (!name_ok(json_object_get(e, "keyword"), c->keyword, sizeof c->keyword) ||
			    !name_ok(json_object_get(e, "label"), c->label, sizeof c->label))
				return false;
		}
		s->n_decline_codes = (int)json_array_size(v);
		return bk_settings_decline_code(s, "other") != NULL;
	case BK_SET_MAIL_ENABLED:
		if (!json_is_boolean(v))
			return false;
		s->mail_enabled = json_is_true(v);
		return true;
	case BK_SET_MAIL_FROM:
	case BK_SET_MAIL_REPLY_TO: {
		const char *t = json_string_value(v), *why;
		char *out = k == BK_SET_MAIL_FROM ? s->mail_from : s->mail_reply_to;
		if (!t || (*t && !bk_email_valid(t, &why)))
			return false;
		snprintf(out, BK_EMAIL_MAX + 1, "%s", t);
		return true;
	}
	case BK_SET_MAIL_OFFER_FIELDS:
		if (!json_is_array(v))
			return false;
		s->mail_offer_fields = 0;
		json_array_foreach(v, i, e)
		{
			if (!name_index(e, bk_mail_field_names, BK_MAIL_FIELD_COUNT, &idx))
				return false;
			s->mail_offer_fields |= BK_MAIL_FIELD_BIT(idx);
		}
		return true;
	case BK_SET_MAIL_CHASE_HOURS:
		if (!int_in(v, 1, 23, &n))
			return false;
		s->mail_chase_hours = (int)n;
		return true;
	case BK_SET_COUNT:
		break;
	}
	return false;
}

static enum bk_setting_id key_id(const char *key)
{
	for (int k = 0; k < BK_SET_COUNT; k++)
		if (strcmp(bk_setting_names[k], key) == 0)
			return (enum bk_setting_id)k;
	return BK_SET_COUNT;
}

/* ---- reading ---- */

struct reading {
	struct bk_settings s;
	struct bk_policy_origin *origin; /* may be NULL */
	int rows;
	char bad[128]; /* the first key that does not read */
};

static int read_row(void *ud, const char *key, const char *value, const char *set_by, int64_t set_at)
{
	struct reading *r = ud;
	enum bk_setting_id k = key_id(key);
	r->rows++;
	if (k == BK_SET_COUNT)
		return 0; /* a key from a newer program: this one does not use it */
	json_t *v = json_loads(value, JSON_DECODE_ANY, NULL);
	bool ok = v && decode(k, v, &r->s);
	json_decref(v);
	if (!ok) {
		snprintf(r->bad, sizeof r->bad, "%s", key);
		return 1;
	}
	if (r->origin) {
		r->origin[k].recorded = true;
		snprintf(r->origin[k].set_by, sizeof r->origin[k].set_by, "%s", set_by);
		r->origin[k].set_at = set_at;
	}
	return 0;
}

/* The policy recorded in the database, over the built-in defaults (a key
 * this program knows and the database has not recorded keeps its default). */
static enum bk_status read_policy(struct bk_ctx *ctx, struct reading *r)
{
	bk_settings_defaults(&r->s);
	enum store_status ss = store_policy_each(ctx->store, read_row, r);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	if (r->bad[0])
		return bk_fail(ctx, BK_STORAGE,
		               "the council's policy recorded in %s cannot be read (its '%s' is damaged): run "
		               "'brokerage check' and restore the last good backup",
		               store_path(ctx->store), r->bad);
	if (r->rows && r->s.cutoff_minute >= r->s.close_minute)
		return bk_fail(ctx, BK_STORAGE,
		               "the council's policy recorded in %s is damaged (its cut-off is not before "
		               "close of business): run 'brokerage check'",
		               store_path(ctx->store));
	return BK_OK;
}

static int64_t generation(struct bk_ctx *ctx, enum bk_status *st)
{
	char buf[32] = "";
	enum store_status ss = store_meta_get(ctx->store, GENERATION_KEY, buf, sizeof buf);
	*st = BK_OK;
	if (ss == STORE_NOT_FOUND)
		return 0;
	if (ss != STORE_OK) {
		*st = bk_from_store(ctx, ss);
		return 0;
	}
	return strtoll(buf, NULL, 10);
}

/* Make p the policy in force: the calendar follows it. */
static enum bk_status use_policy(struct bk_ctx *ctx, const struct bk_settings *p)
{
	if (!cal_zone_use(p->zone))
		return bk_fail(ctx, BK_STORAGE,
		               "the council's time zone '%s' is not known on this host: install tzdata", p->zone);
	ctx->policy = *p;
	for (int k = 0; k < BK_SET_COUNT; k++)
		ctx->policy.from_file[k] = false;
	ctx->settings = &ctx->policy;
	cal_rules_from_settings(&ctx->cal, &ctx->policy);
	return BK_OK;
}

enum bk_status bk_policy_refresh(struct bk_ctx *ctx)
{
	enum bk_status st;
	int64_t g = generation(ctx, &st);
	if (st != BK_OK || g == ctx->policy_generation)
		return st;
	struct reading r = { .rows = 0 };
	if ((st = read_policy(ctx, &r)) != BK_OK)
		return st;
	if (r.rows == 0)
		return BK_OK;
	if ((st = use_policy(ctx, &r.s)) != BK_OK)
		return st;
	ctx->policy_generation = g;
	ctx->policy_recorded = true;
	return BK_OK;
}

/* ---- writing ---- */

static enum bk_status bump_generation(struct bk_ctx *ctx)
{
	enum bk_status st;
	int64_t g = generation(ctx, &st) + 1;
	if (st != BK_OK)
		return st;
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", (long long)g);
	enum store_status ss = store_meta_set(ctx->store, GENERATION_KEY, buf);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	ctx->policy_generation = g;
	return BK_OK;
}

static enum bk_status put_key(struct bk_ctx *ctx, const struct bk_settings *p, enum bk_setting_id k, const char *by)
{
	json_t *v = bk_policy_value(p, k);
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(v);
	if (!text)
		return bk_fail(ctx, BK_STORAGE, "out of memory recording the policy");
	enum store_status ss = store_policy_put(ctx->store, bk_setting_names[k], text, by, ctx->now);
	free(text);
	return ss == STORE_OK ? BK_OK : bk_from_store(ctx, ss);
}

/* Record the whole of p as the first policy (inside a transaction). */
enum bk_status bk_policy_record_first(struct bk_ctx *ctx, const struct bk_settings *p, const char *source,
                                      const char *opened_by)
{
	enum bk_status st = BK_OK;
	const char *by = ctx->actor.login[0] ? ctx->actor.login : "system";
	for (int k = 0; st == BK_OK && k < BK_SET_COUNT; k++)
		st = put_key(ctx, p, (enum bk_setting_id)k, by);
	if (st == BK_OK) {
		json_t *after = policy_obj(p);
		json_object_set_new(after, "source", json_string(source));
		if (opened_by && *opened_by)
			json_object_set_new(after, "opened_by", bk_json_text(opened_by));
		st = bk_audit_obj(ctx, "policy.init", "policy", BK_POLICY_RECORD, 0, NULL, after);
	}
	if (st == BK_OK)
		st = bump_generation(ctx);
	if (st == BK_OK)
		st = use_policy(ctx, p);
	if (st == BK_OK)
		ctx->policy_recorded = true;
	return st;
}

/* At open: the recorded policy, or (a database from before the policy was
 * kept in it) the seed recorded as its first policy. The seed comes from
 * the system file or the built-in defaults, never from a personal file. */
struct policy_first {
	const struct bk_settings *seed;
	const char *opened_by;
};

static enum bk_status policy_first_tx(struct bk_ctx *ctx, void *ud)
{
	const struct policy_first *a = ud;
	if (ctx->policy_recorded)
		return BK_OK;
	char saved[sizeof ctx->actor.login];
	snprintf(saved, sizeof saved, "%s", ctx->actor.login);
	snprintf(ctx->actor.login, sizeof ctx->actor.login, "system");
	enum bk_status st = bk_policy_record_first(ctx, a->seed, a->seed->file[0] ? a->seed->file : "built-in defaults",
	                                           a->opened_by);
	snprintf(ctx->actor.login, sizeof ctx->actor.login, "%s", saved);
	if (st == BK_OK)
		st = bk_record_reference(ctx);
	return st;
}

enum bk_status bk_policy_open(struct bk_ctx *ctx, const struct bk_settings *seed, const char *opened_by, bool creating)
{
	enum bk_status st = bk_policy_refresh(ctx);
	if (st != BK_OK || ctx->policy_recorded)
		return st;
	if ((st = use_policy(ctx, seed)) != BK_OK)
		return st;
	int64_t staff = 0;
	enum store_status ss = store_staff_count(ctx->store, &staff);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	/* A file not yet initialised, one only inspected or read, or one that
	 * init is about to refuse (its first policy is the system file's, not
	 * what init was given): the seed stands in memory, nothing is written. */
	if (staff == 0 || creating || ctx->inspect_only || store_is_readonly(ctx->store))
		return BK_OK;
	struct policy_first a = { seed, opened_by };
	return bk_tx_run(ctx, policy_first_tx, &a); /* refreshes: another program may have recorded it */
}

/* The policy as recorded, key -> value, the encoding its audit events use. */
static int row_json(void *ud, const char *key, const char *value, const char *set_by, int64_t set_at)
{
	(void)set_by;
	(void)set_at;
	json_t *v = json_loads(value, JSON_DECODE_ANY, NULL);
	json_object_set_new(ud, key, v ? v : json_string(value));
	return 0;
}

enum store_status bk_policy_recorded(struct store *st, json_t **out)
{
	json_t *o = json_object();
	enum store_status s = store_policy_each(st, row_json, o);
	if (s != STORE_OK || json_object_size(o) == 0) {
		json_decref(o);
		return s != STORE_OK ? s : STORE_NOT_FOUND;
	}
	*out = o;
	return STORE_OK;
}

enum bk_status bk_policy_origins(struct bk_ctx *ctx, struct bk_policy_origin origin[BK_SET_COUNT])
{
	memset(origin, 0, sizeof(struct bk_policy_origin) * BK_SET_COUNT);
	struct reading r = { .origin = origin };
	return read_policy(ctx, &r);
}

/* ---- policy load ---- */

/* Keys that change when an offer's deadline falls. */
static bool moves_deadlines(const bool changed[BK_SET_COUNT])
{
	return changed[BK_SET_ZONE] || changed[BK_SET_RESPONSE_DAYS] || changed[BK_SET_CUTOFF] ||
	       changed[BK_SET_CLOSE] || changed[BK_SET_REGION] || changed[BK_SET_HOLIDAYS_ADD] ||
	       changed[BK_SET_HOLIDAYS_REMOVE];
}

struct moving {
	struct bk_ctx *ctx;
	struct cal_rules rules;
	struct bk_policy_change *out;
	enum bk_status st;
};

/* Where an open offer's deadline falls under other rules: from when it was
 * sent, moved later by the working days its information took. */
static int64_t deadline_under(const struct cal_rules *rules, const struct store_offer *o)
{
	int32_t received;
	int64_t d;
	if (!cal_deadline(rules, o->sent_at, &received, &d))
		return o->deadline_at;
	if (o->info_requested_at && o->info_supplied_at)
		d = cal_extend_for_info(rules, d, o->info_requested_at, o->info_supplied_at);
	return d;
}

static int collect_move(void *ud, const struct store_offer *o)
{
	struct moving *m = ud;
	int64_t d = deadline_under(&m->rules, o);
	if (d == o->deadline_at)
		return 0;
	struct bk_policy_change *c = m->out;
	struct bk_deadline_move *grown = realloc(c->moves, (size_t)(c->n_moves + 1) * sizeof *grown);
	if (!grown) {
		m->st = bk_fail(m->ctx, BK_STORAGE, "out of memory listing the offers whose deadline would move");
		return 1;
	}
	c->moves = grown;
	struct bk_deadline_move *mv = &c->moves[c->n_moves++];
	memset(mv, 0, sizeof *mv);
	mv->offer = *o;
	mv->old_deadline = o->deadline_at;
	mv->new_deadline = d;
	struct store_referral r;
	if (store_referral_get(m->ctx->store, o->referral_id, &r) == STORE_OK)
		snprintf(mv->case_ref, sizeof mv->case_ref, "%s", r.case_ref);
	bk_provider_name(m->ctx, o->provider_id, mv->provider, sizeof mv->provider);
	return 0;
}

static void warn(struct bk_policy_change *c, const char *fmt, ...) BK_PRINTF(2, 3);

static void warn(struct bk_policy_change *c, const char *fmt, ...)
{
	size_t used = strlen(c->warnings);
	if (used && used + 2 < sizeof c->warnings) {
		memcpy(c->warnings + used, "; ", 3);
		used += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->warnings + used, sizeof c->warnings - used, fmt, ap);
	va_end(ap);
}

struct in_use {
	int lot;
	const char *district;
	int count;
};

static int count_one(void *ud, const struct store_referral *r)
{
	(void)r;
	((struct in_use *)ud)->count++;
	return 0;
}

/* Open referrals in a lot or district the next policy no longer has. */
static enum bk_status note_dropped(struct bk_ctx *ctx, const struct bk_settings *next, struct bk_policy_change *c)
{
	const struct bk_settings *now = ctx->settings;
	for (int i = 0; i < now->n_lots; i++) {
		if (bk_settings_lot(next, now->lots[i].number))
			continue;
		struct in_use u = { 0 };
		struct store_referral_filter f = { .open_only = true, .lot = now->lots[i].number };
		enum store_status ss = store_referral_each(ctx->store, &f, count_one, &u);
		if (ss != STORE_OK)
			return bk_from_store(ctx, ss);
		if (u.count)
			warn(c, "lot %d (%s) is dropped but %d open referral%s in it; they keep it",
			     now->lots[i].number, now->lots[i].name, u.count, u.count == 1 ? " is" : "s are");
	}
	for (int i = 0; i < now->n_districts; i++) {
		if (bk_settings_district_index(next, now->districts[i].name) >= 0)
			continue;
		struct in_use u = { 0 };
		struct store_referral_filter f = { .open_only = true, .district = now->districts[i].name };
		enum store_status ss = store_referral_each(ctx->store, &f, count_one, &u);
		if (ss != STORE_OK)
			return bk_from_store(ctx, ss);
		if (u.count)
			warn(c, "district %s is dropped but %d open referral%s in it; they keep it",
			     now->districts[i].name, u.count, u.count == 1 ? " is" : "s are");
	}
	return BK_OK;
}

static enum bk_status apply_moves(struct bk_ctx *ctx, struct bk_policy_change *c)
{
	enum bk_status st = BK_OK;
	for (int i = 0; st == BK_OK && i < c->n_moves; i++) {
		struct store_offer after = c->moves[i].offer;
		after.deadline_at = c->moves[i].new_deadline;
		enum store_status ss = store_offer_update(ctx->store, &after);
		st = ss == STORE_OK ? bk_audit_offer(ctx, "offer.deadline-moved", &c->moves[i].offer, &after)
		                    : bk_from_store(ctx, ss);
	}
	return st;
}

static enum bk_status load_in_tx(struct bk_ctx *ctx, const struct bk_settings *next, bool apply, bool move_open,
                                 struct bk_policy_change *c)
{
	const struct bk_settings *now = ctx->settings;
	enum bk_status st;
	for (int k = 0; k < BK_SET_COUNT; k++) {
		json_t *a = bk_policy_value(now, (enum bk_setting_id)k),
		       *b = bk_policy_value(next, (enum bk_setting_id)k);
		c->changed[k] = !json_equal(a, b);
		c->n_changed += c->changed[k];
		json_decref(a);
		json_decref(b);
	}
	if (c->n_changed == 0)
		return bk_fail(ctx, BK_OK, "the policy file changes nothing: the council's policy is as it says");
	if (!cal_zone_valid(next->zone))
		return bk_fail(ctx, BK_REFUSED, "the time zone '%s' is not known on this host; nothing was changed",
		               next->zone);
	if ((st = note_dropped(ctx, next, c)) != BK_OK)
		return st;
	if (moves_deadlines(c->changed)) {
		struct moving m = { .ctx = ctx, .out = c, .st = BK_OK };
		cal_rules_from_settings(&m.rules, next);
		/* The zone is process-wide: reckon in the next one, then go back. */
		bool zoned = cal_zone_use(next->zone);
		enum store_status ss = zoned ? store_offer_each_open(ctx->store, collect_move, &m) : STORE_OK;
		cal_zone_use(now->zone);
		if (ss != STORE_OK)
			return bk_from_store(ctx, ss);
		if (m.st != BK_OK)
			return m.st;
	}
	if (!apply)
		return BK_OK;

	for (int k = 0; st == BK_OK && k < BK_SET_COUNT; k++)
		if (c->changed[k])
			st = put_key(ctx, next, (enum bk_setting_id)k, ctx->actor.login);
	if (st == BK_OK) {
		json_t *after = policy_obj(next);
		if (next->file[0])
			json_object_set_new(after, "file", bk_json_text(next->file));
		st = bk_audit_obj(ctx, "policy.load", "policy", BK_POLICY_RECORD, 0, policy_obj(now), after);
	}
	if (st == BK_OK && c->n_moves) {
		c->moved = move_open;
		st = bk_audit_obj(ctx, move_open ? "policy.deadlines-moved" : "policy.deadlines-kept", "policy",
		                  BK_POLICY_RECORD, 0, NULL,
		                  json_pack("{si ss}", "open_offers", c->n_moves, "decision",
		                            move_open ? "the open offers' deadlines move to the new rules"
		                                      : "the open offers keep the deadlines they were sent with"));
		if (st == BK_OK && move_open)
			st = apply_moves(ctx, c);
	}
	if (st == BK_OK)
		st = bump_generation(ctx);
	if (st == BK_OK)
		st = use_policy(ctx, next);
	if (st == BK_OK)
		st = bk_record_reference(ctx);
	if (st == BK_OK)
		c->applied = true;
	return st;
}

struct policy_load {
	const struct bk_settings *next;
	bool apply, move_open;
	struct bk_policy_change *c;
	bool read; /* before and gen are the policy as the transaction began */
	struct bk_settings before;
	int64_t gen;
};

static enum bk_status policy_load_tx(struct bk_ctx *ctx, void *ud)
{
	struct policy_load *a = ud;
	bk_policy_change_finish(a->c);
	memset(a->c, 0, sizeof *a->c);
	a->before = ctx->policy;
	a->gen = ctx->policy_generation;
	a->read = true;
	return load_in_tx(ctx, a->next, a->apply, a->move_open, a->c);
}

enum bk_status bk_policy_load(struct bk_ctx *ctx, const struct bk_settings *next, bool apply, bool move_open,
                              struct bk_policy_change *c)
{
	memset(c, 0, sizeof *c);
	enum bk_status st = bk_require(ctx, PERM_SET_POLICY);
	if (st != BK_OK)
		return st;
	struct policy_load a = { .next = next, .apply = apply, .move_open = move_open, .c = c };
	st = apply ? bk_tx_run(ctx, policy_load_tx, &a) : bk_tx_try(ctx, policy_load_tx, &a);
	if ((!apply || st != BK_OK) && a.read) {
		/* A preview, or a refusal: nothing is kept, in the file or here. */
		use_policy(ctx, &a.before);
		ctx->policy_generation = a.gen;
		c->applied = false;
	}
	return st;
}

void bk_policy_change_finish(struct bk_policy_change *c)
{
	if (!c)
		return;
	free(c->moves);
	c->moves = NULL;
	c->n_moves = 0;
}
