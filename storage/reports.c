/* Whole-table reads for reports, the import's duplicate check, erasure
 * under the retention rules, and the checkpoint that makes it final. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "storage/internal.h"
#include "storage/store_data.h"

#define REPORT_REFERRAL_COLS                                                                                  \
	"SELECT r.id, r.case_ref, r.lot, r.district, r.hours_minutes, r.panel_date, r.created_at, r.status, " \
	"r.sourced_at, r.sourced_provider_id, r.route, r.weekly_cost, r.ended_on, r.closed_at, "              \
	"(SELECT x.framework_rate FROM spot_request x WHERE x.referral_id = r.id AND x.status = 'approved' "  \
	"  ORDER BY x.id DESC LIMIT 1), s.login, r.erased "                                                   \
	"FROM referral r LEFT JOIN staff s ON s.id = r.holder_id "

/* Steps s (bound) and passes each referral to fn; s is reset after.
 * facts: columns 17-19 hold the lot, district and hours of a referral_fact
 * (NULL: none), which replace the row's own. */
static enum store_status report_referrals_run(struct store *st, sql_stmt *s, bool facts, store_report_referral_fn fn,
                                              void *ud)
{
	int rc;
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		struct store_report_referral r;
		memset(&r, 0, sizeof r);
		r.id = sql_column_int64(s, 0);
		store_col_text(s, 1, r.case_ref, sizeof r.case_ref);
		r.lot = sql_column_int(s, 2);
		store_col_text(s, 3, r.district, sizeof r.district);
		r.hours_minutes = sql_column_int(s, 4);
		r.panel_date = store_col_date(s, 5);
		r.created_at = sql_column_int64(s, 6);
		r.status = store_col_status(s, 7);
		r.sourced_at = store_col_int(s, 8, 0);
		r.sourced_provider_id = store_col_int(s, 9, 0);
		store_col_text(s, 10, r.route, sizeof r.route);
		r.weekly_cost = store_col_int(s, 11, 0);
		r.ended_on = store_col_date(s, 12);
		r.closed_at = store_col_int(s, 13, 0);
		r.spot_framework_rate = store_col_int(s, 14, -1);
		store_col_text(s, 15, r.holder, sizeof r.holder);
		r.erased = sql_column_int(s, 16) != 0;
		if (facts && sql_column_type(s, 17) != SQLITE_NULL) {
			/* the lot, district and hours recorded as they were then */
			r.lot = sql_column_int(s, 17);
			store_col_text(s, 18, r.district, sizeof r.district);
			r.hours_minutes = sql_column_int(s, 19);
		}
		if (fn(ud, &r) != 0)
			break;
	}
	sql_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "reading referrals for a report");
	return STORE_OK;
}

enum store_status store_report_referrals_each(struct store *st, store_report_referral_fn fn, void *ud)
{
	sql_stmt *s = store_stmt(st, Q_REPORT_REFERRALS, REPORT_REFERRAL_COLS "ORDER BY r.id");
	if (!s)
		return STORE_ERROR;
	return report_referrals_run(st, s, false, fn, ud);
}

/* Not sourced or closed before ?N (0 counts as none). */
#define OPEN_AT(n)                                                                  \
	"(r.sourced_at IS NULL OR r.sourced_at = 0 OR r.sourced_at >= ?" n ") AND " \
	"(r.closed_at IS NULL OR r.closed_at = 0 OR r.closed_at >= ?" n ")"
/* A column of the referral's facts as they were just before ?2, for a
 * referral open then. */
#define FACT_THEN(col)                                                                                       \
	"CASE WHEN " OPEN_AT("2") " THEN (SELECT f." col " FROM referral_fact f WHERE f.referral_id = r.id " \
				  "AND f.valid_from < ?2 ORDER BY f.valid_from DESC LIMIT 1) END"

enum store_status store_report_referrals_open_at(struct store *st, int64_t since, int64_t at,
                                                 store_report_referral_fn fn, void *ud)
{
	/* One pass: the test is on the row itself, and the spot rate and the
	 * facts are looked up only for the referrals still open at `at`. */
	static const char sql[] =
		"SELECT r.id, r.case_ref, r.lot, r.district, r.hours_minutes, r.panel_date, r.created_at, r.status, "
		"r.sourced_at, r.sourced_provider_id, r.route, r.weekly_cost, r.ended_on, r.closed_at, "
		"CASE WHEN " OPEN_AT(
			"2") " THEN (SELECT x.framework_rate FROM spot_request x "
			     "WHERE x.referral_id = r.id AND x.status = 'approved' ORDER BY x.id DESC LIMIT 1) END, "
			     "s.login, r.erased, " FACT_THEN("lot") ", " FACT_THEN("district") ", " FACT_THEN(
				     "hours_minutes") " "
						      "FROM referral r LEFT JOIN staff s ON s.id = r.holder_id "
						      "WHERE " OPEN_AT("1") " ORDER BY r.id";
	sql_stmt *s = store_stmt(st, Q_REPORT_REFERRALS_OPEN_AT, sql);
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, since) != SQLITE_OK || sql_bind_int64(s, 2, at) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "reading referrals for a report");
	}
	return report_referrals_run(st, s, true, fn, ud);
}

