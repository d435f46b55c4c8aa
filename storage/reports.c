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

/* Steps s (bound) and passes each referral to fn; s is reset after. */
static enum store_status report_referrals_run(struct store *st, sql_stmt *s, store_report_referral_fn fn, void *ud)
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
	return report_referrals_run(st, s, fn, ud);
}

/* The referrals not sourced or closed before ?N (0 counts as none), as
 * three seeks of referral_span on sourced_at (none, 0, or from ?N on),
 * each checking closed_at in the index: the columns of `cols` (in the
 * index, or read from the table), and `and` a further condition. */
#define CLOSED_FROM(n) "(closed_at IS NULL OR closed_at = 0 OR closed_at >= ?" n ")"
#define OPEN_FROM(cols, n, and)                                                              \
	"SELECT " cols " FROM referral WHERE sourced_at IS NULL AND " CLOSED_FROM(n) and     \
		" UNION ALL "                                                                \
		"SELECT " cols " FROM referral WHERE sourced_at = 0 AND " CLOSED_FROM(n) and \
		" UNION ALL "                                                                \
		"SELECT " cols " FROM referral WHERE sourced_at >= ?" n " AND " CLOSED_FROM(n) and

static const char spans_sql[] = OPEN_FROM("id, panel_date, created_at, sourced_at, closed_at", "1", "");

enum store_status store_report_referral_spans(struct store *st, int64_t since, store_report_referral_fn fn, void *ud)
{
	sql_stmt *s = store_stmt(st, Q_REPORT_REFERRAL_SPANS, spans_sql);
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

/* The packages handed back: the offers through their partial index of
 * hand-backs; each approved spot request through the referral's events,
 * the first hand-back after its approval having ended it. A spot request
 * whose approval is the referral's sourcing now (approved at its
 * sourced_at) is the package in place, so its events are not read. */
static const char placements_past_sql[] =
	"SELECT q.referral_id, q.provider_id, q.spot, q.from_t, q.until_t, "
	"COALESCE((SELECT f.lot FROM referral_fact f WHERE f.referral_id = q.referral_id "
	"  AND f.valid_from <= q.from_t ORDER BY f.valid_from DESC LIMIT 1), r.lot), "
	"COALESCE((SELECT f.district FROM referral_fact f WHERE f.referral_id = q.referral_id "
	"  AND f.valid_from <= q.from_t ORDER BY f.valid_from DESC LIMIT 1), r.district), "
	"COALESCE(q.hours, (SELECT f.hours_minutes FROM referral_fact f WHERE f.referral_id = q.referral_id "
	"  AND f.valid_from <= q.from_t ORDER BY f.valid_from DESC LIMIT 1), r.hours_minutes), "
	"q.weekly_cost, p.rate, q.framework_rate "
	"FROM (SELECT o.referral_id, o.provider_id, 0 AS spot, "
	"  COALESCE((SELECT min(e.at) FROM event e WHERE e.referral_id = o.referral_id AND e.entity = 'offer' "
	"    AND e.entity_id = o.id AND e.action = 'offer.confirm'), o.answered_at, o.sent_at) AS from_t, "
	"  o.handed_back_at AS until_t, NULL AS hours, -1 AS weekly_cost, -1 AS framework_rate "
	"  FROM offer o WHERE o.handed_back_at IS NOT NULL AND o.handed_back_at <> 0 AND o.status = 'accepted' "
	"UNION ALL "
	"SELECT x.referral_id, x.provider_id, 1, x.decided_at, "
	"  CASE WHEN COALESCE(rr.route, '') = 'spot' AND COALESCE(rr.sourced_at, 0) = x.decided_at THEN NULL "
	"  ELSE (SELECT min(h.at) FROM event h WHERE h.referral_id = x.referral_id AND h.action = 'referral.hand-back' "
	"    AND h.seq > (SELECT min(a.seq) FROM event a WHERE a.referral_id = x.referral_id "
	"    AND a.entity = 'spot_request' AND a.entity_id = x.id AND a.action = 'spot.approve')) END, "
	"  x.hours_minutes, x.weekly_cost, x.framework_rate "
	"  FROM spot_request x JOIN referral rr ON rr.id = x.referral_id "
	"  WHERE x.status = 'approved' AND x.decided_at IS NOT NULL) q "
	"JOIN referral r ON r.id = q.referral_id LEFT JOIN provider p ON p.id = q.provider_id "
	"WHERE q.until_t IS NOT NULL ORDER BY q.referral_id, q.from_t";

enum store_status store_report_placements_past(struct store *st, store_report_placement_fn fn, void *ud)
{
	sql_stmt *s = store_stmt(st, Q_REPORT_PLACEMENTS_PAST, placements_past_sql);
	if (!s)
		return STORE_ERROR;
	int rc;
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		struct store_report_placement p;
		memset(&p, 0, sizeof p);
		p.referral_id = sql_column_int64(s, 0);
		p.provider_id = sql_column_int64(s, 1);
		p.spot = sql_column_int(s, 2) != 0;
		p.from = store_col_int(s, 3, 0);
		p.until = store_col_int(s, 4, 0);
		p.lot = sql_column_int(s, 5);
		store_col_text(s, 6, p.district, sizeof p.district);
		p.hours_minutes = sql_column_int(s, 7);
		p.weekly_cost = store_col_int(s, 8, -1);
		p.provider_rate = store_col_int(s, 9, 0);
		p.framework_rate = store_col_int(s, 10, -1);
		if (fn(ud, &p) != 0)
			break;
	}
	sql_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "reading the packages handed back for a report");
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

