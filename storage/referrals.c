/* Referrals and their offers. A referral is written only if its version is
 * the one the caller read: the guard against acting on a stale screen. */
#include <stdio.h>
#include <string.h>

#include "storage/internal.h"

#define REFERRAL_COLS                                                                                     \
	"id, case_ref, lot, district, hours_minutes, panel_date, start_date, age, urgent, note, status, " \
	"paused_from, holder_id, created_at, created_by, approved_by, escalated, sourced_at, "            \
	"sourced_provider_id, route, weekly_cost, ended_on, closed_at, close_reason, version, erased"

/* Every field is set (no whole-record clearing: lists fill tens of
 * thousands of these, and the text fields are most of the record). */
static void fill_referral(sql_stmt *s, struct store_referral *r)
{
	r->id = sql_column_int64(s, 0);
	store_col_text(s, 1, r->case_ref, sizeof r->case_ref);
	r->lot = sql_column_int(s, 2);
	store_col_text(s, 3, r->district, sizeof r->district);
	r->hours_minutes = sql_column_int(s, 4);
	r->panel_date = store_col_date(s, 5);
	r->start_date = store_col_date(s, 6);
	r->age = (int)store_col_int(s, 7, -1);
	r->urgent = sql_column_int(s, 8) != 0;
	store_col_text(s, 9, r->note, sizeof r->note);
	r->status = store_col_status(s, 10);
	r->paused_from = store_col_status(s, 11);
	r->holder_id = store_col_int(s, 12, 0);
	r->created_at = sql_column_int64(s, 13);
	r->created_by = sql_column_int64(s, 14);
	r->approved_by = store_col_int(s, 15, 0);
	r->escalated = sql_column_int(s, 16) != 0;
	r->sourced_at = store_col_int(s, 17, 0);
	r->sourced_provider_id = store_col_int(s, 18, 0);
	store_col_text(s, 19, r->route, sizeof r->route);
	r->weekly_cost = store_col_int(s, 20, 0);
	r->ended_on = store_col_date(s, 21);
	r->closed_at = store_col_int(s, 22, 0);
	store_col_text(s, 23, r->close_reason, sizeof r->close_reason);
	r->version = sql_column_int64(s, 24);
	r->erased = sql_column_int(s, 25) != 0;
}

static int bind_id_or_null(sql_stmt *s, int idx, int64_t id)
{
	return id ? sql_bind_int64(s, idx, id) : sql_bind_null(s, idx);
}

