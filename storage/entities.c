/* Staff, lots, districts, providers, capacity, rankings and spot requests:
 * one function per entity and operation, statements prepared once. */
#include <stdio.h>
#include <string.h>

#include "storage/internal.h"

/* Step a write statement that returns no rows. */
static enum store_status step_done(struct store *st, sql_stmt *s, const char *doing)
{
	int rc = sql_step(s);
	sql_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, doing);
	return STORE_OK;
}

static enum store_status bind_failed(struct store *st, sql_stmt *s, const char *doing)
{
	sql_reset(s);
	return store_fail(st, SQLITE_ERROR, doing);
}

/* ---- staff ---- */

#define STAFF_COLS "id, login, name, role, active"

static void fill_staff(sql_stmt *s, struct store_staff *o)
{
	memset(o, 0, sizeof *o);
	o->id = sql_column_int64(s, 0);
	store_col_text(s, 1, o->login, sizeof o->login);
	store_col_text(s, 2, o->name, sizeof o->name);
	store_col_text(s, 3, o->role, sizeof o->role);
	o->active = sql_column_int(s, 4) != 0;
}

static enum store_status one_staff(struct store *st, sql_stmt *s, struct store_staff *out)
{
	int rc = sql_step(s);
	enum store_status status = STORE_OK;
	if (rc == SQLITE_ROW)
		fill_staff(s, out);
	else if (rc == SQLITE_DONE)
		status = STORE_NOT_FOUND;
	else
		status = store_fail(st, rc, "reading staff");
	sql_reset(s);
	return status;
}

