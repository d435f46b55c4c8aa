/* The append-only audit trail: each event's hash covers the previous
 * event's hash, its own fields and the hash of its payload, so an edited,
 * deleted, inserted or reordered event breaks the chain, while a payload
 * erased under the retention rules leaves the chain verifiable. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "storage/internal.h"

static void put_u64(crypto_generichash_state *h, uint64_t v)
{
	unsigned char b[8];
	for (int i = 7; i >= 0; i--) {
		b[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
	crypto_generichash_update(h, b, sizeof b);
}

/* Length-prefixed so no two field lists encode alike; NULL differs from "". */
static void put_text(crypto_generichash_state *h, const char *t)
{
	if (!t) {
		put_u64(h, UINT64_MAX);
		return;
	}
	size_t n = strlen(t);
	put_u64(h, n);
	crypto_generichash_update(h, (const unsigned char *)t, n);
}

static void payload_hash(const char *before, const char *after, unsigned char out[STORE_HASH_BYTES])
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, STORE_HASH_BYTES);
	put_text(&h, "brokerage-payload-v1");
	put_text(&h, before);
	put_text(&h, after);
	crypto_generichash_final(&h, out, STORE_HASH_BYTES);
}

static void event_hash(int64_t seq, int64_t at, const char *actor, const char *action, const char *entity,
                       int64_t entity_id, int64_t referral_id, const unsigned char ph[STORE_HASH_BYTES],
                       const unsigned char prev[STORE_HASH_BYTES], unsigned char out[STORE_HASH_BYTES])
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, STORE_HASH_BYTES);
	put_text(&h, "brokerage-event-v1");
	crypto_generichash_update(&h, prev, STORE_HASH_BYTES);
	put_u64(&h, (uint64_t)seq);
	put_u64(&h, (uint64_t)at);
	put_text(&h, actor);
	put_text(&h, action);
	put_text(&h, entity);
	put_u64(&h, (uint64_t)entity_id);
	put_u64(&h, (uint64_t)referral_id);
	crypto_generichash_update(&h, ph, STORE_HASH_BYTES);
	crypto_generichash_final(&h, out, STORE_HASH_BYTES);
}