/* When offer o stopped being open: `event` (the time of the event that
 * expired or withdrew it, 0 when none), or its answer's time. */
static int64_t offer_closed_at(const struct store_report_offer *o, int64_t event)
{
	if (event)
		return event;
	if (o->status == WF_OFFER_ACCEPTED || o->status == WF_OFFER_DECLINED)
		return o->answered_at;
	if (o->status == WF_OFFER_EXPIRED)
		return o->deadline_at; /* an imported or hand-made row without its event */
	return 0;
}

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
	o.closed_at = offer_closed_at(&o, store_col_int(s, 11, 0));
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

/* One referral's lot, district and hours as they were just before `at`,
 * where referral_fact recorded them (its own otherwise). */
static int waiting_facts(sql_stmt *f, struct store_report_referral *r, int64_t at)
{
	if (sql_bind_int64(f, 1, r->id) != SQLITE_OK || sql_bind_int64(f, 2, at) != SQLITE_OK)
		return SQLITE_ERROR;
	int rc = sql_step(f);
	if (rc == SQLITE_ROW) {
		r->lot = sql_column_int(f, 0);
		store_col_text(f, 1, r->district, sizeof r->district);
		r->hours_minutes = sql_column_int(f, 2);
		rc = SQLITE_DONE;
	}
	sql_reset(f);
	return rc;
}

/* The logins of the holders met so far: a few staff hold every referral,
 * so each is read once, not once a row. */
#define LOGIN_SLOTS 64
struct login_cache {
	int64_t id[LOGIN_SLOTS]; /* 0: empty */
	char login[LOGIN_SLOTS][64];
};

/* The login of staff_id into buf ("" when there is none). */
static int waiting_login(sql_stmt *l, struct login_cache *c, int64_t staff_id, char *buf, size_t len)
{
	size_t k = (size_t)staff_id % LOGIN_SLOTS;
	if (c->id[k] == staff_id) {
		snprintf(buf, len, "%s", c->login[k]);
		return SQLITE_DONE;
	}
	buf[0] = '\0';
	if (sql_bind_int64(l, 1, staff_id) != SQLITE_OK)
		return SQLITE_ERROR;
	int rc = sql_step(l);
	if (rc == SQLITE_ROW) {
		store_col_text(l, 0, buf, len);
		rc = SQLITE_DONE;
	}
	sql_reset(l);
	if (rc == SQLITE_DONE) {
		c->id[k] = staff_id;
		snprintf(c->login[k], sizeof c->login[k], "%s", buf);
	}
	return rc;
}

/* An offer that may still have been open at ?1: an offer answered before
 * then was not (offer_closed_at: its answer closed it), so its deadline
 * and clock then are not looked for; the reader never asks them. */
#define MAY_BE_OPEN                                                          \
	"o.id IS NOT NULL AND NOT (o.status IN ('accepted','declined') AND " \
	"o.answered_at IS NOT NULL AND o.answered_at <> 0 AND o.answered_at < ?1)"

#define WAITING_COLS \
	"id, panel_date, created_at, sourced_at, closed_at, case_ref, lot, district, hours_minutes, status, holder_id"

/* The referrals sourced, ended or withdrawn that were open at ?1, through
 * referral_span (status || '': neither engine is to seek referral_status
 * for these, which holds most of the referrals). */
#define OTHERS_OPEN OPEN_FROM(WAITING_COLS, "1", " AND (status || '') IN ('sourced','ended','withdrawn')")

/* The referrals open at `at`: those not sourced, ended or withdrawn
 * from referral_unsourced alone (every column is in it; COALESCE keeps
 * SQLite from taking the ORs apart into seeks that read each row), the others
 * (which a report on an earlier day may find open then) sought through
 * referral_span; joined to their offers sent before at, each offer's
 * deadline and stopped clock then through the offer's own history
 * indexes. No order is asked for: the caller matches offers to their
 * referral by id. The facts and holder of each referral are read
 * beside it, once each. */
