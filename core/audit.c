/* The audit trail's encoding: records as JSON (the whole record, or the
 * fields a change touched), text for JSON, and the events every action
 * appends with the history the reports read. */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "core/text.h"

/* ---- the canonical text of a record ----
 *
 * Every payload is written as jansson's json_dumps writes it with
 * JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII (the hash chain is over
 * those bytes), but without jansson's writer: it sorts every object's keys
 * with qsort and passes each piece through a callback, most of an import's
 * time after the inserts. What this writer does not know (a real number,
 * text that is not UTF-8, a top level that is not an object or array)
 * goes to jansson whole. tests/test_audit.c compares the two. */
struct canon {
	char *s;
	size_t n, cap;
	bool other; /* met what only jansson writes */
};

static void canon_put(struct canon *c, const char *p, size_t k)
{
	if (c->other)
		return;
	if (c->n + k + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 256;
		while (c->n + k + 1 > cap)
			cap *= 2;
		char *s = realloc(c->s, cap);
		if (!s) {
			c->other = true; /* jansson then says it is out of memory */
			return;
		}
		c->s = s;
		c->cap = cap;
	}
	memcpy(c->s + c->n, p, k);
	c->n += k;
}

/* One UTF-8 sequence at p (of at most len bytes) as a code point, its
 * length in *k; false where jansson's check would refuse it. */
static bool canon_utf8(const unsigned char *p, size_t len, int32_t *cp, size_t *k)
{
	unsigned char u = p[0];
	size_t n;
	int32_t v;
	if (u >= 0xC2 && u <= 0xDF) {
		n = 2;
		v = u & 0x1F;
	} else if (u >= 0xE0 && u <= 0xEF) {
		n = 3;
		v = u & 0x0F;
	} else if (u >= 0xF0 && u <= 0xF4) {
		n = 4;
		v = u & 0x07;
	} else {
		return false;
	}
	if (n > len)
		return false;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return false;
		v = (v << 6) | (p[i] & 0x3F);
	}
	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (n == 3 && v < 0x800) || (n == 4 && v < 0x10000))
		return false;
	*cp = v;
	*k = n;
	return true;
}

static void canon_u(struct canon *c, unsigned v)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[6] = { '\\', 'u', hex[(v >> 12) & 15], hex[(v >> 8) & 15], hex[(v >> 4) & 15], hex[v & 15] };
	canon_put(c, e, sizeof e);
}

static void canon_string(struct canon *c, const char *str, size_t len)
{
	const unsigned char *p = (const unsigned char *)str, *end = p + len, *run = p;
	canon_put(c, "\"", 1);
	while (p < end) {
		unsigned char u = *p;
		if (u >= 0x20 && u < 0x80 && u != '"' && u != '\\') {
			p++;
			continue;
		}
		canon_put(c, (const char *)run, (size_t)(p - run));
		if (u < 0x80) {
			const char *e = u == '"'    ? "\\\""
			                : u == '\\' ? "\\\\"
			                : u == '\b' ? "\\b"
			                : u == '\f' ? "\\f"
			                : u == '\n' ? "\\n"
			                : u == '\r' ? "\\r"
			                : u == '\t' ? "\\t"
			                            : NULL;
			if (e)
				canon_put(c, e, 2);
			else
				canon_u(c, u);
			p++;
		} else {
			int32_t cp;
			size_t k;
			if (!canon_utf8(p, (size_t)(end - p), &cp, &k)) {
				c->other = true;
				return;
			}
			if (cp < 0x10000) {
				canon_u(c, (unsigned)cp);
			} else {
				cp -= 0x10000;
				canon_u(c, 0xD800u | (((unsigned)cp & 0xFFC00u) >> 10));
				canon_u(c, 0xDC00u | ((unsigned)cp & 0x3FFu));
			}
			p += k;
		}
		run = p;
	}
	canon_put(c, (const char *)run, (size_t)(p - run));
	canon_put(c, "\"", 1);
}

struct canon_key {
	const char *key;
	size_t len;
	json_t *value;
};

/* jansson's order of keys: bytes, then length */
static int canon_key_cmp(const struct canon_key *a, const struct canon_key *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int d = memcmp(a->key, b->key, n);
	return d ? d : (a->len > b->len) - (a->len < b->len);
}