enum store_status store_audit_append(struct store *st, int64_t at, const char *actor, const char *action,
                                     const char *entity, int64_t entity_id, int64_t referral_id,
                                     const char *before_json, const char *after_json)
{
	if (sodium_init() < 0) {
		snprintf(st->err, sizeof st->err, "the hashing library could not start");
		return STORE_ERROR;
	}
	unsigned char prev[STORE_HASH_BYTES] = { 0 };
	int64_t seq = 0;
	sql_stmt *s;
	int rc;
	if (st->audit_head_known && st->in_tx && !st->tx_read) {
		/* this transaction's own last event: no other writer can have
		 * appended since (a round trip less an event on a server) */
		seq = st->audit_head_seq;
		memcpy(prev, st->audit_head_hash, STORE_HASH_BYTES);
	} else if (store_audit_head(st, &seq, prev) != STORE_OK) {
		return STORE_ERROR;
	}
	seq++;

	unsigned char ph[STORE_HASH_BYTES], h[STORE_HASH_BYTES];
	payload_hash(before_json, after_json, ph);
	event_hash(seq, at, actor, action, entity, entity_id, referral_id, ph, prev, h);

#define EVENT_INSERT                                                                                          \
	"INSERT INTO event(seq, at, actor, action, entity, entity_id, referral_id, payload_hash, prev_hash, " \
	"hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
	/* PostgreSQL: the event and its payload in one statement, one round
	 * trip to the server (SQLite has no INSERT inside WITH, and no trip) */
	bool pg = st->engine == STORE_ENGINE_PG;
	s = store_stmt(st, Q_EVENT_ADD,
	               pg ? "WITH e AS (" EVENT_INSERT " RETURNING seq) "
	                    "INSERT INTO event_payload(seq, referral_id, before, after) SELECT seq, ?7, ?11, ?12 FROM e"
	                  : EVENT_INSERT);
#undef EVENT_INSERT
	if (!s)
		return STORE_ERROR;
	if (pg &&
	    ((before_json ? sql_bind_text(s, 11, before_json, -1, SQLITE_STATIC) : sql_bind_null(s, 11)) != SQLITE_OK ||
	     (after_json ? sql_bind_text(s, 12, after_json, -1, SQLITE_STATIC) : sql_bind_null(s, 12)) != SQLITE_OK))
		return store_fail(st, SQLITE_ERROR, "recording the audit event");
	if (sql_bind_int64(s, 1, seq) != SQLITE_OK || sql_bind_int64(s, 2, at) != SQLITE_OK ||
	    sql_bind_text(s, 3, actor, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_text(s, 4, action, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_text(s, 5, entity, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_int64(s, 6, entity_id) != SQLITE_OK ||
	    (referral_id ? sql_bind_int64(s, 7, referral_id) : sql_bind_null(s, 7)) != SQLITE_OK ||
	    sql_bind_blob(s, 8, ph, STORE_HASH_BYTES, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_blob(s, 9, prev, STORE_HASH_BYTES, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_blob(s, 10, h, STORE_HASH_BYTES, SQLITE_STATIC) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "recording the audit event");
	rc = sql_step(s);
	sql_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "recording the audit event");

	if (!pg) {
		s = store_stmt(st, Q_EVENT_PAYLOAD_ADD,
		               "INSERT INTO event_payload(seq, referral_id, before, after) VALUES (?1, ?2, ?3, ?4)");
		if (!s)
			return STORE_ERROR;
		if (sql_bind_int64(s, 1, seq) != SQLITE_OK ||
		    (referral_id ? sql_bind_int64(s, 2, referral_id) : sql_bind_null(s, 2)) != SQLITE_OK ||
		    (before_json ? sql_bind_text(s, 3, before_json, -1, SQLITE_STATIC) : sql_bind_null(s, 3)) !=
		            SQLITE_OK ||
		    (after_json ? sql_bind_text(s, 4, after_json, -1, SQLITE_STATIC) : sql_bind_null(s, 4)) !=
		            SQLITE_OK)
			return store_fail(st, SQLITE_ERROR, "recording the audit event");
		rc = sql_step(s);
		sql_reset(s);
		if (rc != SQLITE_DONE)
			return store_fail(st, rc, "recording the audit event");
	}
	st->audit_dirty = true;
	st->audit_head_seq = seq;
	memcpy(st->audit_head_hash, h, STORE_HASH_BYTES);
	st->audit_head_known = st->in_tx && !st->tx_read;
	return STORE_OK;
}

enum store_status store_audit_record_head(struct store *st)
{
	if (!st->audit_dirty)
		return STORE_OK;
	/* After a savepoint was undone (an action refused inside a batch) the
	 * head remembered may be one of the events undone with it: the newest
	 * event kept is read again. */
	if (!st->audit_head_known && store_audit_head(st, &st->audit_head_seq, st->audit_head_hash) != STORE_OK)
		return STORE_ERROR;
	char head[32 + 2 * STORE_HASH_BYTES + 1];
	int off = snprintf(head, sizeof head, "%lld ", (long long)st->audit_head_seq);
	for (int i = 0; i < STORE_HASH_BYTES && off > 0 && (size_t)off + 2 < sizeof head; i++)
		off += snprintf(head + off, sizeof head - (size_t)off, "%02x", st->audit_head_hash[i]);
	enum store_status s = store_meta_set(st, "audit_head", head);
	if (s == STORE_OK)
		st->audit_dirty = false;
	return s;
}

static void fill_event(sql_stmt *s, struct store_event *e)
{
	memset(e, 0, sizeof *e);
	e->seq = sql_column_int64(s, 0);
	e->at = sql_column_int64(s, 1);
	store_col_text(s, 2, e->actor, sizeof e->actor);
	store_col_text(s, 3, e->action, sizeof e->action);
	store_col_text(s, 4, e->entity, sizeof e->entity);
	e->entity_id = sql_column_int64(s, 5);
	e->referral_id = store_col_int(s, 6, 0);
	if (sql_column_bytes(s, 7) == STORE_HASH_BYTES)
		memcpy(e->prev_hash, sql_column_blob(s, 7), STORE_HASH_BYTES);
	if (sql_column_bytes(s, 8) == STORE_HASH_BYTES)
		memcpy(e->hash, sql_column_blob(s, 8), STORE_HASH_BYTES);
	e->payload_erased = sql_column_type(s, 9) == SQLITE_NULL;
	e->before = (const char *)sql_column_text(s, 10);
	e->after = (const char *)sql_column_text(s, 11);
}

#define EVENT_COLUMNS                                                                                        \
	"e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.referral_id, e.prev_hash, e.hash, p.seq, " \
	"p.before, p.after, e.payload_hash"

enum store_status store_audit_each(struct store *st, const struct store_event_filter *f, store_event_fn fn, void *ud)
{
	/* Two orders need two statements; the filter values are bound. */
	static const char *const sql_old =
		"SELECT " EVENT_COLUMNS " FROM event e LEFT JOIN event_payload p ON p.seq = e.seq "
		"WHERE (?1 = 0 OR e.referral_id = ?1) AND e.at >= ?2 AND (CAST(?3 AS TEXT) IS NULL OR e.actor = ?3) "
		"AND (CAST(?4 AS TEXT) IS NULL OR e.action = ?4) ORDER BY e.seq ASC LIMIT ?5";
	static const char *const sql_new =
		"SELECT " EVENT_COLUMNS " FROM event e LEFT JOIN event_payload p ON p.seq = e.seq "
		"WHERE (?1 = 0 OR e.referral_id = ?1) AND e.at >= ?2 AND (CAST(?3 AS TEXT) IS NULL OR e.actor = ?3) "
		"AND (CAST(?4 AS TEXT) IS NULL OR e.action = ?4) ORDER BY e.seq DESC LIMIT ?5";
	/* One referral's events through its index: with the optional form the
	 * planner scans the whole trail (300 ms on the 100k demo, each time a
	 * referral is opened). */
	static const char *const sql_ref_old =
		"SELECT " EVENT_COLUMNS " FROM event e LEFT JOIN event_payload p ON p.seq = e.seq "
		"WHERE e.referral_id = ?1 AND e.at >= ?2 AND (CAST(?3 AS TEXT) IS NULL OR e.actor = ?3) "
		"AND (CAST(?4 AS TEXT) IS NULL OR e.action = ?4) ORDER BY e.seq ASC LIMIT ?5";
	static const char *const sql_ref_new =
		"SELECT " EVENT_COLUMNS " FROM event e LEFT JOIN event_payload p ON p.seq = e.seq "
		"WHERE e.referral_id = ?1 AND e.at >= ?2 AND (CAST(?3 AS TEXT) IS NULL OR e.actor = ?3) "
		"AND (CAST(?4 AS TEXT) IS NULL OR e.action = ?4) ORDER BY e.seq DESC LIMIT ?5";
	sql_stmt *s = f->referral_id
	                      ? store_stmt(st, f->newest_first ? Q_EVENT_OF_REFERRAL_NEW : Q_EVENT_OF_REFERRAL_OLD,
	                                   f->newest_first ? sql_ref_new : sql_ref_old)
	                      : store_stmt(st, f->newest_first ? Q_EVENT_VERIFY : Q_EVENT_EACH,
	                                   f->newest_first ? sql_new : sql_old);
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, f->referral_id) != SQLITE_OK || sql_bind_int64(s, 2, f->since) != SQLITE_OK ||
	    store_bind_text_or_null(s, 3, f->actor) != SQLITE_OK ||
	    store_bind_text_or_null(s, 4, f->action) != SQLITE_OK ||
	    /* no limit: -1 to SQLite, NULL (LIMIT ALL) to PostgreSQL, which refuses a negative one */
	    (f->limit > 0                    ? sql_bind_int64(s, 5, f->limit)
	     : st->engine == STORE_ENGINE_PG ? sql_bind_null(s, 5)
	                                     : sql_bind_int64(s, 5, -1)) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "reading the audit trail");
	int rc;
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		struct store_event e;
		fill_event(s, &e);
		if (fn(ud, &e) != 0) {
			sql_reset(s);
			return STORE_OK;
		}
	}
	sql_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "reading the audit trail");
	return STORE_OK;
}

