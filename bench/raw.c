/* The raw baselines (see raw.h): plain sqlite3 C API, statements prepared
 * once, values bound, the straightforward query for each job. */
#include "bench/raw.h"
#include "bench/raw_pg.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
	S_WAITING_ALL,
	S_WAITING_LIMIT,
	S_REFERRAL,
	S_CANDIDATES,
	S_FIRST_ELIGIBLE,
	S_OFFER_ADD,
	S_EVENT_ADD,
	S_PAYLOAD_ADD,
	S_REFERRAL_MOVE,
	S_OVERDUE,
	S_EXPIRE,
	S_COUNT
};

struct raw {
	struct rawpg *pg; /* a connection string: the same jobs through libpq (raw_pg.c) */
	sqlite3 *db;
	sqlite3_stmt *s[S_COUNT];
	const int32_t *hol;
	int n_hol;
	int32_t today;
	int64_t now;
	char err[512];
};

/* The columns a waiting-list row shows, its current step and whether a
 * deadline was missed; the partial index raw_referral_waiting serves the
 * WHERE and the ORDER BY together. */
#define WAITING_SQL                                                                                    \
	"SELECT r.id, r.case_ref, r.lot, r.district, r.hours_minutes, r.status, r.urgent, r.version, " \
	"coalesce(r.panel_date, -1), r.created_at, s.login, o.deadline_at, o.rank, o.status, p.name, " \
	"(SELECT count(*) FROM ranking k WHERE k.lot = r.lot AND k.district = r.district), "           \
	"EXISTS (SELECT 1 FROM offer b WHERE b.referral_id = r.id AND (b.status = 'expired' OR "       \
	"  (b.status = 'sent' AND b.deadline_at < ?1))) "                                              \
	"FROM referral r INDEXED BY raw_referral_waiting "                                             \
	"LEFT JOIN staff s ON s.id = r.holder_id "                                                     \
	"LEFT JOIN offer o ON o.id = (SELECT x.id FROM offer x WHERE x.referral_id = r.id "            \
	"  AND x.status IN ('sent','info_requested') ORDER BY x.deadline_at, x.id LIMIT 1) "           \
	"LEFT JOIN provider p ON p.id = o.provider_id "                                                \
	"WHERE r.status IN ('new','ready','searching','exhausted','spot_requested','paused') ORDER BY r.id"