enum store_status store_staff_add(struct store *st, struct store_staff *p)
{
	sql_stmt *s = store_stmt(st, Q_STAFF_ADD,
	                         "INSERT INTO staff(login, name, role, active) VALUES (?1, ?2, ?3, ?4) RETURNING id");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_text(s, 1, p->login, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_text(s, 2, p->name, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_text(s, 3, p->role, -1, SQLITE_STATIC) != SQLITE_OK || sql_bind_int(s, 4, p->active) != SQLITE_OK)
		return bind_failed(st, s, "adding staff");
	return store_insert_id(st, s, "adding staff", &p->id);
}

enum store_status store_staff_by_login(struct store *st, const char *login, struct store_staff *out)
{
	sql_stmt *s = store_stmt(st, Q_STAFF_BY_LOGIN, "SELECT " STAFF_COLS " FROM staff WHERE login = ?1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_text(s, 1, login, -1, SQLITE_STATIC) != SQLITE_OK)
		return bind_failed(st, s, "reading staff");
	return one_staff(st, s, out);
}

enum store_status store_staff_by_id(struct store *st, int64_t id, struct store_staff *out)
{
	sql_stmt *s = store_stmt(st, Q_STAFF_BY_ID, "SELECT " STAFF_COLS " FROM staff WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, id) != SQLITE_OK)
		return bind_failed(st, s, "reading staff");
	return one_staff(st, s, out);
}

enum store_status store_staff_update(struct store *st, const struct store_staff *p)
{
	sql_stmt *s =
		store_stmt(st, Q_STAFF_UPDATE, "UPDATE staff SET name = ?2, role = ?3, active = ?4 WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, p->id) != SQLITE_OK || sql_bind_text(s, 2, p->name, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_text(s, 3, p->role, -1, SQLITE_STATIC) != SQLITE_OK || sql_bind_int(s, 4, p->active) != SQLITE_OK)
		return bind_failed(st, s, "changing staff");
	enum store_status status = step_done(st, s, "changing staff");
	if (status == STORE_OK && sql_changes(st) == 0)
		return STORE_NOT_FOUND;
	return status;
}

enum store_status store_staff_each(struct store *st, store_staff_fn fn, void *ud)
{
	sql_stmt *s = store_stmt(st, Q_STAFF_EACH, "SELECT " STAFF_COLS " FROM staff ORDER BY login");
	if (!s)
		return STORE_ERROR;
	int rc;
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		struct store_staff o;
		fill_staff(s, &o);
		if (fn(ud, &o) != 0)
			break;
	}
	sql_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "listing staff");
	return STORE_OK;
}

enum store_status store_staff_count(struct store *st, int64_t *n)
{
	sql_stmt *s = store_stmt(st, Q_STAFF_COUNT, "SELECT count(*) FROM staff");
	if (!s)
		return STORE_ERROR;
	int rc = sql_step(s);
	if (rc == SQLITE_ROW)
		*n = sql_column_int64(s, 0);
	sql_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : store_fail(st, rc, "counting staff");
}

enum store_status store_staff_last_looked(struct store *st, int64_t id, int64_t *at)
{
	sql_stmt *s = store_stmt(st, Q_STAFF_LOOKED_GET, "SELECT last_looked_at FROM staff WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, id) != SQLITE_OK)
		return bind_failed(st, s, "reading when staff last looked");
	int rc = sql_step(s);
	enum store_status status = STORE_OK;
	if (rc == SQLITE_ROW)
		*at = store_col_int(s, 0, 0);
	else if (rc == SQLITE_DONE)
		status = STORE_NOT_FOUND;
	else
		status = store_fail(st, rc, "reading when staff last looked");
	sql_reset(s);
	return status;
}

enum store_status store_staff_set_last_looked(struct store *st, int64_t id, int64_t at)
{
	sql_stmt *s = store_stmt(st, Q_STAFF_LOOKED_SET, "UPDATE staff SET last_looked_at = ?2 WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, id) != SQLITE_OK || sql_bind_int64(s, 2, at) != SQLITE_OK)
		return bind_failed(st, s, "recording when staff last looked");
	enum store_status status = step_done(st, s, "recording when staff last looked");
	if (status == STORE_OK && sql_changes(st) == 0)
		return STORE_NOT_FOUND;
	return status;
}

/* ---- lots and districts ---- */

enum store_status store_lot_put(struct store *st, int number, const char *name, bool cqc_required, int64_t rate,
                                bool *changed)
{
	sql_stmt *s = store_stmt(st, Q_LOT_PUT,
	                         "INSERT INTO lot(number, name, cqc_required, framework_rate) VALUES (?1, ?2, ?3, ?4) "
	                         "ON CONFLICT(number) DO UPDATE SET name = excluded.name, "
	                         "cqc_required = excluded.cqc_required, framework_rate = excluded.framework_rate "
	                         /* every column NOT NULL: <> is SQLite's IS NOT, in both dialects */
	                         "WHERE lot.name <> excluded.name OR lot.cqc_required <> excluded.cqc_required "
	                         "OR lot.framework_rate <> excluded.framework_rate");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int(s, 1, number) != SQLITE_OK || sql_bind_text(s, 2, name, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_int(s, 3, cqc_required) != SQLITE_OK || sql_bind_int64(s, 4, rate) != SQLITE_OK)
		return bind_failed(st, s, "recording the lots");
	enum store_status status = step_done(st, s, "recording the lots");
	if (changed)
		*changed = status == STORE_OK && sql_changes(st) > 0;
	return status;
}

enum store_status store_district_put(struct store *st, const char *name, bool *changed)
{
	sql_stmt *s = store_stmt(st, Q_DISTRICT_PUT, "INSERT INTO district(name) VALUES (?1) ON CONFLICT DO NOTHING");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_text(s, 1, name, -1, SQLITE_STATIC) != SQLITE_OK)
		return bind_failed(st, s, "recording the districts");
	enum store_status status = step_done(st, s, "recording the districts");
	if (changed)
		*changed = status == STORE_OK && sql_changes(st) > 0;
	return status;
}

/* ---- providers ---- */

#define PROVIDER_COLS "id, name, framework, cqc_id, pamms, risk, embargo, age_min, age_max, rate, active, emails"

static void fill_provider(sql_stmt *s, struct store_provider *p)
{
	memset(p, 0, sizeof *p);
	p->id = sql_column_int64(s, 0);
	store_col_text(s, 1, p->name, sizeof p->name);
	p->framework = sql_column_int(s, 2) != 0;
	store_col_text(s, 3, p->cqc_id, sizeof p->cqc_id);
	store_col_text(s, 4, p->pamms, sizeof p->pamms);
	store_col_text(s, 5, p->risk, sizeof p->risk);
	store_col_text(s, 6, p->embargo, sizeof p->embargo);
	p->age_min = (int)store_col_int(s, 7, -1);
	p->age_max = (int)store_col_int(s, 8, -1);
	p->rate = store_col_int(s, 9, 0);
	p->active = sql_column_int(s, 10) != 0;
	store_col_text(s, 11, p->emails, sizeof p->emails);
}

static int bind_provider(sql_stmt *s, const struct store_provider *p)
{
	int rc = SQLITE_OK;
	if (rc == SQLITE_OK)
		rc = sql_bind_text(s, 2, p->name, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sql_bind_int(s, 3, p->framework);
	if (rc == SQLITE_OK)
		rc = store_bind_text_or_null(s, 4, p->cqc_id);
	if (rc == SQLITE_OK)
		rc = store_bind_text_or_null(s, 5, p->pamms);
	if (rc == SQLITE_OK)
		rc = sql_bind_text(s, 6, p->risk[0] ? p->risk : "green", -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = store_bind_text_or_null(s, 7, p->embargo);
	if (rc == SQLITE_OK)
		rc = p->age_min >= 0 ? sql_bind_int(s, 8, p->age_min) : sql_bind_null(s, 8);
	if (rc == SQLITE_OK)
		rc = p->age_max >= 0 ? sql_bind_int(s, 9, p->age_max) : sql_bind_null(s, 9);
	if (rc == SQLITE_OK)
		rc = p->rate > 0 ? sql_bind_int64(s, 10, p->rate) : sql_bind_null(s, 10);
	if (rc == SQLITE_OK)
		rc = sql_bind_int(s, 11, p->active);
	if (rc == SQLITE_OK)
		rc = sql_bind_text(s, 12, p->emails, -1, SQLITE_STATIC);
	return rc;
}

enum store_status store_provider_add(struct store *st, struct store_provider *p)
{
	sql_stmt *s = store_stmt(st, Q_PROVIDER_ADD,
	                         "INSERT INTO provider(name, framework, cqc_id, pamms, risk, embargo, age_min, "
	                         "age_max, rate, active, emails) "
	                         "VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id");
	if (!s)
		return STORE_ERROR;
	if (bind_provider(s, p) != SQLITE_OK)
		return bind_failed(st, s, "adding the provider");
	return store_insert_id(st, s, "adding the provider", &p->id);
}

static enum store_status one_provider(struct store *st, sql_stmt *s, struct store_provider *out)
{
	int rc = sql_step(s);
	enum store_status status = STORE_OK;
	if (rc == SQLITE_ROW)
		fill_provider(s, out);
	else if (rc == SQLITE_DONE)
		status = STORE_NOT_FOUND;
	else
		status = store_fail(st, rc, "reading a provider");
	sql_reset(s);
	return status;
}

enum store_status store_provider_by_name(struct store *st, const char *name, struct store_provider *out)
{
	sql_stmt *s = store_stmt(st, Q_PROVIDER_BY_NAME, "SELECT " PROVIDER_COLS " FROM provider WHERE name = ?1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_text(s, 1, name, -1, SQLITE_STATIC) != SQLITE_OK)
		return bind_failed(st, s, "reading a provider");
	return one_provider(st, s, out);
}

enum store_status store_provider_by_id(struct store *st, int64_t id, struct store_provider *out)
{
	sql_stmt *s = store_stmt(st, Q_PROVIDER_BY_ID, "SELECT " PROVIDER_COLS " FROM provider WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, id) != SQLITE_OK)
		return bind_failed(st, s, "reading a provider");
	return one_provider(st, s, out);
}

enum store_status store_provider_update(struct store *st, const struct store_provider *p)
{
	sql_stmt *s = store_stmt(
		st, Q_PROVIDER_UPDATE,
		"UPDATE provider SET name = ?2, framework = ?3, cqc_id = ?4, pamms = ?5, risk = ?6, "
		"embargo = ?7, age_min = ?8, age_max = ?9, rate = ?10, active = ?11, emails = ?12 WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, p->id) != SQLITE_OK || bind_provider(s, p) != SQLITE_OK)
		return bind_failed(st, s, "changing the provider");
	enum store_status status = step_done(st, s, "changing the provider");
	if (status == STORE_OK && sql_changes(st) == 0)
		return STORE_NOT_FOUND;
	return status;
}

enum store_status store_provider_each(struct store *st, store_provider_fn fn, void *ud)
{
	sql_stmt *s =
		store_stmt(st, Q_PROVIDER_EACH, "SELECT " PROVIDER_COLS " FROM provider ORDER BY framework DESC, name");
	if (!s)
		return STORE_ERROR;
	int rc;
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		struct store_provider p;
		fill_provider(s, &p);
		if (fn(ud, &p) != 0)
			break;
	}
	sql_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "listing providers");
	return STORE_OK;
}

enum store_status store_capacity_set(struct store *st, int64_t provider_id, const char *district, int minutes)
{
	sql_stmt *s;
	if (minutes < 0) {
		s = store_stmt(st, Q_CAPACITY_DEL, "DELETE FROM capacity WHERE provider_id = ?1 AND district = ?2");
		if (!s)
			return STORE_ERROR;
		if (sql_bind_int64(s, 1, provider_id) != SQLITE_OK ||
		    sql_bind_text(s, 2, district, -1, SQLITE_STATIC) != SQLITE_OK)
			return bind_failed(st, s, "changing capacity");
		return step_done(st, s, "changing capacity");
	}
	s = store_stmt(st, Q_CAPACITY_SET,
	               "INSERT INTO capacity(provider_id, district, minutes) VALUES (?1, ?2, ?3) "
	               "ON CONFLICT(provider_id, district) DO UPDATE SET minutes = excluded.minutes");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, provider_id) != SQLITE_OK ||
	    sql_bind_text(s, 2, district, -1, SQLITE_STATIC) != SQLITE_OK || sql_bind_int(s, 3, minutes) != SQLITE_OK)
		return bind_failed(st, s, "changing capacity");
	return step_done(st, s, "changing capacity");
}

enum store_status store_capacity_get(struct store *st, int64_t provider_id, const char *district, int *minutes)
{
	sql_stmt *s =
		store_stmt(st, Q_CAPACITY_GET, "SELECT minutes FROM capacity WHERE provider_id = ?1 AND district = ?2");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, provider_id) != SQLITE_OK ||
	    sql_bind_text(s, 2, district, -1, SQLITE_STATIC) != SQLITE_OK)
		return bind_failed(st, s, "reading capacity");
	int rc = sql_step(s);
	*minutes = rc == SQLITE_ROW ? sql_column_int(s, 0) : -1;
	sql_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, "reading capacity");
	return STORE_OK;
}

enum store_status store_capacity_each(struct store *st, int64_t provider_id, store_capacity_fn fn, void *ud)
{
	sql_stmt *s = store_stmt(st, Q_CAPACITY_EACH,
	                         "SELECT district, minutes FROM capacity WHERE provider_id = ?1 ORDER BY district");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, provider_id) != SQLITE_OK)
		return bind_failed(st, s, "reading capacity");
	int rc;
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		char d[64];
		store_col_text(s, 0, d, sizeof d);
		if (fn(ud, d, sql_column_int(s, 1)) != 0)
			break;
	}
	sql_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "reading capacity");
	return STORE_OK;
}