/* Parameters ?2..?25 in REFERRAL_COLS order after id; version is bound by the caller. */
static int bind_referral(sql_stmt *s, const struct store_referral *r)
{
	int rc = SQLITE_OK;
	if (rc == SQLITE_OK)
		rc = sql_bind_text(s, 2, r->case_ref, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sql_bind_int(s, 3, r->lot);
	if (rc == SQLITE_OK)
		rc = sql_bind_text(s, 4, r->district, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sql_bind_int(s, 5, r->hours_minutes);
	if (rc == SQLITE_OK)
		rc = store_bind_date(s, 6, r->panel_date);
	if (rc == SQLITE_OK)
		rc = store_bind_date(s, 7, r->start_date);
	if (rc == SQLITE_OK)
		rc = r->age >= 0 ? sql_bind_int(s, 8, r->age) : sql_bind_null(s, 8);
	if (rc == SQLITE_OK)
		rc = sql_bind_int(s, 9, r->urgent);
	if (rc == SQLITE_OK)
		rc = store_bind_text_or_null(s, 10, r->note);
	if (rc == SQLITE_OK)
		rc = store_bind_status(s, 11, r->status);
	if (rc == SQLITE_OK)
		rc = store_bind_status(s, 12, r->status == WF_PAUSED ? r->paused_from : WF_NO_STATUS);
	if (rc == SQLITE_OK)
		rc = bind_id_or_null(s, 13, r->holder_id);
	if (rc == SQLITE_OK)
		rc = sql_bind_int64(s, 14, r->created_at);
	if (rc == SQLITE_OK)
		rc = sql_bind_int64(s, 15, r->created_by);
	if (rc == SQLITE_OK)
		rc = bind_id_or_null(s, 16, r->approved_by);
	if (rc == SQLITE_OK)
		rc = sql_bind_int(s, 17, r->escalated);
	if (rc == SQLITE_OK)
		rc = bind_id_or_null(s, 18, r->sourced_at);
	if (rc == SQLITE_OK)
		rc = bind_id_or_null(s, 19, r->sourced_provider_id);
	if (rc == SQLITE_OK)
		rc = store_bind_text_or_null(s, 20, r->route);
	if (rc == SQLITE_OK)
		rc = r->route[0] ? sql_bind_int64(s, 21, r->weekly_cost) : sql_bind_null(s, 21);
	if (rc == SQLITE_OK)
		rc = store_bind_date(s, 22, r->ended_on);
	if (rc == SQLITE_OK)
		rc = bind_id_or_null(s, 23, r->closed_at);
	if (rc == SQLITE_OK)
		rc = store_bind_text_or_null(s, 24, r->close_reason);
	if (rc == SQLITE_OK)
		rc = sql_bind_int(s, 26, r->erased);
	return rc;
}

enum store_status store_referral_add(struct store *st, struct store_referral *r)
{
	sql_stmt *s =
		store_stmt(st, Q_REFERRAL_ADD,
	                   "INSERT INTO referral(case_ref, lot, district, hours_minutes, panel_date, start_date, age, "
	                   "urgent, note, status, paused_from, holder_id, created_at, created_by, approved_by, "
	                   "escalated, sourced_at, sourced_provider_id, route, weekly_cost, ended_on, closed_at, "
	                   "close_reason, version, erased) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
	                   "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, 1, ?26) RETURNING id");
	if (!s)
		return STORE_ERROR;
	if (bind_referral(s, r) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "recording the referral");
	}
	enum store_status status = store_insert_id(st, s, "recording the referral", &r->id);
	if (status != STORE_OK)
		return status;
	r->version = 1;
	return STORE_OK;
}

enum store_status store_referral_get(struct store *st, int64_t id, struct store_referral *out)
{
	sql_stmt *s = store_stmt(st, Q_REFERRAL_GET, "SELECT " REFERRAL_COLS " FROM referral WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, id) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "reading the referral");
	}
	int rc = sql_step(s);
	enum store_status status = STORE_OK;
	if (rc == SQLITE_ROW)
		fill_referral(s, out);
	else if (rc == SQLITE_DONE)
		status = STORE_NOT_FOUND;
	else
		status = store_fail(st, rc, "reading the referral");
	sql_reset(s);
	return status;
}

enum store_status store_referral_update(struct store *st, struct store_referral *r)
{
	sql_stmt *s = store_stmt(st, Q_REFERRAL_UPDATE,
	                         "UPDATE referral SET case_ref = ?2, lot = ?3, district = ?4, hours_minutes = ?5, "
	                         "panel_date = ?6, start_date = ?7, age = ?8, urgent = ?9, note = ?10, status = ?11, "
	                         "paused_from = ?12, holder_id = ?13, created_at = ?14, created_by = ?15, "
	                         "approved_by = ?16, escalated = ?17, sourced_at = ?18, sourced_provider_id = ?19, "
	                         "route = ?20, weekly_cost = ?21, ended_on = ?22, closed_at = ?23, close_reason = ?24, "
	                         "version = ?25 + 1, erased = ?26 WHERE id = ?1 AND version = ?25");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, r->id) != SQLITE_OK || bind_referral(s, r) != SQLITE_OK ||
	    sql_bind_int64(s, 25, r->version) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "saving the referral");
	}
	int rc = sql_step(s);
	sql_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "saving the referral");
	if (sql_changes(st) == 0) {
		snprintf(st->err, sizeof st->err, "referral %lld was changed by someone else", (long long)r->id);
		return STORE_CONFLICT;
	}
	r->version++;
	return STORE_OK;
}

