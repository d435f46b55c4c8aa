/* What an offer and a referral were at any moment: every deadline an offer
 * has had (when it was set and why), every request for information (when
 * asked, when supplied), and the lot, district and hours a referral had
 * from each change on. Reports on a past date read these, never today's
 * values. */
#include <string.h>

#include "storage/internal.h"
#include "storage/store_data.h"

static const char *const deadline_reasons[] = {
	[STORE_DEADLINE_SENT] = "sent",
	[STORE_DEADLINE_INFO] = "information supplied",
	[STORE_DEADLINE_POLICY] = "policy change",
	[STORE_DEADLINE_BEFORE] = "before history was kept",
};

const char *store_deadline_reason_name(enum store_deadline_reason r)
{
	return (unsigned)r < sizeof deadline_reasons / sizeof deadline_reasons[0] ? deadline_reasons[r] : "?";
}

static enum store_status step_done(struct store *st, sql_stmt *s, const char *doing)
{
	int rc = sql_step(s);
	sql_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, doing);
}

enum store_status store_offer_deadline_add(struct store *st, int64_t offer_id, int64_t deadline_at, int64_t set_at,
                                           enum store_deadline_reason why)
{
	sql_stmt *s =
		store_stmt(st, Q_DEADLINE_ADD,
	                   "INSERT INTO offer_deadline(offer_id, deadline_at, set_at, reason) VALUES (?1, ?2, ?3, ?4)");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, offer_id) != SQLITE_OK || sql_bind_int64(s, 2, deadline_at) != SQLITE_OK ||
	    sql_bind_int64(s, 3, set_at) != SQLITE_OK ||
	    sql_bind_text(s, 4, store_deadline_reason_name(why), -1, SQLITE_STATIC) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "recording an offer's deadline");
	}
	return step_done(st, s, "recording an offer's deadline");
}

enum store_status store_offer_info_asked(struct store *st, int64_t offer_id, int64_t requested_at, const char *question)
{
	sql_stmt *s = store_stmt(st, Q_INFO_ASKED,
	                         "INSERT INTO offer_info(offer_id, requested_at, question) VALUES (?1, ?2, ?3)");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, offer_id) != SQLITE_OK || sql_bind_int64(s, 2, requested_at) != SQLITE_OK ||
	    store_bind_text_or_null(s, 3, question) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "recording a request for information");
	}
	return step_done(st, s, "recording a request for information");
}

enum store_status store_offer_info_supplied(struct store *st, int64_t offer_id, int64_t supplied_at)
{
	sql_stmt *s = store_stmt(st, Q_INFO_SUPPLIED,
	                         "UPDATE offer_info SET supplied_at = ?2 WHERE offer_id = ?1 AND supplied_at IS NULL "
	                         "AND requested_at <= ?2");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, offer_id) != SQLITE_OK || sql_bind_int64(s, 2, supplied_at) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "recording information supplied");
	}
	return step_done(st, s, "recording information supplied");
}

enum store_status store_referral_fact_add(struct store *st, int64_t referral_id, int64_t valid_from, int lot,
                                          const char *district, int hours_minutes)
{
	/* two changes in one second: the later one is what held from then */
	sql_stmt *s = store_stmt(
		st, Q_FACT_ADD,
		"INSERT INTO referral_fact(referral_id, valid_from, lot, district, hours_minutes) "
		"VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(referral_id, valid_from) DO UPDATE SET lot = excluded.lot, "
		"district = excluded.district, hours_minutes = excluded.hours_minutes");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, referral_id) != SQLITE_OK || sql_bind_int64(s, 2, valid_from) != SQLITE_OK ||
	    sql_bind_int(s, 3, lot) != SQLITE_OK || sql_bind_text(s, 4, district, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_int(s, 5, hours_minutes) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "recording a referral's facts");
	}
	return step_done(st, s, "recording a referral's facts");
}

