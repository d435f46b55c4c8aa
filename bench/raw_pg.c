/* The raw baselines on PostgreSQL (issue 19): the same jobs as raw.c,
 * written the straightforward way against libpq on the same server as the
 * project's PostgreSQL backend, on a copy of the same database with the
 * same extra indexes (raw_indexes.sql). Statements are prepared once
 * (PQprepare) and run with PQexecPrepared, values as text; nothing here
 * calls the project. raw.c hands a connection string here. */
#include "bench/raw_pg.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
	P_WAITING_ALL,
	P_WAITING_LIMIT,
	P_REFERRAL,
	P_CANDIDATES,
	P_FIRST_ELIGIBLE,
	P_OFFER_ADD,
	P_EVENT_ADD,
	P_PAYLOAD_ADD,
	P_REFERRAL_MOVE,
	P_OVERDUE,
	P_EXPIRE,
	P_COUNT
};

struct rawpg {
	PGconn *conn;
	bool prepared[P_COUNT];
	const int32_t *hol;
	int n_hol;
	int32_t today;
	int64_t now;
	char err[512];
};

#define WAITING_SQL                                                                                    \
	"SELECT r.id, r.case_ref, r.lot, r.district, r.hours_minutes, r.status, r.urgent, r.version, " \
	"coalesce(r.panel_date, -1), r.created_at, s.login, o.deadline_at, o.rank, o.status, p.name, " \
	"(SELECT count(*) FROM ranking k WHERE k.lot = r.lot AND k.district = r.district), "           \
	"(EXISTS (SELECT 1 FROM offer b WHERE b.referral_id = r.id AND (b.status = 'expired' OR "      \
	"  (b.status = 'sent' AND b.deadline_at < $1))))::int "                                        \
	"FROM referral r "                                                                             \
	"LEFT JOIN staff s ON s.id = r.holder_id "                                                     \
	"LEFT JOIN offer o ON o.id = (SELECT x.id FROM offer x WHERE x.referral_id = r.id "            \
	"  AND x.status IN ('sent','info_requested') ORDER BY x.deadline_at, x.id LIMIT 1) "           \
	"LEFT JOIN provider p ON p.id = o.provider_id "                                                \
	"WHERE r.status IN ('new','ready','searching','exhausted','spot_requested','paused') ORDER BY r.id"

static const char *const sql[P_COUNT] = {
	[P_WAITING_ALL] = WAITING_SQL,
	[P_WAITING_LIMIT] = WAITING_SQL " LIMIT $2",
	[P_REFERRAL] = "SELECT r.lot, r.district, coalesce(r.age, -1), r.hours_minutes, l.cqc_required, r.status, "
		       "r.version FROM referral r JOIN lot l ON l.number = r.lot WHERE r.id = $1",
	[P_CANDIDATES] =
		"SELECT k.rank, p.id, p.name, p.active, p.framework, coalesce(p.embargo, ''), p.risk, "
		"(coalesce(p.cqc_id, '') <> '')::int, coalesce(p.age_min, -1), coalesce(p.age_max, -1), "
		"coalesce(c.minutes, -1), "
		"(SELECT max(o.answered_at) FROM offer o WHERE o.referral_id = $3 AND o.provider_id = k.provider_id "
		"  AND o.status = 'declined'), "
		"(SELECT max(coalesce(o.answered_at, o.deadline_at)) FROM offer o WHERE o.referral_id = $3 "
		"  AND o.provider_id = k.provider_id AND o.status = 'expired'), "
		"(SELECT o.status FROM offer o WHERE o.referral_id = $3 AND o.provider_id = k.provider_id "
		"  ORDER BY o.sent_at DESC, o.id DESC LIMIT 1) "
		"FROM ranking k JOIN provider p ON p.id = k.provider_id "
		"LEFT JOIN capacity c ON c.provider_id = k.provider_id AND c.district = k.district "
		"WHERE k.lot = $1 AND k.district = $2 ORDER BY k.rank",
	[P_FIRST_ELIGIBLE] =
		"SELECT k.rank, k.provider_id FROM ranking k JOIN provider p ON p.id = k.provider_id "
		"LEFT JOIN capacity c ON c.provider_id = k.provider_id AND c.district = k.district "
		"WHERE k.lot = $1 AND k.district = $2 AND p.active = 1 AND p.framework = 1 AND p.embargo IS NULL "
		"AND p.risk <> 'red' AND ($3::bigint = 0 OR coalesce(p.cqc_id, '') <> '') "
		"AND ($4::bigint < 0 OR ((p.age_min IS NULL OR $4 >= p.age_min) AND (p.age_max IS NULL OR $4 <= "
		"p.age_max))) "
		"AND (c.minutes IS NULL OR c.minutes >= $5) "
		"AND NOT EXISTS (SELECT 1 FROM offer o WHERE o.referral_id = $6 AND o.provider_id = k.provider_id "
		"  AND o.status <> 'withdrawn') "
		"ORDER BY k.rank LIMIT 1",
	[P_OFFER_ADD] =
		"INSERT INTO offer(referral_id, provider_id, rank, status, sent_at, received_on, deadline_at, sent_by) "
		"VALUES ($1, $2, $3, 'sent', $4, $5, $6, $7) RETURNING id",
	/* the program numbers its events itself (the head of the chain); so does this */
	[P_EVENT_ADD] =
		"INSERT INTO event(seq, at, actor, action, entity, entity_id, referral_id, payload_hash, "
		"prev_hash, hash) "
		"SELECT coalesce(max(seq), 0) + 1, $1::bigint, $2::text, $3::text, $4::text, $5::bigint, $6::bigint, "
		"$7::bytea, $7::bytea, $7::bytea "
		"FROM event RETURNING seq",
	[P_PAYLOAD_ADD] = "INSERT INTO event_payload(seq, referral_id, after) VALUES ($1, $2, $3)",
	[P_REFERRAL_MOVE] = "UPDATE referral SET status = $2, version = version + 1 WHERE id = $1 AND version = $3",
	[P_OVERDUE] = "SELECT DISTINCT referral_id FROM offer WHERE status = 'sent' AND deadline_at < $1 "
		      "ORDER BY referral_id",
	[P_EXPIRE] =
		"UPDATE offer SET status = 'expired' WHERE referral_id = $1 AND status = 'sent' AND deadline_at < $2 "
		"RETURNING id",
};