static void canon_value(struct canon *c, json_t *v)
{
	char num[24];
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		size_t n = json_object_size(v);
		struct canon_key small[48], *keys = n <= 48 ? small : malloc(n * sizeof *keys);
		if (!keys) {
			c->other = true;
			return;
		}
		size_t k = 0;
		for (void *it = json_object_iter(v); it && k < n; it = json_object_iter_next(v, it), k++) {
			/* sorted as they come: a handful of keys, mostly in order already */
			struct canon_key x = { json_object_iter_key(it), json_object_iter_key_len(it),
				               json_object_iter_value(it) };
			size_t i = k;
			while (i > 0 && canon_key_cmp(&keys[i - 1], &x) > 0) {
				keys[i] = keys[i - 1];
				i--;
			}
			keys[i] = x;
		}
		canon_put(c, "{", 1);
		for (size_t i = 0; i < k && !c->other; i++) {
			if (i)
				canon_put(c, ",", 1);
			canon_string(c, keys[i].key, keys[i].len);
			canon_put(c, ":", 1);
			canon_value(c, keys[i].value);
		}
		canon_put(c, "}", 1);
		if (keys != small)
			free(keys);
		return;
	}
	case JSON_ARRAY:
		canon_put(c, "[", 1);
		for (size_t i = 0; i < json_array_size(v) && !c->other; i++) {
			if (i)
				canon_put(c, ",", 1);
			canon_value(c, json_array_get(v, i));
		}
		canon_put(c, "]", 1);
		return;
	case JSON_STRING:
		canon_string(c, json_string_value(v), json_string_length(v));
		return;
	case JSON_INTEGER:
		canon_put(c, num, (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v)));
		return;
	case JSON_TRUE:
		canon_put(c, "true", 4);
		return;
	case JSON_FALSE:
		canon_put(c, "false", 5);
		return;
	case JSON_NULL:
		canon_put(c, "null", 4);
		return;
	default:
		c->other = true; /* a real: jansson's way of writing it */
		return;
	}
}

char *bk_audit_canonical(json_t *o)
{
	if (!o)
		return NULL;
	struct canon c = { 0 };
	if (json_is_object(o) || json_is_array(o))
		canon_value(&c, o);
	else
		c.other = true;
	if (!c.other) {
		canon_put(&c, "", 0);
		if (!c.other) {
			c.s[c.n] = '\0';
			return c.s;
		}
	}
	free(c.s);
	return json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
}

static char *dump(json_t *o)
{
	if (!o)
		return NULL;
	char *s = bk_audit_canonical(o);
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
	FK_I64,     /* int64_t, a number */
	FK_INT,     /* int, a number */
	FK_BOOL,    /* bool */
	FK_STR,     /* char[], always a string */
	FK_TEXT,    /* char[], null when empty */
	FK_DATE,    /* int32_t day, "YYYY-MM-DD" or null */
	FK_TIME,    /* int64_t UTC seconds, ISO 8601 or null when 0 */
	FK_STATUS,  /* enum wf_status, its name */
	FK_PAUSED,  /* a referral's paused_from: its name while paused, else null */
	FK_OSTATUS, /* enum wf_offer_status, its name */
};

struct field {
	const char *name;
	enum field_kind kind;
	size_t off;
};

#define RF(name, kind)                                             \
	{                                                          \
#name, kind, offsetof(struct store_referral, name) \
	}
static const struct field referral_fields[] = {
	RF(id, FK_I64),
	RF(case_ref, FK_STR),
	RF(lot, FK_INT),
	RF(district, FK_STR),
	RF(hours_minutes, FK_INT),
	RF(panel_date, FK_DATE),
	RF(start_date, FK_DATE),
	RF(age, FK_INT),
	RF(urgent, FK_BOOL),
	RF(note, FK_TEXT),
	RF(status, FK_STATUS),
	RF(paused_from, FK_PAUSED),
	RF(holder_id, FK_I64),
	RF(created_by, FK_I64),
	RF(approved_by, FK_I64),
	RF(escalated, FK_BOOL),
	RF(sourced_at, FK_TIME),
	RF(route, FK_TEXT),
	RF(ended_on, FK_DATE),
	RF(sourced_provider_id, FK_I64),
	RF(closed_at, FK_TIME),
	RF(close_reason, FK_TEXT),
	RF(weekly_cost, FK_I64),
	RF(version, FK_I64),
	RF(erased, FK_BOOL),
};
#undef RF

#define OF(name, kind)                                          \
	{                                                       \
#name, kind, offsetof(struct store_offer, name) \
	}