static const char *const sql[S_COUNT] = {
	[S_WAITING_ALL] = WAITING_SQL,
	[S_WAITING_LIMIT] = WAITING_SQL " LIMIT ?2",
	[S_REFERRAL] = "SELECT r.lot, r.district, coalesce(r.age, -1), r.hours_minutes, l.cqc_required, r.status, "
		       "r.version FROM referral r JOIN lot l ON l.number = r.lot WHERE r.id = ?1",
	[S_CANDIDATES] =
		"SELECT k.rank, p.id, p.name, p.active, p.framework, coalesce(p.embargo, ''), p.risk, "
		"coalesce(p.cqc_id, '') <> '', coalesce(p.age_min, -1), coalesce(p.age_max, -1), coalesce(c.minutes, "
		"-1), "
		"(SELECT max(o.answered_at) FROM offer o WHERE o.referral_id = ?3 AND o.provider_id = k.provider_id "
		"  AND o.status = 'declined'), "
		"(SELECT max(coalesce(o.answered_at, o.deadline_at)) FROM offer o WHERE o.referral_id = ?3 "
		"  AND o.provider_id = k.provider_id AND o.status = 'expired'), "
		"(SELECT o.status FROM offer o WHERE o.referral_id = ?3 AND o.provider_id = k.provider_id "
		"  ORDER BY o.sent_at DESC, o.id DESC LIMIT 1) "
		"FROM ranking k JOIN provider p ON p.id = k.provider_id "
		"LEFT JOIN capacity c ON c.provider_id = k.provider_id AND c.district = k.district "
		"WHERE k.lot = ?1 AND k.district = ?2 ORDER BY k.rank",
	/* the first eligible provider not yet approached (a withdrawn offer may be sent again) */
	[S_FIRST_ELIGIBLE] =
		"SELECT k.rank, k.provider_id FROM ranking k JOIN provider p ON p.id = k.provider_id "
		"LEFT JOIN capacity c ON c.provider_id = k.provider_id AND c.district = k.district "
		"WHERE k.lot = ?1 AND k.district = ?2 AND p.active = 1 AND p.framework = 1 AND p.embargo IS NULL "
		"AND p.risk <> 'red' AND (?3 = 0 OR coalesce(p.cqc_id, '') <> '') "
		"AND (?4 < 0 OR ((p.age_min IS NULL OR ?4 >= p.age_min) AND (p.age_max IS NULL OR ?4 <= p.age_max))) "
		"AND (c.minutes IS NULL OR c.minutes >= ?5) "
		"AND NOT EXISTS (SELECT 1 FROM offer o WHERE o.referral_id = ?6 AND o.provider_id = k.provider_id "
		"  AND o.status <> 'withdrawn') "
		"ORDER BY k.rank LIMIT 1",
	[S_OFFER_ADD] =
		"INSERT INTO offer(referral_id, provider_id, rank, status, sent_at, received_on, deadline_at, sent_by) "
		"VALUES (?1, ?2, ?3, 'sent', ?4, ?5, ?6, ?7)",
	[S_EVENT_ADD] =
		"INSERT INTO event(at, actor, action, entity, entity_id, referral_id, payload_hash, prev_hash, hash) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?7)",
	[S_PAYLOAD_ADD] = "INSERT INTO event_payload(seq, referral_id, after) VALUES (last_insert_rowid(), ?1, ?2)",
	[S_REFERRAL_MOVE] = "UPDATE referral SET status = ?2, version = version + 1 WHERE id = ?1 AND version = ?3",
	[S_OVERDUE] = "SELECT DISTINCT referral_id FROM offer WHERE status = 'sent' AND deadline_at < ?1 "
		      "ORDER BY referral_id",
	[S_EXPIRE] =
		"UPDATE offer SET status = 'expired' WHERE referral_id = ?1 AND status = 'sent' AND deadline_at < ?2 "
		"RETURNING id",
};

static const unsigned char zero_hash[32];

static bool fail(struct raw *r, const char *doing)
{
	snprintf(r->err, sizeof r->err, "%s: %s", doing, sqlite3_errmsg(r->db));
	return false;
}

const char *raw_error(struct raw *r)
{
	if (r->pg)
		return rawpg_error(r->pg);
	return r->err;
}

static sqlite3_stmt *stmt(struct raw *r, int q)
{
	if (!r->s[q] && sqlite3_prepare_v3(r->db, sql[q], -1, SQLITE_PREPARE_PERSISTENT, &r->s[q], NULL) != SQLITE_OK) {
		fail(r, "prepare");
		return NULL;
	}
	sqlite3_reset(r->s[q]);
	return r->s[q];
}

static bool exec(struct raw *r, const char *q)
{
	return sqlite3_exec(r->db, q, NULL, NULL, NULL) == SQLITE_OK || fail(r, q);
}

struct raw *raw_open(const char *path)
{
	struct raw *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	if (rawpg_is_conninfo(path)) {
		if (!(r->pg = rawpg_open(path))) {
			free(r);
			return NULL;
		}
		return r;
	}
	if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    !exec(r, "PRAGMA journal_mode = WAL") || !exec(r, "PRAGMA synchronous = FULL") ||
	    !exec(r, "PRAGMA foreign_keys = ON")) {
		fprintf(stderr, "raw: %s: %s\n", path, r->db ? sqlite3_errmsg(r->db) : "cannot open");
		raw_close(r);
		return NULL;
	}
	sqlite3_busy_timeout(r->db, 5000);
	return r;
}

void raw_close(struct raw *r)
{
	if (!r)
		return;
	rawpg_close(r->pg);
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(r->s[i]);
	sqlite3_close(r->db);
	free(r);
}

void raw_set_calendar(struct raw *r, const int32_t *holidays, int n, int32_t today, int64_t now)
{
	if (r->pg)
		rawpg_set_calendar(r->pg, holidays, n, today, now);
	r->hol = holidays;
	r->n_hol = n;
	r->today = today;
	r->now = now;
}

/* ---- working days: weekdays in (from, to] less the bank holidays among them ---- */