static bool erased_referral(struct store *st, int64_t referral_id)
{
	sql_stmt *s = NULL;
	bool erased = false;
	if (sql_prepare(st, "SELECT erased FROM referral WHERE id = ?1", &s) == SQLITE_OK &&
	    sql_bind_int64(s, 1, referral_id) == SQLITE_OK && sql_step(s) == SQLITE_ROW)
		erased = sql_column_int(s, 0) == 1;
	sql_finalize(s);
	return erased;
}

/* An event's own hashes worked out again: its before/after against the
 * payload hash stored with it (*payload_ok false when the payload is
 * gone), and the event's hash over its fields and that payload hash. */
static void event_hashes(sql_stmt *s, const struct store_event *e, bool *payload_ok, bool *event_ok)
{
	unsigned char stored_ph[STORE_HASH_BYTES] = { 0 }, ph[STORE_HASH_BYTES], h[STORE_HASH_BYTES];
	if (sql_column_bytes(s, 12) == STORE_HASH_BYTES)
		memcpy(stored_ph, sql_column_blob(s, 12), STORE_HASH_BYTES);
	*payload_ok = false;
	if (!e->payload_erased) {
		payload_hash(e->before, e->after, ph);
		*payload_ok = memcmp(ph, stored_ph, STORE_HASH_BYTES) == 0;
	}
	event_hash(e->seq, e->at, e->actor, e->action, e->entity, e->entity_id, e->referral_id, stored_ph, e->prev_hash,
	           h);
	*event_ok = memcmp(h, e->hash, STORE_HASH_BYTES) == 0;
}