/* ---- rankings ---- */

enum store_status store_ranking_replace(struct store *st, int lot, const char *district, const int64_t *ids, int n)
{
	sql_stmt *s = store_stmt(st, Q_RANK_DELETE, "DELETE FROM ranking WHERE lot = ?1 AND district = ?2");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int(s, 1, lot) != SQLITE_OK || sql_bind_text(s, 2, district, -1, SQLITE_STATIC) != SQLITE_OK)
		return bind_failed(st, s, "changing the ranking");
	enum store_status status = step_done(st, s, "changing the ranking");
	for (int i = 0; status == STORE_OK && i < n; i++) {
		s = store_stmt(st, Q_RANK_INSERT,
		               "INSERT INTO ranking(lot, district, rank, provider_id) VALUES (?1, ?2, ?3, ?4)");
		if (!s)
			return STORE_ERROR;
		if (sql_bind_int(s, 1, lot) != SQLITE_OK ||
		    sql_bind_text(s, 2, district, -1, SQLITE_STATIC) != SQLITE_OK ||
		    sql_bind_int(s, 3, i + 1) != SQLITE_OK || sql_bind_int64(s, 4, ids[i]) != SQLITE_OK)
			return bind_failed(st, s, "changing the ranking");
		status = step_done(st, s, "changing the ranking");
	}
	return status;
}