enum store_status store_referral_each(struct store *st, const struct store_referral_filter *f, store_referral_fn fn,
                                      void *ud)
{
	sql_stmt *s = store_stmt(
		st, Q_REFERRAL_EACH,
		"SELECT " REFERRAL_COLS " FROM referral "
		"WHERE (CAST(?1 AS TEXT) IS NULL OR status = ?1) "
		"AND (?2 = 0 OR status NOT IN ('sourced','ended','withdrawn')) "
		"AND (?3 = 0 OR holder_id = ?3) AND (?4 = 0 OR lot = ?4) "
		"AND (CAST(?5 AS TEXT) IS NULL OR district = ?5) AND (CAST(?6 AS TEXT) IS NULL OR case_ref = ?6) "
		"AND (?7 = 0 OR status NOT IN ('ended','withdrawn')) ORDER BY id");
	if (!s)
		return STORE_ERROR;
	if (store_bind_text_or_null(s, 1, f->status) != SQLITE_OK ||
	    sql_bind_int(s, 2, f->unsourced_only) != SQLITE_OK || sql_bind_int64(s, 3, f->holder_id) != SQLITE_OK ||
	    sql_bind_int(s, 4, f->lot) != SQLITE_OK || store_bind_text_or_null(s, 5, f->district) != SQLITE_OK ||
	    store_bind_text_or_null(s, 6, f->case_ref) != SQLITE_OK || sql_bind_int(s, 7, f->open_only) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "listing referrals");
	}
	int rc;
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		struct store_referral r;
		fill_referral(s, &r);
		if (fn(ud, &r) != 0)
			break;
	}
	sql_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "listing referrals");
	return STORE_OK;
}

/* The list query, in three forms so that SQLite can use an index: a
 * filter written "(CAST(?1 AS TEXT) IS NULL OR status = ?1)" hides the status from the
 * planner, which then reads every referral ever made. With a status the
 * query walks referral_status; for the waiting list (and an officer's
 * open work) the partial index of unsourced referrals, whose condition the
 * WHERE repeats word for word; otherwise the whole table. */
#define ROWS_FROM                                                                                                     \
	"s.login, o.deadline_at, o.rank, p.name, " /* the ranking's size, from its index (a few entries a lot and     \
	                                              district) */                                                    \
	"(SELECT count(*) FROM ranking k WHERE k.lot = r.lot AND k.district = r.district), " /* the facts of          \
	                                                                                        "breached", from      \
	                                                                                        offer_referral        \
	                                                                                        (referral_id, status, \
	                                                                                        deadline_at) */       \
	"r.status NOT IN ('sourced','ended','withdrawn') AND EXISTS (SELECT 1 FROM offer b "                          \
	"WHERE b.referral_id = r.id AND b.status = 'expired'), " /* the earliest deadline whose clock runs: the       \
	                                                            current offer's, unless it waits for information  \
	                                                          */                                                  \
	"CASE WHEN r.status IN ('sourced','ended','withdrawn') OR o.status IS NULL THEN NULL "                        \
	"  WHEN o.status = 'sent' THEN o.deadline_at ELSE (SELECT min(b.deadline_at) FROM offer b "                   \
	"  WHERE b.referral_id = r.id AND b.status = 'sent') END, "                                                   \
	"o.status "                                                                                                   \
	"FROM referral r "                                                                                            \
	"LEFT JOIN staff s ON s.id = r.holder_id " /* the open offer with the earliest deadline, through              \
	                                              offer_open_by_referral */                                       \
	"LEFT JOIN offer o ON o.id = (SELECT x.id FROM offer x WHERE x.referral_id = r.id "                           \
	"  AND x.status IN ('sent','info_requested') ORDER BY x.deadline_at, x.id LIMIT 1) "                          \
	"LEFT JOIN provider p ON p.id = o.provider_id "
#define ROWS_SELECT                                                                                                  \
	"SELECT r.id, r.case_ref, r.lot, r.district, r.hours_minutes, r.panel_date, r.start_date, r.age, r.urgent, " \
	"r.note, r.status, r.paused_from, r.holder_id, r.created_at, r.created_by, r.approved_by, r.escalated, "     \
	"r.sourced_at, r.sourced_provider_id, r.route, r.weekly_cost, r.ended_on, r.closed_at, r.close_reason, "     \
	"r.version, r.erased, " ROWS_FROM