enum store_status store_report_referral_spans(struct store *st, int64_t since, store_report_referral_fn fn, void *ud)
{
	sql_stmt *s = store_stmt(st, Q_REPORT_REFERRAL_SPANS,
	                         "SELECT r.id, r.panel_date, r.created_at, r.sourced_at, r.closed_at FROM referral r "
	                         "WHERE (r.sourced_at IS NULL OR r.sourced_at = 0 OR r.sourced_at >= ?1) "
	                         "AND (r.closed_at IS NULL OR r.closed_at = 0 OR r.closed_at >= ?1) ORDER BY r.id");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, since) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "reading referrals for a report");
	}
	int rc;
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		struct store_report_referral r = {
			.id = sql_column_int64(s, 0),
			.panel_date = store_col_date(s, 1),
			.created_at = sql_column_int64(s, 2),
			.sourced_at = store_col_int(s, 3, 0),
			.closed_at = store_col_int(s, 4, 0),
			.ended_on = STORE_NO_DATE,
			.spot_framework_rate = -1,
		};
		if (fn(ud, &r) != 0)
			break;
	}
	sql_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "reading referrals for a report");
	return STORE_OK;
}

/* An expired or withdrawn offer has no answer time: the event that closed
 * it says when. The event index on referral_id keeps this cheap. */
#define REPORT_OFFER_COLS                                                                                        \
	"SELECT o.id, o.referral_id, o.provider_id, o.rank, o.status, o.confirmed, o.sent_at, o.deadline_at, "   \
	"o.answered_at, o.info_requested_at, o.info_supplied_at, "                                               \
	"CASE WHEN o.status IN ('expired','withdrawn') THEN (SELECT min(e.at) FROM event e "                     \
	"  WHERE e.referral_id = o.referral_id AND e.entity = 'offer' AND e.entity_id = o.id "                   \
	"  AND e.action IN ('offer.expire','offer.withdraw')) END, o.reason, o.decline_code, o.handed_back_at, " \
	"o.handed_back_on, o.via, o.recorded_at "                                                                \
	"FROM offer o "

static void report_offer_fill(sql_stmt *s, struct store_report_offer *out)
{
	struct store_report_offer o;
	memset(&o, 0, sizeof o);
	o.id = sql_column_int64(s, 0);
	o.referral_id = sql_column_int64(s, 1);
	o.provider_id = sql_column_int64(s, 2);
	o.rank = sql_column_int(s, 3);
	o.status = store_col_offer_status(s, 4);
	o.confirmed = sql_column_int(s, 5) != 0;
	o.sent_at = sql_column_int64(s, 6);
	o.deadline_at = sql_column_int64(s, 7);
	o.answered_at = store_col_int(s, 8, 0);
	o.info_requested_at = store_col_int(s, 9, 0);
	o.info_supplied_at = store_col_int(s, 10, 0);
	o.closed_at = store_col_int(s, 11, 0);
	if (!o.closed_at && (o.status == WF_OFFER_ACCEPTED || o.status == WF_OFFER_DECLINED))
		o.closed_at = o.answered_at;
	if (!o.closed_at && o.status == WF_OFFER_EXPIRED)
		o.closed_at = o.deadline_at; /* an imported or hand-made row without its event */
	store_col_text(s, 12, o.reason, sizeof o.reason);
	store_col_text(s, 13, o.decline_code, sizeof o.decline_code);
	o.handed_back_at = store_col_int(s, 14, 0);
	o.handed_back_on = store_col_date(s, 15);
	store_col_text(s, 16, o.via, sizeof o.via);
	o.recorded_at = store_col_int(s, 17, 0);
	*out = o;
}

/* Steps s (bound) and passes each offer to fn; s is reset after. */
static enum store_status report_offers_run(struct store *st, sql_stmt *s, store_report_offer_fn fn, void *ud)
{
	int rc;
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		struct store_report_offer o;
		report_offer_fill(s, &o);
		if (fn(ud, &o) != 0)
			break;
	}
	sql_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "reading offers for a report");
	return STORE_OK;
}

enum store_status store_report_offers_each(struct store *st, int64_t sent_from, int64_t sent_to,
                                           store_report_offer_fn fn, void *ud)
{
	sql_stmt *s = store_stmt(st, Q_REPORT_OFFERS,
	                         REPORT_OFFER_COLS "WHERE o.sent_at >= ?1 AND o.sent_at < ?2 "
	                                           "ORDER BY o.referral_id, o.sent_at, o.id");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, sent_from) != SQLITE_OK || sql_bind_int64(s, 2, sent_to) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "reading offers for a report");
	}
	return report_offers_run(st, s, fn, ud);
}