/* 32 zero bytes as bytea's hex text */
static const char zero_hash[] = "\\x0000000000000000000000000000000000000000000000000000000000000000";

static bool fail(struct rawpg *r, const char *doing, const PGresult *res)
{
	const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(r->conn);
	snprintf(r->err, sizeof r->err, "%s: %s", doing, m && *m ? m : "failed");
	r->err[strcspn(r->err, "\n")] = '\0';
	return false;
}

const char *rawpg_error(struct rawpg *r)
{
	return r->err;
}

/* Run statement q with n text values (NULL is SQL NULL); the result, or
 * NULL with r->err set. */
static PGresult *run(struct rawpg *r, int q, int n, const char *const *vals)
{
	if (!r->prepared[q]) {
		char name[16];
		snprintf(name, sizeof name, "raw%d", q);
		PGresult *p = PQprepare(r->conn, name, sql[q], 0, NULL);
		bool ok = p && PQresultStatus(p) == PGRES_COMMAND_OK;
		if (!ok) {
			fail(r, "prepare", p);
			PQclear(p);
			return NULL;
		}
		PQclear(p);
		r->prepared[q] = true;
	}
	char name[16];
	snprintf(name, sizeof name, "raw%d", q);
	PGresult *res = PQexecPrepared(r->conn, name, n, vals, NULL, NULL, 0);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		fail(r, sql[q], res);
		PQclear(res);
		return NULL;
	}
	return res;
}

static bool exec(struct rawpg *r, const char *q)
{
	PGresult *res = PQexec(r->conn, q);
	bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		fail(r, q, res);
	PQclear(res);
	return ok;
}

struct rawpg *rawpg_open(const char *conninfo)
{
	struct rawpg *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->conn = PQconnectdb(conninfo);
	if (PQstatus(r->conn) != CONNECTION_OK) {
		fprintf(stderr, "raw: %s: %s", conninfo, PQerrorMessage(r->conn));
		rawpg_close(r);
		return NULL;
	}
	return r; /* the server's durability settings, as the project's connection has them */
}

void rawpg_close(struct rawpg *r)
{
	if (!r)
		return;
	PQfinish(r->conn);
	free(r);
}

void rawpg_set_calendar(struct rawpg *r, const int32_t *holidays, int n, int32_t today, int64_t now)
{
	r->hol = holidays;
	r->n_hol = n;
	r->today = today;
	r->now = now;
}

/* ---- working days, as raw.c ---- */