static int weekday(int32_t day)
{
	return (int)(((day + 3) % 7 + 7) % 7); /* 1970-01-01 was a Thursday; 0 = Monday */
}

static int holidays_upto(const struct raw *r, int32_t day) /* holidays <= day */
{
	int lo = 0, hi = r->n_hol;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (r->hol[mid] <= day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int working_days(const struct raw *r, int32_t from, int32_t to)
{
	if (to <= from)
		return 0;
	int32_t span = to - from;
	int n = span / 7 * 5;
	for (int32_t d = from + span / 7 * 7 + 1; d <= to; d++)
		n += weekday(d) < 5;
	return n - (holidays_upto(r, to) - holidays_upto(r, from));
}

static int32_t local_day(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	return (int32_t)((t + tm.tm_gmtoff) / 86400);
}

static long long text_len(sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	return t ? (long long)strlen((const char *)t) : 0;
}

bool raw_waiting(struct raw *r, int limit, struct raw_sum *out)
{
	if (r->pg)
		return rawpg_waiting(r->pg, limit, out);
	sqlite3_stmt *s = stmt(r, limit ? S_WAITING_LIMIT : S_WAITING_ALL);
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, r->now);
	if (limit)
		sqlite3_bind_int(s, 2, limit);
	out->rows = 0;
	out->check = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int32_t from = sqlite3_column_int(s, 8);
		if (from < 0)
			from = local_day(sqlite3_column_int64(s, 9));
		int wd = working_days(r, from, r->today);
		out->rows++;
		out->check += sqlite3_column_int64(s, 0) + wd + sqlite3_column_int(s, 15) + sqlite3_column_int(s, 12) +
		              sqlite3_column_int(s, 16) + text_len(s, 14) + text_len(s, 10) + text_len(s, 1);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE || (limit && rc == SQLITE_ROW) ? true : fail(r, "waiting list");
}

static void format_day(int32_t day, char *buf, size_t len)
{
	time_t t = (time_t)day * 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%a %d %b %Y", &tm);
}

bool raw_candidates(struct raw *r, int64_t referral_id, struct raw_sum *out)
{
	if (r->pg)
		return rawpg_candidates(r->pg, referral_id, out);
	sqlite3_stmt *s = stmt(r, S_REFERRAL);
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, referral_id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return fail(r, "the referral");
	}
	int lot = sqlite3_column_int(s, 0);
	char district[64];
	snprintf(district, sizeof district, "%s", (const char *)sqlite3_column_text(s, 1));
	int age = sqlite3_column_int(s, 2), hours = sqlite3_column_int(s, 3);
	bool cqc_required = sqlite3_column_int(s, 4) != 0;
	sqlite3_reset(s);

	s = stmt(r, S_CANDIDATES);
	if (!s)
		return false;
	sqlite3_bind_int(s, 1, lot);
	sqlite3_bind_text(s, 2, district, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, referral_id);
	out->rows = 0;
	out->check = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char reasons[1024], one[320], day[32];
		size_t off = 0;
		int n = 0;
		const char *embargo = (const char *)sqlite3_column_text(s, 5);
		const char *risk = (const char *)sqlite3_column_text(s, 6);
		int age_min = sqlite3_column_int(s, 8), age_max = sqlite3_column_int(s, 9),
		    cap = sqlite3_column_int(s, 10);
		reasons[0] = '\0';
#define REASON(...)                                                                                         \
	do {                                                                                                \
		snprintf(one, sizeof one, __VA_ARGS__);                                                     \
		off += (size_t)snprintf(reasons + off, sizeof reasons - off, "%s%s", n++ ? "; " : "", one); \
		if (off >= sizeof reasons)                                                                  \
			off = sizeof reasons - 1;                                                           \
	} while (0)
		if (!sqlite3_column_int(s, 3))
			REASON("inactive");
		if (!sqlite3_column_int(s, 4))
			REASON("not on the framework");
		if (embargo && *embargo)
			REASON("embargoed: %s", embargo);
		if (risk && strcmp(risk, "red") == 0)
			REASON("red risk");
		if (sqlite3_column_type(s, 11) != SQLITE_NULL) {
			format_day(local_day(sqlite3_column_int64(s, 11)), day, sizeof day);
			REASON("declined on %s", day);
		}
		if (sqlite3_column_type(s, 12) != SQLITE_NULL) {
			format_day(local_day(sqlite3_column_int64(s, 12)), day, sizeof day);
			REASON("let its offer expire on %s", day);
		}
		if (cqc_required && !sqlite3_column_int(s, 7))
			REASON("no CQC registration (the lot needs one)");
		if (age >= 0 && ((age_min >= 0 && age < age_min) || (age_max >= 0 && age > age_max)))
			REASON("serves ages %d-%d", age_min, age_max);
		if (cap >= 0 && cap < hours)
			REASON("capacity %d.%02d h/week in the district", cap / 60, cap % 60 * 100 / 60);
		if (n == 0 && risk && strcmp(risk, "amber") == 0)
			REASON("amber risk: offered with a warning");
#undef REASON
		out->rows++;
		out->check += sqlite3_column_int(s, 0) * 1000 + (long long)off + text_len(s, 13);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? true : fail(r, "candidates");
}