/* The columns the screens show, all in referral_unsourced: the waiting
 * list is read from that index alone, a few hundred pages, instead of a
 * page of the table for nearly every row. The others come back empty. */
#define ROWS_SELECT_BRIEF                                                                                   \
	"SELECT r.id, r.case_ref, r.lot, r.district, r.hours_minutes, r.panel_date, NULL, NULL, r.urgent, " \
	"NULL, r.status, NULL, r.holder_id, r.created_at, 0, NULL, 0, "                                     \
	"r.sourced_at, NULL, NULL, NULL, NULL, r.closed_at, NULL, "                                         \
	"r.version, 0, " ROWS_FROM
#define ROWS_FILTERS                                                                                           \
	"AND (?3 = 0 OR r.holder_id = ?3) AND (?4 = 0 OR r.lot = ?4) "                                         \
	"AND (CAST(?5 AS TEXT) IS NULL OR r.district = ?5) AND (CAST(?6 AS TEXT) IS NULL OR r.case_ref = ?6) " \
	"AND (?7 = 0 OR r.status NOT IN ('ended','withdrawn')) ORDER BY r.id LIMIT ?9"

#define WHERE_STATUS "WHERE r.status = ?1 AND (?2 = 0 OR r.status NOT IN ('sourced','ended','withdrawn')) "
#define WHERE_UNSOURCED "WHERE r.status NOT IN ('sourced','ended','withdrawn') AND CAST(?1 AS TEXT) IS NULL AND ?2 = 1 "
#define WHERE_ANY                                                                           \
	"WHERE (CAST(?1 AS TEXT) IS NULL OR r.status = ?1) AND (?2 = 0 OR r.status NOT IN " \
	"('sourced','ended','withdrawn')) "

static sql_stmt *rows_stmt(struct store *st, const struct store_referral_filter *f)
{
	if (f->id)
		return store_stmt(st, Q_REFERRAL_ROW_ID_BRIEF,
		                  ROWS_SELECT_BRIEF
		                  "WHERE r.id = ?8 AND (CAST(?1 AS TEXT) IS NULL OR r.status = ?1) "
		                  "AND (?2 = 0 OR r.status NOT IN ('sourced','ended','withdrawn')) " ROWS_FILTERS);
	if (f->brief) {
		if (f->status)
			return store_stmt(st, Q_REFERRAL_ROWS_STATUS_BRIEF,
			                  ROWS_SELECT_BRIEF WHERE_STATUS ROWS_FILTERS);
		if (f->unsourced_only)
			return store_stmt(st, Q_REFERRAL_ROWS_UNSOURCED_BRIEF,
			                  ROWS_SELECT_BRIEF WHERE_UNSOURCED ROWS_FILTERS);
		return store_stmt(st, Q_REFERRAL_ROWS_BRIEF, ROWS_SELECT_BRIEF WHERE_ANY ROWS_FILTERS);
	}
	if (f->status)
		return store_stmt(st, Q_REFERRAL_ROWS_STATUS, ROWS_SELECT WHERE_STATUS ROWS_FILTERS);
	if (f->unsourced_only)
		return store_stmt(st, Q_REFERRAL_ROWS_UNSOURCED, ROWS_SELECT WHERE_UNSOURCED ROWS_FILTERS);
	return store_stmt(st, Q_REFERRAL_ROWS, ROWS_SELECT WHERE_ANY ROWS_FILTERS);
}