enum store_status store_report_offers_sent(struct store *st, int64_t sent_from, int64_t sent_to,
                                           store_report_offer_fn fn, void *ud)
{
	/* No index starts with sent_at: one pass over the table in id order
	 * reads a month of offers faster than the referral index would, with a
	 * row lookup for each of the whole table's offers. */
	sql_stmt *s =
		store_stmt(st, Q_REPORT_OFFERS_SENT,
	                   "SELECT o.id, o.referral_id, o.provider_id, o.rank, o.status, o.confirmed, "
	                   "o.sent_at, o.deadline_at, o.answered_at, o.info_requested_at, o.info_supplied_at, "
	                   "NULL, o.reason, o.decline_code, o.handed_back_at, o.handed_back_on, o.via, o.recorded_at "
	                   "FROM offer o WHERE o.sent_at >= ?1 AND o.sent_at < ?2 ORDER BY o.id");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, sent_from) != SQLITE_OK || sql_bind_int64(s, 2, sent_to) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "reading offers for a report");
	}
	return report_offers_run(st, s, fn, ud);
}

enum store_status store_offer_history_between(struct store *st, int64_t id_lo, int64_t id_hi,
                                              store_offer_deadline_fn on_deadline, store_offer_info_fn on_info,
                                              void *ud)
{
	sql_stmt *d = store_stmt(st, Q_DEADLINES_BETWEEN,
	                         "SELECT d.offer_id, d.deadline_at, d.set_at, d.reason FROM offer_deadline d "
	                         "WHERE d.offer_id BETWEEN ?1 AND ?2 ORDER BY d.offer_id, d.set_at, d.id");
	sql_stmt *i = store_stmt(st, Q_INFOS_BETWEEN,
	                         "SELECT i.offer_id, i.requested_at, i.supplied_at FROM offer_info i "
	                         "WHERE i.offer_id BETWEEN ?1 AND ?2 ORDER BY i.offer_id, i.requested_at, i.id");
	return store_history_run(st, d, i, id_lo, id_hi, on_deadline, on_info, ud);
}

#define WAITING_OFFERS_SQL(JOIN)                                                                                 \
	"SELECT o.id, o.referral_id, o.provider_id, o.rank, o.status, o.confirmed, o.sent_at, o.deadline_at, "   \
	"o.answered_at, o.info_requested_at, o.info_supplied_at, "                                               \
	"CASE WHEN o.status IN ('expired','withdrawn') THEN (SELECT min(e.at) FROM event e "                     \
	"  WHERE e.referral_id = o.referral_id AND e.entity = 'offer' AND e.entity_id = o.id "                   \
	"  AND e.action IN ('offer.expire','offer.withdraw')) END, o.reason, o.decline_code, o.handed_back_at, " \
	"o.handed_back_on, o.via, o.recorded_at, "                                                               \
	"(SELECT d.deadline_at FROM offer_deadline d WHERE d.offer_id = o.id AND d.set_at < ?1 "                 \
	"  ORDER BY d.set_at DESC, d.id DESC LIMIT 1), "                                                         \
	"EXISTS (SELECT 1 FROM offer_info i WHERE i.offer_id = o.id AND i.requested_at < ?1 "                    \
	"  AND (i.supplied_at IS NULL OR i.supplied_at = 0 OR i.supplied_at >= ?1)) "                            \
	"FROM referral r " JOIN " offer o ON o.referral_id = r.id "                                              \
	"WHERE (r.sourced_at IS NULL OR r.sourced_at = 0 OR r.sourced_at >= ?1) "                                \
	"AND (r.closed_at IS NULL OR r.closed_at = 0 OR r.closed_at >= ?1) AND o.sent_at < ?1 "                  \
	"ORDER BY r.id, o.sent_at, o.id"

enum store_status store_report_waiting_offers(struct store *st, int64_t at, store_waiting_offer_fn fn, void *ud)
{
	/* The referrals first (CROSS JOIN keeps them the outer loop, in id
	 * order, the planner would otherwise scan every offer), each one's
	 * offers through its index; a deadline and a stopped clock through the
	 * offer's own history indexes. */
	/* PostgreSQL has no CROSS JOIN ... ON, nor needs the hint: a plain join there */
	static const char *const lite = WAITING_OFFERS_SQL("CROSS JOIN"), *const pg = WAITING_OFFERS_SQL("JOIN");
	sql_stmt *s = store_stmt(st, Q_REPORT_WAITING_OFFERS, st->engine == STORE_ENGINE_PG ? pg : lite);
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, at) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "reading offers for a report");
	}
	int rc;
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		struct store_waiting_offer w;
		report_offer_fill(s, &w.o);
		w.deadline_then = store_col_int(s, 18, 0);
		w.stopped_then = sql_column_int(s, 19) != 0;
		if (fn(ud, &w) != 0)
			break;
	}
	sql_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "reading offers for a report");
	return STORE_OK;
}