static int weekday(int32_t day)
{
	return (int)(((day + 3) % 7 + 7) % 7);
}

static int holidays_upto(const struct rawpg *r, int32_t day)
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

static int working_days(const struct rawpg *r, int32_t from, int32_t to)
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

static long long num(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : atoll(PQgetvalue(res, row, col));
}

static long long text_len(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : (long long)PQgetlength(res, row, col);
}

bool rawpg_waiting(struct rawpg *r, int limit, struct raw_sum *out)
{
	char now[32], lim[16];
	snprintf(now, sizeof now, "%lld", (long long)r->now);
	snprintf(lim, sizeof lim, "%d", limit);
	const char *v[] = { now, lim };
	PGresult *res = run(r, limit ? P_WAITING_LIMIT : P_WAITING_ALL, limit ? 2 : 1, v);
	if (!res)
		return false;
	out->rows = 0;
	out->check = 0;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		int32_t from = (int32_t)num(res, i, 8);
		if (from < 0)
			from = local_day(num(res, i, 9));
		int wd = working_days(r, from, r->today);
		out->rows++;
		out->check += num(res, i, 0) + wd + num(res, i, 15) + num(res, i, 12) + num(res, i, 16) +
		              text_len(res, i, 14) + text_len(res, i, 10) + text_len(res, i, 1);
	}
	PQclear(res);
	return true;
}

static void format_day(int32_t day, char *buf, size_t len)
{
	time_t t = (time_t)day * 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%a %d %b %Y", &tm);
}

struct ref_facts {
	int lot, age, hours, cqc;
	char district[64], status[16];
	int64_t version;
};

static bool read_referral(struct rawpg *r, int64_t id, struct ref_facts *f)
{
	char ids[32];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *v[] = { ids };
	PGresult *res = run(r, P_REFERRAL, 1, v);
	if (!res)
		return false;
	if (PQntuples(res) != 1) {
		PQclear(res);
		snprintf(r->err, sizeof r->err, "no referral %lld", (long long)id);
		return false;
	}
	f->lot = (int)num(res, 0, 0);
	snprintf(f->district, sizeof f->district, "%s", PQgetvalue(res, 0, 1));
	f->age = (int)num(res, 0, 2);
	f->hours = (int)num(res, 0, 3);
	f->cqc = (int)num(res, 0, 4);
	snprintf(f->status, sizeof f->status, "%s", PQgetvalue(res, 0, 5));
	f->version = num(res, 0, 6);
	PQclear(res);
	return true;
}

bool rawpg_candidates(struct rawpg *r, int64_t referral_id, struct raw_sum *out)
{
	struct ref_facts f;
	if (!read_referral(r, referral_id, &f))
		return false;
	char lot[16], ids[32];
	snprintf(lot, sizeof lot, "%d", f.lot);
	snprintf(ids, sizeof ids, "%lld", (long long)referral_id);
	const char *v[] = { lot, f.district, ids };
	PGresult *res = run(r, P_CANDIDATES, 3, v);
	if (!res)
		return false;
	out->rows = 0;
	out->check = 0;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		char reasons[1024], one[320], day[32];
		size_t off = 0;
		int k = 0;
		const char *embargo = PQgetvalue(res, i, 5);
		const char *risk = PQgetvalue(res, i, 6);
		int age_min = (int)num(res, i, 8), age_max = (int)num(res, i, 9), cap = (int)num(res, i, 10);
		reasons[0] = '\0';
#define REASON(...)                                                                                         \
	do {                                                                                                \
		snprintf(one, sizeof one, __VA_ARGS__);                                                     \
		off += (size_t)snprintf(reasons + off, sizeof reasons - off, "%s%s", k++ ? "; " : "", one); \
		if (off >= sizeof reasons)                                                                  \
			off = sizeof reasons - 1;                                                           \
	} while (0)
		if (!num(res, i, 3))
			REASON("inactive");
		if (!num(res, i, 4))
			REASON("not on the framework");
		if (*embargo)
			REASON("embargoed: %s", embargo);
		if (strcmp(risk, "red") == 0)
			REASON("red risk");
		if (!PQgetisnull(res, i, 11)) {
			format_day(local_day(num(res, i, 11)), day, sizeof day);
			REASON("declined on %s", day);
		}
		if (!PQgetisnull(res, i, 12)) {
			format_day(local_day(num(res, i, 12)), day, sizeof day);
			REASON("let its offer expire on %s", day);
		}
		if (f.cqc && !num(res, i, 7))
			REASON("no CQC registration (the lot needs one)");
		if (f.age >= 0 && ((age_min >= 0 && f.age < age_min) || (age_max >= 0 && f.age > age_max)))
			REASON("serves ages %d-%d", age_min, age_max);
		if (cap >= 0 && cap < f.hours)
			REASON("capacity %d.%02d h/week in the district", cap / 60, cap % 60 * 100 / 60);
		if (k == 0 && strcmp(risk, "amber") == 0)
			REASON("amber risk: offered with a warning");
#undef REASON
		out->rows++;
		out->check += num(res, i, 0) * 1000 + (long long)off + text_len(res, i, 13);
	}
	PQclear(res);
	return true;
}