static bool event(struct raw *r, int64_t at, const char *actor, const char *action, const char *entity, int64_t id,
                  int64_t referral_id, const char *after)
{
	sqlite3_stmt *s = stmt(r, S_EVENT_ADD);
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, at);
	sqlite3_bind_text(s, 2, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, entity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, id);
	sqlite3_bind_int64(s, 6, referral_id);
	sqlite3_bind_blob(s, 7, zero_hash, sizeof zero_hash, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return fail(r, "event");
	s = stmt(r, S_PAYLOAD_ADD);
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, referral_id);
	sqlite3_bind_text(s, 2, after, -1, SQLITE_STATIC);
	return sqlite3_step(s) == SQLITE_DONE || fail(r, "event payload");
}

struct ref_facts {
	int lot, age, hours, cqc;
	char district[64], status[16];
	int64_t version;
};

static bool read_referral(struct raw *r, int64_t id, struct ref_facts *f)
{
	sqlite3_stmt *s = stmt(r, S_REFERRAL);
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return fail(r, "the referral");
	}
	f->lot = sqlite3_column_int(s, 0);
	snprintf(f->district, sizeof f->district, "%s", (const char *)sqlite3_column_text(s, 1));
	f->age = sqlite3_column_int(s, 2);
	f->hours = sqlite3_column_int(s, 3);
	f->cqc = sqlite3_column_int(s, 4);
	snprintf(f->status, sizeof f->status, "%s", (const char *)sqlite3_column_text(s, 5));
	f->version = sqlite3_column_int64(s, 6);
	sqlite3_reset(s);
	return true;
}

/* Approach the first eligible provider not yet approached: *sent says whether one was. */
static bool approach(struct raw *r, int64_t id, const struct ref_facts *f, int64_t staff_id, const char *actor,
                     int64_t deadline_at, int32_t received_on, bool *sent)
{
	*sent = false;
	sqlite3_stmt *s = stmt(r, S_FIRST_ELIGIBLE);
	if (!s)
		return false;
	sqlite3_bind_int(s, 1, f->lot);
	sqlite3_bind_text(s, 2, f->district, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, f->cqc);
	sqlite3_bind_int(s, 4, f->age);
	sqlite3_bind_int(s, 5, f->hours);
	sqlite3_bind_int64(s, 6, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return true;
	}
	if (rc != SQLITE_ROW)
		return fail(r, "first eligible");
	int rank = sqlite3_column_int(s, 0);
	int64_t provider = sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	s = stmt(r, S_OFFER_ADD);
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, provider);
	sqlite3_bind_int(s, 3, rank);
	sqlite3_bind_int64(s, 4, r->now);
	sqlite3_bind_int(s, 5, received_on);
	sqlite3_bind_int64(s, 6, deadline_at);
	if (staff_id)
		sqlite3_bind_int64(s, 7, staff_id);
	if (sqlite3_step(s) != SQLITE_DONE)
		return fail(r, "offer");
	int64_t offer = sqlite3_last_insert_rowid(r->db);
	char after[256];
	snprintf(after, sizeof after, "{\"provider_id\":%lld,\"rank\":%d,\"status\":\"sent\",\"deadline_at\":%lld}",
	         (long long)provider, rank, (long long)deadline_at);
	if (!event(r, r->now, actor, "offer.send", "offer", offer, id, after))
		return false;
	*sent = true;
	return true;
}

