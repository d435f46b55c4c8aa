/* Audit events in sentences (describe.h). The before and after JSON are
 * read with jansson; each field the records carry has a label and a way of
 * being said, so no raw field name reaches a screen. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/calendar.h"
#include "core/describe.h"
#include "core/money.h"
#include "core/workflow.h"

const char *bk_status_words(const char *status)
{
	static const struct {
		const char *name, *words;
	} w[] = {
		{ "info_requested", "information requested" },
		{ "spot_requested", "spot requested" },
		{ "team_leader", "team leader" },
		{ "admin", "administrator" },
	};
	if (!status)
		return "";
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
		if (strcmp(status, w[i].name) == 0)
			return w[i].words;
	return status;
}

/* ---- the sentence being written ---- */

struct out {
	char *buf;
	size_t len, off;
	const struct bk_event_names *names;
};

static void say(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct out *o, const char *fmt, ...)
{
	if (o->off + 1 >= o->len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(o->buf + o->off, o->len - o->off, fmt, ap);
	va_end(ap);
	if (w < 0)
		return;
	o->off += (size_t)w;
	if (o->off >= o->len)
		o->off = o->len - 1;
}

/* ---- values ---- */

enum kind {
	K_SKIP, /* said by the lead, or bookkeeping (id, version) */
	K_TEXT,
	K_STATUS,
	K_TIME,     /* "2026-11-25T17:00:00Z" */
	K_DATE,     /* "2026-11-25" */
	K_MONEY,    /* pence */
	K_RATE,     /* pence an hour */
	K_HOURS,    /* minutes a week */
	K_PROVIDER, /* a provider id */
	K_STAFF,    /* a staff id */
	K_FLAG,     /* true/false, said by its two phrases */
	K_NUMBER,
};

struct field {
	const char *key;
	enum kind kind;
	const char *label; /* K_FLAG: said when it becomes true */
	const char *off;   /* K_FLAG: said when it becomes false */
};

static const struct field fields[] = {
	{ "id", K_SKIP, NULL, NULL },
	{ "version", K_SKIP, NULL, NULL },
	{ "referral_id", K_SKIP, NULL, NULL },
	{ "status", K_STATUS, "status", NULL },
	{ "paused_from", K_SKIP, NULL, NULL }, /* the status change says it */
	{ "provider_id", K_PROVIDER, "provider", NULL },
	{ "sourced_provider_id", K_PROVIDER, "sourced with", NULL },
	{ "holder_id", K_STAFF, "held by", NULL },
	{ "created_by", K_STAFF, "recorded by", NULL },
	{ "approved_by", K_STAFF, "approved by", NULL },
	{ "requested_by", K_STAFF, "asked by", NULL },
	{ "decided_by", K_STAFF, "decided by", NULL },
	{ "hours_minutes", K_HOURS, "hours a week", NULL },
	{ "weekly_cost", K_MONEY, "weekly cost", NULL },
	{ "annual_cost", K_MONEY, "yearly cost", NULL },
	{ "rate", K_RATE, "hourly rate", NULL },
	{ "framework_rate", K_RATE, "framework rate", NULL },
	{ "deadline_at", K_TIME, "answer due", NULL },
	{ "sent_at", K_TIME, "sent", NULL },
	{ "answered_at", K_TIME, "answered", NULL },
	{ "info_requested_at", K_TIME, "information asked for", NULL },
	{ "info_supplied_at", K_TIME, "information supplied", NULL },
	{ "sourced_at", K_TIME, "sourced", NULL },
	{ "closed_at", K_TIME, "closed", NULL },
	{ "decided_at", K_TIME, "decided", NULL },
	{ "panel_date", K_DATE, "panel date", NULL },
	{ "start_date", K_DATE, "start date", NULL },
	{ "received_on", K_DATE, "received", NULL },
	{ "ended_on", K_DATE, "ended on", NULL },
	{ "closed_on", K_DATE, "closed on", NULL },
	{ "close_reason", K_TEXT, "reason", NULL },
	{ "reason", K_TEXT, "reason", NULL },
	{ "note", K_TEXT, "note", NULL },
	{ "justification", K_TEXT, "justification", NULL },
	{ "key_decision", K_TEXT, "key-decision reference", NULL },
	{ "case_ref", K_TEXT, "case reference", NULL },
	{ "district", K_TEXT, "district", NULL },
	{ "lot", K_NUMBER, "lot", NULL },
	{ "age", K_NUMBER, "age", NULL },
	{ "age_min", K_NUMBER, "youngest age", NULL },
	{ "age_max", K_NUMBER, "oldest age", NULL },
	{ "weeks", K_NUMBER, "weeks", NULL },
	{ "route", K_TEXT, "route", NULL },
	{ "name", K_TEXT, "name", NULL },
	{ "login", K_TEXT, "login", NULL },
	{ "role", K_STATUS, "role", NULL },
	{ "cqc_id", K_TEXT, "CQC id", NULL },
	{ "pamms", K_TEXT, "PAMMS rating", NULL },
	{ "risk", K_TEXT, "risk", NULL },
	{ "embargo", K_TEXT, "embargo", NULL },
	{ "urgent", K_FLAG, "marked urgent", "no longer urgent" },
	{ "escalated", K_FLAG, "escalated", "no longer escalated" },
	{ "confirmed", K_FLAG, "confirmed", "no longer confirmed" },
	{ "active", K_FLAG, "made active", "deactivated" },
	{ "erased", K_FLAG, "erased", "no longer erased" },
	{ "framework", K_FLAG, "on the framework", "off the framework" },
	{ "cqc_required", K_FLAG, "CQC registration required", "CQC registration not required" },
};

static const struct field *field_of(const char *key)
{
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (strcmp(fields[i].key, key) == 0)
			return &fields[i];
	return NULL;
}

static bool is_unset(const json_t *v)
{
	return !v || json_is_null(v) || (json_is_string(v) && !json_string_value(v)[0]) ||
	       (json_is_integer(v) && json_integer_value(v) == 0) || json_is_false(v);
}

static const char *provider_name(const struct out *o, int64_t id, char *buf, size_t len)
{
	const char *n = o->names && o->names->provider ? o->names->provider(o->names->ud, id) : NULL;
	if (n && n[0])
		return n;
	snprintf(buf, len, "provider %lld", (long long)id);
	return buf;
}

static const char *staff_name(const struct out *o, int64_t id, char *buf, size_t len)
{
	const char *n = o->names && o->names->staff ? o->names->staff(o->names->ud, id) : NULL;
	if (n && n[0])
		return n;
	snprintf(buf, len, "staff member %lld", (long long)id);
	return buf;
}

static void money_text(const struct out *o, int64_t pence, char *buf, size_t len)
{
	money_format(pence, o->names && o->names->ascii, buf, len);
}

/* A value as words, into buf. */
static const char *value_text(const struct out *o, const struct field *f, const json_t *v, char *buf, size_t len)
{
	if (!v || json_is_null(v))
		return "none";
	enum kind k = f ? f->kind : K_TEXT;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (k == K_STATUS)
			return bk_status_words(s);
		if (k == K_TIME) {
			int64_t t;
			if (cal_parse_time(s, &t, NULL, 0)) {
				cal_format_local(t, buf, len);
				return buf;
			}
		}
		if (k == K_DATE) {
			int32_t d;
			if (cal_parse_date(s, &d, NULL, 0)) {
				cal_format_day(d, buf, len);
				return buf;
			}
		}
		snprintf(buf, len, "%s", s);
		return buf;
	}
	if (json_is_integer(v)) {
		int64_t n = (int64_t)json_integer_value(v);
		switch (k) {
		case K_MONEY:
			money_text(o, n, buf, len);
			return buf;
		case K_RATE: {
			char m[48];
			money_text(o, n, m, sizeof m);
			snprintf(buf, len, "%s an hour", m);
			return buf;
		}
		case K_HOURS:
			hours_format((int)n, buf, len);
			return buf;
		case K_PROVIDER:
			return provider_name(o, n, buf, len);
		case K_STAFF:
			return staff_name(o, n, buf, len);
		default:
			snprintf(buf, len, "%lld", (long long)n);
			return buf;
		}
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "yes" : "no";
	if (json_is_array(v)) {
		size_t off = 0, i;
		json_t *e;
		buf[0] = '\0';
		json_array_foreach(v, i, e)
		{
			if (off + 1 >= len)
				break;
			const char *s = json_is_string(e) ? json_string_value(e) : "...";
			int w = snprintf(buf + off, len - off, "%s%s", i ? ", " : "", s);
			if (w < 0)
				break;
			off += (size_t)w;
		}
		return off ? buf : "none";
	}
	return "(several values)";
}

/* A field's label; a key the table does not know, with its underscores as spaces. */
static const char *label_of(const struct field *f, const char *key, char *buf, size_t len)
{
	if (f)
		return f->label;
	snprintf(buf, len, "%s", key);
	for (char *p = buf; *p; p++)
		if (*p == '_')
			*p = ' ';
	return buf;
}

/* A label that reads straight into its value: "sourced with Acme Care",
 * "held by staff member 3", "ended on Mon 2 Jun 2025". */
static bool direct(const char *label)
{
	size_t n = strlen(label);
	return (n > 3 && strcmp(label + n - 3, " by") == 0) || (n > 5 && strcmp(label + n - 5, " with") == 0) ||
	       (n > 3 && strcmp(label + n - 3, " on") == 0);
}

static void clause(struct out *o, bool *first)
{
	say(o, "%s", *first ? "" : "; ");
	*first = false;
}

/* What changed between before and after, field by field, as clauses:
 * "status changed from searching to sourced; weekly cost set to £106.00". */
static void changes(struct out *o, const json_t *before, const json_t *after, const char *const *skip, bool *first)
{
	const char *key;
	json_t *nv;
	json_object_foreach((json_t *)after, key, nv)
	{
		bool skipped = false;
		for (int i = 0; skip && skip[i]; i++)
			skipped |= strcmp(skip[i], key) == 0;
		const struct field *f = field_of(key);
		if (skipped || (f && f->kind == K_SKIP))
			continue;
		json_t *ov = before ? json_object_get(before, key) : NULL;
		if (ov && json_equal(ov, nv))
			continue;
		if (!ov && is_unset(nv))
			continue;
		char a[400], b[400], l[64];
		const char *label = label_of(f, key, l, sizeof l);
		if (f && f->kind == K_FLAG) {
			clause(o, first);
			say(o, "%s", json_is_true(nv) ? f->label : f->off);
			continue;
		}
		clause(o, first);
		if (is_unset(ov) && !is_unset(nv) && direct(label))
			say(o, "%s %s", label, value_text(o, f, nv, a, sizeof a));
		else if (is_unset(ov) && !is_unset(nv))
			say(o, "%s set to %s", label, value_text(o, f, nv, a, sizeof a));
		else if (is_unset(nv) && (!f || (f->kind != K_NUMBER && f->kind != K_MONEY)))
			say(o, "%s cleared (was %s)", label, value_text(o, f, ov, b, sizeof b));
		else
			say(o, "%s changed from %s to %s", label, value_text(o, f, ov, b, sizeof b),
			    value_text(o, f, nv, a, sizeof a));
	}
	if (!before)
		return;
	json_object_foreach((json_t *)before, key, nv)
	{
		const struct field *f = field_of(key);
		bool skipped = false;
		for (int i = 0; skip && skip[i]; i++)
			skipped |= strcmp(skip[i], key) == 0;
		if (skipped || (f && f->kind == K_SKIP) || json_object_get(after, key) || is_unset(nv))
			continue;
		char b[400], l[64];
		clause(o, first);
		say(o, "%s was %s", label_of(f, key, l, sizeof l), value_text(o, f, nv, b, sizeof b));
	}
}

/* ---- reading the payload ---- */

static const char *str(const json_t *obj, const char *key)
{
	const json_t *v = obj ? json_object_get(obj, key) : NULL;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int64_t num(const json_t *obj, const char *key)
{
	const json_t *v = obj ? json_object_get(obj, key) : NULL;
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static const char *when(const json_t *obj, const char *key, char *buf, size_t len)
{
	static const struct field f = { "", K_TIME, "", NULL };
	const json_t *v = obj ? json_object_get(obj, key) : NULL;
	return v && json_is_string(v) ? value_text(NULL, &f, v, buf, len) : NULL;
}

/* The provider of an offer event: by the offer's provider, else its id. */
static const char *offer_provider(const struct out *o, const json_t *before, const json_t *after, char *buf, size_t len)
{
	int64_t pid = num(after, "provider_id");
	if (!pid)
		pid = num(before, "provider_id");
	if (pid)
		return provider_name(o, pid, buf, len);
	int64_t oid = num(after, "id");
	if (!oid)
		oid = num(before, "id");
	const char *n =
		o->names && o->names->offer_provider && oid ? o->names->offer_provider(o->names->ud, oid) : NULL;
	if (n && n[0])
		return n;
	if (oid)
		snprintf(buf, len, "the provider (offer %lld)", (long long)oid);
	else
		snprintf(buf, len, "the provider");
	return buf;
}

/* ---- each kind of event ---- */

static void offer_event(struct out *o, const char *verb, const json_t *before, const json_t *after)
{
	char p[256], t1[64], t2[64];
	const char *who = offer_provider(o, before, after, p, sizeof p);
	const char *reason = str(after, "reason");
	const char *due = when(after, "deadline_at", t1, sizeof t1);
	if (strcmp(verb, "send") == 0) {
		say(o, "sent the referral to %s", who);
		if (num(after, "rank"))
			say(o, " (rank %lld)", (long long)num(after, "rank"));
		if (due)
			say(o, "; answer due %s", due);
	} else if (strcmp(verb, "accept") == 0) {
		say(o, "recorded that %s accepted", who);
		const char *start = str(after, "start_date");
		if (start) {
			static const struct field f = { "", K_DATE, "", NULL };
			json_t *s = json_string(start);
			say(o, ", starting %s", value_text(o, &f, s, t2, sizeof t2));
			json_decref(s);
		}
	} else if (strcmp(verb, "decline") == 0) {
		const char *code = str(after, "decline_code");
		say(o, "recorded that %s declined", who);
		if (code)
			say(o, " (%s)", code);
		if (reason)
			say(o, ": %s", reason);
	} else if (strcmp(verb, "hand-back") == 0) {
		say(o, "recorded that %s handed the package back%s%s", who, reason ? ": " : "", reason ? reason : "");
	} else if (strcmp(verb, "confirm") == 0) {
		say(o, "confirmed the acceptance of %s", who);
	} else if (strcmp(verb, "expire") == 0) {
		say(o, "recorded that the offer to %s expired unanswered", who);
	} else if (strcmp(verb, "info-request") == 0) {
		say(o, "recorded that %s asked for information%s%s; its clock stops until it is supplied", who,
		    reason ? ": " : "", reason ? reason : "");
	} else if (strcmp(verb, "info-supplied") == 0) {
		say(o, "recorded that %s was given the information it asked for", who);
		if (due)
			say(o, "; answer now due %s", due);
	} else if (strcmp(verb, "withdraw") == 0) {
		say(o, "withdrew the offer to %s%s%s", who, reason ? ": " : "", reason ? reason : "");
	} else if (strcmp(verb, "deadline-moved") == 0) {
		const char *was = when(before, "deadline_at", t2, sizeof t2);
		say(o, "moved the answer deadline of %s", who);
		if (was)
			say(o, " from %s", was);
		if (due)
			say(o, " to %s", due);
	} else {
		bool first = false;
		say(o, "%s: offer to %s", verb, who);
		changes(o, before, after, NULL, &first);
	}
}

static void spot_event(struct out *o, const char *verb, const json_t *before, const json_t *after)
{
	char p[256], m[4][64];
	const char *note = str(after, "note");
	if (strcmp(verb, "request") == 0) {
		money_text(o, num(after, "rate"), m[0], sizeof m[0]);
		money_text(o, num(after, "weekly_cost"), m[1], sizeof m[1]);
		money_text(o, num(after, "annual_cost"), m[2], sizeof m[2]);
		hours_format((int)num(after, "hours_minutes"), m[3], sizeof m[3]);
		say(o, "asked for a spot purchase from %s at %s an hour for %s hours a week (%s a week, %s a year)",
		    provider_name(o, num(after, "provider_id"), p, sizeof p), m[0], m[3], m[1], m[2]);
		const char *why = str(after, "justification");
		if (why)
			say(o, ": %s", why);
		return;
	}
	const char *what = strcmp(verb, "approve") == 0  ? "approved"
	                   : strcmp(verb, "reject") == 0 ? "rejected"
	                   : strcmp(verb, "cancel") == 0 ? "cancelled"
	                                                 : verb;
	say(o, "%s the spot purchase request", what);
	const char *kd = str(after, "key_decision");
	if (kd && kd[0])
		say(o, " (key decision %s)", kd);
	if (note && note[0])
		say(o, ": %s", note);
	(void)before;
}

static void staff_event(struct out *o, const char *verb, const json_t *before, const json_t *after)
{
	const char *name = str(after, "name"), *login = str(after, "login");
	char who[200];
	if (name && login && strcmp(name, login) != 0)
		snprintf(who, sizeof who, "%s (%s)", name, login);
	else
		snprintf(who, sizeof who, "%s", name ? name : login ? login : "a member of staff");
	const char *role = bk_status_words(str(after, "role"));
	if (strcmp(verb, "add") == 0) {
		say(o, "added %s as %s %s", who, role[0] == 'a' || role[0] == 'o' ? "an" : "a", role);
	} else if (strcmp(verb, "deactivate") == 0) {
		say(o, "deactivated %s", who);
	} else {
		bool first = true;
		const char *const skip[] = { "name", "login", NULL };
		say(o, "changed %s: ", who);
		changes(o, before, after, skip, &first);
	}
}

static void provider_event(struct out *o, const char *verb, const json_t *before, const json_t *after)
{
	char p[256];
	const char *name = str(after, "name");
	if (!name)
		name = provider_name(o, num(after, "id"), p, sizeof p);
	if (strcmp(verb, "add") == 0) {
		say(o, "added the provider %s", name);
		say(o, "%s",
		    json_is_true(json_object_get(after, "framework")) ? " (on the framework)" : " (off the framework)");
		return;
	}
	if (strcmp(verb, "capacity") == 0) {
		const char *cap = str(after, "capacity");
		const char *eq = cap ? strchr(cap, '=') : NULL;
		if (str(after, "name") || num(after, "id"))
			say(o, "set the capacity of %s", name);
		else
			say(o, "set a provider's capacity");
		if (eq) {
			char h[32];
			int minutes = 0;
			sscanf(eq + 1, "%d", &minutes);
			hours_format(minutes, h, sizeof h);
			say(o, " in %.*s to %s hours a week", (int)(eq - cap), cap, h);
		}
		return;
	}
	bool first = true;
	say(o, "changed %s: ", name);
	const char *const skip[] = { "name", NULL };
	changes(o, before, after, skip, &first);
}

static const struct {
	const char *action, *lead;
} leads[] = {
	{ "referral.new", "recorded the referral" },
	{ "referral.import", "imported the referral" },
	{ "referral.send", "sent the referral out" },
	{ "referral.respond", "recorded a provider's answer" },
	{ "referral.sweep", "ran the deadline check, which moved the referral on" },
	{ "referral.end", "ended the package" },
	{ "referral.hand-back", "recorded that the provider handed the package back; the search starts again" },
	{ "referral.withdraw", "withdrew the referral" },
	{ "referral.pause", "paused the referral" },
	{ "referral.resume", "resumed the referral" },
	{ "referral.approve", "approved the referral" },
	{ "referral.assign", "reassigned the referral" },
	{ "referral.edit", "changed the referral's details" },
	{ "referral.escalate", "escalated the referral (a spot purchase may be asked for early)" },
	{ "referral.erase", "erased the referral's details under the retention rules" },
	{ "referral.read", "opened the referral" },
	{ "referral.info-supplied", "recorded that the information asked for was supplied" },
	{ "referral.spot-request", "asked for a spot purchase" },
	{ "referral.spot-approved", "approved the spot purchase" },
	{ "referral.spot-rejected", "rejected the spot purchase" },
	{ "subject.access", "answered a subject access request" },
};

static void referral_event(struct out *o, const char *action, const json_t *before, const json_t *after)
{
	const char *lead = NULL;
	for (size_t i = 0; i < sizeof leads / sizeof leads[0]; i++)
		if (strcmp(leads[i].action, action) == 0)
			lead = leads[i].lead;
	char l[96];
	if (!lead) {
		const char *dot = strchr(action, '.');
		snprintf(l, sizeof l, "%s", dot ? dot + 1 : action);
		for (char *p = l; *p; p++)
			if (*p == '-' || *p == '_')
				*p = ' ';
		lead = l;
	}
	say(o, "%s", lead);
	bool first = false;
	if (!before && after) {
		/* a new record: the facts that say which, not every field */
		char h[32];
		const char *cr = str(after, "case_ref");
		if (cr)
			say(o, ": case %s", cr);
		if (num(after, "lot"))
			say(o, ", lot %lld", (long long)num(after, "lot"));
		if (str(after, "district"))
			say(o, ", %s", str(after, "district"));
		if (num(after, "hours_minutes")) {
			hours_format((int)num(after, "hours_minutes"), h, sizeof h);
			say(o, ", %s hours a week", h);
		}
		if (json_is_true(json_object_get(after, "urgent")))
			say(o, ", urgent");
		if (!cr) {
			/* something else (an erasure): what it says */
			first = false;
			changes(o, NULL, after, NULL, &first);
		}
		return;
	}
	if (before && after) {
		/* the sourcing and closing times are the event's own */
		const char *const skip[] = { "sourced_at", "closed_at", NULL };
		changes(o, before, after, skip, &first);
	}
}

/* A ranking as the record keeps it ("A | B | C"), said as a list. */
static void ranking_list(struct out *o, const char *r)
{
	if (!r[0])
		say(o, "nobody");
	for (const char *bar; r[0]; r = bar + 3) {
		bar = strstr(r, " | ");
		if (!bar) {
			say(o, "%s", r);
			break;
		}
		say(o, "%.*s, ", (int)(bar - r), r);
	}
}

static void other_event(struct out *o, const char *action, const json_t *before, const json_t *after)
{
	char t[400];
	const json_t *a = after;
	if (strcmp(action, "database.init") == 0) {
		say(o, "created the database%s",
		    str(a, "test_mode") && strcmp(str(a, "test_mode"), "yes") == 0 ? " (test mode: demo data allowed)"
		                                                                   : "");
	} else if (strcmp(action, "database.restore") == 0) {
		say(o, "restored the database from %s", str(a, "restored_from") ? str(a, "restored_from") : "a copy");
		if (json_is_true(json_object_get(a, "kept_damaged")))
			say(o, "; the damaged contents were kept in %s", str(a, "kept") ? str(a, "kept") : "a file");
	} else if (strcmp(action, "policy.init") == 0) {
		say(o, "set the council's first rules");
	} else if (strcmp(action, "policy.load") == 0) {
		say(o, "loaded new rules%s%s", str(a, "file") ? " from " : "", str(a, "file") ? str(a, "file") : "");
	} else if (strncmp(action, "policy.deadlines-", 17) == 0) {
		say(o, "%s (%lld open offer%s)", str(a, "decision") ? str(a, "decision") : "decided about open offers",
		    (long long)num(a, "open_offers"), num(a, "open_offers") == 1 ? "" : "s");
	} else if (strcmp(action, "config.lot") == 0) {
		money_text(o, num(a, "framework_rate"), t, sizeof t);
		say(o, "set lot %lld, %s: framework rate %s an hour%s", (long long)num(a, "number"),
		    str(a, "name") ? str(a, "name") : "", t,
		    json_is_true(json_object_get(a, "cqc_required")) ? ", CQC registration required" : "");
	} else if (strcmp(action, "config.district") == 0) {
		say(o, "added the district %s", str(a, "name") ? str(a, "name") : "");
	} else if (strcmp(action, "ranking.set") == 0) {
		const char *key;
		json_t *v;
		bool any = false;
		json_object_foreach((json_t *)a, key, v)
		{
			const json_t *was = before ? json_object_get(before, key) : NULL;
			if (json_is_string(was) && json_string_value(was)[0]) {
				say(o, "%schanged the ranking of %s from ", any ? "; " : "", key);
				ranking_list(o, json_string_value(was));
				say(o, " to ");
			} else {
				say(o, "%sset the ranking of %s, in order: ", any ? "; " : "", key);
			}
			ranking_list(o, json_is_string(v) ? json_string_value(v) : "");
			any = true;
		}
		if (!any)
			say(o, "set a ranking");
	} else if (strcmp(action, "data.export") == 0) {
		const char *what = str(a, "report") ? str(a, "report") : str(a, "list");
		say(o, "exported %s%s%s", str(a, "report") ? "the report " : "the list ", what ? what : "",
		    str(a, "file") ? " to " : "");
		if (str(a, "file"))
			say(o, "%s", str(a, "file"));
	} else if (strcmp(action, "data.import") == 0) {
		say(o, "imported %s from %s: %lld added, %lld already there", str(a, "kind") ? str(a, "kind") : "data",
		    str(a, "file") ? str(a, "file") : "a file", (long long)num(a, "added"),
		    (long long)num(a, "skipped"));
	} else if (strcmp(action, "data.read") == 0) {
		say(o, "read the list %s", str(a, "list") ? str(a, "list") : "");
	} else if (strncmp(action, "inbox.", 6) == 0) {
		/* answers that came in (issue 17) */
		const char *verb = str(a, "verb") && *str(a, "verb") ? str(a, "verb") : NULL;
		long long item = (long long)num(a, "id"), offer = (long long)num(a, "offer");
		if (strcmp(action, "inbox.receive") == 0 && str(a, "kind") && strcmp(str(a, "kind"), "proposed") == 0)
			say(o, "received a proposed answer (%s) to offer %lld from %s: inbox item %lld",
			    verb ? verb : "?", offer, str(a, "sender") ? str(a, "sender") : "?", item);
		else if (strcmp(action, "inbox.receive") == 0)
			say(o, "kept a message from %s for triage (inbox item %lld): %s",
			    str(a, "sender") && *str(a, "sender") ? str(a, "sender") : "an unknown sender", item,
			    str(a, "reason") ? str(a, "reason") : "");
		else if (strcmp(action, "inbox.confirm") == 0)
			say(o, "confirmed inbox item %lld, the answer (%s) to offer %lld", item, verb ? verb : "?",
			    offer);
		else if (strcmp(action, "inbox.reject") == 0)
			say(o, "set inbox item %lld aside: %s", item, str(a, "decision") ? str(a, "decision") : "");
		else
			say(o, "matched inbox item %lld to offer %lld%s%s", item, offer, verb ? ": it reads as " : "",
			    verb ? verb : "");
	} else {
		char l[96];
		snprintf(l, sizeof l, "%s", action);
		for (char *p = l; *p; p++)
			if (*p == '.' || *p == '-' || *p == '_')
				*p = ' ';
		say(o, "%s", l);
		if (a && json_is_object(a)) {
			bool first = true;
			say(o, ": ");
			changes(o, json_is_object(before) ? before : NULL, a, NULL, &first);
		}
	}
}

void bk_event_sentence_named(const struct bk_event_names *names, const char *action, const char *entity,
                             const char *before, const char *after, char *buf, size_t len)
{
	if (!len)
		return;
	buf[0] = '\0';
	struct out o = { buf, len, 0, names };
	if (!action)
		action = "";
	json_t *b = before ? json_loads(before, JSON_DECODE_ANY, NULL) : NULL;
	json_t *a = after ? json_loads(after, JSON_DECODE_ANY, NULL) : NULL;
	if ((before && !json_is_object(b)) || (after && !json_is_object(a))) {
		/* not what an event records: said as little as can be said safely */
		json_decref(b);
		json_decref(a);
		say(&o, "%s (its details cannot be read)", action);
		return;
	}
	const char *dot = strchr(action, '.');
	const char *verb = dot ? dot + 1 : action;
	if (strncmp(action, "offer.", 6) == 0)
		offer_event(&o, verb, b, a);
	else if (strncmp(action, "spot.", 5) == 0)
		spot_event(&o, verb, b, a);
	else if (strncmp(action, "staff.", 6) == 0)
		staff_event(&o, verb, b, a ? a : b);
	else if (strncmp(action, "provider.", 9) == 0 && a)
		provider_event(&o, verb, b, a);
	else if (strncmp(action, "referral.", 9) == 0 || (entity && strcmp(entity, "referral") == 0))
		referral_event(&o, action, b, a);
	else
		other_event(&o, action, b, a);
	json_decref(b);
	json_decref(a);
}

void bk_event_sentence(const char *action, const char *entity, const char *before, const char *after, char *buf,
                       size_t len)
{
	bk_event_sentence_named(NULL, action, entity, before, after, buf, len);
}

bool bk_send_applies(bool require_approval, enum wf_status status)
{
	enum wf_status to;
	const char *why;
	if ((int)status < 0 || status >= WF_STATUS_COUNT)
		return false;
	if (status == WF_NEW && require_approval)
		return false;
	return wf_referral_move(status, WF_SEND, status, &to, &why);
}

bool bk_spot_applies(enum wf_status status, bool escalated)
{
	enum wf_status to;
	const char *why;
	if ((int)status < 0 || status >= WF_STATUS_COUNT)
		return false;
	return (status == WF_EXHAUSTED || escalated) && wf_referral_move(status, WF_SPOT_REQUEST, status, &to, &why);
}

const char *bk_referral_status_words(enum wf_status s)
{
	return bk_status_words(wf_status_name(s));
}

const char *bk_offer_status_words(enum wf_offer_status s)
{
	return bk_status_words(wf_offer_status_name(s));
}

static const struct {
	const char *action, *words;
} action_words[] = {
	{ "referral.new", "new referral" },
	{ "referral.import", "referral imported" },
	{ "referral.send", "referral sent" },
	{ "referral.respond", "answer recorded" },
	{ "referral.sweep", "deadline check" },
	{ "referral.end", "package ended" },
	{ "referral.withdraw", "referral withdrawn" },
	{ "referral.pause", "referral paused" },
	{ "referral.resume", "referral resumed" },
	{ "referral.approve", "referral approved" },
	{ "referral.assign", "referral reassigned" },
	{ "referral.edit", "details changed" },
	{ "referral.escalate", "referral escalated" },
	{ "referral.erase", "details erased" },
	{ "referral.read", "referral opened" },
	{ "referral.info-supplied", "information supplied" },
	{ "referral.spot-request", "spot purchase asked" },
	{ "referral.spot-approved", "spot purchase approved" },
	{ "referral.spot-rejected", "spot purchase rejected" },
	{ "offer.send", "offer sent" },
	{ "offer.accept", "offer accepted" },
	{ "offer.decline", "offer declined" },
	{ "offer.confirm", "acceptance confirmed" },
	{ "offer.expire", "offer expired" },
	{ "offer.withdraw", "offer withdrawn" },
	{ "offer.info-request", "information asked" },
	{ "offer.info-supplied", "information supplied" },
	{ "offer.deadline-moved", "deadline moved" },
	{ "spot.request", "spot purchase asked" },
	{ "spot.approve", "spot purchase approved" },
	{ "spot.reject", "spot purchase rejected" },
	{ "spot.cancel", "spot purchase cancelled" },
	{ "staff.add", "staff member added" },
	{ "staff.set-role", "role changed" },
	{ "staff.deactivate", "staff member left" },
	{ "provider.add", "provider added" },
	{ "provider.set", "provider changed" },
	{ "provider.capacity", "capacity changed" },
	{ "ranking.set", "ranking changed" },
	{ "policy.init", "policy set up" },
	{ "policy.load", "policy loaded" },
	{ "policy.deadlines-moved", "deadlines moved" },
	{ "policy.deadlines-kept", "deadlines kept" },
	{ "config.lot", "lot changed" },
	{ "config.district", "district changed" },
	{ "database.init", "database created" },
	{ "database.restore", "database restored" },
	{ "data.export", "data exported" },
	{ "data.import", "data imported" },
	{ "data.read", "data read" },
	{ "subject.access", "subject access" },
	{ "subject.json", "subject access" },
	{ "inbox.receive", "answer received" },
	{ "inbox.confirm", "answer confirmed" },
	{ "inbox.match", "answer matched" },
	{ "inbox.reject", "message set aside" },
	{ "mail.retry", "mail sent again" },
};

const char *bk_action_words(const char *action, char *buf, size_t len)
{
	if (!action)
		action = "";
	for (size_t i = 0; i < sizeof action_words / sizeof action_words[0]; i++)
		if (strcmp(action_words[i].action, action) == 0) {
			snprintf(buf, len, "%s", action_words[i].words);
			return buf;
		}
	snprintf(buf, len, "%s", action);
	for (char *p = buf; *p; p++)
		if (*p == '.' || *p == '-' || *p == '_')
			*p = ' ';
	return buf;
}