static const struct field offer_fields[] = {
	OF(id, FK_I64),
	OF(referral_id, FK_I64),
	OF(provider_id, FK_I64),
	OF(rank, FK_INT),
	OF(status, FK_OSTATUS),
	OF(confirmed, FK_BOOL),
	OF(sent_at, FK_TIME),
	OF(received_on, FK_DATE),
	OF(deadline_at, FK_TIME),
	OF(answered_at, FK_TIME),
	OF(reason, FK_TEXT),
	OF(start_date, FK_DATE),
	OF(info_requested_at, FK_TIME),
	OF(info_supplied_at, FK_TIME),
	OF(via, FK_TEXT),
	OF(decline_code, FK_TEXT),
	OF(recorded_at, FK_TIME),
	OF(handed_back_on, FK_DATE),
	OF(handed_back_at, FK_TIME),
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
	case FK_I64:
		memcpy(&i64, p, sizeof i64);
		return json_integer((json_int_t)i64);
	case FK_INT:
		memcpy(&i, p, sizeof i);
		return json_integer(i);
	case FK_BOOL:
		memcpy(&b, p, sizeof b);
		return json_boolean(b);
	case FK_STR:
		return json_string(p);
	case FK_TEXT:
		return jstr(p);
	case FK_DATE:
		memcpy(&day, p, sizeof day);
		return jdate(day);
	case FK_TIME:
		memcpy(&i64, p, sizeof i64);
		return bk_json_time(i64);
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
	case FK_TIME:
		return memcmp(x, y, sizeof(int64_t)) == 0;
	case FK_INT:
		return memcmp(x, y, sizeof(int)) == 0;
	case FK_BOOL:
		return memcmp(x, y, sizeof(bool)) == 0;
	case FK_DATE:
		return memcmp(x, y, sizeof(int32_t)) == 0;
	case FK_STATUS:
		return memcmp(x, y, sizeof(enum wf_status)) == 0;
	case FK_PAUSED:
		return paused_from(a) == paused_from(b);
	case FK_OSTATUS:
		return memcmp(x, y, sizeof(enum wf_offer_status)) == 0;
	case FK_STR:
	case FK_TEXT:
		return strcmp(x, y) == 0;
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
static void record_changes(const struct field *fs, size_t n, const void *before, const void *after, char **b, char **a)
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
	json_t *o = json_pack("{sI ss sb so so ss so si si sI sb}", "id", (json_int_t)p->id, "name", p->name,
	                      "framework", p->framework, "cqc_id", jstr(p->cqc_id), "pamms", jstr(p->pamms), "risk",
	                      p->risk, "embargo", jstr(p->embargo), "age_min", p->age_min, "age_max", p->age_max,
	                      "rate", (json_int_t)p->rate, "active", p->active);
	/* only when kept: the trail of a provider from before schema 4 has none */
	if (o && p->emails[0])
		json_object_set_new(o, "emails", json_string(p->emails));
	return o;
}

json_t *bk_spot_obj(const struct store_spot *s)
{
	return (json_pack("{sI sI sI sI si si sI sI sI so ss sI sI so so so}", "id", (json_int_t)s->id, "referral_id",
	                  (json_int_t)s->referral_id, "provider_id", (json_int_t)s->provider_id, "rate",
	                  (json_int_t)s->rate, "hours_minutes", s->hours_minutes, "weeks", s->weeks, "weekly_cost",
	                  (json_int_t)s->weekly_cost, "annual_cost", (json_int_t)s->annual_cost, "framework_rate",
	                  (json_int_t)s->framework_rate, "justification", jstr(s->justification), "status",
	                  wf_spot_status_name(s->status), "requested_by", (json_int_t)s->requested_by, "decided_by",
	                  (json_int_t)s->decided_by, "decided_at", bk_json_time(s->decided_at), "note", jstr(s->note),
	                  "key_decision", jstr(s->key_decision)));
}

json_t *bk_staff_obj(const struct store_staff *s)
{
	return (json_pack("{sI ss so ss sb}", "id", (json_int_t)s->id, "login", s->login, "name", jstr(s->name), "role",
	                  s->role, "active", s->active));
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
	json_object_foreach(a, key, value)
	{
		json_t *old = json_object_get(b, key);
		if (strcmp(key, "id") == 0 || !old || !json_equal(old, value)) {
			json_object_set(ad, key, value);
			json_object_set(bd, key, old ? old : json_null());
		}
	}
	json_object_foreach(b, key, value)
	{
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
static enum bk_status offer_history(struct bk_ctx *ctx, const struct store_offer *before,
                                    const struct store_offer *after)
{
	enum store_status ss = STORE_OK;
	if (!before) {
		ss = store_offer_deadline_add(ctx->store, after->id, after->deadline_at, after->sent_at,
		                              STORE_DEADLINE_SENT);
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