enum store_status store_audit_verify(struct store *st, struct store_verify *out)
{
	memset(out, 0, sizeof *out);
	if (sodium_init() < 0) {
		snprintf(st->err, sizeof st->err, "the hashing library could not start");
		return STORE_ERROR;
	}
	/* PostgreSQL: the trail is read in pages (the driver holds a
	 * statement's whole result, and the trail is the largest table), all
	 * in one snapshot, as SQLite's one statement reads it. */
	bool pg = st->engine == STORE_ENGINE_PG, own_read = pg && !st->in_tx;
	const int64_t page = pg ? 4096 : INT64_MAX;
	if (own_read && store_begin_read(st) != STORE_OK)
		return STORE_ERROR;
	sql_stmt *s = NULL;
	int rc = sql_prepare(st,
	                     /* the page's bound on both sides, or a merge join walks the payloads from
	                      * the start for every page */
	                     "SELECT " EVENT_COLUMNS " FROM event e "
	                     "LEFT JOIN event_payload p ON p.seq = e.seq AND p.seq > ?1 "
	                     /* seq is the rowid on SQLite: the order the events were stored in */
	                     "WHERE e.seq > ?1 ORDER BY e.seq LIMIT ?2",
	                     &s);
	if (rc != SQLITE_OK) {
		enum store_status failed = store_fail(st, rc, "reading the audit trail");
		if (own_read)
			store_rollback(st);
		return failed;
	}
	unsigned char prev[STORE_HASH_BYTES] = { 0 };
	int64_t expect = 1, after = INT64_MIN, got = page;
	while (got == page && out->bad_seq == 0) {
		got = 0;
		if (sql_bind_int64(s, 1, after) != SQLITE_OK || sql_bind_int64(s, 2, page) != SQLITE_OK) {
			rc = SQLITE_ERROR;
			break;
		}
		while ((rc = sql_step(s)) == SQLITE_ROW) {
			struct store_event e;
			fill_event(s, &e);
			got++;
			after = e.seq;
			out->events++;
			const char *problem = NULL;
			char buf[200];
			if (e.seq != expect) {
				snprintf(buf, sizeof buf,
				         e.seq > expect
				                 ? "event %lld is missing (deleted): the trail jumps from %lld to %lld"
				                 : "events are out of order or inserted: expected %lld, found %lld",
				         (long long)expect, (long long)(expect - 1), (long long)e.seq);
				if (e.seq < expect)
					snprintf(buf, sizeof buf,
					         "events are out of order or inserted: expected event %lld, found %lld",
					         (long long)expect, (long long)e.seq);
				problem = buf;
			} else if (memcmp(e.prev_hash, prev, STORE_HASH_BYTES) != 0) {
				problem = "it does not follow the event before it (an event was removed, inserted or "
					  "reordered)";
			} else {
				bool payload_ok, event_ok;
				event_hashes(s, &e, &payload_ok, &event_ok);
				if (!e.payload_erased && !payload_ok)
					problem = "its before/after values were edited";
				else if (e.payload_erased && !(e.referral_id && erased_referral(st, e.referral_id)))
					problem = "its before/after values were deleted without an erasure";
				else if (!event_ok)
					problem = "its time, actor, action or subject was edited";
			}
			if (problem) {
				out->bad_seq = e.seq ? e.seq : expect;
				snprintf(out->problem, sizeof out->problem, "%s", problem);
				break;
			}
			memcpy(prev, e.hash, STORE_HASH_BYTES);
			expect++;
		}
		sql_reset(s);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			break;
	}
	sql_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		enum store_status failed = store_fail(st, rc, "reading the audit trail");
		if (own_read)
			store_rollback(st);
		return failed;
	}
	if (out->bad_seq == 0) {
		/* The head recorded at the last commit: events removed from the end
		 * leave the chain itself intact, but not this. */
		char head[160];
		long long seq = 0;
		char hex[2 * STORE_HASH_BYTES + 1] = "", last_hex[2 * STORE_HASH_BYTES + 1];
		if (store_meta_get(st, "audit_head", head, sizeof head) == STORE_OK &&
		    sscanf(head, "%lld %64s", &seq, hex) == 2) {
			for (int i = 0; i < STORE_HASH_BYTES; i++)
				snprintf(last_hex + 2 * i, 3, "%02x", prev[i]);
			if (seq > out->events) {
				out->bad_seq = out->events + 1;
				snprintf(out->problem, sizeof out->problem,
				         "the trail ends at event %lld but event %lld was recorded: the newest events "
				         "were removed",
				         (long long)out->events, seq);
			} else if (seq == out->events && strcmp(hex, last_hex) != 0) {
				out->bad_seq = seq;
				snprintf(out->problem, sizeof out->problem,
				         "it is not the event recorded as the newest: the end of the trail was "
				         "rewritten");
			}
		}
	}
	return own_read ? store_commit(st) : STORE_OK;
}