enum store_status store_referral_rows_each(struct store *st, const struct store_referral_filter *f,
                                           store_referral_row_fn fn, void *ud)
{
	sql_stmt *s = rows_stmt(st, f);
	if (!s)
		return STORE_ERROR;
	if (store_bind_text_or_null(s, 1, f->status) != SQLITE_OK ||
	    sql_bind_int(s, 2, f->unsourced_only) != SQLITE_OK || sql_bind_int64(s, 3, f->holder_id) != SQLITE_OK ||
	    sql_bind_int(s, 4, f->lot) != SQLITE_OK || store_bind_text_or_null(s, 5, f->district) != SQLITE_OK ||
	    store_bind_text_or_null(s, 6, f->case_ref) != SQLITE_OK || sql_bind_int(s, 7, f->open_only) != SQLITE_OK ||
	    (f->id && sql_bind_int64(s, 8, f->id) != SQLITE_OK) ||
	    sql_bind_int64(s, 9, f->limit > 0 ? f->limit : INT64_MAX) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "listing referrals");
	}
	int rc;
	struct store_referral_row row;
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		fill_referral(s, &row.r);
		store_col_text(s, 26, row.holder, sizeof row.holder);
		row.next_deadline = store_col_int(s, 27, 0);
		row.current_rank = (int)store_col_int(s, 28, 0);
		store_col_text(s, 29, row.current_provider, sizeof row.current_provider);
		row.ranked = sql_column_int(s, 30);
		row.expired_any = sql_column_int(s, 31) != 0;
		row.running_deadline = store_col_int(s, 32, 0);
		row.current_status = store_col_offer_status(s, 33);
		if (fn(ud, &row) != 0)
			break;
	}
	sql_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "listing referrals");
	return STORE_OK;
}

enum store_status store_waiting_keys_each(struct store *st, store_waiting_key_fn fn, void *ud)
{
	/* the condition of referral_unsourced word for word, so that the
	 * planner reads that index alone */
	sql_stmt *s =
		store_stmt(st, Q_WAITING_KEYS,
	                   "SELECT r.id, r.lot, r.district, r.panel_date, r.created_at, r.sourced_at, r.closed_at "
	                   "FROM referral r WHERE r.status NOT IN ('sourced','ended','withdrawn') ORDER BY r.id");
	if (!s)
		return STORE_ERROR;
	int rc;
	struct store_waiting_key k;
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		k.id = sql_column_int64(s, 0);
		k.lot = sql_column_int(s, 1);
		store_col_text(s, 2, k.district, sizeof k.district);
		k.panel_date = store_col_date(s, 3);
		k.created_at = sql_column_int64(s, 4);
		k.sourced_at = store_col_int(s, 5, 0);
		k.closed_at = store_col_int(s, 6, 0);
		if (fn(ud, &k) != 0)
			break;
	}
	sql_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "reading the waiting list");
	return STORE_OK;
}

/* How SQLite will run prepared statement s, one step a line, appended to
 * buf (*used bytes of len already there). */
enum store_status store_plan_of(struct store *st, sql_stmt *s, char *buf, size_t len, size_t *used)
{
	if (!s->lite) {
		snprintf(st->err, sizeof st->err, "a query's plan is shown on SQLite only");
		return STORE_REFUSED;
	}
	char *sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sqlite3_sql(s->lite));
	if (!sql)
		return store_fail(st, SQLITE_NOMEM, "explaining a query");
	sql_stmt *q = NULL;
	int rc = sql_prepare(st, sql, &q);
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "explaining a query");
	while ((rc = sql_step(q)) == SQLITE_ROW) {
		const unsigned char *d = sql_column_text(q, 3);
		int n = snprintf(buf + *used, len - *used, "%s\n", d ? (const char *)d : "");
		if (n < 0 || (size_t)n >= len - *used)
			break;
		*used += (size_t)n;
	}
	sql_finalize(q);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : store_fail(st, rc, "explaining a query");
}

/* How SQLite will run the list query for this filter, one step a line:
 * for the tests that hold the lists to their indexes. */
enum store_status store_referral_rows_plan(struct store *st, const struct store_referral_filter *f, char *buf,
                                           size_t len)
{
	sql_stmt *s = rows_stmt(st, f);
	if (!s || len == 0)
		return STORE_ERROR;
	size_t used = 0;
	buf[0] = '\0';
	return store_plan_of(st, s, buf, len, &used);
}

enum store_status store_referral_count(struct store *st, int64_t *n)
{
	sql_stmt *s = store_stmt(st, Q_REFERRAL_COUNT, "SELECT count(*) FROM referral");
	if (!s)
		return STORE_ERROR;
	int rc = sql_step(s);
	if (rc == SQLITE_ROW)
		*n = sql_column_int64(s, 0);
	sql_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : store_fail(st, rc, "counting referrals");
}

/* ---- offers ---- */

