/* The records against the audit trail: each record replayed from its
 * events (the first carries the whole record, each change the fields it
 * changed, before and after) must equal the record stored, field by
 * field, in the encoding the trail uses. A record edited behind the
 * program's back (five bytes of a note, a risk rating, a role) is named
 * with the field and the event that last set it.
 *
 * One kind of record is one line of the table below: the entity its
 * events name and how to read the stored record by id in the trail's
 * encoding. The council's policy is one record (entity "policy", id 1)
 * whose events map its keys to their values. */
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

/* The stored record id as the trail encodes it: STORE_OK with *out set,
 * STORE_NOT_FOUND when there is none. */
typedef enum store_status (*replay_get_fn)(struct store *st, int64_t id, json_t **out);

static enum store_status get_referral(struct store *st, int64_t id, json_t **out)
{
	struct store_referral r;
	enum store_status s = store_referral_get(st, id, &r);
	if (s == STORE_OK)
		*out = r.erased ? json_null() : bk_referral_obj(&r); /* erased: its history is gone on purpose */
	return s;
}

static enum store_status get_offer(struct store *st, int64_t id, json_t **out)
{
	struct store_offer o;
	enum store_status s = store_offer_get(st, id, &o);
	if (s == STORE_OK)
		*out = bk_offer_obj(&o);
	return s;
}

static enum store_status get_spot(struct store *st, int64_t id, json_t **out)
{
	struct store_spot x;
	enum store_status s = store_spot_get(st, id, &x);
	if (s == STORE_OK)
		*out = bk_spot_obj(&x);
	return s;
}

static enum store_status get_provider(struct store *st, int64_t id, json_t **out)
{
	struct store_provider p;
	enum store_status s = store_provider_by_id(st, id, &p);
	if (s == STORE_OK)
		*out = bk_provider_obj(&p);
	return s;
}

static enum store_status get_staff(struct store *st, int64_t id, json_t **out)
{
	struct store_staff x;
	enum store_status s = store_staff_by_id(st, id, &x);
	if (s == STORE_OK)
		*out = bk_staff_obj(&x);
	return s;
}

/* A lot's rankings as their events name them: "lot 1 North" -> the
 * providers' names in rank order, joined by " | ". */
struct ranking_text {
	struct store *st;
	json_t *o;
	char key[96];
	char names[2048];
	size_t off;
};

static void ranking_flush(struct ranking_text *t)
{
	if (t->key[0])
		json_object_set_new(t->o, t->key, json_string(t->names));
	t->key[0] = '\0';
	t->names[0] = '\0';
	t->off = 0;
}

static int ranking_row(void *ud, const struct store_rank *r)
{
	struct ranking_text *t = ud;
	char key[96];
	snprintf(key, sizeof key, "lot %d %s", r->lot, r->district);
	if (strcmp(key, t->key) != 0) {
		ranking_flush(t);
		snprintf(t->key, sizeof t->key, "%s", key);
	}
	struct store_provider p;
	const char *name = store_provider_by_id(t->st, r->provider_id, &p) == STORE_OK ? p.name : "";
	bk_ranking_join(t->names, sizeof t->names, &t->off, name);
	return 0;
}

static enum store_status get_ranking(struct store *st, int64_t lot, json_t **out)
{
	struct ranking_text t = { .st = st, .o = json_object() };
	enum store_status s = store_ranking_each(st, (int)lot, NULL, ranking_row, &t);
	ranking_flush(&t);
	if (s != STORE_OK) {
		json_decref(t.o);
		return s;
	}
	*out = t.o;
	return STORE_OK;
}

static enum store_status get_policy(struct store *st, int64_t id, json_t **out)
{
	return id == BK_POLICY_RECORD ? bk_policy_recorded(st, out) : STORE_NOT_FOUND;
}

/* Offer fields that programs before the complete trail changed without
 * recording (meta offer_trail_complete_from): compared for an older offer
 * only once an event of the complete trail has set them. */
static const char *const offer_lossy[] = { "answered_at",       "deadline_at",      "reason", "start_date",
	                                   "info_requested_at", "info_supplied_at", NULL };

static const struct replay_kind {
	const char *entity; /* as events name it */
	const char *label;  /* as the report names it */
	replay_get_fn get;
	const char *const *lossy;
	bool single; /* one record of its kind: named without its id */
} kinds[] = {
	{ "referral", "referral", get_referral, NULL, false },
	{ "offer", "offer", get_offer, offer_lossy, false },
	{ "spot_request", "spot request", get_spot, NULL, false },
	{ "provider", "provider", get_provider, NULL, false },
	{ "staff", "staff record", get_staff, NULL, false },
	{ "ranking", "the rankings of lot", get_ranking, NULL, false },
	{ "policy", "the council's policy", get_policy, NULL, true },
};

struct replay {
	struct store *st;
	const struct replay_kind *kind;
	bk_check_report_fn report;
	void *ud;
	int *problems;
	int64_t id;       /* the record being replayed, 0 before the first */
	int64_t referral; /* the referral it concerns */
	json_t *state;    /* the record as its events describe it */
	json_t *setby;    /* field -> seq of the event that last set it */
	int64_t last_seq;
	int64_t first_seq;     /* the record's first event */
	bool whole;            /* that event carried the whole record (made by the program, not imported) */
	int64_t complete_from; /* the first event of the complete trail */
	bool erased;           /* a payload erased under the retention rules */
	enum store_status failed;
	int64_t records;
};