enum store_status store_audit_origin(struct store *st, struct store_origin *out)
{
	memset(out, 0, sizeof *out);
	char meta[16] = "";
	if (store_meta_get(st, "test_mode", meta, sizeof meta) == STORE_OK)
		out->meta_test_mode = strcmp(meta, "1") == 0;
	if (sodium_init() < 0) {
		snprintf(st->err, sizeof st->err, "the hashing library could not start");
		return STORE_ERROR;
	}
	sql_stmt *s = NULL;
	int rc = sql_prepare(st,
	                     "SELECT " EVENT_COLUMNS " FROM event e LEFT JOIN event_payload p ON p.seq = e.seq "
	                     "WHERE e.seq IN (1, 2) ORDER BY e.seq",
	                     &s);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "reading the audit trail");
	rc = sql_step(s);
	if (rc == SQLITE_ROW) {
		struct store_event e;
		fill_event(s, &e);
		out->any = true;
		out->known = e.seq == 1 && strcmp(e.action, "database.init") == 0;
		bool test = false;
		json_t *j = e.after ? json_loads(e.after, 0, NULL) : NULL;
		const char *v = json_string_value(json_object_get(j, "test_mode"));
		test = v && strcmp(v, "yes") == 0;
		json_decref(j);
		static const unsigned char zero[STORE_HASH_BYTES];
		bool payload_ok, event_ok;
		event_hashes(s, &e, &payload_ok, &event_ok);
		bool sealed = out->known && payload_ok && event_ok && memcmp(e.prev_hash, zero, STORE_HASH_BYTES) == 0;
		memcpy(out->hash, e.hash, STORE_HASH_BYTES);
		rc = sql_step(s);
		if (rc == SQLITE_ROW) {
			struct store_event next;
			fill_event(s, &next);
			sealed = sealed &&
			         memcmp(next.prev_hash, e.hash, STORE_HASH_BYTES) == 0; /* e.hash checked above */
			rc = SQLITE_DONE;
		}
		out->sealed = sealed;
		out->test_mode = sealed && test;
	}
	sql_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "reading the audit trail");
	return STORE_OK;
}

bool store_new_database_id(char out[33])
{
	if (sodium_init() < 0)
		return false;
	unsigned char b[16];
	randombytes_buf(b, sizeof b);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return true;
}

enum store_status store_audit_each_of_entity(struct store *st, const char *entity, store_event_fn fn, void *ud)
{
	sql_stmt *s = NULL;
	int rc = sql_prepare(st,
	                     "SELECT " EVENT_COLUMNS " FROM event e LEFT JOIN event_payload p ON p.seq = e.seq "
	                     "WHERE e.entity = ?1 ORDER BY e.entity_id, e.seq",
	                     &s);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "reading the audit trail");
	if (sql_bind_text(s, 1, entity, -1, SQLITE_STATIC) != SQLITE_OK) {
		sql_finalize(s);
		return store_fail(st, SQLITE_ERROR, "reading the audit trail");
	}
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		struct store_event e;
		fill_event(s, &e);
		if (fn(ud, &e) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sql_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "reading the audit trail");
	return STORE_OK;
}