enum store_status store_referral_fact_at(struct store *st, int64_t referral_id, int64_t at,
                                         struct store_referral_fact *out)
{
	sql_stmt *s = store_stmt(st, Q_FACT_AT,
	                         "SELECT valid_from, lot, district, hours_minutes FROM referral_fact "
	                         "WHERE referral_id = ?1 AND valid_from < ?2 ORDER BY valid_from DESC LIMIT 1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, referral_id) != SQLITE_OK || sql_bind_int64(s, 2, at) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "reading a referral's facts");
	}
	int rc = sql_step(s);
	enum store_status status = STORE_OK;
	if (rc == SQLITE_ROW) {
		out->valid_from = sql_column_int64(s, 0);
		out->lot = sql_column_int(s, 1);
		store_col_text(s, 2, out->district, sizeof out->district);
		out->hours_minutes = sql_column_int(s, 3);
	} else if (rc == SQLITE_DONE) {
		status = STORE_NOT_FOUND;
	} else {
		status = store_fail(st, rc, "reading a referral's facts");
	}
	sql_reset(s);
	return status;
}

enum store_status store_history_run(struct store *st, sql_stmt *deadlines, sql_stmt *infos, int64_t a, int64_t b,
                                    store_offer_deadline_fn on_deadline, store_offer_info_fn on_info, void *ud)
{
	if (!deadlines || !infos)
		return STORE_ERROR;
	if (sql_bind_int64(deadlines, 1, a) != SQLITE_OK || sql_bind_int64(deadlines, 2, b) != SQLITE_OK) {
		sql_reset(deadlines);
		return store_fail(st, SQLITE_ERROR, "reading offers' deadlines");
	}
	int rc;
	while ((rc = sql_step(deadlines)) == SQLITE_ROW) {
		struct store_offer_deadline d = {
			.offer_id = sql_column_int64(deadlines, 0),
			.deadline_at = sql_column_int64(deadlines, 1),
			.set_at = sql_column_int64(deadlines, 2),
			.reason = STORE_DEADLINE_BEFORE,
		};
		const char *why = (const char *)sql_column_text(deadlines, 3);
		for (int k = 0; why && k < (int)(sizeof deadline_reasons / sizeof deadline_reasons[0]); k++)
			if (strcmp(why, deadline_reasons[k]) == 0)
				d.reason = (enum store_deadline_reason)k;
		if (on_deadline(ud, &d) != 0)
			break;
	}
	sql_reset(deadlines);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "reading offers' deadlines");

	if (sql_bind_int64(infos, 1, a) != SQLITE_OK || sql_bind_int64(infos, 2, b) != SQLITE_OK) {
		sql_reset(infos);
		return store_fail(st, SQLITE_ERROR, "reading requests for information");
	}
	while ((rc = sql_step(infos)) == SQLITE_ROW) {
		struct store_offer_info info = {
			.offer_id = sql_column_int64(infos, 0),
			.requested_at = sql_column_int64(infos, 1),
			.supplied_at = store_col_int(infos, 2, 0),
		};
		if (on_info(ud, &info) != 0)
			break;
	}
	sql_reset(infos);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "reading requests for information");
	return STORE_OK;
}

enum store_status store_offer_history_of_referral(struct store *st, int64_t referral_id, int64_t before,
                                                  store_offer_deadline_fn on_deadline, store_offer_info_fn on_info,
                                                  void *ud)
{
	sql_stmt *d = store_stmt(st, Q_DEADLINES_OF_REFERRAL,
	                         "SELECT d.offer_id, d.deadline_at, d.set_at, d.reason FROM offer_deadline d "
	                         "JOIN offer o ON o.id = d.offer_id WHERE o.referral_id = ?1 AND d.set_at < ?2 "
	                         "ORDER BY d.offer_id, d.set_at, d.id");
	sql_stmt *i = store_stmt(st, Q_INFOS_OF_REFERRAL,
	                         "SELECT i.offer_id, i.requested_at, i.supplied_at FROM offer_info i "
	                         "JOIN offer o ON o.id = i.offer_id WHERE o.referral_id = ?1 AND i.requested_at < ?2 "
	                         "ORDER BY i.offer_id, i.requested_at, i.id");
	return store_history_run(st, d, i, referral_id, before, on_deadline, on_info, ud);
}