#define OFFER_COLS                                                                                           \
	"id, referral_id, provider_id, rank, status, confirmed, sent_at, received_on, deadline_at, "         \
	"answered_at, reason, start_date, info_requested_at, info_supplied_at, sent_by, via, decline_code, " \
	"recorded_at, handed_back_on, handed_back_at"

static void fill_offer(sql_stmt *s, struct store_offer *o)
{
	memset(o, 0, sizeof *o);
	o->id = sql_column_int64(s, 0);
	o->referral_id = sql_column_int64(s, 1);
	o->provider_id = sql_column_int64(s, 2);
	o->rank = sql_column_int(s, 3);
	o->status = store_col_offer_status(s, 4);
	o->confirmed = sql_column_int(s, 5) != 0;
	o->sent_at = sql_column_int64(s, 6);
	o->received_on = (int32_t)sql_column_int64(s, 7);
	o->deadline_at = sql_column_int64(s, 8);
	o->answered_at = store_col_int(s, 9, 0);
	store_col_text(s, 10, o->reason, sizeof o->reason);
	o->start_date = store_col_date(s, 11);
	o->info_requested_at = store_col_int(s, 12, 0);
	o->info_supplied_at = store_col_int(s, 13, 0);
	o->sent_by = store_col_int(s, 14, 0);
	store_col_text(s, 15, o->via, sizeof o->via);
	store_col_text(s, 16, o->decline_code, sizeof o->decline_code);
	o->recorded_at = store_col_int(s, 17, 0);
	o->handed_back_on = store_col_date(s, 18);
	o->handed_back_at = store_col_int(s, 19, 0);
}

static int bind_offer(sql_stmt *s, const struct store_offer *o)
{
	int rc = SQLITE_OK;
	if (rc == SQLITE_OK)
		rc = sql_bind_int64(s, 2, o->referral_id);
	if (rc == SQLITE_OK)
		rc = sql_bind_int64(s, 3, o->provider_id);
	if (rc == SQLITE_OK)
		rc = sql_bind_int(s, 4, o->rank);
	if (rc == SQLITE_OK)
		rc = store_bind_offer_status(s, 5, o->status);
	if (rc == SQLITE_OK)
		rc = sql_bind_int(s, 6, o->confirmed);
	if (rc == SQLITE_OK)
		rc = sql_bind_int64(s, 7, o->sent_at);
	if (rc == SQLITE_OK)
		rc = sql_bind_int64(s, 8, o->received_on);
	if (rc == SQLITE_OK)
		rc = sql_bind_int64(s, 9, o->deadline_at);
	if (rc == SQLITE_OK)
		rc = bind_id_or_null(s, 10, o->answered_at);
	if (rc == SQLITE_OK)
		rc = store_bind_text_or_null(s, 11, o->reason);
	if (rc == SQLITE_OK)
		rc = store_bind_date(s, 12, o->start_date);
	if (rc == SQLITE_OK)
		rc = bind_id_or_null(s, 13, o->info_requested_at);
	if (rc == SQLITE_OK)
		rc = bind_id_or_null(s, 14, o->info_supplied_at);
	if (rc == SQLITE_OK)
		rc = bind_id_or_null(s, 15, o->sent_by);
	if (rc == SQLITE_OK)
		rc = store_bind_text_or_null(s, 16, o->via);
	if (rc == SQLITE_OK)
		rc = store_bind_text_or_null(s, 17, o->decline_code);
	if (rc == SQLITE_OK)
		rc = bind_id_or_null(s, 18, o->recorded_at);
	if (rc == SQLITE_OK)
		rc = store_bind_date(s, 19, o->handed_back_on);
	if (rc == SQLITE_OK)
		rc = bind_id_or_null(s, 20, o->handed_back_at);
	return rc;
}

enum store_status store_offer_add(struct store *st, struct store_offer *o)
{
	static const char sql[] =
		"INSERT INTO offer(referral_id, provider_id, rank, status, confirmed, sent_at, received_on, "
		"deadline_at, answered_at, reason, start_date, info_requested_at, info_supplied_at, sent_by, via, "
		"decline_code, recorded_at, handed_back_on, handed_back_at) "
		"VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20) "
		"RETURNING id";
	sql_stmt *s = store_stmt(st, Q_OFFER_ADD, sql);
	if (!s)
		return STORE_ERROR;
	if (bind_offer(s, o) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "recording the offer");
	}
	return store_insert_id(st, s, "recording the offer", &o->id);
}