static bool event(struct rawpg *r, int64_t at, const char *actor, const char *action, const char *entity, int64_t id,
                  int64_t referral_id, const char *after)
{
	char ats[32], ids[32], refs[32];
	snprintf(ats, sizeof ats, "%lld", (long long)at);
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	snprintf(refs, sizeof refs, "%lld", (long long)referral_id);
	const char *v[] = { ats, actor, action, entity, ids, refs, zero_hash };
	PGresult *res = run(r, P_EVENT_ADD, 7, v);
	if (!res)
		return false;
	char seq[32];
	snprintf(seq, sizeof seq, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	const char *w[] = { seq, refs, after };
	res = run(r, P_PAYLOAD_ADD, 3, w);
	PQclear(res);
	return res != NULL;
}

static bool approach(struct rawpg *r, int64_t id, const struct ref_facts *f, int64_t staff_id, const char *actor,
                     int64_t deadline_at, int32_t received_on, bool *sent)
{
	*sent = false;
	char lot[16], cqc[8], age[16], hours[16], ids[32];
	snprintf(lot, sizeof lot, "%d", f->lot);
	snprintf(cqc, sizeof cqc, "%d", f->cqc);
	snprintf(age, sizeof age, "%d", f->age);
	snprintf(hours, sizeof hours, "%d", f->hours);
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	const char *v[] = { lot, f->district, cqc, age, hours, ids };
	PGresult *res = run(r, P_FIRST_ELIGIBLE, 6, v);
	if (!res)
		return false;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return true;
	}
	char rank[16], provider[32], now[32], recv[16], dl[32], staff[32];
	snprintf(rank, sizeof rank, "%s", PQgetvalue(res, 0, 0));
	snprintf(provider, sizeof provider, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	snprintf(now, sizeof now, "%lld", (long long)r->now);
	snprintf(recv, sizeof recv, "%d", received_on);
	snprintf(dl, sizeof dl, "%lld", (long long)deadline_at);
	snprintf(staff, sizeof staff, "%lld", (long long)staff_id);
	const char *w[] = { ids, provider, rank, now, recv, dl, staff_id ? staff : NULL };
	if (!(res = run(r, P_OFFER_ADD, 7, w)))
		return false;
	int64_t offer = num(res, 0, 0);
	PQclear(res);
	char after[256];
	snprintf(after, sizeof after, "{\"provider_id\":%s,\"rank\":%s,\"status\":\"sent\",\"deadline_at\":%lld}",
	         provider, rank, (long long)deadline_at);
	if (!event(r, r->now, actor, "offer.send", "offer", offer, id, after))
		return false;
	*sent = true;
	return true;
}

static bool move(struct rawpg *r, int64_t id, const char *status, int64_t version, const char *actor,
                 const char *action)
{
	char ids[32], ver[32];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	snprintf(ver, sizeof ver, "%lld", (long long)version);
	const char *v[] = { ids, status, ver };
	PGresult *res = run(r, P_REFERRAL_MOVE, 3, v);
	if (!res)
		return false;
	bool one = strcmp(PQcmdTuples(res), "1") == 0;
	PQclear(res);
	if (!one) {
		snprintf(r->err, sizeof r->err, "referral %lld changed", (long long)id);
		return false;
	}
	char after[96];
	snprintf(after, sizeof after, "{\"status\":\"%s\",\"version\":%lld}", status, (long long)version + 1);
	return event(r, r->now, actor, action, "referral", id, id, after);
}

bool rawpg_send(struct rawpg *r, int64_t referral_id, int64_t staff_id, const char *actor, int64_t deadline_at,
                int32_t received_on)
{
	struct ref_facts f;
	bool sent = false;
	if (!exec(r, "BEGIN"))
		return false;
	if (!read_referral(r, referral_id, &f) ||
	    !approach(r, referral_id, &f, staff_id, actor, deadline_at, received_on, &sent) ||
	    !move(r, referral_id, sent ? "searching" : "exhausted", f.version, actor, "referral.send") ||
	    !exec(r, "COMMIT")) {
		PQclear(PQexec(r->conn, "ROLLBACK"));
		return false;
	}
	return true;
}

bool rawpg_sweep(struct rawpg *r, int64_t at, int64_t deadline_at, int32_t received_on, bool one_tx,
                 struct raw_sweep_result *out)
{
	memset(out, 0, sizeof *out);
	int64_t keep_now = r->now;
	r->now = at;
	char ats[32];
	snprintf(ats, sizeof ats, "%lld", (long long)at);
	const char *v[] = { ats };
	PGresult *ids = run(r, P_OVERDUE, 1, v);
	bool ok = ids != NULL;
	int n = ok ? PQntuples(ids) : 0;
	if (ok && one_tx)
		ok = exec(r, "BEGIN");
	for (int i = 0; ok && i < n; i++) {
		int64_t id = num(ids, i, 0);
		if (!one_tx && !(ok = exec(r, "BEGIN")))
			break;
		const char *w[] = { PQgetvalue(ids, i, 0), ats };
		PGresult *res = run(r, P_EXPIRE, 2, w);
		int expired = 0;
		ok = res != NULL;
		for (int k = 0; ok && k < PQntuples(res); k++, expired++)
			ok = event(r, at, "sweep", "offer.expire", "offer", num(res, k, 0), id,
			           "{\"status\":\"expired\"}");
		PQclear(res);
		struct ref_facts f = { 0 };
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
		PQclear(PQexec(r->conn, "ROLLBACK"));
	PQclear(ids);
	r->now = keep_now;
	return ok;
}

/* ---- copies of a benchmark database (CREATE DATABASE ... TEMPLATE) ---- */

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static bool admin_exec(const char *conninfo, const char *q, char *err, size_t errlen)
{
	char admin[2048];
	snprintf(admin, sizeof admin, "%s dbname=postgres", conninfo);
	PGconn *c = PQconnectdb(admin);
	PQsetNoticeProcessor(c, quiet, NULL); /* DROP ... IF EXISTS says when there was none */
	PGresult *res = PQstatus(c) == CONNECTION_OK ? PQexec(c, q) : NULL;
	bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		snprintf(err, errlen, "%s: %s", q, res ? PQresultErrorMessage(res) : PQerrorMessage(c));
	PQclear(res);
	PQfinish(c);
	return ok;
}

static bool db_name(const char *conninfo, char *name, size_t len)
{
	PQconninfoOption *o = PQconninfoParse(conninfo, NULL);
	bool ok = false;
	for (PQconninfoOption *p = o; p && p->keyword; p++)
		if (strcmp(p->keyword, "dbname") == 0 && p->val && *p->val) {
			snprintf(name, len, "%s", p->val);
			ok = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(name);
		}
	PQconninfoFree(o);
	return ok;
}

bool rawpg_clone(const char *conninfo, const char *suffix, char *out, size_t len, char *err, size_t errlen)
{
	char name[128], q[512];
	if (!db_name(conninfo, name, sizeof name)) {
		snprintf(err, errlen, "%s: a keyword string with a plain dbname is needed", conninfo);
		return false;
	}
	snprintf(q, sizeof q, "DROP DATABASE IF EXISTS %s_%s", name, suffix);
	if (!admin_exec(conninfo, q, err, errlen))
		return false;
	snprintf(q, sizeof q, "CREATE DATABASE %s_%s TEMPLATE %s", name, suffix, name);
	if (!admin_exec(conninfo, q, err, errlen))
		return false;
	snprintf(out, len, "%s dbname=%s_%s", conninfo, name, suffix);
	return true;
}

bool rawpg_drop(const char *conninfo, char *err, size_t errlen)
{
	char name[128], q[256];
	if (!db_name(conninfo, name, sizeof name)) {
		snprintf(err, errlen, "%s: a keyword string with a plain dbname is needed", conninfo);
		return false;
	}
	snprintf(q, sizeof q, "DROP DATABASE IF EXISTS %s", name);
	return admin_exec(conninfo, q, err, errlen);
}