static bool move(struct raw *r, int64_t id, const char *status, int64_t version, const char *actor, const char *action)
{
	sqlite3_stmt *s = stmt(r, S_REFERRAL_MOVE);
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, version);
	if (sqlite3_step(s) != SQLITE_DONE)
		return fail(r, "referral");
	if (sqlite3_changes(r->db) != 1) {
		snprintf(r->err, sizeof r->err, "referral %lld changed", (long long)id);
		return false;
	}
	char after[96];
	snprintf(after, sizeof after, "{\"status\":\"%s\",\"version\":%lld}", status, (long long)version + 1);
	return event(r, r->now, actor, action, "referral", id, id, after);
}

bool raw_send(struct raw *r, int64_t referral_id, int64_t staff_id, const char *actor, int64_t deadline_at,
              int32_t received_on)
{
	if (r->pg)
		return rawpg_send(r->pg, referral_id, staff_id, actor, deadline_at, received_on);
	struct ref_facts f;
	bool sent = false;
	if (!exec(r, "BEGIN IMMEDIATE"))
		return false;
	if (!read_referral(r, referral_id, &f) ||
	    !approach(r, referral_id, &f, staff_id, actor, deadline_at, received_on, &sent) ||
	    !move(r, referral_id, sent ? "searching" : "exhausted", f.version, actor, "referral.send") ||
	    !exec(r, "COMMIT")) {
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
		return false;
	}
	return true;
}

bool raw_sweep(struct raw *r, int64_t at, int64_t deadline_at, int32_t received_on, bool one_tx,
               struct raw_sweep_result *out)
{
	if (r->pg)
		return rawpg_sweep(r->pg, at, deadline_at, received_on, one_tx, out);
	memset(out, 0, sizeof *out);
	int64_t keep_now = r->now;
	r->now = at;
	sqlite3_stmt *s = stmt(r, S_OVERDUE);
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, at);
	int64_t *ids = NULL;
	int n = 0, cap = 0, rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			int64_t *v = realloc(ids, (size_t)cap * sizeof *v);
			if (!v) {
				free(ids);
				sqlite3_reset(s);
				return false;
			}
			ids = v;
		}
		ids[n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	bool ok = rc == SQLITE_DONE || fail(r, "overdue");
	if (ok && one_tx)
		ok = exec(r, "BEGIN IMMEDIATE");
	for (int i = 0; ok && i < n; i++) {
		int64_t id = ids[i];
		if (!one_tx && !(ok = exec(r, "BEGIN IMMEDIATE")))
			break;
		int expired = 0;
		s = stmt(r, S_EXPIRE);
		ok = s != NULL;
		if (ok) {
			sqlite3_bind_int64(s, 1, id);
			sqlite3_bind_int64(s, 2, at);
			int64_t offers[16];
			while ((rc = sqlite3_step(s)) == SQLITE_ROW)
				if (expired < 16)
					offers[expired++] = sqlite3_column_int64(s, 0);
			sqlite3_reset(s);
			ok = rc == SQLITE_DONE || fail(r, "expire");
			for (int k = 0; ok && k < expired; k++)
				ok = event(r, at, "sweep", "offer.expire", "offer", offers[k], id,
				           "{\"status\":\"expired\"}");
		}
		struct ref_facts f;
		bool sent = false;
		if (ok)
			ok = read_referral(r, id, &f);
		if (ok && strcmp(f.status, "searching") == 0) {
			ok = approach(r, id, &f, 0, "sweep", deadline_at, received_on, &sent);
			if (ok)
				ok = move(r, id, sent ? "searching" : "exhausted", f.version, "sweep",
				          "referral.sweep");
		}
		out->expired += expired;
		out->approached += sent;
		out->exhausted += ok && !sent && strcmp(f.status, "searching") == 0;
		if (!one_tx)
			ok = ok && exec(r, "COMMIT");
	}
	if (ok && one_tx)
		ok = exec(r, "COMMIT");
	if (!ok)
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	free(ids);
	r->now = keep_now;
	return ok;
}