static void say(struct replay *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct replay *r, const char *fmt, ...)
{
	char line[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (r->report)
		r->report(r->ud, line);
	(*r->problems)++;
}

/* A JSON value in a few words for the report. */
static void brief(json_t *v, char *buf, size_t len)
{
	char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	if (!s) {
		snprintf(buf, len, "nothing");
		return;
	}
	if (strlen(s) > 60)
		snprintf(buf, len, "%.57s...", s);
	else
		snprintf(buf, len, "%s", s);
	free(s);
}

/* A field an older program may have changed without saying so. */
static bool lossy(const struct replay *r, const char *key)
{
	if (!r->kind->lossy || r->first_seq >= r->complete_from)
		return false;
	json_t *seq = json_object_get(r->setby, key);
	if (seq && json_integer_value(seq) >= r->complete_from)
		return false;
	for (const char *const *k = r->kind->lossy; *k; k++)
		if (strcmp(*k, key) == 0)
			return true;
	return false;
}

/* "offer 12", or "the council's policy" */
static void record_name(const struct replay *r, char *buf, size_t len)
{
	if (r->kind->single)
		snprintf(buf, len, "%s", r->kind->label);
	else
		snprintf(buf, len, "%s %" PRId64, r->kind->label, r->id);
}

/* The replayed record against the stored one. */
static void finish_record(struct replay *r)
{
	char name[96];
	record_name(r, name, sizeof name);
	if (!r->id)
		return;
	r->records++;
	json_t *stored = NULL;
	enum store_status s = r->kind->get(r->st, r->id, &stored);
	if (s == STORE_NOT_FOUND) {
		bool erased_referral = false;
		struct store_referral ref;
		if (r->referral && store_referral_get(r->st, r->referral, &ref) == STORE_OK)
			erased_referral = ref.erased;
		if (!erased_referral)
			say(r, "%s: recorded by the audit trail (event %" PRId64 ") but gone from the database", name,
			    r->last_seq);
	} else if (s != STORE_OK) {
		r->failed = s;
	} else if (json_is_object(stored) && !r->erased) {
		if (!r->state) {
			/* events with no values (reads): nothing to compare */
		} else {
			const char *key;
			json_t *value;
			json_object_foreach(stored, key, value)
			{
				json_t *want = json_object_get(r->state, key);
				if (want && json_equal(want, value))
					continue;
				/* A record imported (recorded as a data.import, not one
				 * by one) is known only by the fields its changes set. */
				if (!want && !r->whole)
					continue;
				/* A field added to the record later (schema 6: how an
				 * answer came, a hand-back) is null on a record made
				 * before it, whose first event could not name it. */
				if (!want && json_is_null(value))
					continue;
				if (lossy(r, key))
					continue;
				char have_s[80], want_s[80];
				brief(value, have_s, sizeof have_s);
				brief(want, want_s, sizeof want_s);
				json_t *seq = json_object_get(r->setby, key);
				say(r,
				    "%s: %s is %s in the database but %s in the audit trail (event %" PRId64
				    "): changed outside the program",
				    name, key, have_s, want_s, seq ? (int64_t)json_integer_value(seq) : r->last_seq);
				break; /* one line a record: the first field that differs */
			}
		}
	}
	json_decref(stored);
	json_decref(r->state);
	json_decref(r->setby);
	r->state = NULL;
	r->setby = NULL;
	r->erased = false;
	r->whole = false;
}

static int replay_event(void *ud, const struct store_event *e)
{
	struct replay *r = ud;
	if (e->entity_id != r->id) {
		finish_record(r);
		if (r->failed != STORE_OK)
			return 1;
		r->id = e->entity_id;
		r->first_seq = e->seq;
		r->referral = e->referral_id;
		r->setby = json_object();
	}
	r->last_seq = e->seq;
	if (e->payload_erased) {
		r->erased = true;
		return 0;
	}
	json_t *after = e->after ? json_loads(e->after, 0, NULL) : NULL;
	if (!json_is_object(after)) {
		json_decref(after);
		return 0;
	}
	if (!r->state) {
		r->state = json_object();
		/* the record as made: no before, and the whole record with its id */
		r->whole = !e->before && json_object_get(after, "id") != NULL;
	}
	const char *key;
	json_t *value;
	json_object_foreach(after, key, value)
	{
		json_object_set(r->state, key, value);
		json_object_set_new(r->setby, key, json_integer(e->seq));
	}
	json_decref(after);
	return 0;
}

enum store_status bk_check_content(struct store *st, bk_check_report_fn report, void *ud, int *problems)
{
	char mark[32] = "";
	int64_t complete_from = INT64_MAX; /* unknown: every offer is an older one */
	if (store_meta_get(st, "offer_trail_complete_from", mark, sizeof mark) == STORE_OK)
		complete_from = strtoll(mark, NULL, 10);
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		struct replay r = { .st = st,
			            .kind = &kinds[k],
			            .report = report,
			            .ud = ud,
			            .problems = problems,
			            .failed = STORE_OK,
			            .complete_from = complete_from };
		enum store_status s = store_audit_each_of_entity(st, kinds[k].entity, replay_event, &r);
		if (s == STORE_OK && r.failed == STORE_OK)
			finish_record(&r);
		json_decref(r.state);
		json_decref(r.setby);
		if (s != STORE_OK)
			return s;
		if (r.failed != STORE_OK)
			return r.failed;
	}
	return STORE_OK;
}