static const char waiting_sql[] =
	"SELECT r.id, r.panel_date, r.created_at, r.sourced_at, r.closed_at, r.case_ref, r.lot, r.district, "
	"r.hours_minutes, r.status, r.holder_id, "
	"o.id, o.provider_id, o.rank, o.status, o.sent_at, o.deadline_at, o.answered_at, "
	"CASE WHEN o.status IN ('expired','withdrawn') THEN (SELECT min(e.at) FROM event e "
	"  WHERE e.referral_id = o.referral_id AND e.entity = 'offer' AND e.entity_id = o.id "
	"  AND e.action IN ('offer.expire','offer.withdraw')) END, "
	"CASE WHEN " MAY_BE_OPEN " THEN (SELECT d.deadline_at FROM offer_deadline d "
	"  WHERE d.offer_id = o.id AND d.set_at < ?1 ORDER BY d.set_at DESC, d.id DESC LIMIT 1) END, "
	"CASE WHEN " MAY_BE_OPEN " THEN EXISTS (SELECT 1 FROM offer_info i WHERE i.offer_id = o.id "
	"  AND i.requested_at < ?1 AND (i.supplied_at IS NULL OR i.supplied_at = 0 OR i.supplied_at >= ?1)) "
	"END "
	"FROM (SELECT " WAITING_COLS " FROM referral WHERE status NOT IN ('sourced','ended','withdrawn') "
	"  AND (COALESCE(sourced_at, 0) = 0 OR sourced_at >= ?1) "
	"  AND (COALESCE(closed_at, 0) = 0 OR closed_at >= ?1) "
	"UNION ALL " OTHERS_OPEN ") r LEFT JOIN offer o ON o.referral_id = r.id AND o.sent_at < ?1";

enum store_status store_report_waiting(struct store *st, int64_t at, store_report_referral_fn on_referral,
                                       store_waiting_offer_fn on_offer, void *ud)
{
	static const char fact_sql[] =
		"SELECT f.lot, f.district, f.hours_minutes FROM referral_fact f "
		"WHERE f.referral_id = ?1 AND f.valid_from < ?2 ORDER BY f.valid_from DESC LIMIT 1";
	static const char login_sql[] = "SELECT login FROM staff WHERE id = ?1";
	sql_stmt *s = store_stmt(st, Q_REPORT_WAITING, waiting_sql);
	sql_stmt *f = s ? store_stmt(st, Q_REPORT_WAITING_FACTS, fact_sql) : NULL;
	sql_stmt *l = f ? store_stmt(st, Q_REPORT_WAITING_LOGIN, login_sql) : NULL;
	if (!l)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, at) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "reading the waiting list for a report");
	}
	struct login_cache logins;
	memset(logins.id, 0, sizeof logins.id);
	int rc, inner = SQLITE_DONE;
	int64_t last = 0;
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		int64_t id = sql_column_int64(s, 0);
		if (id != last) {
			last = id;
			struct store_report_referral r;
			memset(&r, 0, sizeof r);
			r.id = id;
			r.panel_date = store_col_date(s, 1);
			r.created_at = sql_column_int64(s, 2);
			r.sourced_at = store_col_int(s, 3, 0);
			r.closed_at = store_col_int(s, 4, 0);
			r.ended_on = STORE_NO_DATE;
			r.spot_framework_rate = -1;
			store_col_text(s, 5, r.case_ref, sizeof r.case_ref);
			r.lot = sql_column_int(s, 6);
			store_col_text(s, 7, r.district, sizeof r.district);
			r.hours_minutes = sql_column_int(s, 8);
			r.status = store_col_status(s, 9);
			if ((inner = waiting_facts(f, &r, at)) != SQLITE_DONE)
				break;
			if (sql_column_type(s, 10) != SQLITE_NULL &&
			    (inner = waiting_login(l, &logins, sql_column_int64(s, 10), r.holder, sizeof r.holder)) !=
			            SQLITE_DONE)
				break;
			if (on_referral(ud, &r) != 0)
				break;
		}
		if (sql_column_type(s, 11) == SQLITE_NULL)
			continue;
		struct store_waiting_offer w;
		memset(&w, 0, sizeof w);
		w.o.id = sql_column_int64(s, 11);
		w.o.referral_id = id;
		w.o.provider_id = sql_column_int64(s, 12);
		w.o.rank = sql_column_int(s, 13);
		w.o.status = store_col_offer_status(s, 14);
		w.o.sent_at = sql_column_int64(s, 15);
		w.o.deadline_at = sql_column_int64(s, 16);
		w.o.answered_at = store_col_int(s, 17, 0);
		w.o.closed_at = offer_closed_at(&w.o, store_col_int(s, 18, 0));
		w.deadline_then = store_col_int(s, 19, 0);
		w.stopped_then = sql_column_int(s, 20) != 0;
		if (on_offer(ud, &w) != 0)
			break;
	}
	sql_reset(s);
	if (inner != SQLITE_DONE)
		return store_fail(st, inner, "reading the waiting list for a report");
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "reading the waiting list for a report");
	return STORE_OK;
}

/* How SQLite will run the waiting report's two reads (the spans, then the
 * rows): for the test that holds them to their indexes. */
enum store_status store_report_waiting_plan(struct store *st, char *buf, size_t len)
{
	sql_stmt *a = store_stmt(st, Q_REPORT_REFERRAL_SPANS, spans_sql);
	sql_stmt *b = a ? store_stmt(st, Q_REPORT_WAITING, waiting_sql) : NULL;
	if (!b || len == 0)
		return STORE_ERROR;
	size_t used = 0;
	buf[0] = '\0';
	enum store_status r = store_plan_of(st, a, buf, len, &used);
	return r == STORE_OK ? store_plan_of(st, b, buf, len, &used) : r;
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