enum store_status store_ranking_each(struct store *st, int lot, const char *district, store_rank_fn fn, void *ud)
{
	sql_stmt *s = store_stmt(st, Q_RANK_EACH,
	                         "SELECT lot, district, rank, provider_id FROM ranking "
	                         "WHERE (?1 = 0 OR lot = ?1) AND (CAST(?2 AS TEXT) IS NULL OR district = ?2) "
	                         "ORDER BY lot, district, rank");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int(s, 1, lot) != SQLITE_OK || store_bind_text_or_null(s, 2, district) != SQLITE_OK)
		return bind_failed(st, s, "reading the ranking");
	int rc;
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		struct store_rank r;
		r.lot = sql_column_int(s, 0);
		store_col_text(s, 1, r.district, sizeof r.district);
		r.rank = sql_column_int(s, 2);
		r.provider_id = sql_column_int64(s, 3);
		if (fn(ud, &r) != 0)
			break;
	}
	sql_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "reading the ranking");
	return STORE_OK;
}

enum store_status store_ranked_providers_each(struct store *st, int lot, const char *district, store_ranked_fn fn,
                                              void *ud)
{
	sql_stmt *s = store_stmt(st, Q_RANKED_PROVIDERS,
	                         "SELECT p.id, p.name, p.framework, p.cqc_id, p.pamms, p.risk, p.embargo, p.age_min, "
	                         "p.age_max, p.rate, p.active, p.emails, k.rank, c.minutes FROM ranking k "
	                         "JOIN provider p ON p.id = k.provider_id "
	                         "LEFT JOIN capacity c ON c.provider_id = p.id AND c.district = k.district "
	                         "WHERE k.lot = ?1 AND k.district = ?2 ORDER BY k.rank");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int(s, 1, lot) != SQLITE_OK || sql_bind_text(s, 2, district, -1, SQLITE_STATIC) != SQLITE_OK)
		return bind_failed(st, s, "reading the ranking");
	int rc;
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		struct store_provider p;
		fill_provider(s, &p);
		if (fn(ud, sql_column_int(s, 12), &p, (int)store_col_int(s, 13, -1)) != 0)
			break;
	}
	sql_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "reading the ranking");
	return STORE_OK;
}