enum store_status store_offer_update(struct store *st, const struct store_offer *o)
{
	sql_stmt *s =
		store_stmt(st, Q_OFFER_UPDATE,
	                   "UPDATE offer SET referral_id = ?2, provider_id = ?3, rank = ?4, status = ?5, "
	                   "confirmed = ?6, sent_at = ?7, received_on = ?8, deadline_at = ?9, answered_at = ?10, "
	                   "reason = ?11, start_date = ?12, info_requested_at = ?13, info_supplied_at = ?14, "
	                   "sent_by = ?15, via = ?16, decline_code = ?17, recorded_at = ?18, handed_back_on = ?19, "
	                   "handed_back_at = ?20 WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, o->id) != SQLITE_OK || bind_offer(s, o) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "saving the offer");
	}
	int rc = sql_step(s);
	sql_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "saving the offer");
	return sql_changes(st) ? STORE_OK : STORE_NOT_FOUND;
}

static enum store_status each_offer(struct store *st, sql_stmt *s, store_offer_fn fn, void *ud)
{
	int rc;
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		struct store_offer o;
		fill_offer(s, &o);
		if (fn(ud, &o) != 0)
			break;
	}
	sql_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "reading offers");
	return STORE_OK;
}

enum store_status store_offer_each_for_referral(struct store *st, int64_t referral_id, store_offer_fn fn, void *ud)
{
	sql_stmt *s = store_stmt(st, Q_OFFER_FOR_REFERRAL,
	                         "SELECT " OFFER_COLS " FROM offer WHERE referral_id = ?1 ORDER BY sent_at, id");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, referral_id) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "reading offers");
	}
	return each_offer(st, s, fn, ud);
}

enum store_status store_offer_each_overdue(struct store *st, int64_t now, store_offer_fn fn, void *ud)
{
	sql_stmt *s = store_stmt(st, Q_OFFER_OVERDUE,
	                         "SELECT " OFFER_COLS " FROM offer WHERE status = 'sent' AND deadline_at < ?1 "
	                         "ORDER BY deadline_at, id");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, now) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "finding overdue offers");
	}
	return each_offer(st, s, fn, ud);
}

enum store_status store_offer_each_open(struct store *st, store_offer_fn fn, void *ud)
{
	sql_stmt *s = store_stmt(st, Q_OFFER_EACH_OPEN,
	                         "SELECT " OFFER_COLS " FROM offer WHERE status IN ('sent','info_requested') "
	                         "ORDER BY deadline_at, id");
	if (!s)
		return STORE_ERROR;
	return each_offer(st, s, fn, ud);
}

enum store_status store_offer_count_open_for_provider(struct store *st, int64_t provider_id, int64_t *n)
{
	sql_stmt *s =
		store_stmt(st, Q_OFFER_OPEN_FOR_PROVIDER,
	                   "SELECT count(*) FROM offer WHERE provider_id = ?1 AND status IN ('sent','info_requested')");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, provider_id) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "counting open offers");
	}
	int rc = sql_step(s);
	if (rc == SQLITE_ROW)
		*n = sql_column_int64(s, 0);
	sql_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : store_fail(st, rc, "counting open offers");
}

enum store_status store_offer_get(struct store *st, int64_t id, struct store_offer *out)
{
	sql_stmt *s = store_stmt(st, Q_OFFER_GET, "SELECT " OFFER_COLS " FROM offer WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, id) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "reading an offer");
	int rc = sql_step(s);
	if (rc == SQLITE_ROW)
		fill_offer(s, out);
	sql_reset(s);
	if (rc == SQLITE_ROW)
		return STORE_OK;
	if (rc == SQLITE_DONE) {
		snprintf(st->err, sizeof st->err, "there is no offer %lld", (long long)id);
		return STORE_NOT_FOUND;
	}
	return store_fail(st, rc, "reading an offer");
}