enum store_status store_referral_exists(struct store *st, const char *case_ref, int lot, int32_t panel_date,
                                        int64_t except_id, int64_t *id)
{
	sql_stmt *s = store_stmt(st, Q_REFERRAL_EXISTS,
	                         "SELECT id FROM referral WHERE case_ref = ?1 AND lot = ?2 "
	                         "AND (panel_date = ?3 OR (panel_date IS NULL AND ?3 IS NULL)) " /* IS: SQLite's only */
	                         "AND id <> ?4 ORDER BY id LIMIT 1");
	if (!s)
		return STORE_ERROR;
	*id = 0;
	if (sql_bind_text(s, 1, case_ref, -1, SQLITE_STATIC) != SQLITE_OK || sql_bind_int(s, 2, lot) != SQLITE_OK ||
	    store_bind_date(s, 3, panel_date) != SQLITE_OK || sql_bind_int64(s, 4, except_id) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "looking for an existing referral");
	}
	int rc = sql_step(s);
	if (rc == SQLITE_ROW)
		*id = sql_column_int64(s, 0);
	sql_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, "looking for an existing referral");
	return STORE_OK;
}

static enum store_status erase_step(struct store *st, enum store_q q, const char *sql, int64_t id, const char *doing)
{
	sql_stmt *s = store_stmt(st, q, sql);
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, id) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, doing);
	}
	int rc = sql_step(s);
	sql_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, doing);
}

enum store_status store_referral_erase(struct store *st, int64_t id)
{
	/* The referral first: the trigger lets payloads go only for an erased referral. */
	enum store_status s = erase_step(st, Q_ERASE_REFERRAL,
	                                 "UPDATE referral SET erased = 1, case_ref = 'erased-' || id, note = NULL, "
	                                 "age = NULL, close_reason = NULL, version = version + 1 WHERE id = ?1",
	                                 id, "erasing the referral");
	if (s != STORE_OK)
		return s;
	if (sql_changes(st) == 0) {
		snprintf(st->err, sizeof st->err, "there is no referral %lld", (long long)id);
		return STORE_NOT_FOUND;
	}
	s = erase_step(st, Q_ERASE_OFFERS, "UPDATE offer SET reason = NULL WHERE referral_id = ?1", id,
	               "erasing the referral's offers");
	if (s == STORE_OK)
		s = erase_step(st, Q_ERASE_SPOTS,
		               "UPDATE spot_request SET justification = 'erased', note = NULL WHERE referral_id = ?1",
		               id, "erasing the referral's spot requests");
	if (s == STORE_OK)
		s = erase_step(st, Q_ERASE_QUESTIONS,
		               "UPDATE offer_info SET question = NULL WHERE offer_id IN "
		               "(SELECT o.id FROM offer o WHERE o.referral_id = ?1)",
		               id, "erasing the questions asked about the referral");
	if (s == STORE_OK) /* the messages written about it name its case reference */
		s = erase_step(st, Q_OUTBOX_ERASE, "DELETE FROM outbox WHERE referral_id = ?1", id,
		               "erasing the messages sent about the referral");
	if (s == STORE_OK)
		s = erase_step(st, Q_ERASE_INBOX,
		               "UPDATE inbox SET words = NULL, subject = NULL, body = NULL WHERE offer_id IN "
		               "(SELECT o.id FROM offer o WHERE o.referral_id = ?1)",
		               id, "erasing the answers that came in about the referral");
	if (s == STORE_OK)
		s = erase_step(st, Q_ERASE_PAYLOADS, "DELETE FROM event_payload WHERE referral_id = ?1", id,
		               "erasing the referral's audit payloads");
	return s;
}

enum store_status store_checkpoint(struct store *st, bool *busy)
{
	int log = 0, done = 0;
	*busy = false;
	if (st->readonly || st->engine != STORE_ENGINE_SQLITE) /* the server keeps its own log */
		return STORE_OK;
	int rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
	if (rc == SQLITE_BUSY || (rc == SQLITE_OK && log >= 0 && done < log)) {
		*busy = true;
		return STORE_OK;
	}
	return rc == SQLITE_OK ? STORE_OK : store_fail(st, rc, "copying the write-ahead log into the database");
}

void store_sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	if (sodium_init() < 0) {
		memset(hex, '0', 64);
		hex[64] = '\0';
		return;
	}
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(hex, 65, h, sizeof h);
}