/* ---- spot requests ---- */

#define SPOT_COLS                                                                                              \
	"id, referral_id, provider_id, rate, hours_minutes, weeks, weekly_cost, annual_cost, framework_rate, " \
	"justification, status, requested_by, requested_at, decided_by, decided_at, note, key_decision"

static void fill_spot(sql_stmt *s, struct store_spot *o)
{
	memset(o, 0, sizeof *o);
	o->id = sql_column_int64(s, 0);
	o->referral_id = sql_column_int64(s, 1);
	o->provider_id = sql_column_int64(s, 2);
	o->rate = sql_column_int64(s, 3);
	o->hours_minutes = sql_column_int(s, 4);
	o->weeks = sql_column_int(s, 5);
	o->weekly_cost = sql_column_int64(s, 6);
	o->annual_cost = sql_column_int64(s, 7);
	o->framework_rate = sql_column_int64(s, 8);
	store_col_text(s, 9, o->justification, sizeof o->justification);
	o->status = store_col_spot_status(s, 10);
	o->requested_by = sql_column_int64(s, 11);
	o->requested_at = sql_column_int64(s, 12);
	o->decided_by = store_col_int(s, 13, 0);
	o->decided_at = store_col_int(s, 14, 0);
	store_col_text(s, 15, o->note, sizeof o->note);
	store_col_text(s, 16, o->key_decision, sizeof o->key_decision);
}

enum store_status store_spot_add(struct store *st, struct store_spot *o)
{
	sql_stmt *s = store_stmt(
		st, Q_SPOT_ADD,
		"INSERT INTO spot_request(referral_id, provider_id, rate, hours_minutes, weeks, weekly_cost, "
		"annual_cost, framework_rate, justification, status, requested_by, requested_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?11) RETURNING id");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, o->referral_id) != SQLITE_OK || sql_bind_int64(s, 2, o->provider_id) != SQLITE_OK ||
	    sql_bind_int64(s, 3, o->rate) != SQLITE_OK || sql_bind_int(s, 4, o->hours_minutes) != SQLITE_OK ||
	    sql_bind_int(s, 5, o->weeks) != SQLITE_OK || sql_bind_int64(s, 6, o->weekly_cost) != SQLITE_OK ||
	    sql_bind_int64(s, 7, o->annual_cost) != SQLITE_OK || sql_bind_int64(s, 8, o->framework_rate) != SQLITE_OK ||
	    sql_bind_text(s, 9, o->justification, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_int64(s, 10, o->requested_by) != SQLITE_OK || sql_bind_int64(s, 11, o->requested_at) != SQLITE_OK)
		return bind_failed(st, s, "recording the spot request");
	enum store_status status = store_insert_id(st, s, "recording the spot request", &o->id);
	if (status == STORE_OK) {
		o->status = WF_SPOT_PENDING;
	}
	return status;
}

enum store_status store_spot_get(struct store *st, int64_t id, struct store_spot *out)
{
	sql_stmt *s = store_stmt(st, Q_SPOT_GET, "SELECT " SPOT_COLS " FROM spot_request WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, id) != SQLITE_OK)
		return bind_failed(st, s, "reading the spot request");
	int rc = sql_step(s);
	enum store_status status = STORE_OK;
	if (rc == SQLITE_ROW)
		fill_spot(s, out);
	else if (rc == SQLITE_DONE)
		status = STORE_NOT_FOUND;
	else
		status = store_fail(st, rc, "reading the spot request");
	sql_reset(s);
	return status;
}

enum store_status store_spot_update(struct store *st, const struct store_spot *o)
{
	sql_stmt *s = store_stmt(st, Q_SPOT_UPDATE,
	                         "UPDATE spot_request SET status = ?2, decided_by = ?3, decided_at = ?4, note = ?5, "
	                         "key_decision = ?6 WHERE id = ?1 AND status = 'pending'");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, o->id) != SQLITE_OK || store_bind_spot_status(s, 2, o->status) != SQLITE_OK ||
	    (o->decided_by ? sql_bind_int64(s, 3, o->decided_by) : sql_bind_null(s, 3)) != SQLITE_OK ||
	    (o->decided_at ? sql_bind_int64(s, 4, o->decided_at) : sql_bind_null(s, 4)) != SQLITE_OK ||
	    store_bind_text_or_null(s, 5, o->note) != SQLITE_OK ||
	    store_bind_text_or_null(s, 6, o->key_decision) != SQLITE_OK)
		return bind_failed(st, s, "deciding the spot request");
	enum store_status status = step_done(st, s, "deciding the spot request");
	if (status == STORE_OK && sql_changes(st) == 0) {
		snprintf(st->err, sizeof st->err, "the spot request was decided by someone else first");
		return STORE_CONFLICT;
	}
	return status;
}

enum store_status store_spot_each(struct store *st, bool pending_only, int64_t referral_id, store_spot_fn fn, void *ud)
{
	/* One referral's requests by its index; an optional filter written as
	 * (?2 = 0 OR referral_id = ?2) would scan every request. */
	sql_stmt *s = referral_id ? store_stmt(st, Q_SPOT_FOR_REFERRAL,
	                                       "SELECT " SPOT_COLS " FROM spot_request WHERE referral_id = ?2 "
	                                       "AND (?1 = 0 OR status = 'pending') ORDER BY requested_at, id")
	                          : store_stmt(st, Q_SPOT_EACH,
	                                       "SELECT " SPOT_COLS " FROM spot_request "
	                                       "WHERE (?1 = 0 OR status = 'pending') ORDER BY requested_at, id");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int(s, 1, pending_only) != SQLITE_OK ||
	    (referral_id && sql_bind_int64(s, 2, referral_id) != SQLITE_OK))
		return bind_failed(st, s, "listing spot requests");
	int rc;
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		struct store_spot o;
		fill_spot(s, &o);
		if (fn(ud, &o) != 0)
			break;
	}
	sql_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "listing spot requests");
	return STORE_OK;
}
